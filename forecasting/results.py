"""What a comparison returns: per-model results and the whole run, convertible to plain JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any


def json_safe(value: Any) -> Any:
    """Recursively turn numpy scalars/arrays into Python types and non-finite floats into None (strict JSON)."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a hard dependency
        np = None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if np is not None:
        if isinstance(value, np.ndarray):
            return [json_safe(v) for v in value.tolist()]
        if isinstance(value, np.generic):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, complex):
        return [value.real, value.imag]
    return value


@dataclass
class SeriesInfo:
    """Facts about the series a comparison ran on (shown above the results, written to JSON)."""

    name: str
    length: int
    frequency: str | None
    season_length: int
    start: str
    end: str
    filled_missing: int
    notes: list[str]
    fingerprint: str


@dataclass
class ModelResult:
    """Everything measured for one model: accuracy, cost, forecasts and memory.

    ``metrics`` are on the test part (means over seeds and backtest windows; ``metrics_std`` their
    standard deviation over seeds when several were run). ``validation_metrics`` are the means over
    the selection windows (and seeds); their MASE is the selection score, ``selection_scores`` the MASE
    per window. ``fit_seconds`` is the wall time of the fits alone (the selection fit on the training
    part plus one refit per test window, every seed), never the one-time setup. ``peak_memory_mb`` is the
    largest resident-memory rise during one fit, None where the platform cannot measure it (see
    ``forecasting/costs.py``). ``failed_seeds`` gave non-finite forecasts and are left out of every mean.
    ``seed_metrics`` holds one row per kept seed (``{"seed": s, "mase": ...}``: that seed's test metrics, mean
    over the backtest windows) and ``origin_metrics`` one per backtest origin, oldest first (that window's test
    metrics, mean over the kept seeds): the spread behind ``metrics_std`` and the error behind each origin.
    The ensemble has no seeds of its own, so no ``seed_metrics``. ``calibration_forecasts`` are the forecasts
    (origins x horizon, original units) from the consecutive origins ``calibration_start, ...`` in the
    validation part that its prediction intervals were calibrated on (``extras["intervals"]``).
    """

    name: str
    label: str
    metrics: dict[str, float] = field(default_factory=dict)
    metrics_std: dict[str, float] | None = None
    validation_metrics: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    forecast_seconds: float = 0.0
    trainable_parameters: int = 0
    peak_memory_mb: float | None = None
    training_history: dict[str, Any] = field(default_factory=dict)
    forecast: list[float] = field(default_factory=list)
    forecast_index: list[Any] = field(default_factory=list)
    seed_forecasts: list[list[float]] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    clipped: bool = False
    flat: bool = False
    warnings: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    tuned_params: dict[str, Any] = field(default_factory=dict)
    preprocessing: str = ""
    memory_horizon: float | None = None
    memory_epsilon: float | None = None
    memory_max_lag: int | None = None
    sensitivity_profile: list[float] | None = None
    memory_capacity: float | None = None
    memory_capacity_profile: list[float] | None = None
    memory_seconds: float = 0.0
    selection_scores: list[float] = field(default_factory=list)
    selection_forecasts: list[list[float]] = field(default_factory=list)
    selection_clipped: bool = False
    time_budget_hit: bool = False
    failed_seeds: list[int] = field(default_factory=list)
    backtest_forecasts: list[list[float]] = field(default_factory=list)
    seed_metrics: list[dict[str, float]] = field(default_factory=list)
    origin_metrics: list[dict[str, float]] = field(default_factory=list)
    calibration_start: int | None = None
    calibration_forecasts: list[list[float]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        data = json_safe(asdict(self))
        if self.memory_horizon is not None and math.isinf(self.memory_horizon):
            data["memory_horizon"] = None
            data["memory_horizon_beyond_max_lag"] = True
        return data


@dataclass
class ComparisonResult:
    """A whole comparison: the series, the split, every model's result and the recommended model.

    ``selection`` holds the selection windows (``[start, end)`` indices) and, when there are fewer than
    three, the reason; ``recommendation_note`` says why the recommendation is not simply the best score.
    ``setup_seconds`` is the one-time setup (imports, JIT, thread pools) paid before any timed fit, per
    model in ``setup_breakdown`` (0 for models already warm in this process); it is in no model's figures.
    """

    series: SeriesInfo
    horizon: int
    split: dict[str, int]
    season_length: int
    preprocessing: dict[str, Any]
    models: dict[str, ModelResult]
    recommended: str | None
    actual: list[float]
    index: list[Any]
    config: dict[str, Any]
    backtest_origins: int = 1
    cancelled: bool = False
    total_seconds: float = 0.0
    selection: dict[str, Any] = field(default_factory=dict)
    recommendation_note: str = ""
    setup_seconds: float = 0.0
    setup_breakdown: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": json_safe(asdict(self.series)),
            "horizon": self.horizon,
            "split": self.split,
            "season_length": self.season_length,
            "preprocessing": json_safe(self.preprocessing),
            "recommended": self.recommended,
            "recommendation_note": self.recommendation_note,
            "selection": json_safe(self.selection),
            "backtest_origins": self.backtest_origins,
            "cancelled": self.cancelled,
            "total_seconds": self.total_seconds,
            "setup_seconds": self.setup_seconds,
            "setup_breakdown": json_safe(self.setup_breakdown),
            "config": json_safe(self.config),
            "actual": json_safe(self.actual),
            "index": json_safe(self.index),
            "models": {name: result.to_dict() for name, result in self.models.items()},
        }
