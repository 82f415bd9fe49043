"""The comparison protocol: same splits for all, no leakage from the test part, validation-only choices."""

import json

import numpy as np
import pandas as pd
import pytest

from forecasting.comparison import CompareCallbacks, CompareConfig, compare
from forecasting.errors import SettingsError
from forecasting.examples import load_example
from forecasting.loading import series_from_values
from forecasting.selection import recommendation_flags

FAST = ("esn", "naive", "seasonal_naive", "drift")


def _seasonal_series(n: int = 160, seed: int = 0, tail_scale: float = 1.0):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    y = 50 + 0.2 * t + 8 * np.sin(2 * np.pi * t / 12) + rng.standard_normal(n)
    y[-12:] *= tail_scale
    index = pd.date_range("2000-01-01", periods=n, freq="MS")
    return series_from_values(y, index=index, name="demo")


def test_changing_test_values_changes_no_fitted_parameter_or_forecast():
    config = CompareConfig(horizon=12, models=FAST, memory=False)
    a = compare(_seasonal_series(), config)
    b = compare(_seasonal_series(tail_scale=3.0), config)
    assert a.preprocessing == b.preprocessing
    for name in FAST:
        ra, rb = a.models[name], b.models[name]
        assert ra.ok, ra.error
        assert ra.forecast == rb.forecast
        assert ra.tuned_params == rb.tuned_params
        assert ra.validation_metrics == rb.validation_metrics
        assert ra.metrics != rb.metrics  # the test part itself did change
    assert a.recommended == b.recommended


def test_recommended_model_is_best_on_validation_not_test():
    result = compare(_seasonal_series(), CompareConfig(horizon=12, models=FAST, memory=False))
    def score(name: str) -> float:
        return result.models[name].validation_metrics["mase"]
    unflagged = [n for n, r in result.models.items() if not recommendation_flags(r)]
    assert result.recommended == min(unflagged, key=score)
    # A note exactly when the best score belongs to a flagged model (stopped, time budget, clipped).
    assert bool(result.recommendation_note) == (min(result.models, key=score) not in unflagged)
    for model in result.models.values():  # the selection score is the mean of the per-window scores
        assert model.validation_metrics["mase"] == pytest.approx(np.mean(model.selection_scores))


def test_result_carries_everything_per_model_and_is_strict_json():
    result = compare(_seasonal_series(), CompareConfig(horizon=12, models=("esn", "seasonal_naive")))
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["horizon"] == 12 and data["split"]["test_size"] == 12
    esn = data["models"]["esn"]
    for key in ("metrics", "fit_seconds", "forecast_seconds", "trainable_parameters", "peak_memory_mb",
                "forecast", "forecast_index", "memory_horizon", "sensitivity_profile", "memory_capacity",
                "selection_scores", "failed_seeds"):
        assert key in esn
    for key in ("setup_seconds", "setup_breakdown", "selection", "recommendation_note"):
        assert key in data
    assert set(data["setup_breakdown"]) == {"esn", "seasonal_naive"}
    assert set(esn["metrics"]) == {"mae", "rmse", "smape", "mase", "nrmse"}
    assert len(esn["forecast"]) == 12 and esn["forecast_index"][0].startswith("2012-05-01")
    assert esn["trainable_parameters"] > 0 and esn["fit_seconds"] > 0


def test_seasonal_naive_mase_on_airline_matches_the_textbook_value():
    result = compare(load_example("air_passengers"),
                     CompareConfig(horizon=12, models=("seasonal_naive",), memory=False))
    assert result.models["seasonal_naive"].metrics["mase"] == pytest.approx(1.5709, abs=1e-3)


def test_several_seeds_report_spread_and_same_seed_reproduces():
    config = CompareConfig(horizon=12, models=("esn",), seeds=3, memory=False)
    a = compare(_seasonal_series(), config)
    b = compare(_seasonal_series(), config)
    assert a.models["esn"].metrics_std is not None
    assert a.models["esn"].seeds == [0, 1, 2]
    assert a.models["esn"].forecast == b.models["esn"].forecast
    assert len({tuple(f) for f in a.models["esn"].seed_forecasts}) == 3


def test_backtest_fits_once_for_selection_then_refits_before_each_test_window():
    starts = []
    callbacks = CompareCallbacks(on_model_start=lambda name, run, total: starts.append((name, run, total)))
    result = compare(_seasonal_series(), CompareConfig(horizon=12, models=("naive",), backtest=3, memory=False),
                     callbacks)
    assert starts == [("naive", 1, 4), ("naive", 2, 4), ("naive", 3, 4), ("naive", 4, 4)]
    assert result.selection["test_starts"] == [160 - 36, 160 - 24, 160 - 12]
    assert result.split["test_size"] == 36
    assert max(end for _, end in result.selection["windows"]) <= 160 - 36  # no window overlaps any test window
    assert len(result.models["naive"].backtest_forecasts) == 3


def test_poisoned_test_values_change_no_tuned_value_selection_score_or_recommendation():
    config = CompareConfig(horizon=12, models=(*FAST, "ensemble"), backtest=2, memory=False)
    clean = compare(_seasonal_series(), config)
    values = _seasonal_series().values.copy()
    values[-24:] = 1e6  # every test window of both backtest origins
    poisoned = compare(series_from_values(values, index=_seasonal_series().index, name="demo"), config)
    assert clean.recommended == poisoned.recommended
    assert clean.selection == poisoned.selection
    for name in (*FAST, "ensemble"):
        a, b = clean.models[name], poisoned.models[name]
        assert a.ok and b.ok, (a.error, b.error)
        assert a.tuned_params == b.tuned_params
        assert a.selection_scores == b.selection_scores and len(a.selection_scores) == 3
        assert a.validation_metrics == b.validation_metrics
        assert a.metrics != b.metrics


def test_backtest_origins_never_see_their_own_future():
    """Poisoning the last test window changes the last origin's results only: earlier origins were fitted,
    preprocessed and scored on data before their own windows."""
    config = CompareConfig(horizon=12, models=(*FAST, "ets"), backtest=3, memory=False)
    clean = compare(_seasonal_series(), config)
    values = _seasonal_series().values.copy()
    values[-12:] = 1e6  # the third origin's test window only
    poisoned = compare(series_from_values(values, index=_seasonal_series().index, name="demo"), config)
    for name in (*FAST, "ets"):
        a, b = clean.models[name], poisoned.models[name]
        assert a.ok and b.ok, (a.error, b.error)
        assert a.backtest_forecasts[:2] == b.backtest_forecasts[:2], name
        assert a.origin_metrics[:2] == b.origin_metrics[:2], name
        assert a.origin_metrics[2] != b.origin_metrics[2], name


def test_a_failing_model_keeps_the_others():
    y = np.sin(np.arange(120) / 3.0)  # has negative values: log is impossible
    series = series_from_values(y, name="wave")
    result = compare(series, CompareConfig(horizon=10, models=("esn", "naive"), log=True, memory=False))
    assert result.models["esn"].error and "positive" in result.models["esn"].error
    assert result.models["naive"].ok and result.recommended == "naive"


def test_stop_request_keeps_finished_models():
    done = []
    callbacks = CompareCallbacks(on_model_done=lambda name, res: done.append(name),
                                 should_stop=lambda: len(done) >= 1)
    result = compare(_seasonal_series(), CompareConfig(horizon=12, models=("naive", "drift"), memory=False),
                     callbacks)
    assert result.cancelled and list(result.models) == ["naive"]


def test_bad_settings_are_caught_before_fitting():
    with pytest.raises(SettingsError, match="valid models"):
        compare(_seasonal_series(), CompareConfig(models=("no_such_model",)))
    with pytest.raises(SettingsError, match="at least two more"):
        compare(_seasonal_series(), CompareConfig(models=("naive", "ensemble")))
    with pytest.raises(SettingsError, match="at least 2"):
        compare(_seasonal_series(), CompareConfig(models=FAST, ensemble_size=1))
    with pytest.raises(SettingsError, match="valid names"):
        compare(_seasonal_series(), CompareConfig(models=("esn",), params={"esn": {"colour": 1}}))
