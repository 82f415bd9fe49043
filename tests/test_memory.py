"""Memory horizon: sensitivity profiles, horizons and memory capacity against answers known in closed form."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.sparse as sp

from forecasting import memory
from forecasting.errors import InputError, SettingsError
from forecasting.memory import (
    decay_horizon,
    memory_capacity,
    memory_horizon,
    memory_report,
    model_memory_capacity,
    sensitivity_profile,
    state_sensitivity_profile,
    theoretical_decay_rate,
)
from forecasting.models import get_model_class
from forecasting.models.base import Forecast, Forecaster, Params, RecurrentModel
from forecasting.models.esn import ESNForecaster
from forecasting.models.reservoir import Reservoir

# -- helpers -------------------------------------------------------------------------------------------

def seasonal_series(n: int = 144, m: int = 12, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / m) + 0.3 * rng.standard_normal(n)


def orthogonal(n: int, seed: int) -> np.ndarray:
    """Haar-random orthogonal matrix (QR of a Gaussian matrix with the sign fix)."""
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def linear_reservoir(n: int, rho: float, leak: float = 1.0, q: np.ndarray | None = None) -> Reservoir:
    W = rho * (orthogonal(n, 1) if q is None else q)
    W_in = np.column_stack([np.zeros(n), np.random.default_rng(2).uniform(-1.0, 1.0, n)])
    return Reservoir(W, W_in, leak_rate=leak, activation="identity")


@pytest.fixture(autouse=True)
def _one_torch_thread():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)


class RidgeAR(Forecaster):
    """Ridge regression of the next value on the last ``p`` values: its forecast cannot see past lag p."""

    name = "ridge_ar"
    label = "Ridge AR"
    Params = Params

    def __init__(self, p: int, alpha: float = 1e-3) -> None:
        super().__init__()
        self.p, self.alpha = p, alpha

    def _fit(self, train, val, callbacks):
        x = np.column_stack([train[self.p - k: len(train) - k] for k in range(1, self.p + 1)])
        y = train[self.p:]
        xc, yc = x - x.mean(0), y - y.mean()
        self.coef = np.linalg.solve(xc.T @ xc + self.alpha * np.eye(self.p), xc.T @ yc)
        self.intercept = y.mean() - x.mean(0) @ self.coef

    def _predict(self, history, horizon):
        lags = np.asarray(history, float)[::-1][: self.p]
        return Forecast(np.full(horizon, self.intercept + self.coef @ lags))

    @property
    def trainable_parameters(self) -> int:
        return self.p + 1


class TinyESN(Forecaster, RecurrentModel):
    """Minimal ESN on a given reservoir: ridge readout on [1, u_t, x_t], one-step forecast from a zero state.

    It declares RecurrentModel with the reservoir's own states and adjoint gradients: the memory analysis
    uses only that interface, never the attributes.
    """

    name = "tiny_esn"
    label = "Tiny ESN"
    Params = Params

    def __init__(self, reservoir: Reservoir) -> None:
        super().__init__()
        self.core = reservoir

    def _fit(self, train, val, callbacks):
        states = self.core.run(train[:-1])
        feats = np.column_stack([np.ones(len(states)), train[:-1], states])[10:]
        target = train[1:][10:]
        self.w = np.linalg.solve(feats.T @ feats + 1e-4 * np.eye(feats.shape[1]), feats.T @ target)

    def _predict(self, history, horizon):
        x = self.core.run(np.asarray(history, float))[-1]
        return Forecast(np.full(horizon, self.w @ np.concatenate([[1.0, history[-1]], x])))

    def states(self, inputs):
        return self.core.run(inputs)

    def input_gradients(self, series, ends, lags):
        return self.core.input_gradients(series, self.w, ends, lags)

    def memory_extras(self, eps):
        rho = float(np.max(np.abs(self.core.eigenvalues())))
        rate = theoretical_decay_rate(self.core.leak_rate, rho)
        return {"decay_rate": rate, "decay_horizon": decay_horizon(rate, eps), "spectral_radius": rho,
                "eigenvalues": [[float(z.real), float(z.imag)] for z in self.core.eigenvalues()]}

    @property
    def trainable_parameters(self) -> int:
        return self.w.size


def fitted_rnn(cell: str, series: np.ndarray, **changes):
    cls = get_model_class(cell)
    params = cls.Params().replace(max_epochs=5, hidden_size=8, **changes)
    return cls(params, seed=0).fit(series[:-20])


# -- baselines and linear forecasters: exact profiles ---------------------------------------------------

def test_naive_remembers_exactly_one_step():
    z = seasonal_series()
    model = get_model_class("naive")(seed=0).fit(z)
    profile = sensitivity_profile(model, z, max_lag=40)
    np.testing.assert_allclose(profile, np.r_[1.0, np.zeros(39)], atol=1e-9)
    assert memory_horizon(profile) == 1.0


@pytest.mark.parametrize("m", [4, 7, 12])
def test_seasonal_naive_horizon_is_the_season(m):
    z = seasonal_series(m=m)
    model = get_model_class("seasonal_naive")(seed=0, season_length=m).fit(z)
    profile = sensitivity_profile(model, z, max_lag=3 * m)
    expected = np.zeros(3 * m)
    expected[m - 1] = 1.0
    np.testing.assert_allclose(profile, expected, atol=1e-9)
    assert memory_horizon(profile) == float(m)


def test_drift_profile_matches_its_formula():
    # y_hat = y_t + (y_t - y_0) / t: d/dy_t = 1 + 1/t, d/dy_0 = -1/t, nothing else.
    z = seasonal_series(60)
    model = get_model_class("drift")(seed=0).fit(z)
    profile = sensitivity_profile(model, z, max_lag=100, origins=5)  # origins t = 55 .. 59
    assert len(profile) == 56  # every lag is averaged over the same origins: K <= first origin + 1
    t = np.arange(55, 60)
    assert profile[0] == pytest.approx(np.mean(1 + 1 / t), rel=1e-7)
    expected = np.zeros(56)
    expected[55] = (1 / 55) / 5  # lag 56 reaches y_0 from the first origin only
    np.testing.assert_allclose(profile[1:], expected[1:], atol=1e-8)
    assert memory_horizon(profile) == 1.0
    assert memory_horizon(sensitivity_profile(model, z, max_lag=100, origins=1)) == math.inf  # y_0: 1/59


@pytest.mark.parametrize("p", [1, 3, 8])
def test_ridge_ar_profile_is_its_coefficients(p):
    z = seasonal_series(200)
    model = RidgeAR(p).fit(z[:150])
    profile = sensitivity_profile(model, z, max_lag=30)
    np.testing.assert_allclose(profile[:p], np.abs(model.coef), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(profile[p:], 0.0, atol=1e-10)
    assert memory_horizon(profile) <= p


# -- memory_horizon itself ------------------------------------------------------------------------------

def test_horizon_definition_edges():
    assert memory_horizon([1.0, 0.5, 0.0, 0.02, 0.005, 0.0]) == 4.0  # non-monotone: last lag above eps
    assert memory_horizon([1.0, 0.5, 0.2]) == math.inf  # not decayed by K: unknown, not K
    assert memory_horizon([0.0, 0.0]) == 0.0  # the forecast ignores its input
    assert memory_horizon([0.2, 2.0, 0.05, 0.0], eps=0.1) == 2.0  # relative to the peak, not to S(1)
    with pytest.raises(SettingsError, match="eps"):
        memory_horizon([1.0, 0.0], eps=0.0)
    with pytest.raises(InputError):
        memory_horizon([1.0, np.nan])
    with pytest.raises(InputError):
        memory_horizon([])


# -- linear reservoirs: closed-form decay -----------------------------------------------------------------

@pytest.mark.parametrize("rho, expected", [(0.9, (44, 66, 132)), (0.99, (459, 688, 1375))])
def test_linear_orthogonal_reservoir_decays_as_rho_power_k(rho, expected):
    reservoir = linear_reservoir(30, rho)
    lags = expected[-1] + 5
    u = np.random.default_rng(3).uniform(-1, 1, lags + 20)
    profile = state_sensitivity_profile(reservoir, u, max_lag=lags)
    np.testing.assert_allclose(profile[1:] / profile[:-1], rho, atol=1e-6)
    assert profile[0] == pytest.approx(np.linalg.norm(reservoir.W_in[:, 1]), rel=1e-12)
    for eps, h in zip((1e-2, 1e-3, 1e-6), expected, strict=True):
        assert memory_horizon(profile, eps) == h
        assert decay_horizon(rho, eps) == h
        assert math.ceil(math.log(eps) / math.log(rho)) == h


@pytest.mark.parametrize("leak", [0.3, 0.7])
def test_leak_rate_sets_the_decay_rate(leak):
    rho = 0.9
    rate = theoretical_decay_rate(leak, rho)
    assert rate == pytest.approx((1 - leak) + leak * rho)
    u = np.random.default_rng(3).uniform(-1, 1, 220)
    # W = rho I: every direction shrinks by exactly (1-a) + a rho per step.
    flat = state_sensitivity_profile(linear_reservoir(10, rho, leak, q=np.eye(10)), u, max_lag=200)
    np.testing.assert_allclose(flat[1:] / flat[:-1], rate, atol=1e-9)
    # A Householder reflection (eigenvalues +1 and -1): the +1 direction dominates at long lags.
    v = np.random.default_rng(4).standard_normal(10)
    reflection = np.eye(10) - 2 * np.outer(v, v) / (v @ v)
    profile = state_sensitivity_profile(linear_reservoir(10, rho, leak, q=reflection), u, max_lag=200)
    np.testing.assert_allclose(profile[150:] / profile[149:-1], rate, atol=1e-6)
    # A generic orthogonal W: (1-a) + a rho bounds the asymptotic rate from above.
    generic = state_sensitivity_profile(linear_reservoir(10, rho, leak), u, max_lag=200)
    assert generic[-1] / generic[99] <= rate**100 * (1 + 1e-9)


def test_decay_rate_validates():
    with pytest.raises(SettingsError):
        theoretical_decay_rate(0.0, 0.9)
    with pytest.raises(SettingsError):
        theoretical_decay_rate(0.5, -1.0)
    assert decay_horizon(1.0) == math.inf
    assert decay_horizon(0.0) == 1.0


# -- memory capacity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, floor, ridge", [(20, 18.0, None), (100, 95.0, None), (100, 95.0, 1e-12)])
def test_linear_orthogonal_reservoir_capacity_near_n(n, floor, ridge):
    # measured 18.9 and 98.8 (GCV penalty), 98.8 with a fixed 1e-12; the issue author: about 18.9 and 98.
    total, profile = memory_capacity(linear_reservoir(n, 0.9).run, max_delay=2 * n + 50, n_train=3000,
                                     n_test=2000, ridge=ridge)
    assert floor <= total <= n + 0.5
    assert profile[0] > 0.95 and profile[-1] < 0.01  # recent inputs recalled almost perfectly, old ones not
    assert len(profile) == 2 * n + 50


def test_capacity_never_exceeds_units():
    for units, scaling, seed in [(10, 0.1, 0), (30, 0.5, 1), (50, 0.01, 2)]:
        reservoir = Reservoir.random(units, 0.95, 0.3, scaling, 0.1, 1.0, "tanh", seed)
        total, profile = memory_capacity(reservoir.run, max_delay=150, n_train=2000, n_test=2000)
        assert 0.0 < total <= units + 0.3
        assert np.all((profile >= 0) & (profile <= 1))


def test_capacity_falls_as_input_scaling_grows():
    totals = [memory_capacity(Reservoir.random(100, 0.9, 0.1, s, 0.0, 1.0, "tanh", 0).run)[0]
              for s in (0.01, 0.1, 1.0)]
    # measured 38.0, 26.1, 11.1 (issue author: about 35, 25, 9): tanh saturation erases the past.
    assert totals[0] > totals[1] + 5 > totals[2] + 10
    assert 25 < totals[0] < 50 and 5 < totals[2] < 16


def test_higher_spectral_radius_remembers_longer():
    u = np.random.default_rng(1).uniform(-1, 1, 700)
    horizons, capacities = [], []
    for rho in (0.5, 0.7, 0.9, 0.99):
        reservoir = Reservoir.random(100, rho, 0.1, 0.1, 0.0, 1.0, "tanh", 0)
        horizons.append(memory_horizon(state_sensitivity_profile(reservoir, u, max_lag=500, sources=8)))
        capacities.append(memory_capacity(reservoir.run)[0])
    assert np.all(np.diff(horizons) > 0), horizons
    assert np.all(np.diff(capacities) > 0), capacities


def test_capacity_checks_its_inputs():
    with pytest.raises(InputError, match="one state row"):
        memory_capacity(lambda u: np.zeros((3, 2)), max_delay=5, n_train=50, n_test=20)
    with pytest.raises(SettingsError):
        memory_capacity(linear_reservoir(5, 0.5).run, max_delay=0)
    assert model_memory_capacity(get_model_class("naive")(seed=0)) is None


# -- the three derivative paths agree -------------------------------------------------------------------

@pytest.mark.parametrize("sparse, leak", [(True, 1.0), (False, 0.4)])
def test_jacobian_chain_matches_finite_differences(sparse, leak):
    drawn = Reservoir.random(40, 0.95, 0.2, 0.8, 0.3, leak, "tanh", 5)
    dense = drawn.W.toarray() if sp.issparse(drawn.W) else np.asarray(drawn.W)
    reservoir = Reservoir(sp.csr_matrix(dense) if sparse else dense, drawn.W_in, leak, "tanh")
    assert reservoir.is_sparse == sparse
    z = seasonal_series(90)
    model = TinyESN(reservoir).fit(z[:70])
    exact = sensitivity_profile(model, z, max_lag=60, origins=4)  # auto: its declared input_gradients
    numeric = sensitivity_profile(model, z, max_lag=60, origins=4, method="finite_difference")
    # Central differences with step 1e-3 std in float64: truncation ~ step^2 |f'''| ~ 1e-7 of the peak.
    np.testing.assert_allclose(exact, numeric, atol=1e-5 * exact.max())
    assert exact.max() > 0.05 and exact[-1] < exact.max()


@pytest.mark.parametrize("cell, strategy", [("lstm", "recursive"), ("gru", "direct")])
def test_autograd_matches_finite_differences(cell, strategy):
    z = seasonal_series(100)
    model = fitted_rnn(cell, z, strategy=strategy, horizon=3)
    exact = sensitivity_profile(model, z, max_lag=50, origins=3)  # auto: autograd
    numeric = sensitivity_profile(model, z, max_lag=50, origins=3, method="finite_difference", fd_step=1e-2)
    # The forecast runs in float32 (relative rounding 6e-8); over a difference of 2 x 0.01 std that is
    # ~1e-5 of the output scale, and the step's truncation error is ~1e-5 too: 1e-3 of the peak is safe.
    np.testing.assert_allclose(exact, numeric, atol=1e-3 * exact.max())
    assert exact.max() > 1e-3


def test_explicit_methods_need_their_model_parts():
    z = seasonal_series(30)
    naive = get_model_class("naive")(seed=0).fit(z)
    for method in ("exact", "autograd", "jacobian"):
        with pytest.raises(SettingsError, match="finite_difference"):
            sensitivity_profile(naive, z, method=method)
    with pytest.raises(SettingsError, match="method"):
        sensitivity_profile(naive, z, method="magic")
    with pytest.raises(InputError):
        sensitivity_profile(naive, np.ones((3, 3)))
    with pytest.raises(SettingsError, match="heldout_start"):
        sensitivity_profile(naive, z, heldout_start=99)


def test_origins_spread_over_the_heldout_part():
    assert memory._origin_positions(100, 4, None).tolist() == [96, 97, 98, 99]
    assert memory._origin_positions(100, 4, 81).tolist() == [80, 86, 93, 99]
    assert memory._origin_positions(100, None, 95).tolist() == [94, 95, 96, 97, 98, 99]
    assert memory._origin_positions(5, 50, None).tolist() == [0, 1, 2, 3, 4]


# -- the report -----------------------------------------------------------------------------------------

def test_report_for_a_baseline_and_an_rnn():
    z = seasonal_series(120)
    naive = get_model_class("seasonal_naive")(seed=0, season_length=12).fit(z)
    report = memory_report(naive, z, heldout_start=100)
    assert report["memory_horizon"] == 12.0 and report["memory_capacity"] is None
    assert report["memory_capacity_profile"] is None
    assert report["memory_max_lag"] == len(report["sensitivity_profile"]) == 100  # first origin 99
    assert "decay_rate" not in report

    lstm = fitted_rnn("lstm", z)
    report = memory_report(lstm, z, heldout_start=100, max_lag=50, mc_delays=30, mc_train=500, mc_test=300)
    assert set(report) == {"memory_horizon", "sensitivity_profile", "memory_capacity",
                           "memory_capacity_profile", "memory_epsilon", "memory_max_lag"}
    assert 0 < report["memory_capacity"] <= 8 + 0.3 and len(report["memory_capacity_profile"]) == 30
    assert report["memory_max_lag"] == 50 and report["memory_epsilon"] == 0.01
    json.dumps(report)


def test_report_takes_the_extras_from_the_interface_only():
    """A model with a reservoir-like attribute but no RecurrentModel gets no extras, no capacity, no exact path."""
    z = seasonal_series(60)
    naive = get_model_class("naive")(seed=0).fit(z)
    naive.reservoir = Reservoir.random(10, 0.8, 0.3, 0.5, 0.1, 0.5, "tanh", 0)  # sniffing would find this
    naive.readout_weights = np.ones((1, 12))
    report = memory_report(naive, z, max_lag=20)
    assert report["memory_capacity"] is None and "eigenvalues" not in report
    assert report["memory_horizon"] == 1.0


def test_report_for_an_esn_like_model_lists_the_spectrum():
    reservoir = Reservoir.random(30, 0.8, 0.3, 0.5, 0.1, 0.5, "tanh", 0)
    z = seasonal_series(80)
    report = memory_report(TinyESN(reservoir).fit(z), z, max_lag=40, mc_delays=40)
    assert report["decay_rate"] == pytest.approx(0.5 + 0.5 * 0.8)
    assert report["spectral_radius"] == pytest.approx(0.8)
    assert report["decay_horizon"] == decay_horizon(0.9)
    assert len(report["eigenvalues"]) == 30 and all(len(z) == 2 for z in report["eigenvalues"])
    assert 0 < report["memory_capacity"] <= 30.3
    json.dumps(report)


# -- the real Echo State Network ------------------------------------------------------------------------

def small_esn(series: np.ndarray, **changes):
    cls = ESNForecaster  # the single reservoir: the registered "esn" searches its knobs (esn_search.py)
    params = cls.Params().replace(units=60, connectivity=0.1, ridge_alpha=1e-4, washout=10, **changes)
    return cls(params, seed=3).fit(series)


@pytest.mark.parametrize("leak", [1.0, 0.3])
def test_esn_forecaster_jacobian_matches_finite_differences(leak):
    z = seasonal_series(120)
    model = small_esn(z[:100], leak_rate=leak)
    exact = sensitivity_profile(model, z, max_lag=80, origins=3, heldout_start=100)
    assert np.array_equal(exact, sensitivity_profile(model, z, max_lag=80, origins=3, heldout_start=100,
                                                     method="jacobian"))
    numeric = sensitivity_profile(model, z, max_lag=80, origins=3, heldout_start=100, method="finite_difference")
    np.testing.assert_allclose(exact, numeric, atol=1e-5 * exact.max())


def test_esn_report_carries_the_reservoir_theory():
    z = seasonal_series(120)
    model = small_esn(z[:100], spectral_radius=0.8, leak_rate=0.5)
    report = memory_report(model, z, heldout_start=100)
    assert report["decay_rate"] == pytest.approx(0.9)
    assert report["decay_horizon"] == 44.0
    assert report["spectral_radius"] == pytest.approx(0.8)
    moduli = np.hypot(*np.array(report["eigenvalues"]).T)
    assert len(moduli) == 60 and moduli.max() == pytest.approx(0.8)
    assert 1 <= report["memory_horizon"] <= report["memory_max_lag"] == 100
    assert 0 < report["memory_capacity"] <= 60.3
    json.dumps(report)


def test_pooled_streams_estimate_the_same_capacity():
    """Several independent input series run as a batch give the single-series MC up to sampling noise."""
    reservoir = linear_reservoir(20, 0.9)

    def batched(u):
        return np.stack([reservoir.run(row) for row in u])

    single, _ = memory_capacity(reservoir.run, max_delay=60, n_train=2000, n_test=1000)
    pooled, profile = memory_capacity(batched, max_delay=60, n_train=2000, n_test=1000, streams=4)
    assert abs(pooled - single) < 0.5 and pooled >= 18 and len(profile) == 60


def test_rnn_capacity_uses_batched_streams_consistently():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    z = np.sin(np.arange(300) / 5.0)
    model = get_model_class("lstm")(get_model_class("lstm").Params(max_epochs=3), seed=0).fit(z)
    u = np.random.default_rng(0).uniform(-1, 1, (3, 50))
    batch = model.states(u)
    assert batch.shape == (3, 50, model.params.hidden_size)
    np.testing.assert_allclose(batch[1], model.states(u[1]), atol=1e-6)
    total, profile = model_memory_capacity(model, max_delay=20, n_train=400, n_test=200)
    assert 0 <= total <= model.params.hidden_size and len(profile) == 20
