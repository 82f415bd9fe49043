"""One contract, checked for every registered model (models added later join automatically).

Typed errors for bad input, determinism per seed, different seeds differing for stochastic models,
tuned hyperparameters surviving a refit, a declared kind, finite forecasts of the requested length.
Neural models run with small settings (FAST) so that the whole file stays within seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.errors import ForecastingError
from forecasting.models import MODEL_NAMES, Forecaster, ModelKind, get_model_class

SEASON, HORIZON = 4, 3
# Small values for any hyperparameter of these names (applied only where a model declares it).
FAST = {"units": 30, "hidden_size": 4, "max_epochs": 2, "truncation_length": 8, "search_trials": 2,
        "search_reservoirs": 1, "reservoirs": 2, "max_fits": 4, "horizon": HORIZON}


def _series(n: int = 48) -> np.ndarray:
    """A seasonal series on the scale of the comparison's model space (about mean 0, std 1)."""
    t = np.arange(n)
    return 0.02 * t + np.sin(2 * np.pi * t / SEASON) + np.random.default_rng(0).normal(0, 0.2, n)


def _make(name: str, seed: int = 0, **overrides) -> Forecaster:
    cls = get_model_class(name)
    names = cls.Params.names()
    params = cls.Params().replace(**{k: v for k, v in {**FAST, **overrides}.items() if k in names})
    return cls(params, seed=seed, season_length=SEASON)


@pytest.fixture(scope="module", params=MODEL_NAMES)
def fitted(request) -> tuple[str, Forecaster]:
    """Each registered model fitted once on the training part of the test series (seed 0)."""
    return request.param, _make(request.param).fit(_series()[:-HORIZON])


def test_kind_is_declared(fitted):
    name, model = fitted
    assert isinstance(type(model).kind, ModelKind)
    assert model.name == name and model.label


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, np.nan, 3.0] * 10), np.array([1.0, np.inf] * 20),
                                 np.ones((6, 2))])
def test_bad_training_series_raise_typed_errors(fitted, bad):
    name, _ = fitted
    with pytest.raises(ForecastingError):
        _make(name).fit(bad)


def test_too_short_training_series_raises_a_typed_error(fitted):
    name, model = fitted
    needed = model.required_train_points()
    with pytest.raises(ForecastingError, match="at least"):
        _make(name).fit(_series()[: needed - 1])


@pytest.mark.parametrize("horizon", [0, -1, 2.5, True])
def test_bad_horizons_raise_typed_errors(fitted, horizon):
    _, model = fitted
    with pytest.raises(ForecastingError):
        model.predict(_series(), horizon)


@pytest.mark.parametrize("history", [np.array([]), np.array([1.0, np.nan, 2.0])])
def test_bad_histories_raise_typed_errors(fitted, history):
    _, model = fitted
    with pytest.raises(ForecastingError):
        model.predict(history, HORIZON)


def test_forecasts_are_finite_and_as_long_as_the_horizon(fitted):
    _, model = fitted
    for history in (_series()[:-HORIZON], _series()):
        prediction = model.predict(history, HORIZON)
        assert prediction.values.shape == (HORIZON,) and np.all(np.isfinite(prediction.values))
        assert isinstance(prediction.clipped, (bool, np.bool_))


def test_forecasts_from_many_origins_equal_one_forecast_per_origin(fitted):
    """``origin_forecasts`` (what a band is calibrated on; ETS batches it) matches ``forecast`` origin by origin."""
    _, model = fitted
    series, origins = _series(), range(len(_series()) - 2 * HORIZON, len(_series()) - HORIZON + 1)
    expected = np.vstack([model.forecast(series[:o], HORIZON) for o in origins])
    np.testing.assert_allclose(model.origin_forecasts(series, origins, HORIZON), expected, rtol=1e-9, atol=1e-9)


def test_same_seed_gives_the_same_forecast(fitted):
    name, model = fitted
    again = _make(name).fit(_series()[:-HORIZON])
    np.testing.assert_array_equal(again.forecast(_series()[:-HORIZON], HORIZON),
                                  model.forecast(_series()[:-HORIZON], HORIZON))


def test_different_seeds_differ_for_stochastic_models(fitted):
    name, model = fitted
    if not type(model).stochastic:
        pytest.skip(f"{name} is deterministic")
    other = _make(name, seed=1).fit(_series()[:-HORIZON])
    assert not np.array_equal(other.forecast(_series()[:-HORIZON], HORIZON),
                              model.forecast(_series()[:-HORIZON], HORIZON))


def test_tuned_parameters_survive_a_refit(fitted):
    name, model = fitted
    tuned = model.tuned_params()
    refit = type(model)(model.params.replace(**tuned), seed=0, season_length=SEASON).fit(_series())
    again = refit.tuned_params()
    assert set(again) <= set(tuned) or not tuned
    for key, value in again.items():
        assert value == tuned[key], f"{name}: {key} changed from {tuned[key]!r} to {value!r} on refit"
