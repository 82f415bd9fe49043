"""The searched ESN ensemble: deterministic nested search inside train, honest refit, budget, ensemble and
its recurrent core for the memory analysis. Small reservoirs and few trials keep each test under a second."""

from __future__ import annotations

import json

import numpy as np
import pytest

from forecasting.errors import SettingsError
from forecasting.models import get_model_class
from forecasting.models.base import FitCallbacks, RecurrentModel
from forecasting.models.esn import ESNForecaster, ESNParams
from forecasting.models.esn_search import (
    SEARCHED,
    SearchedESNForecaster,
    SearchedESNParams,
    inner_split,
    member_seed,
    sample_configs,
)

SMALL = dict(units=40, horizon=8, search="random", search_trials=5, search_reservoirs=2, reservoirs=3, washout=20)


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> None:
    ESNForecaster.warm_up()


@pytest.fixture(scope="module")
def series() -> np.ndarray:
    """A noisy seasonal series (period 12, 160 points), standardised like the comparison's model space."""
    rng = np.random.default_rng(3)
    t = np.arange(160)
    y = np.sin(2 * np.pi * t / 12) + 0.3 * np.sin(2 * np.pi * t / 37) + 0.2 * rng.standard_normal(160)
    return (y - y.mean()) / y.std()


def fitted(train: np.ndarray, seed: int = 0, **changes: object) -> SearchedESNForecaster:
    params = SearchedESNParams().replace(**{**SMALL, **changes})
    return SearchedESNForecaster(params, seed=seed, season_length=12).fit(train)


def test_registered_as_the_esn() -> None:
    cls = get_model_class("esn")
    assert cls is SearchedESNForecaster
    assert cls.label == "Echo State Network" and cls.stochastic
    assert issubclass(cls, RecurrentModel)


def test_search_is_deterministic_per_seed(series: np.ndarray) -> None:
    a, b, other = fitted(series[:120]), fitted(series[:120]), fitted(series[:120], seed=1)
    assert [t.config for t in a.search_trials_] == [t.config for t in b.search_trials_]
    assert [t.score for t in a.search_trials_] == [t.score for t in b.search_trials_]
    np.testing.assert_array_equal(a.forecast(series[:120], 8), b.forecast(series[:120], 8))
    assert [t.config for t in a.search_trials_][1:] != [t.config for t in other.search_trials_][1:]


def test_trial_zero_is_the_given_settings_and_the_rest_stay_in_range() -> None:
    params = SearchedESNParams().replace(**{**SMALL, "search_trials": 30})
    configs = sample_configs(params, seed=4)
    assert configs[0] == {name: getattr(params, name) for name in SEARCHED}
    for config in configs[1:]:
        params.replace(**config)  # every draw is a valid setting
        assert 20 <= config["units"] <= params.units


def test_search_never_reads_past_train_and_uses_its_inner_tail(series: np.ndarray) -> None:
    train = series[:120]
    model = fitted(train)
    report = model.search_summary()
    json.dumps(report, allow_nan=False)  # the dashboard and the JSON output take it as is
    assert report["fit_points"] < len(train)
    assert max(report["window_origins"]) + report["window_length"] <= len(train)
    # Values after train cannot matter: fitting on a poisoned continuation's train part gives the same choice.
    poisoned = series.copy()
    poisoned[120:] = 1e6
    again = fitted(poisoned[:120])
    assert again.tuned_params() == model.tuned_params()
    # ... while the inner tail does decide: poisoning it changes the trials' scores.
    tail_poisoned = train.copy()
    tail_poisoned[report["fit_points"]:] += 3.0
    changed = fitted(tail_poisoned)
    assert [t.score for t in changed.search_trials_] != [t.score for t in model.search_trials_]


def test_tuned_params_reproduce_the_forecast_without_searching(series: np.ndarray) -> None:
    train = series[:120]
    searched = fitted(train)
    tuned = searched.tuned_params()
    assert tuned["search"] == "off" and tuned["ridge_alpha"] is not None
    assert set(SEARCHED) <= set(tuned)
    refit = SearchedESNForecaster(searched.params.replace(**tuned), seed=0, season_length=12).fit(train)
    assert refit.search_trials_ == []
    np.testing.assert_allclose(refit.forecast(train, 8), searched.forecast(train, 8), rtol=0, atol=1e-12)
    assert refit.tuned_params() == tuned  # survives the refit


def test_search_respects_its_time_budget(series: np.ndarray) -> None:
    model = fitted(series[:120], search_trials=400, search_budget_s=0.05)
    report = model.search_summary()
    assert report["budget_hit"] and 1 <= len(model.search_trials_) < 400
    slowest = max(t.seconds for t in model.search_trials_)
    assert report["search_seconds"] <= 0.05 + slowest + 0.5  # 400 trials would take seconds: it stopped
    assert any("time budget" in w for w in model.warnings)


def test_run_time_budget_caps_the_search(series: np.ndarray) -> None:
    params = SearchedESNParams().replace(**{**SMALL, "search_trials": 400, "search_budget_s": 100.0})
    model = SearchedESNForecaster(params, season_length=12)
    model.fit(series[:120], callbacks=FitCallbacks(time_budget_s=0.05))
    assert model.search_summary()["budget_s"] == 0.05 and len(model.search_trials_) < 400


def test_search_off_single_reservoir_equals_the_plain_esn(series: np.ndarray) -> None:
    train = series[:120]
    params = SearchedESNParams().replace(**{**SMALL, "search": "off", "reservoirs": 1})
    wrapper = SearchedESNForecaster(params, seed=7, season_length=12).fit(train)
    plain = ESNForecaster(params.esn_params(), seed=7, season_length=12).fit(train)
    np.testing.assert_array_equal(wrapper.forecast(train, 8), plain.forecast(train, 8))
    assert wrapper.trainable_parameters == plain.trainable_parameters
    assert wrapper.tuned_params()["ridge_alpha"] == plain.tuned_params()["ridge_alpha"]
    assert wrapper.search_trials_ == [] and wrapper.search_summary()["search"] == "off"


def test_ensemble_is_the_median_of_distinct_reservoirs(series: np.ndarray) -> None:
    train = series[:120]
    model = fitted(train, search="off", reservoirs=4)
    seeds = [m.seed for m in model.members]
    assert seeds[0] == 0 and len(set(seeds)) == 4 and seeds == [member_seed(0, k) for k in range(4)]
    assert len({m.tuned_params()["ridge_alpha"] for m in model.members}) == 1  # one shared penalty
    members = np.vstack([m.forecast(train, 8) for m in model.members])
    np.testing.assert_allclose(model.forecast(train, 8), np.median(members, axis=0))
    mean = fitted(train, search="off", reservoirs=4, combine="mean")
    np.testing.assert_allclose(mean.forecast(train, 8), members.mean(axis=0))
    assert model.trainable_parameters == 4 * (40 + 2) * model.members[0].out_dim  # one readout row per output


def test_too_short_train_skips_the_search_with_a_warning() -> None:
    train = np.sin(np.arange(60) / 2.0)
    model = fitted(train, horizon=40, washout=5)
    assert model.search_trials_ == [] and any("too short" in w for w in model.warnings)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(SettingsError):
        SearchedESNParams().replace(search="grid")
    with pytest.raises(SettingsError):
        SearchedESNParams().replace(reservoirs=0)
    assert inner_split(20, 15) is None


@pytest.mark.skipif(not issubclass(ESNForecaster, RecurrentModel),
                    reason="the ESN core does not implement RecurrentModel yet")
@pytest.mark.parametrize("combine", ["median", "mean"])
def test_input_gradients_match_finite_differences_of_the_combined_forecast(series: np.ndarray,
                                                                           combine: str) -> None:
    train = series[:120]
    model = fitted(train, search="off", reservoirs=3, combine=combine)
    ends = np.array([100, 119])
    grads = model.input_gradients(train, ends, lags=5)
    delta = 1e-6
    for i, end in enumerate(ends):
        for lag in range(5):
            j = end - lag
            up, down = train[:end + 1].copy(), train[:end + 1].copy()
            up[j] += delta
            down[j] -= delta
            numeric = (model.forecast(up, 1)[0] - model.forecast(down, 1)[0]) / (2 * delta)
            assert grads[i, j] == pytest.approx(numeric, rel=1e-4, abs=1e-7)
    assert model.states(train).shape == (120, 40)


def test_fit_reports_one_closed_form_epoch(series: np.ndarray) -> None:
    calls = []
    model = SearchedESNForecaster(SearchedESNParams().replace(**SMALL), season_length=12)
    model.fit(series[:120], callbacks=FitCallbacks(on_epoch=lambda *a: calls.append(a)))
    assert len(calls) == 1 and calls[0][3] == model.search_summary()["best_score"]
    assert ESNParams.names() == SearchedESNParams.names()[:len(ESNParams.names())]


def test_margin_keeps_the_given_settings_unless_a_trial_wins_clearly(series: np.ndarray) -> None:
    free = fitted(series[:120], search_margin=0.0)
    best = min(free.search_trials_, key=lambda t: t.score)
    assert free.search_summary()["best_trial"] == best.trial
    strict = fitted(series[:120], search_margin=0.9)
    given = strict.search_trials_[0]
    assert strict.search_summary()["best_trial"] == 0
    assert {k: strict.tuned_params()[k] for k in SEARCHED} == given.config


def test_memory_report_reads_the_ensemble_through_the_recurrent_interface(series: np.ndarray) -> None:
    from forecasting.memory import memory_report

    model = fitted(series[:120], search="off", reservoirs=3, spectral_radius=0.8, leak_rate=0.5)
    report = memory_report(model, series, heldout_start=120)
    assert report["decay_rate"] == pytest.approx(0.9)  # 1 - a + a * rho of the members' shared settings
    assert len(report["eigenvalues"]) == 40 and report["memory_capacity"] is not None
    assert len(report["sensitivity_profile"]) > 0


def test_direct_readouts_by_default_and_recursive_on_request(series: np.ndarray) -> None:
    """The product's ESN forecasts with one readout per step (no fed-back errors); recursive stays available."""
    train = series[:120]
    direct = fitted(train, search="off", reservoirs=1, horizon=6)
    assert SearchedESNParams().strategy == "direct" and direct.members[0].out_dim == 6
    recursive = fitted(train, search="off", reservoirs=1, horizon=6, strategy="recursive")
    assert recursive.members[0].out_dim == 1
    for model in (direct, recursive):
        values = model.forecast(train, 6)
        assert values.shape == (6,) and np.all(np.isfinite(values))
    assert not np.allclose(direct.forecast(train, 6), recursive.forecast(train, 6))


def test_too_short_for_direct_readouts_falls_back_to_recursive_with_a_warning(series: np.ndarray) -> None:
    """26 points cannot give an 18-step direct readout 10 rows; the recursive readout fits, and refits keep it."""
    train = series[:26]
    model = fitted(train, horizon=18, reservoirs=2)
    assert model.members and all(m.params.strategy == "recursive" for m in model.members)
    assert any("Direct readouts did not fit" in w and "recursive" in w for w in model.warnings)
    assert model.tuned_params()["strategy"] == "recursive"
    values = model.forecast(train, 18)
    assert values.shape == (18,) and np.all(np.isfinite(values))
    direct = fitted(series[:120], horizon=18, reservoirs=1, search="off")  # long enough: stays direct
    assert direct.tuned_params()["strategy"] == "direct" and not any("Direct readouts" in w for w in direct.warnings)
