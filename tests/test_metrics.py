"""Metrics: hand-computed values and the scaling conventions."""

import numpy as np
import pytest

from forecasting.metrics import compute_metrics, seasonal_naive_scale


def test_metrics_match_hand_computed_values():
    actual = np.array([10.0, 12.0, 14.0])
    forecast = np.array([11.0, 12.0, 12.0])
    insample = np.array([1.0, 2.0, 4.0, 7.0])  # lag-1 abs diffs 1, 2, 3 -> scale 2
    got = compute_metrics(actual, forecast, insample, season_length=1)
    assert got["mae"] == pytest.approx(1.0)
    assert got["rmse"] == pytest.approx(np.sqrt(5 / 3))
    assert got["smape"] == pytest.approx(100 * np.mean([2 / 21, 0, 4 / 26]))
    assert got["mase"] == pytest.approx(0.5)
    assert got["nrmse"] == pytest.approx(np.sqrt(5 / 3) / np.std(actual))


def test_mase_uses_seasonal_lag():
    y = np.tile([1.0, 5.0, 9.0], 4) + np.arange(12) * 0.5
    assert seasonal_naive_scale(y, 3) == pytest.approx(1.5)
    assert seasonal_naive_scale(y, 1) > 1.5


def test_perfect_forecast_scores_zero():
    a = np.array([3.0, 4.0, 5.0])
    got = compute_metrics(a, a, np.arange(10.0), 1)
    assert all(got[k] == 0 for k in ("mae", "rmse", "smape", "mase", "nrmse"))


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError):
        compute_metrics(np.ones(3), np.ones(4), np.arange(5.0), 1)
