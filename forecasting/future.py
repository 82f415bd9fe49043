"""Forecast beyond the end of the data: fit on every point (the model tunes on its own inner tail), refit with
the tuned values fixed, forecast H steps. The ensemble is the median of its members' future forecasts.

Prediction intervals reuse the comparison's split-conformal calibration of the same model and settings
(per-step half-widths from its rolling origins in the validation part, ``extras["intervals"]``): the
refit on every point is the same procedure on more data, so the calibrated widths carry over. Steps past
the comparison's horizon, and models without a calibrated band (too few windows), get a
note instead of a band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecasting.comparison import CompareConfig, index_labels, model_params
from forecasting.ensemble import ENSEMBLE
from forecasting.errors import SettingsError
from forecasting.loading import LoadedSeries
from forecasting.models import get_model_class
from forecasting.splitting import default_horizon
from forecasting.stages import fit_and_refit, forecast_original


@dataclass
class FutureForecast:
    """H values after the last observation, their timestamps (or step numbers) and how they were made."""

    model_name: str
    values: list[float]
    index: list[object]
    seeds: list[int]
    clipped: bool = False
    warnings: list[str] = field(default_factory=list)
    intervals: dict[str, dict[str, Any]] = field(default_factory=dict)  # format of forecasting.intervals
    interval_note: str = ""  # why a band is missing (no calibration, too few windows, steps past the horizon)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"time": self.index, "forecast": self.values})


def future_index(series: LoadedSeries, horizon: int) -> list[object]:
    """Timestamps of the next ``horizon`` steps: by the inferred frequency, else integer steps after the end."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex):
        freq = series.frequency or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq:
            try:
                stamps = pd.date_range(start=index[-1], periods=horizon + 1, freq=freq)[1:]
                return index_labels(stamps)
            except (ValueError, TypeError):
                pass
        return [f"+{h}" for h in range(1, horizon + 1)]
    last = int(index[-1]) if len(index) and np.issubdtype(np.asarray(index).dtype, np.integer) else len(index) - 1
    return list(range(last + 1, last + 1 + horizon))


def forecast_future(series: LoadedSeries, model_name: str, horizon: int | None = None,
                    config: CompareConfig | None = None, comparison: Any = None) -> FutureForecast:
    """Fit ``model_name`` on all points (tuning on its own inner tail), refit with the tuned values fixed,
    and forecast ``horizon`` steps past the end. The ensemble needs the ``comparison`` that chose its members."""
    config = config or CompareConfig()
    m = int(config.season_length or series.season_length or 1)
    horizon = int(horizon or config.horizon or default_horizon(len(series), m))
    if horizon < 1:
        raise SettingsError(f"The horizon must be at least 1; got {horizon}.")
    if model_name == ENSEMBLE:
        future = _ensemble_future(series, horizon, config, comparison)
    else:
        future = _model_future(series, model_name, horizon, m, config)
    if comparison is not None:
        model_result = getattr(comparison, "models", {}).get(model_name)
        future.intervals, future.interval_note = future_intervals(future.values, model_result)
    return future


def future_intervals(values: list[float], model_result: Any) -> tuple[dict[str, dict[str, Any]], str]:
    """Bands around a future forecast from the comparison's calibrated per-step half-widths of the same model
    (``extras["intervals"]``), and a note saying which bands or steps are missing and why ("" when none are).

    Step ``h`` of the future forecast gets the width calibrated for step ``h``; steps past the calibrated
    horizon get no band (repeating widths would understate the error of longer leads)."""
    stored = (model_result.extras or {}).get("intervals") if model_result is not None and model_result.ok else None
    if not stored:
        label = getattr(model_result, "label", None) or "This model"
        return {}, (f"{label} has no calibrated interval in the comparison (the comparison calibrates each model "
                    "on its forecasts from every origin in the validation part; see its warnings).")
    forecast = np.asarray(values, dtype=float)
    out: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    calibrated = len(forecast)
    for key, entry in stored.items():
        if entry.get("half_width") is None:
            out[key] = {k: entry[k] for k in ("level", "windows", "reason") if k in entry}
            notes.append(f"no {key}% band: {entry.get('reason', 'not calibrated')}")
            continue
        width = np.asarray(entry["half_width"], dtype=float)[:len(forecast)]
        calibrated = min(calibrated, len(width))
        shown = forecast[:len(width)]
        out[key] = {"level": entry.get("level"), "windows": entry.get("windows"), "lower": (shown - width).tolist(),
                    "upper": (shown + width).tolist(), "half_width": width.tolist()}
    if calibrated < len(forecast) and any("lower" in e for e in out.values()):
        notes.append(f"calibrated for {calibrated} steps ahead (the comparison's horizon): steps "
                     f"{calibrated + 1}-{len(forecast)} have no band")
    return out, "; ".join(notes)


def band_columns(forecasts: list[FutureForecast]) -> pd.DataFrame:
    """One column per model and level bound (``<model>_lower_80``, ``<model>_upper_80``, ...), a row per future
    step; empty cells where a step has no calibrated band. No columns when no forecast carries a band."""
    steps = max((len(f.values) for f in forecasts), default=0)
    columns: dict[str, list[float | None]] = {}
    for future in forecasts:
        for key, entry in sorted(future.intervals.items(), key=lambda item: float(item[0])):
            for bound in ("lower", "upper"):
                if entry.get(bound) is not None:
                    values = [float(v) for v in entry[bound]]
                    columns[f"{future.model_name}_{bound}_{key}"] = values + [None] * (steps - len(values))
    return pd.DataFrame(columns, index=range(steps))


def with_band_columns(frame: pd.DataFrame, forecasts: list[FutureForecast]) -> pd.DataFrame:
    """``frame`` (a row per future step) with every forecast's band columns appended (see :func:`band_columns`)."""
    bands = band_columns(forecasts)
    if bands.empty or len(bands) != len(frame):
        return frame
    return pd.concat([frame.reset_index(drop=True), bands.reset_index(drop=True)], axis=1)


def _model_future(series: LoadedSeries, model_name: str, horizon: int, m: int,
                  config: CompareConfig) -> FutureForecast:
    """One registered model, every seed, fitted on all points; the mean forecast over seeds."""
    model_cls = get_model_class(model_name)
    y = np.asarray(series.values, dtype=float)
    params = model_params(model_cls, config.params.get(model_name, {}), horizon)
    seeds = [config.base_seed + i for i in range(config.seeds if model_cls.stochastic else 1)]
    prep = {"log": config.log, "difference": config.difference, "seasonal_difference": config.seasonal_difference}
    forecasts, clipped, warnings = [], False, []
    for seed in seeds:
        model, space = fit_and_refit(model_cls, params, seed, y, m, prep)
        values, was_clipped = forecast_original(model, space, y, horizon)
        forecasts.append(values)
        clipped = clipped or was_clipped
        warnings += [w for w in model.warnings if w not in warnings]
    return FutureForecast(model_name=model_name, values=np.mean(forecasts, axis=0).tolist(),
                          index=future_index(series, horizon), seeds=seeds, clipped=clipped, warnings=warnings)


def _ensemble_future(series: LoadedSeries, horizon: int, config: CompareConfig, comparison: Any) -> FutureForecast:
    """The median of the ensemble's members (chosen on the comparison's selection windows), each fitted on all points."""
    ensemble = getattr(comparison, "models", {}).get(ENSEMBLE)
    members = (ensemble.extras or {}).get("members") if ensemble is not None and ensemble.ok else None
    if not members:
        raise SettingsError("The ensemble's members are chosen by a comparison: run one with the ensemble "
                            "and at least two other models first.")
    parts = [forecast_future(series, name, horizon, config) for name in members]
    warnings = [f"{part.model_name}: {w}" for part in parts for w in part.warnings]
    return FutureForecast(model_name=ENSEMBLE, values=np.median([p.values for p in parts], axis=0).tolist(),
                          index=parts[0].index, seeds=sorted({s for p in parts for s in p.seeds}),
                          clipped=any(p.clipped for p in parts), warnings=warnings)
