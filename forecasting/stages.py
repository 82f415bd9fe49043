"""The stages one model goes through for one seed in a comparison, each a small function.

1. :func:`model_space` fits the preprocessing on the training part only (models that see raw values skip it).
2. :func:`selection_stage` fits the model once on the training part with ``val=None`` (a model that tunes
   anything holds out its own tail of it) and forecasts every selection window from the true history up
   to the window's origin, without refitting: per-window scores in original units.
3. :func:`test_stage` refits on every point before one test window with the tuned values fixed and
   forecasts that window once.

:func:`fit_and_refit` is the same two-fit recipe for the future forecast (no windows to score).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecasting.costs import FitMeter
from forecasting.metrics import compute_metrics
from forecasting.models import FitCallbacks, Forecaster, StopReason
from forecasting.preprocessing import Preprocessor
from forecasting.splitting import SplitPlan


@dataclass(frozen=True)
class ModelSpace:
    """The preprocessing of one model (None for raw-value models): raw series in, model-space series out."""

    preprocessor: Preprocessor | None

    def to_model(self, y: np.ndarray) -> np.ndarray:
        return self.preprocessor.transform(y) if self.preprocessor else np.asarray(y, dtype=float)

    def to_original(self, z: np.ndarray, history: np.ndarray) -> np.ndarray:
        return self.preprocessor.inverse(z, history) if self.preprocessor else np.asarray(z, dtype=float)

    def describe(self) -> str:
        return self.preprocessor.describe() if self.preprocessor else "none (raw values)"


def model_space(model_cls: type[Forecaster], train: np.ndarray, season_length: int,
                prep_options: dict[str, Any]) -> ModelSpace:
    """Decide and fit the preprocessing on ``train`` only (nothing for models that see raw values)."""
    if not model_cls.uses_preprocessing:
        return ModelSpace(None)
    return ModelSpace(Preprocessor.fit(train, season_length, **prep_options))


def forecast_original(model: Forecaster, space: ModelSpace, history: np.ndarray,
                      steps: int) -> tuple[np.ndarray, bool]:
    """Forecast ``steps`` values after the raw ``history`` in original units, and whether any was clipped."""
    prediction = model.predict(space.to_model(history), steps)
    return space.to_original(prediction.values, history), bool(prediction.clipped)


def timed_fit(model: Forecaster, z: np.ndarray, meter: FitMeter, callbacks: FitCallbacks | None) -> Forecaster:
    """``model.fit(z)`` with ``val=None``, its wall time and peak memory added to ``meter``."""
    with meter.measure():
        model.fit(z, None, callbacks)
    return model


def stop_reason(model: Forecaster) -> str:
    """The fit's stop reason as the plain string results carry."""
    reason = model.history.stop_reason
    return reason.value if isinstance(reason, StopReason) else str(reason or "")


@dataclass
class SelectionRun:
    """One seed's model fitted on the training part and its forecasts of every selection window."""

    model: Forecaster
    tuned: dict[str, Any]
    history: dict[str, Any]
    forecasts: list[np.ndarray]
    metrics: list[dict[str, float]]
    clipped: bool
    forecast_seconds: float
    stop_reasons: list[str] = field(default_factory=list)


@dataclass
class TestRun:
    """One seed's refit on every point before a test window, and its forecast of that window."""

    model: Forecaster
    forecast: np.ndarray
    clipped: bool
    forecast_seconds: float
    stop_reasons: list[str] = field(default_factory=list)


def selection_stage(model_cls: type[Forecaster], params: Any, seed: int, y: np.ndarray, plan: SplitPlan,
                    space: ModelSpace, meter: FitMeter, callbacks: FitCallbacks | None) -> SelectionRun:
    """Fit once on the training part (the model tunes on its own inner tail) and score every selection window."""
    m, train_end = plan.season_length, plan.split.train_end
    model = timed_fit(model_cls(params, seed=seed, season_length=m), space.to_model(y[:train_end]), meter,
                      callbacks)
    forecasts, metrics, clipped = [], [], False
    started = time.perf_counter()
    for start, end in plan.selection_windows:
        values, was_clipped = forecast_original(model, space, y[:start], end - start)
        forecasts.append(values)
        metrics.append(compute_metrics(y[start:end], values, y[:start], m))
        clipped = clipped or was_clipped
    return SelectionRun(model=model, tuned=model.tuned_params(), history=model.history.to_dict(),
                        forecasts=forecasts, metrics=metrics, clipped=clipped,
                        forecast_seconds=time.perf_counter() - started, stop_reasons=[stop_reason(model)])


def test_stage(model_cls: type[Forecaster], params: Any, seed: int, y: np.ndarray, start: int,
               horizon: int, season_length: int, space: ModelSpace, meter: FitMeter,
               callbacks: FitCallbacks | None) -> TestRun:
    """Refit on ``y[:start]`` with ``params`` (tuned values already fixed) and forecast the test window once."""
    model = timed_fit(model_cls(params, seed=seed, season_length=season_length), space.to_model(y[:start]),
                      meter, callbacks)
    started = time.perf_counter()
    values, clipped = forecast_original(model, space, y[:start], horizon)
    return TestRun(model=model, forecast=values, clipped=clipped, forecast_seconds=time.perf_counter() - started,
                   stop_reasons=[stop_reason(model)])


def with_tuned(params: Any, tuned: dict[str, Any]) -> Any:
    """``params`` with the values chosen while tuning fixed, for every later refit."""
    return params.replace(**tuned) if tuned else params


def fit_and_refit(model_cls: type[Forecaster], params: Any, seed: int, y: np.ndarray, season_length: int,
                  prep_options: dict[str, Any], callbacks: FitCallbacks | None = None) -> tuple[Forecaster, ModelSpace]:
    """Fit on all of ``y`` (tuning on the model's own inner tail), then refit on all of it with the tuned
    values fixed (skipped when nothing was tuned): the model the future forecast uses."""
    space = model_space(model_cls, y, season_length, prep_options)
    z, meter = space.to_model(y), FitMeter()
    model = timed_fit(model_cls(params, seed=seed, season_length=season_length), z, meter, callbacks)
    tuned = model.tuned_params()
    if tuned:
        model = timed_fit(model_cls(with_tuned(params, tuned), seed=seed, season_length=season_length), z, meter,
                          callbacks)
    return model, space
