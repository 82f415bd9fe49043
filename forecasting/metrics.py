"""Forecast accuracy metrics, computed by one function for every model so that no model is scored differently."""

from __future__ import annotations

import numpy as np

METRIC_NAMES: tuple[str, ...] = ("mae", "rmse", "smape", "mase", "nrmse")
METRIC_LABELS: dict[str, str] = {
    "mae": "MAE", "rmse": "RMSE", "smape": "sMAPE (%)", "mase": "MASE", "nrmse": "NRMSE",
}
METRIC_HELP: dict[str, str] = {
    "mae": "Mean absolute error, in the series' units.",
    "rmse": "Root mean squared error, in the series' units; punishes large misses more than MAE.",
    "smape": "Symmetric mean absolute percentage error, 0-200%; scale-free.",
    "mase": "MAE divided by the in-sample MAE of the seasonal-naive forecast; below 1 beats it on average.",
    "nrmse": "RMSE divided by the standard deviation of the test part; 1 is as good as forecasting its mean.",
}


def seasonal_naive_scale(insample: np.ndarray, season_length: int) -> float:
    """In-sample MAE of the seasonal-naive forecast (lag m, or lag 1 when the series is too short)."""
    y = np.asarray(insample, dtype=float)
    m = max(1, int(season_length))
    if len(y) <= m:
        m = 1
    if len(y) < 2:
        return float("nan")
    return float(np.mean(np.abs(y[m:] - y[:-m])))


def compute_metrics(actual: np.ndarray, forecast: np.ndarray, insample: np.ndarray,
                    season_length: int) -> dict[str, float]:
    """MAE, RMSE, sMAPE, MASE (scaled by the in-sample seasonal-naive MAE) and NRMSE (RMSE / std of actual)."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape:
        raise ValueError(f"actual and forecast differ in shape: {a.shape} vs {f.shape}")
    err = a - f
    mae = float(np.mean(np.abs(err)))
    rmse = float(np.sqrt(np.mean(err**2)))
    denom = np.abs(a) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(denom > 0, 2.0 * np.abs(err) / denom, 0.0)
    smape = float(100.0 * np.mean(ratio))
    scale = seasonal_naive_scale(insample, season_length)
    mase = mae / scale if scale > 0 else float("nan")
    spread = float(np.std(a))
    nrmse = rmse / spread if spread > 0 else float("nan")
    return {"mae": mae, "rmse": rmse, "smape": smape, "mase": float(mase), "nrmse": float(nrmse)}
