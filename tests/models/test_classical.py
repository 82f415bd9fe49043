"""Classical references (ETS, Theta, auto-ARIMA): their automatic choices, refits, fallbacks and tests."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forecasting.errors import SettingsError
from forecasting.models import ModelKind, get_model_class
from forecasting.models.classical import arima as arima_module
from forecasting.models.classical import ets as ets_module
from forecasting.models.classical.arima import difference, integrate, kpss_differences, seasonal_strength

SEASON = 12


def _seasonal(n: int = 96, seed: int = 0) -> np.ndarray:
    """Trend plus a strong additive season plus a little noise."""
    t = np.arange(n)
    return 50 + 0.5 * t + 10 * np.sin(2 * np.pi * t / SEASON) + np.random.default_rng(seed).normal(0, 0.5, n)


def _noise(n: int = 80, seed: int = 1) -> np.ndarray:
    return 10 + np.random.default_rng(seed).standard_normal(n)


def test_registry_lists_the_classical_models_with_their_kind():
    for name in ("ets", "theta", "arima"):
        cls = get_model_class(name)
        assert cls.kind is ModelKind.CLASSICAL and not cls.uses_preprocessing and not cls.stochastic


# -- ETS -----------------------------------------------------------------------------------------
def test_ets_picks_a_seasonal_trending_form_and_keeps_it_on_refit():
    ets = get_model_class("ets")
    y = _seasonal(60)
    model = ets(season_length=SEASON).fit(y[:48])
    assert model.tuned_params()["seasonal"] == "add" and model.tuned_params()["trend"] in ("add", "damped")
    assert len(model.aicc) == 6  # 3 trends x 2 seasonal forms
    refit = ets(model.params.replace(**model.tuned_params()), season_length=SEASON).fit(y)
    assert refit.tuned_params() == model.tuned_params() and len(refit.aicc) == 1
    forecast = model.forecast(y[:48], 12)
    assert np.mean(np.abs(forecast - y[48:])) < 2.0


def test_ets_without_season_length_or_two_seasons_fits_no_season():
    ets = get_model_class("ets")
    assert ets(season_length=1).fit(_noise()).tuned_params()["seasonal"] == "none"
    short = ets(ets.Params().replace(seasonal="add"), season_length=SEASON).fit(_seasonal(20))
    assert short.tuned_params()["seasonal"] == "none"
    assert any("seasonal=add needs" in w for w in short.warnings)


def test_ets_multiplicative_season_on_non_positive_series_falls_back_to_additive():
    ets = get_model_class("ets")
    y = _seasonal() - 200
    model = ets(ets.Params().replace(seasonal="mul", trend="none"), season_length=SEASON).fit(y)
    assert model.tuned_params() == {"trend": "none", "seasonal": "add"}
    assert any("strictly positive" in w for w in model.warnings)


def test_ets_forecast_from_a_longer_history_reruns_the_fitted_smoothing():
    ets = get_model_class("ets")
    y = _seasonal()
    model = ets(ets.Params().replace(trend="add", seasonal="add"), season_length=SEASON).fit(y[:72])
    fitted = model._result.params.copy()
    later = model.forecast(y[:84], 12)
    assert not np.allclose(later, model.forecast(y[:72], 12))
    assert np.mean(np.abs(later - y[84:])) < 2.0
    np.testing.assert_array_equal(model._result.params, fitted)  # forecasting did not refit


@pytest.mark.parametrize("trend", ["none", "add", "damped"])
@pytest.mark.parametrize("seasonal", ["none", "add"])
def test_ets_forecasts_from_many_origins_with_one_smoothing_pass(trend, seasonal, monkeypatch):
    ets = get_model_class("ets")
    y = _seasonal(120, seed=3)
    model = ets(ets.Params().replace(trend=trend, seasonal=seasonal), season_length=SEASON).fit(y[:84])
    origins = range(84, 109)  # the fit's own end included
    expected = np.vstack([model.forecast(y[:o], 12) for o in origins])
    smoothed = []
    real_model = ets_module._model
    monkeypatch.setattr(ets_module, "_model", lambda *a: smoothed.append(1) or real_model(*a))
    np.testing.assert_allclose(model.origin_forecasts(y, origins, 12), expected, rtol=1e-10, atol=1e-10)
    assert len(smoothed) == 1  # one pass over the series, not one per origin
    capped = ets(ets.Params().replace(trend=trend, seasonal=seasonal, max_points=90), season_length=SEASON).fit(y[:84])
    np.testing.assert_allclose(capped.origin_forecasts(y, origins, 12),  # longer histories than max_points:
                               np.vstack([capped.forecast(y[:o], 12) for o in origins]), rtol=1e-10, atol=1e-10)


def test_ets_falls_back_to_simple_smoothing_then_naive(monkeypatch):
    ets = get_model_class("ets")
    real = ets_module._model

    def only_level(series, trend, seasonal, m):
        if (trend, seasonal) != ("none", "none"):
            raise np.linalg.LinAlgError("singular")
        return real(series, trend, seasonal, m)

    monkeypatch.setattr(ets_module, "_model", only_level)
    model = ets(ets.Params().replace(trend="damped", seasonal="add"), season_length=SEASON).fit(_seasonal(48))
    assert model.tuned_params() == {"trend": "none", "seasonal": "none"}
    assert any("simple exponential smoothing" in w for w in model.warnings)

    monkeypatch.setattr(ets_module, "_model", lambda *a: (_ for _ in ()).throw(ValueError("too short")))
    broken = ets(season_length=SEASON).fit(_seasonal(48))
    assert broken.tuned_params() == {} and any("naive" in w for w in broken.warnings)
    np.testing.assert_array_equal(broken.forecast(np.array([1.0, 2.0, 3.0]), 2), [3.0, 3.0])


def test_non_finite_forecast_becomes_naive_with_a_warning(monkeypatch):
    ets = get_model_class("ets")
    model = ets(season_length=1).fit(_noise())
    monkeypatch.setattr(model, "_forecast", lambda history, horizon: np.full(horizon, np.nan))
    prediction = model.predict(np.array([4.0, 5.0]), 3)
    np.testing.assert_array_equal(prediction.values, [5.0, 5.0, 5.0])
    assert not prediction.clipped and any("non-finite" in w for w in model.warnings)


def test_statsmodels_warnings_do_not_escape():
    y = np.r_[np.zeros(10), np.ones(10)] + np.random.default_rng(2).normal(0, 1e-3, 20)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("ets", "theta", "arima"):
            get_model_class(name)(season_length=4).fit(y).forecast(y, 4)
    assert [str(w.message) for w in caught] == []


# -- Theta ---------------------------------------------------------------------------------------
def test_theta_deseasonalises_a_seasonal_series_and_keeps_the_choice():
    theta = get_model_class("theta")
    y = _seasonal()
    model = theta(season_length=SEASON).fit(y[:84])
    assert model.tuned_params() == {"deseasonalize": "true", "method": "mul"}
    assert np.mean(np.abs(model.forecast(y[:84], 12) - y[84:])) < 3.0
    refit = theta(model.params.replace(**model.tuned_params()), season_length=SEASON).fit(y)
    assert refit.tuned_params() == model.tuned_params()


def test_theta_on_noise_without_season_is_flat_and_finds_no_season():
    theta = get_model_class("theta")
    assert theta(season_length=1).fit(_noise()).tuned_params()["deseasonalize"] == "false"
    model = theta(theta.Params().replace(theta=1.0), season_length=1).fit(_noise())
    forecast = model.forecast(_noise(), 5)
    assert np.ptp(forecast) < 1e-9  # theta = 1 is simple exponential smoothing: a flat forecast


def test_theta_negative_series_uses_additive_decomposition():
    theta = get_model_class("theta")
    model = theta(season_length=SEASON).fit(_seasonal() - 200)
    assert model.tuned_params()["method"] == "add"


# -- auto-ARIMA ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lags", [[1], [1, 1], [4], [4, 1]])
def test_differencing_inverts_exactly(lags):
    y = _seasonal(40)
    future = y[30:]
    w = difference(y, lags)
    back = integrate(w[len(w) - 10:], y[:30], lags)
    np.testing.assert_allclose(back, future, rtol=1e-12)


def test_seasonal_strength_and_kpss_separate_the_textbook_cases():
    rng = np.random.default_rng(3)
    assert seasonal_strength(_seasonal(), SEASON) > 0.64
    assert seasonal_strength(rng.standard_normal(96), SEASON) < 0.64
    assert kpss_differences(np.cumsum(rng.standard_normal(200)), 2) >= 1
    assert kpss_differences(rng.standard_normal(200), 2) == 0
    assert kpss_differences(rng.standard_normal(5), 2) is None


def test_arima_finds_an_ar_process_and_a_refit_runs_one_fit():
    arima = get_model_class("arima")
    rng = np.random.default_rng(4)
    y = np.zeros(150)
    for t in range(1, 150):
        y[t] = 0.6 * y[t - 1] + rng.standard_normal()
    model = arima(season_length=1).fit(y + 20)
    tuned = model.tuned_params()
    assert tuned["d"] == 0 and tuned["D"] == 0 and tuned["p"] >= 1 and tuned["constant"] == "true"
    assert 3 <= model.fits <= model.params.max_fits
    refit = arima(model.params.replace(**tuned), season_length=1).fit(y + 20)
    assert refit.tuned_params() == tuned and refit.fits == 1


def test_arima_seasonal_series_takes_a_seasonal_difference_and_forecasts_it():
    arima = get_model_class("arima")
    y = _seasonal()
    model = arima(arima.Params().replace(max_fits=4), season_length=SEASON).fit(y[:84])
    assert model.D == 1 and "(" in model.describe()[12:]
    assert np.mean(np.abs(model.forecast(y[:84], 12) - y[84:])) < 2.0
    assert np.mean(np.abs(model.forecast(y[:90], 6) - y[90:])) < 2.0  # refiltered over a longer history


def test_arima_falls_back_to_seasonal_naive_when_no_fit_succeeds(monkeypatch):
    arima = get_model_class("arima")
    monkeypatch.setattr(arima_module.ARIMAForecaster, "_fit_spec",
                        lambda self, w, spec: (_ for _ in ()).throw(np.linalg.LinAlgError("singular")))
    y = _seasonal()
    model = arima(arima.Params().replace(d=0, D=1), season_length=SEASON).fit(y)
    assert any("no ARMA model" in w for w in model.warnings)
    np.testing.assert_allclose(model.forecast(y, SEASON), y[-SEASON:])


def test_arima_refuses_seasonal_differencing_without_a_season():
    arima = get_model_class("arima")
    with pytest.raises(SettingsError, match="season length"):
        arima(arima.Params().replace(D=1), season_length=1)


def test_arima_orders_from_text_are_whole_numbers():
    arima = get_model_class("arima")
    params = arima.Params().replace(p="1", d="1", q="0", P="0", Q="0", constant="false")
    model = arima(params, season_length=1).fit(np.cumsum(_noise(60)))
    assert model.describe() == "ARIMA(1,1,0)" and model.fits == 1


def test_arima_without_a_season_drops_seasonal_orders_with_a_warning():
    arima = get_model_class("arima")
    params = arima.Params().replace(p=0, d=1, q=0, P=1, Q=1, constant="false")
    model = arima(params, season_length=1).fit(np.cumsum(_noise(40)))
    assert model.tuned_params()["P"] == 0 and any("P and Q set to 0" in w for w in model.warnings)
