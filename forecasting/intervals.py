"""Prediction intervals by split conformal prediction, one band per step ahead.

A fitted model forecasts from every origin inside a calibration stretch (stride 1: origin ``t``
forecasts ``y[t : t + H]`` from ``y[:t]``), never from or into the test part. For each step ``h`` the
absolute errors of the ``n`` origins give the band's half-width: the ``k``-th smallest with
``k = ceil((n + 1) * level)``, the finite-sample correction that makes the coverage at least
``level`` for exchangeable errors (Vovk et al. 2005; Lei et al. 2018, "Distribution-free predictive
inference for regression"). With fewer than ``1 / (1 - level) - 1`` windows no finite ``k`` exists,
and the level gets a reason instead of a band.

The result format, stored by the comparison as ``ModelResult.extras["intervals"]``::

    {"80": {"level": 0.8, "windows": n, "lower": [H values], "upper": [H values], "half_width": [H values]},
     "95": {"level": 0.95, "windows": n, "reason": "Only 12 calibration windows: ..."}}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecasting.errors import InputError, SettingsError

DEFAULT_LEVELS: tuple[float, ...] = (0.8, 0.95)

ForecastFn = Callable[[int, int], np.ndarray]  # (origin, horizon) -> forecast of y[origin:origin + horizon]


def level_key(level: float) -> str:
    """The key of a level in the intervals dict: ``0.8`` -> ``"80"``, ``0.975`` -> ``"97.5"``."""
    return f"{100 * level:g}"


def check_levels(levels: Iterable[float]) -> tuple[float, ...]:
    """Levels as floats strictly between 0 and 1 (e.g. 0.8 for an 80% band), or SettingsError."""
    out = []
    for level in levels:
        value = float(level)
        if not 0.0 < value < 1.0:
            raise SettingsError(f"An interval level must be between 0 and 1 (0.8 for 80%); got {level!r}.")
        out.append(value)
    if not out:
        raise SettingsError("Give at least one interval level, e.g. 0.8 and 0.95.")
    return tuple(sorted(set(out)))


def windows_needed(level: float) -> int:
    """Fewest calibration windows for which a ``level`` band exists: ``n >= level / (1 - level)``."""
    return math.ceil(level / (1.0 - level) - 1e-9)


def calibration_origins(start: int, stop: int, horizon: int, max_origins: int | None = None) -> range:
    """Every origin in ``start .. stop - horizon`` (stride 1), or the last ``max_origins`` of them when given
    (long validation parts: each origin costs one forecast over the whole history)."""
    if horizon < 1:
        raise SettingsError(f"The horizon must be at least 1; got {horizon}.")
    if not 0 < start <= stop - horizon:
        raise InputError(f"No calibration window fits: origins {start}..{stop - horizon} with horizon {horizon}. "
                         "Use a longer validation part.")
    if max_origins is not None:
        if max_origins < 1:
            raise SettingsError(f"max_origins must be at least 1; got {max_origins}.")
        start = max(start, stop - horizon + 1 - int(max_origins))
    return range(start, stop - horizon + 1)


def rolling_origin_forecasts(forecast: ForecastFn, origins: range, horizon: int) -> np.ndarray:
    """Forecasts (origins x horizon) of any ``forecast(origin, horizon)`` function from each origin (a fitted
    model's are :func:`model_origin_forecasts`, which lets the model batch them)."""
    return np.vstack([np.asarray(forecast(origin, horizon), dtype=float)[:horizon] for origin in origins])


def rolling_origin_errors(forecast: ForecastFn, actual: np.ndarray, start: int, stop: int,
                          horizon: int, max_origins: int | None = None) -> np.ndarray:
    """Absolute errors (origins x horizon) of forecasts from every origin in ``start .. stop - horizon``
    (stride 1), or from the last ``max_origins`` of them when given.

    ``forecast(t, horizon)`` must use ``actual[:t]`` only; every forecast window ends by ``stop``, so
    passing the end of the validation part as ``stop`` keeps the test part out of the calibration.
    """
    actual = np.asarray(actual, dtype=float)
    _check_stretch_end(stop, len(actual))
    origins = calibration_origins(start, stop, horizon, max_origins)
    return forecast_errors(rolling_origin_forecasts(forecast, origins, horizon), actual, origins.start)


def _check_stretch_end(stop: int, length: int) -> None:
    """InputError when the calibration stretch ends after the series."""
    if stop > length:
        raise InputError(f"No calibration window fits: the calibration stretch ends at {stop}, after the series "
                         f"({length} points).")


def forecast_errors(forecasts: np.ndarray, actual: np.ndarray, first_origin: int) -> np.ndarray:
    """Absolute errors of (origins x horizon) forecasts made from consecutive origins ``first_origin, ...``."""
    forecasts = np.atleast_2d(np.asarray(forecasts, dtype=float))
    horizon = forecasts.shape[1]
    truth = np.vstack([actual[o:o + horizon] for o in range(first_origin, first_origin + len(forecasts))])
    return np.abs(truth - forecasts)


def conformal_quantile(abs_errors: np.ndarray, level: float) -> float | None:
    """The ``ceil((n + 1) level)``-th smallest of ``n`` absolute errors, or None when that exceeds ``n``."""
    errors = np.sort(np.asarray(abs_errors, dtype=float))
    n = len(errors)
    k = math.ceil((n + 1) * level - 1e-9)
    return None if k > n or n == 0 else float(errors[k - 1])


@dataclass
class Calibration:
    """Per-step half-widths for each level, from ``windows`` rolling-origin forecasts."""

    windows: int
    horizon: int
    half_widths: dict[float, np.ndarray] = field(default_factory=dict)
    reasons: dict[float, str] = field(default_factory=dict)

    def bands(self, forecast: np.ndarray) -> dict[str, dict[str, Any]]:
        """Intervals around ``forecast``, in the stored format. A forecast of at most ``horizon`` steps uses
        the first widths; one of several whole windows of ``horizon`` steps (backtest test windows laid end to
        end) uses the widths of each step within its window."""
        forecast = np.asarray(forecast, dtype=float)
        if len(forecast) > self.horizon and len(forecast) % self.horizon:
            raise SettingsError(f"Calibrated for {self.horizon} steps ahead; the forecast has {len(forecast)} steps, "
                                "neither fewer nor a whole number of windows of that length.")
        out: dict[str, dict[str, Any]] = {}
        for level in sorted({*self.half_widths, *self.reasons}):
            entry: dict[str, Any] = {"level": level, "windows": self.windows}
            if level in self.half_widths:
                width = np.resize(self.half_widths[level], len(forecast))  # repeats per window
                entry.update(lower=(forecast - width).tolist(), upper=(forecast + width).tolist(),
                             half_width=width.tolist())
            else:
                entry["reason"] = self.reasons[level]
            out[level_key(level)] = entry
        return out


def calibrate(abs_errors: np.ndarray, levels: Iterable[float] = DEFAULT_LEVELS) -> Calibration:
    """Per-step conformal half-widths from an (origins x horizon) array of absolute errors."""
    errors = np.atleast_2d(np.asarray(abs_errors, dtype=float))
    n, horizon = errors.shape
    calibration = Calibration(windows=n, horizon=horizon)
    for level in check_levels(levels):
        widths = [conformal_quantile(errors[:, h], level) for h in range(horizon)]
        if any(w is None for w in widths):
            calibration.reasons[level] = (
                f"Only {n} calibration window{'s' if n != 1 else ''}: a {level_key(level)}% band needs at least "
                f"{windows_needed(level)} (rolling origins inside the validation part, stride 1). Use a longer "
                "validation part or a lower level.")
        else:
            calibration.half_widths[level] = np.asarray(widths, dtype=float)
    return calibration


def model_origin_forecasts(model: Any, y: np.ndarray, origins: range, horizon: int,
                           preprocessor: Any = None) -> np.ndarray:
    """Forecasts (origins x horizon) in original units of a fitted model from every origin, each from
    ``y[:origin]``: the model's :meth:`~forecasting.models.base.Forecaster.origin_forecasts` in its own
    space (a model may batch them), each row inverted with the history before its origin."""
    y = np.asarray(y, dtype=float)
    if preprocessor is None:
        return np.asarray(model.origin_forecasts(y, origins, horizon), dtype=float)
    lost = preprocessor.lost_points
    rows = model.origin_forecasts(preprocessor.transform(y), [o - lost for o in origins], horizon)
    return np.vstack([preprocessor.inverse(row, y[:o]) for row, o in zip(rows, origins, strict=True)])


def calibrate_model(model: Any, y: np.ndarray, start: int, stop: int, horizon: int, *, preprocessor: Any = None,
                    levels: Iterable[float] = DEFAULT_LEVELS, max_origins: int | None = None) -> Calibration:
    """Calibrate a model fitted on ``y[:start]`` on its forecasts from every origin in ``start .. stop - horizon``.

    In the comparison: ``start = split.train_end``, ``stop = split.val_end`` (the validation part; the
    test part is never read) and the selection fit as ``model``; ``max_origins`` keeps only the last
    origins (see :func:`rolling_origin_errors`).
    """
    y = np.asarray(y, dtype=float)
    _check_stretch_end(stop, len(y))
    y = y[:stop]
    origins = calibration_origins(start, stop, horizon, max_origins)
    forecasts = model_origin_forecasts(model, y, origins, horizon, preprocessor)
    return calibrate(forecast_errors(forecasts, y, origins.start), levels)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of ``actual`` values inside ``[lower, upper]`` (arrays of one shape)."""
    a, lo, hi = (np.asarray(v, dtype=float) for v in (actual, lower, upper))
    if not a.shape == lo.shape == hi.shape or a.size == 0:
        raise InputError("actual, lower and upper must be non-empty arrays of the same shape.")
    return float(np.mean((a >= lo) & (a <= hi)))


def mean_width(lower: np.ndarray, upper: np.ndarray) -> float:
    """Mean of ``upper - lower``: the price of the coverage, in the series' units."""
    return float(np.mean(np.asarray(upper, dtype=float) - np.asarray(lower, dtype=float)))


def bands_of(intervals: Mapping[str, Any] | None) -> list[tuple[str, float, list[float], list[float]]]:
    """``(key, level, lower, upper)`` of every level in a stored intervals dict that has a band, widest first."""
    found = []
    for key, entry in (intervals or {}).items():
        if isinstance(entry, Mapping) and entry.get("lower") is not None and entry.get("upper") is not None:
            found.append((key, float(entry.get("level", 0.0)), list(entry["lower"]), list(entry["upper"])))
    return sorted(found, key=lambda item: -item[1])


def attach_bands(result: Any, forecasts: np.ndarray, first_origin: int, actual: np.ndarray,
                 test_starts: list[int]) -> None:
    """Calibrate on ``forecasts`` (origins x horizon, from consecutive origins ``first_origin, ...`` before the
    first test window), keep them in ``result``, and store the bands with their coverage and width on the test
    windows (an interval that is too narrow is a finding) in ``result.extras``."""
    forecasts = np.atleast_2d(np.asarray(forecasts, dtype=float))
    result.calibration_start, result.calibration_forecasts = int(first_origin), forecasts.tolist()
    calibration = calibrate(forecast_errors(forecasts, np.asarray(actual, dtype=float)[:test_starts[0]],
                                            first_origin))
    h = calibration.horizon
    tests = np.concatenate([np.asarray(f, dtype=float) for f in result.backtest_forecasts])
    truth = np.concatenate([actual[s:s + h] for s in test_starts])
    coverage_by_level, width_by_level = {}, {}
    for key, entry in calibration.bands(tests).items():
        if entry.get("lower") is not None:
            coverage_by_level[key] = coverage(truth, np.asarray(entry["lower"]), np.asarray(entry["upper"]))
            width_by_level[key] = mean_width(np.asarray(entry["lower"]), np.asarray(entry["upper"]))
    result.extras["intervals"] = calibration.bands(np.asarray(result.forecast, dtype=float))
    result.extras["interval_coverage"] = coverage_by_level
    result.extras["interval_mean_width"] = width_by_level


__all__ = ["DEFAULT_LEVELS", "Calibration", "attach_bands", "bands_of", "calibrate", "calibrate_model",
           "calibration_origins", "check_levels", "conformal_quantile", "coverage", "forecast_errors", "level_key",
           "mean_width", "model_origin_forecasts", "rolling_origin_errors", "rolling_origin_forecasts",
           "windows_needed"]
