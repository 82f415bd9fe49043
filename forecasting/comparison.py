"""The comparison protocol: every model gets the same split, the same preprocessing rule and the same metrics.

The series ends with the test windows (the last ``backtest * horizon`` points); right before them lies the
validation part with the selection windows (rolling origins, at least 3 where the series allows); the
training part is everything earlier. For each model and seed:

1. Preprocessing (log / differencing / scaling) is decided and fitted on the **training part only**.
2. The model is fitted once on the training part with ``val=None``: a model that tunes anything (ridge
   alpha, early-stopping epoch, ...) holds out its own tail of it, so the selection windows tune nothing.
   It then forecasts each selection window from the true history up to the window's origin (no refit):
   the mean MASE over the windows is its selection score; the scores alone pick the recommended model
   (``forecasting/selection.py``: the ensemble unless a single model is the best on every window).
3. For each test window the model is **refitted on every point before it** with the tuned values fixed
   and forecasts the window once, for the test metrics.

One-time setup (imports, JIT compilation, thread pools) is paid by each model's ``warm_up()`` before the
first timed fit and reported on its own (``forecasting/costs.py``). The ensemble (``forecasting/ensemble.py``)
is built last from the other models' forecasts. The stages live in ``forecasting/stages.py``.
"""

from __future__ import annotations

import time
import warnings as warnings_module
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from forecasting.costs import FitMeter, warm_up_models
from forecasting.ensemble import DEFAULT_ENSEMBLE_SIZE, ENSEMBLE, ENSEMBLE_LABEL, build_ensemble
from forecasting.errors import ForecastingError, SettingsError
from forecasting.intervals import attach_bands, calibration_origins, model_origin_forecasts
from forecasting.loading import LoadedSeries
from forecasting.metrics import METRIC_NAMES, compute_metrics
from forecasting.models import MODEL_NAMES, FitCallbacks, Forecaster, ModelKind, StopReason, get_model_class
from forecasting.models.base import RecurrentModel
from forecasting.preprocessing import AUTO
from forecasting.results import ComparisonResult, ModelResult, SeriesInfo
from forecasting.selection import recommend
from forecasting.splitting import SplitPlan, default_horizon, plan_comparison
from forecasting.stages import (
    ModelSpace,
    SelectionRun,
    TestRun,
    model_space,
    selection_stage,
    test_stage,
    with_tuned,
)

# ARIMA stays selectable but out of the default: its order search costs more than every other model together.
DEFAULT_MODELS: tuple[str, ...] = ("esn", "lstm", "gru", "naive", "seasonal_naive", "drift", "ets", "theta", ENSEMBLE)
SELECTABLE_MODELS: tuple[str, ...] = MODEL_NAMES + (ENSEMBLE,)
FLAT_RELATIVE_SPREAD = 1e-3
MAX_CALIBRATION_ORIGINS = 100  # the latest origins in the validation part; each costs one forecast per model
MEMORY_SKIPPED_NOTE = ("Memory analysis skipped: this model has no recurrent core, and probing it by finite "
                       "differences of its forecasts takes minutes.")


def model_label(name: str) -> str:
    """Display label of any name a comparison accepts (registered models and the ensemble)."""
    return ENSEMBLE_LABEL if name == ENSEMBLE else get_model_class(name).label


def model_kind(name: str) -> ModelKind:
    """:class:`ModelKind` of any name a comparison accepts (the ensemble is built here, not registered)."""
    return ModelKind.ENSEMBLE if name == ENSEMBLE else get_model_class(name).kind


MAX_BASE_SEED = 2**31 - 1  # numpy and torch both accept it; the run file's limit too


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
    ensemble_size: int = DEFAULT_ENSEMBLE_SIZE

    def validate(self) -> None:
        """Check every setting before anything is fitted, with messages that say how to fix them."""
        self._validate_models()
        self._validate_ensemble()
        if self.seeds < 1:
            raise SettingsError(f"Use at least one seed; got {self.seeds}.")
        if not 0 <= self.base_seed <= MAX_BASE_SEED:
            raise SettingsError(f"The first seed must be a whole number from 0 to {MAX_BASE_SEED}; "
                                f"got {self.base_seed}.")
        if self.backtest < 1:
            raise SettingsError(f"Use at least one backtest origin; got {self.backtest}.")
        if self.horizon is not None and self.horizon < 1:
            raise SettingsError(f"The horizon must be at least 1; got {self.horizon}.")
        if self.time_budget_s is not None and self.time_budget_s <= 0:
            raise SettingsError("The time budget per model must be positive (or left empty).")

    def _validate_models(self) -> None:
        """Every model name is registered (or the ensemble) and every override is a valid hyperparameter."""
        if not self.models:
            raise SettingsError("Choose at least one model to compare.")
        for name in self.models:
            if name != ENSEMBLE:
                _model_class(name)
        for name, overrides in self.params.items():
            if name == ENSEMBLE:
                raise SettingsError("The ensemble has no hyperparameters of its own; set its size with "
                                    "ensemble_size (how many of the best models it combines).")
            _model_class(name).Params().replace(**overrides)

    def _validate_ensemble(self) -> None:
        """The ensemble needs two other models to combine and a size of at least 2."""
        if ENSEMBLE in self.models and len([m for m in self.models if m != ENSEMBLE]) < 2:
            raise SettingsError("The ensemble combines other models: choose at least two more models "
                                "(e.g. esn and seasonal_naive) or leave the ensemble out.")
        size = self.ensemble_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 2:
            raise SettingsError(f"The ensemble combines at least 2 models; got ensemble_size={size!r}.")

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


def _model_class(name: str) -> type[Forecaster]:
    """The registered class of ``name``; an unknown name lists every valid one (the ensemble included)."""
    try:
        return get_model_class(name)
    except SettingsError:
        raise SettingsError(f"Unknown model {name!r}; valid models are: "
                            f"{', '.join(SELECTABLE_MODELS)}.") from None


@dataclass
class CompareCallbacks:
    """Progress hooks for a UI: which model runs, each epoch, each finished model, and a stop button."""

    on_model_start: Callable[[str, int, int], None] | None = None
    on_epoch: Callable[[str, int, int, float, float | None], None] | None = None
    on_model_done: Callable[[str, ModelResult], None] | None = None
    should_stop: Callable[[], bool] | None = None


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
    """Mean and standard deviation of each metric over ``rows`` (failed seeds are already left out)."""
    means = {k: float(np.mean([r[k] for r in rows])) for k in METRIC_NAMES}
    stds = {k: float(np.std([r[k] for r in rows])) for k in METRIC_NAMES}
    return means, stds




def plan_split(n_points: int, series_season_length: int | None, config: CompareConfig) -> SplitPlan:
    """Season length, horizon, selection windows and test windows a comparison will use; raises before any
    fitting when the series is too short for them (the dashboard calls this to check settings as they change)."""
    m = int(config.season_length or series_season_length or 1)
    horizon = int(config.horizon or default_horizon(n_points, m))
    return plan_comparison(n_points, horizon, m, config.validation_size, config.backtest)


def compare(series: LoadedSeries, config: CompareConfig | None = None,
            callbacks: CompareCallbacks | None = None) -> ComparisonResult:
    """Run the comparison protocol for every model in ``config`` and return all results.

    A model that fails (bad setting, numerical trouble) gets an ``error`` in its result; the others
    still run. ``callbacks.should_stop`` ends the run early, keeping every model already finished.
    ``total_seconds`` is the whole wall time, one-time setup (``setup_seconds``) included.
    """
    config = config or CompareConfig()
    config.validate()
    callbacks = callbacks or CompareCallbacks()
    started = time.perf_counter()
    y = np.asarray(series.values, dtype=float)
    plan = plan_split(len(y), series.season_length, config)
    fitted = [name for name in config.models if name != ENSEMBLE]
    setup = warm_up_models(fitted)
    results, cancelled = _run_models(fitted, y, plan, config, callbacks, series.index)
    if ENSEMBLE in config.models and not cancelled:
        results = _add_ensemble(results, config, plan, y, series.index, callbacks)
    shown_preprocessing = next((r.extras.get("preprocessor") for r in results.values()
                                if r.ok and r.extras.get("preprocessor")), {})
    for result in results.values():
        result.extras.pop("preprocessor", None)
    recommended, note = recommend(results)
    return ComparisonResult(
        series=_series_info(series), horizon=plan.horizon, split=plan.split.to_dict(),
        season_length=plan.season_length, preprocessing=shown_preprocessing, models=results,
        recommended=recommended, actual=y.tolist(), index=index_labels(series.index), config=config.to_dict(),
        backtest_origins=config.backtest, cancelled=cancelled, total_seconds=time.perf_counter() - started,
        selection=plan.to_dict(), recommendation_note=note, setup_seconds=float(sum(setup.values())),
        setup_breakdown=setup,
    )


def _run_models(names: list[str], y: np.ndarray, plan: SplitPlan, config: CompareConfig,
                callbacks: CompareCallbacks, index: Any) -> tuple[dict[str, ModelResult], bool]:
    """Every fitted model in order, until the user stops the run; returns the results and whether it stopped."""
    results: dict[str, ModelResult] = {}
    for name in names:
        if callbacks.should_stop and callbacks.should_stop():
            return results, True
        result = results[name] = _run_model(name, y, plan, config, callbacks)
        if result.ok:
            result.forecast_index = index_labels(index[plan.test_starts[-1]:])
        if callbacks.on_model_done:
            callbacks.on_model_done(name, result)
        if result.extras.get("stopped_by_user"):
            return results, True
    return results, False


def _add_ensemble(results: dict[str, ModelResult], config: CompareConfig, plan: SplitPlan, y: np.ndarray,
                  index: Any, callbacks: CompareCallbacks) -> dict[str, ModelResult]:
    """The results with the ensemble built from them, placed where the ensemble stands in ``config.models``."""
    if callbacks.on_model_start:
        callbacks.on_model_start(ENSEMBLE, 1, 1)
    ensemble = build_ensemble(results, plan, y, config.ensemble_size)
    if ensemble.ok:
        ensemble.forecast_index = index_labels(index[plan.test_starts[-1]:])
        ensemble.origin_metrics = _origin_metrics(ensemble.backtest_forecasts, y, plan)
    if callbacks.on_model_done:
        callbacks.on_model_done(ENSEMBLE, ensemble)
    return {name: ensemble if name == ENSEMBLE else results[name] for name in config.models
            if name == ENSEMBLE or name in results}


def _origin_metrics(forecasts: list[list[float]], y: np.ndarray, plan: SplitPlan) -> list[dict[str, float]]:
    """Test metrics of each backtest window's forecast (one forecast per origin, e.g. the ensemble's median)."""
    h, m = plan.horizon, plan.season_length
    return [compute_metrics(y[s:s + h], np.asarray(f, dtype=float), y[:s], m)
            for s, f in zip(plan.test_starts, forecasts, strict=True)]


@dataclass
class _SeedRun:
    """One seed of one model: its selection fit and one refit per test window."""

    seed: int
    selection: SelectionRun
    tests: list[TestRun]

    @property
    def finite(self) -> bool:
        """False when any selection or test forecast holds NaN or infinity (the seed failed)."""
        forecasts = self.selection.forecasts + [t.forecast for t in self.tests]
        return all(np.all(np.isfinite(f)) for f in forecasts)

    @property
    def stop_reasons(self) -> list[str]:
        return self.selection.stop_reasons + [r for t in self.tests for r in t.stop_reasons]


def _run_model(name: str, y: np.ndarray, plan: SplitPlan, config: CompareConfig,
               callbacks: CompareCallbacks) -> ModelResult:
    """One model over every seed: fit, score, refit, summarise; a failure becomes the result's ``error``."""
    model_cls = get_model_class(name)
    params = model_params(model_cls, config.params.get(name, {}), plan.horizon)
    result = ModelResult(name=name, label=model_cls.label, params=params.to_dict())
    result.seeds = [config.base_seed + i for i in range(config.seeds if model_cls.stochastic else 1)]
    try:
        prep = {"log": config.log, "difference": config.difference,
                "seasonal_difference": config.seasonal_difference}
        space = model_space(model_cls, y[:plan.split.train_end], plan.season_length, prep)
        meter = FitMeter()
        runs = _fit_seeds(model_cls, params, result.seeds, y, plan, space, meter, config, callbacks)
        result.fit_seconds, result.peak_memory_mb = meter.seconds, meter.peak_mb
        kept = _keep_finite_seeds(result, runs)
        _summarise(result, kept, runs, space, y, plan)
        _attach_intervals(result, kept[0].selection.model, space, y, plan)
        if config.memory and _memory_is_cheap(model_cls):
            _attach_memory(result, kept[0].tests[-1].model, space, y, plan.test_starts[-1])
        elif config.memory:
            result.extras["memory_note"] = MEMORY_SKIPPED_NOTE
    except ForecastingError as error:
        result.error = str(error)
    except Exception as error:  # noqa: BLE001 - one model's failure must never lose the others
        result.error = f"{model_cls.label} failed: {type(error).__name__}: {error}"
    return result


def _fit_callbacks(name: str, config: CompareConfig, callbacks: CompareCallbacks) -> FitCallbacks:
    """The per-fit hooks of one model: its epochs to the UI, the stop button, the time budget."""
    on_epoch = callbacks.on_epoch
    return FitCallbacks(on_epoch=(lambda e, n, tl, vl: on_epoch(name, e, n, tl, vl)) if on_epoch else None,
                        should_stop=callbacks.should_stop, time_budget_s=config.time_budget_s)


def _fit_seeds(model_cls: type[Forecaster], params: Any, seeds: list[int], y: np.ndarray, plan: SplitPlan,
               space: ModelSpace, meter: FitMeter, config: CompareConfig,
               callbacks: CompareCallbacks) -> list[_SeedRun]:
    """For each seed: the selection fit on the training part, then one refit per test window with the
    tuned values fixed. ``on_model_start`` counts every fit (seeds x (1 + test windows))."""
    fit_callbacks = _fit_callbacks(model_cls.name, config, callbacks)
    total, step = len(seeds) * (1 + len(plan.test_starts)), 0

    def started() -> None:
        nonlocal step
        step += 1
        if callbacks.on_model_start:
            callbacks.on_model_start(model_cls.name, step, total)

    runs = []
    for seed in seeds:
        started()
        selection = selection_stage(model_cls, params, seed, y, plan, space, meter, fit_callbacks)
        tuned = with_tuned(params, selection.tuned)
        tests = []
        for start in plan.test_starts:
            started()
            tests.append(test_stage(model_cls, tuned, seed, y, start, plan.horizon, plan.season_length, space,
                                    meter, fit_callbacks))
        runs.append(_SeedRun(seed, selection, tests))
    return runs


def _keep_finite_seeds(result: ModelResult, runs: list[_SeedRun]) -> list[_SeedRun]:
    """The seeds whose forecasts are all finite; the others are named in ``failed_seeds`` and a warning."""
    kept = [run for run in runs if run.finite]
    result.failed_seeds = [run.seed for run in runs if not run.finite]
    if not kept:
        raise SettingsError(f"{result.label} gave NaN or infinite forecasts with every seed "
                            f"({', '.join(map(str, result.failed_seeds))}); try other hyperparameters or "
                            "preprocessing.")
    if result.failed_seeds:
        message = (f"Seed{'s' if len(result.failed_seeds) > 1 else ''} "
                   f"{', '.join(map(str, result.failed_seeds))} gave NaN or infinite forecasts and "
                   f"{'are' if len(result.failed_seeds) > 1 else 'is'} left out of every mean "
                   f"({len(kept)} of {len(runs)} seeds kept).")
        result.warnings.append(message)
        warnings_module.warn(message, RuntimeWarning, stacklevel=2)
    return kept


def _mean_over_windows(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in METRIC_NAMES}


def _summarise(result: ModelResult, kept: list[_SeedRun], runs: list[_SeedRun], space: ModelSpace,
               y: np.ndarray, plan: SplitPlan) -> None:
    """Fill ``result`` from the kept seeds: selection scores, test metrics, forecasts, flags and notes."""
    _summarise_selection(result, kept)
    _summarise_tests(result, kept, y, plan)
    reasons = [reason for run in runs for reason in run.stop_reasons]
    if StopReason.STOPPED_BY_USER.value in reasons:
        result.extras["stopped_by_user"] = True
    result.time_budget_hit = StopReason.TIME_BUDGET.value in reasons
    result.forecast_seconds = sum(r.selection.forecast_seconds + sum(t.forecast_seconds for t in r.tests)
                                  for r in runs)
    first = kept[0]
    result.training_history = first.selection.history
    result.tuned_params = first.selection.tuned
    report = first.selection.model.fit_report()
    if report:
        result.extras["fit_report"] = report
    result.trainable_parameters = int(first.tests[-1].model.trainable_parameters)
    result.preprocessing = space.describe()
    if space.preprocessor is not None:
        result.extras["preprocessor"] = space.preprocessor.to_dict()
    for run in kept:
        _collect_warnings(result, run)


def _summarise_selection(result: ModelResult, kept: list[_SeedRun]) -> None:
    """Selection metrics: per seed the mean over windows, then the mean over seeds; per-window MASE too."""
    per_seed = [_mean_over_windows(run.selection.metrics) for run in kept]
    result.validation_metrics = _mean_std(per_seed)[0]
    windows = range(len(kept[0].selection.metrics))
    result.selection_scores = [float(np.mean([run.selection.metrics[w]["mase"] for run in kept])) for w in windows]
    result.selection_forecasts = [np.mean([run.selection.forecasts[w] for run in kept], axis=0).tolist()
                                  for w in windows]
    result.selection_clipped = any(run.selection.clipped for run in kept)


def _summarise_tests(result: ModelResult, kept: list[_SeedRun], y: np.ndarray, plan: SplitPlan) -> None:
    """Test metrics: per seed the mean over test windows, then mean and spread over seeds; mean forecasts."""
    h, m = plan.horizon, plan.season_length
    per_window = [[compute_metrics(y[s:s + h], t.forecast, y[:s], m)
                   for s, t in zip(plan.test_starts, run.tests, strict=True)] for run in kept]
    per_seed = [_mean_over_windows(rows) for rows in per_window]
    result.metrics, spread = _mean_std(per_seed)
    result.metrics_std = spread if len(kept) > 1 else None
    result.seed_metrics = [{"seed": run.seed, **row} for run, row in zip(kept, per_seed, strict=True)]
    result.origin_metrics = [_mean_over_windows([rows[k] for rows in per_window])
                             for k in range(len(plan.test_starts))]
    result.backtest_forecasts = [np.mean([run.tests[k].forecast for run in kept], axis=0).tolist()
                                 for k in range(len(plan.test_starts))]
    result.seed_forecasts = [run.tests[-1].forecast.tolist() for run in kept]
    result.forecast = result.backtest_forecasts[-1]
    result.clipped = result.selection_clipped or any(t.clipped for run in kept for t in run.tests)
    spread_before = max(float(np.std(y[:plan.test_starts[-1]])), 1e-12)
    result.flat = bool(np.std(result.forecast) <= FLAT_RELATIVE_SPREAD * spread_before)


def _attach_intervals(result: ModelResult, model: Forecaster, space: ModelSpace, y: np.ndarray,
                      plan: SplitPlan) -> None:
    """Split-conformal bands around the test forecasts, calibrated on the selection fit's forecasts from every
    origin in the validation part (stride 1; the test part is never read), with their empirical coverage and
    mean width on the test windows. The calibration forecasts are kept: the ensemble is calibrated on their
    median."""
    h, stop = plan.horizon, plan.test_starts[0]
    origins = calibration_origins(plan.split.train_end, stop, h, MAX_CALIBRATION_ORIGINS)
    seen = y[:stop]  # nothing after the validation part reaches the forecasts
    forecasts = model_origin_forecasts(model, seen, origins, h, space.preprocessor)
    attach_bands(result, forecasts, origins.start, y, plan.test_starts)


def _collect_warnings(result: ModelResult, run: _SeedRun) -> None:
    """The final model's warnings describe the forecast; tuning-only ones (e.g. a time budget hit while
    tuning) are kept with a prefix so that nothing is silently dropped."""
    final = run.tests[-1].model.warnings
    tuning = run.selection.model.warnings
    messages = list(final) + [f"While tuning: {w}" for w in tuning if w not in final and not _same_kind(w, final)]
    for message in messages:
        if message not in result.warnings:
            result.warnings.append(message)


def _memory_is_cheap(model_cls: type[Forecaster]) -> bool:
    """True for models whose memory analysis takes seconds: a recurrent core (exact gradients) or a baseline
    rule. A classical model is probed by finite differences of statsmodels refits: minutes, so skipped."""
    return issubclass(model_cls, RecurrentModel) or model_cls.kind is ModelKind.BASELINE


def _attach_memory(result: ModelResult, model: Forecaster, space: ModelSpace, y: np.ndarray,
                   history_end: int) -> None:
    """Add the memory-horizon fields (sensitivity profile, horizon, capacity) for the final model."""
    from forecasting.memory import memory_report

    preprocessor = space.preprocessor
    z = space.to_model(y)
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
