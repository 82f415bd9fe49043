"""The comparison protocol: every model gets the same split, the same preprocessing rule and the same metrics.

For each model and seed (and each backtest origin):

1. Preprocessing (log / differencing / scaling) is decided and fitted on the **training part only**.
2. The model is fitted on train; hyperparameters it tunes (ridge alpha, early-stopping epoch) are
   chosen on the **validation part only**. Its forecast of the validation part gives the validation
   metrics that pick the recommended model.
3. The model is **refitted on train + validation** with those tuned values fixed, then forecasts the
   test part (the last ``horizon`` points), which is touched exactly once, for the test metrics.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from forecasting.errors import ForecastingError, SettingsError
from forecasting.loading import LoadedSeries
from forecasting.metrics import METRIC_NAMES, compute_metrics
from forecasting.models import MODEL_NAMES, FitCallbacks, Forecaster, StopReason, get_model_class
from forecasting.preprocessing import AUTO, Preprocessor
from forecasting.results import ComparisonResult, ModelResult, SeriesInfo
from forecasting.splitting import Split, chronological_split, default_horizon

DEFAULT_MODELS: tuple[str, ...] = ("esn", "lstm", "gru", "naive", "seasonal_naive", "drift")
FLAT_RELATIVE_SPREAD = 1e-3


@dataclass
class CompareConfig:
    """Every setting of a comparison; with the data fingerprint it is enough to replay a run exactly."""

    horizon: int | None = None
    validation_size: int | None = None
    models: tuple[str, ...] = DEFAULT_MODELS
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    seeds: int = 1
    base_seed: int = 0
    backtest: int = 1
    season_length: int | None = None
    log: bool | str = AUTO
    difference: bool | str = AUTO
    seasonal_difference: bool | str = AUTO
    memory: bool = True
    time_budget_s: float | None = None

    def validate(self) -> None:
        """Check every setting before anything is fitted, with messages that say how to fix them."""
        if not self.models:
            raise SettingsError("Choose at least one model to compare.")
        for name in self.models:
            get_model_class(name) if name in MODEL_NAMES else _unknown_model(name)
        for name, overrides in self.params.items():
            if name not in MODEL_NAMES:
                _unknown_model(name)
            get_model_class(name).Params().replace(**overrides)
        if self.seeds < 1:
            raise SettingsError(f"Use at least one seed; got {self.seeds}.")
        if self.backtest < 1:
            raise SettingsError(f"Use at least one backtest origin; got {self.backtest}.")
        if self.horizon is not None and self.horizon < 1:
            raise SettingsError(f"The horizon must be at least 1; got {self.horizon}.")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise SettingsError("The time budget per model must be positive (or left empty).")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["models"] = list(self.models)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CompareConfig:
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"Unknown setting(s) {', '.join(unknown)}; valid ones are: {', '.join(sorted(known))}.")
        values = dict(data)
        if "models" in values:
            values["models"] = tuple(values["models"])
        return cls(**values)


def _unknown_model(name: str) -> None:
    raise SettingsError(f"Unknown model {name!r}; valid models are: {', '.join(MODEL_NAMES)}.")


@dataclass
class CompareCallbacks:
    """Progress hooks for a UI: which model runs, each epoch, each finished model, and a stop button."""

    on_model_start: Callable[[str, int, int], None] | None = None
    on_epoch: Callable[[str, int, int, float, float | None], None] | None = None
    on_model_done: Callable[[str, ModelResult], None] | None = None
    should_stop: Callable[[], bool] | None = None


class _PeakRSS:
    """Largest rise of this process's resident memory while active, sampled every 5 ms from /proc."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.peak_bytes = 0

    def _rss(self) -> int:
        try:
            with open("/proc/self/statm") as handle:
                return int(handle.read().split()[1]) * self._page
        except OSError:
            return 0

    @contextmanager
    def measure(self) -> Iterator[None]:
        start = self._rss()
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.005):
                self.peak_bytes = max(self.peak_bytes, self._rss() - start)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield
        finally:
            stop.set()
            sampler.join()
            self.peak_bytes = max(self.peak_bytes, self._rss() - start)


@dataclass
class _RunOutput:
    """One model, one seed, one origin."""

    test_forecast: np.ndarray
    val_metrics: dict[str, float]
    fit_seconds: float
    forecast_seconds: float
    peak_bytes: int
    model: Forecaster
    preprocessor: Preprocessor | None
    tuned: dict[str, Any]
    history: dict[str, Any]
    warnings: list[str]
    clipped: bool


def fit_tune_refit(model_cls: type[Forecaster], params: Any, seed: int, y: np.ndarray, train_end: int,
                   season_length: int, horizon: int, prep_options: dict[str, Any],
                   fit_callbacks: FitCallbacks | None = None) -> _RunOutput:
    """Fit on ``y[:train_end]``, tune on ``y[train_end:]``, refit on all of ``y``, forecast ``horizon`` beyond it."""
    m = season_length
    preprocessor = Preprocessor.fit(y[:train_end], m, **prep_options) if model_cls.uses_preprocessing else None

    def to_model(segment: np.ndarray) -> np.ndarray:
        return preprocessor.transform(segment) if preprocessor else np.asarray(segment, dtype=float)

    def to_original(z: np.ndarray, history: np.ndarray) -> np.ndarray:
        return preprocessor.inverse(z, history) if preprocessor else np.asarray(z, dtype=float)

    z_train, z_all = to_model(y[:train_end]), to_model(y)
    z_val = z_all[len(z_train):]
    memory = _PeakRSS()
    fit_seconds = 0.0

    model = model_cls(params, seed=seed, season_length=m)
    with memory.measure():
        start = time.perf_counter()
        model.fit(z_train, z_val if len(z_val) else None, fit_callbacks)
        fit_seconds += time.perf_counter() - start
    warnings = list(model.warnings)
    val_metrics: dict[str, float] = {}
    val_clipped = False
    if len(z_val):
        steps = min(horizon, len(z_val))
        val_prediction = model.predict(z_train, steps)
        val_clipped = val_prediction.clipped
        val_forecast = to_original(val_prediction.values, y[:train_end])
        val_metrics = compute_metrics(y[train_end:train_end + steps], val_forecast, y[:train_end], m)
    tuned = model.tuned_params()
    history = model.history.to_dict()

    final = model_cls(params.replace(**tuned) if tuned else params, seed=seed, season_length=m)
    with memory.measure():
        start = time.perf_counter()
        final.fit(z_all, None, fit_callbacks)
        fit_seconds += time.perf_counter() - start
    start = time.perf_counter()
    test_prediction = final.predict(z_all, horizon)
    test_forecast = to_original(test_prediction.values, y)
    forecast_seconds = time.perf_counter() - start
    # The final model's warnings describe the forecast; tuning-only ones (e.g. a time budget hit while
    # tuning) are kept with a prefix so that nothing is silently dropped.
    warnings = list(final.warnings) + [f"While tuning: {w}" for w in warnings
                                       if w not in final.warnings and not _same_kind(w, final.warnings)]
    return _RunOutput(test_forecast=test_forecast, val_metrics=val_metrics, fit_seconds=fit_seconds,
                      forecast_seconds=forecast_seconds, peak_bytes=memory.peak_bytes, model=final,
                      preprocessor=preprocessor, tuned=tuned, history=history, warnings=warnings,
                      clipped=bool(test_prediction.clipped or val_clipped))


def model_params(model_cls: type[Forecaster], overrides: dict[str, Any], horizon: int) -> Any:
    """The model's hyperparameters with the user's overrides; a ``horizon`` field (the direct
    strategy's output count) follows the comparison's horizon unless the user set it."""
    params = model_cls.Params().replace(**overrides)
    if "horizon" in params.names() and "horizon" not in overrides:
        params = params.replace(horizon=horizon)
    return params


def _same_kind(message: str, others: list[str]) -> bool:
    """True when ``others`` holds a message that differs from ``message`` only in its numbers."""
    shape = "".join(c for c in message if not c.isdigit())
    return any(shape == "".join(c for c in other if not c.isdigit()) for other in others)


def _series_info(series: LoadedSeries) -> SeriesInfo:
    index = series.index
    return SeriesInfo(name=series.name, length=len(series), frequency=series.frequency,
                      season_length=series.season_length, start=str(index[0]), end=str(index[-1]),
                      filled_missing=series.filled_missing, notes=list(series.notes),
                      fingerprint=series.fingerprint())


def index_labels(index: Any) -> list[Any]:
    """Index values as JSON-friendly labels: ISO timestamps for dates, plain integers otherwise."""
    out = []
    for value in index:
        if hasattr(value, "isoformat"):
            out.append(value.isoformat())
        elif isinstance(value, (np.integer, int)):
            out.append(int(value))
        else:
            out.append(str(value))
    return out


def _mean_std(rows: list[dict[str, float]]) -> tuple[dict[str, float], dict[str, float]]:
    means = {k: float(np.nanmean([r[k] for r in rows])) for k in METRIC_NAMES}
    stds = {k: float(np.nanstd([r[k] for r in rows])) for k in METRIC_NAMES}
    return means, stds


def plan_split(n_points: int, series_season_length: int | None,
               config: CompareConfig) -> tuple[int, int, Split, list[int]]:
    """Season length, horizon, split and backtest origins a comparison will use; raises before any fitting
    when the series is too short for them (the dashboard calls this to check settings as they change)."""
    m = int(config.season_length or series_season_length or 1)
    horizon = int(config.horizon or default_horizon(n_points, m))
    split = chronological_split(n_points, horizon, config.validation_size, season_length=m)
    origins = [n_points - horizon * (config.backtest - 1 - k) for k in range(config.backtest)]
    # Every origin must leave room for a full split: check the earliest one too.
    chronological_split(origins[0], horizon, split.validation_size)
    return m, horizon, split, origins


def compare(series: LoadedSeries, config: CompareConfig | None = None,
            callbacks: CompareCallbacks | None = None) -> ComparisonResult:
    """Run the comparison protocol for every model in ``config`` and return all results.

    A model that fails (bad setting, numerical trouble) gets an ``error`` in its result; the others
    still run. ``callbacks.should_stop`` ends the run early, keeping every model already finished.
    """
    config = config or CompareConfig()
    config.validate()
    callbacks = callbacks or CompareCallbacks()
    started = time.perf_counter()
    y = np.asarray(series.values, dtype=float)
    m, horizon, split, origins = plan_split(len(y), series.season_length, config)
    prep_options = {"log": config.log, "difference": config.difference,
                    "seasonal_difference": config.seasonal_difference}
    seeds = [config.base_seed + i for i in range(config.seeds)]

    results: dict[str, ModelResult] = {}
    cancelled = False
    shown_preprocessing: dict[str, Any] = {}
    for name in config.models:
        if callbacks.should_stop and callbacks.should_stop():
            cancelled = True
            break
        model_cls = get_model_class(name)
        params = model_params(model_cls, config.params.get(name, {}), horizon)
        result = ModelResult(name=name, label=model_cls.label, params=params.to_dict())
        model_seeds = seeds if model_cls.stochastic else seeds[:1]
        result.seeds = model_seeds
        try:
            _run_one_model(model_cls, params, model_seeds, y, origins, split.validation_size, horizon, m,
                           prep_options, config, callbacks, result)
        except ForecastingError as error:
            result.error = str(error)
        except Exception as error:  # noqa: BLE001 - one model's failure must never lose the others
            result.error = f"{model_cls.label} failed: {type(error).__name__}: {error}"
        if result.ok and result.preprocessing and not shown_preprocessing:
            shown_preprocessing = result.extras.pop("preprocessor", {})
        result.extras.pop("preprocessor", None)
        results[name] = result
        if result.ok:
            result.forecast_index = index_labels(series.index[split.val_end:])
        if callbacks.on_model_done:
            callbacks.on_model_done(name, result)
        if result.extras.get("stopped_by_user"):
            cancelled = True
            break

    scored = {n: r for n, r in results.items() if r.ok and "mase" in r.validation_metrics
              and np.isfinite(r.validation_metrics["mase"])}
    recommended = min(scored, key=lambda n: scored[n].validation_metrics["mase"]) if scored else None
    return ComparisonResult(
        series=_series_info(series), horizon=horizon, split=split.to_dict(), season_length=m,
        preprocessing=shown_preprocessing, models=results, recommended=recommended,
        actual=y.tolist(), index=index_labels(series.index), config=config.to_dict(),
        backtest_origins=config.backtest, cancelled=cancelled,
        total_seconds=time.perf_counter() - started,
    )


def _run_one_model(model_cls: type[Forecaster], params: Any, seeds: list[int], y: np.ndarray,
                   origins: list[int], validation_size: int, horizon: int, m: int,
                   prep_options: dict[str, Any], config: CompareConfig, callbacks: CompareCallbacks,
                   result: ModelResult) -> None:
    """Fit one model over every seed and backtest origin and fill ``result`` in place."""
    name = model_cls.name
    total_runs = len(seeds) * len(origins)
    fit_callbacks = FitCallbacks(
        on_epoch=(lambda e, n, tl, vl: callbacks.on_epoch(name, e, n, tl, vl)) if callbacks.on_epoch else None,
        should_stop=callbacks.should_stop,
        time_budget_s=config.time_budget_s,
    )
    per_seed_metrics: list[dict[str, float]] = []
    val_rows: list[dict[str, float]] = []
    final_forecasts: list[np.ndarray] = []
    first_final: _RunOutput | None = None
    run_number = 0
    for seed in seeds:
        origin_rows = []
        for origin in origins:
            run_number += 1
            if callbacks.on_model_start:
                callbacks.on_model_start(name, run_number, total_runs)
            history_end = origin - horizon
            train_end = history_end - validation_size
            out = fit_tune_refit(model_cls, params, seed, y[:history_end], train_end, m, horizon,
                                 prep_options, fit_callbacks)
            origin_rows.append(compute_metrics(y[history_end:origin], out.test_forecast, y[:history_end], m))
            if out.val_metrics:
                val_rows.append(out.val_metrics)
            result.fit_seconds += out.fit_seconds
            result.forecast_seconds += out.forecast_seconds
            result.peak_memory_mb = max(result.peak_memory_mb, out.peak_bytes / 2**20)
            result.clipped = result.clipped or out.clipped
            for message in out.warnings:
                if message not in result.warnings:
                    result.warnings.append(message)
            if out.history.get("stop_reason") == StopReason.STOPPED_BY_USER.value:
                result.extras["stopped_by_user"] = True
            if origin == origins[-1]:
                final_forecasts.append(out.test_forecast)
                if first_final is None:
                    first_final = out
        per_seed_metrics.append({k: float(np.mean([r[k] for r in origin_rows])) for k in METRIC_NAMES})

    assert first_final is not None
    result.metrics, spread = _mean_std(per_seed_metrics)
    result.metrics_std = spread if len(seeds) > 1 else None
    result.validation_metrics = _mean_std(val_rows)[0] if val_rows else {}
    result.seed_forecasts = [f.tolist() for f in final_forecasts]
    mean_forecast = np.mean(final_forecasts, axis=0)
    result.forecast = mean_forecast.tolist()
    history_end = origins[-1] - horizon
    result.flat = bool(np.std(mean_forecast) <= FLAT_RELATIVE_SPREAD * max(np.std(y[:history_end]), 1e-12))
    model = first_final.model
    result.trainable_parameters = int(model.trainable_parameters)
    result.training_history = first_final.history
    result.tuned_params = first_final.tuned
    if first_final.preprocessor is not None:
        result.preprocessing = first_final.preprocessor.describe()
        result.extras["preprocessor"] = first_final.preprocessor.to_dict()
    else:
        result.preprocessing = "none (raw values)"
    if config.memory:
        _attach_memory(result, model, first_final.preprocessor, y, history_end)


def _attach_memory(result: ModelResult, model: Forecaster, preprocessor: Preprocessor | None,
                   y: np.ndarray, history_end: int) -> None:
    """Add the memory-horizon fields (sensitivity profile, horizon, capacity) for the final model."""
    from forecasting.memory import memory_report

    z = preprocessor.transform(y) if preprocessor else y
    heldout_start = history_end - (preprocessor.lost_points if preprocessor else 0)
    start = time.perf_counter()
    report = memory_report(model, z, heldout_start=heldout_start)
    result.memory_seconds = time.perf_counter() - start
    for key in ("memory_horizon", "memory_epsilon", "memory_max_lag", "sensitivity_profile",
                "memory_capacity", "memory_capacity_profile"):
        if key in report:
            setattr(result, key, report[key])
    for key in ("decay_rate", "decay_horizon", "eigenvalues", "spectral_radius"):
        if key in report:
            result.extras[key] = report[key]
