"""Hyperparameter sweeps: fit one model over a grid of one or two hyperparameters and map what changes.

Every cell is an ordinary fit, ``cls(params, seed=seed).fit(train)``, on the comparison's training
part (:func:`forecasting.splitting.plan_comparison`) with its preprocessing rule fitted on that part
only, scored on the comparison's selection windows in the **validation** part (the test part is
never read), and optionally measured with :func:`forecasting.memory.memory_report` (memory horizon
and capacity). What does not change between cells is prepared once (:class:`SweepData`: plan,
preprocessing, model-space series); cells run one after another or in parallel with joblib.

When an ESN sweep varies ``ridge_alpha``, cells that differ only in it share one reservoir, one
harvest of its states and one Gram matrix (none depends on the penalty): the group is fitted once
and only the readout is refitted per alpha (:class:`_SharedHarvestESN`); each cell's coefficients,
validation error and memory figures are the same as those of a single fit with its settings.
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from forecasting.errors import ForecastingError, InputError, SettingsError
from forecasting.metrics import METRIC_NAMES, compute_metrics
from forecasting.models import Forecaster, get_model_class
from forecasting.models.base import Params
from forecasting.models.esn import ESNForecaster
from forecasting.preprocessing import AUTO, Preprocessor
from forecasting.results import json_safe
from forecasting.splitting import Split, default_horizon, plan_comparison

# The hyperparameters a sweep may vary, per model: the ones whose effect an analyst wants to map.
SWEEPABLE: dict[str, tuple[str, ...]] = {
    "esn": ("spectral_radius", "leak_rate", "input_scaling", "units", "ridge_alpha"),
    "lstm": ("hidden_size", "truncation_length", "learning_rate"),
    "gru": ("hidden_size", "truncation_length", "learning_rate"),
}
# A starting range per sweepable hyperparameter: (low, high, count, log spacing); the page and docs offer it.
DEFAULT_RANGES: dict[str, tuple[float, float, int, bool]] = {
    "spectral_radius": (0.1, 1.3, 7, False), "leak_rate": (0.05, 1.0, 6, False),
    "input_scaling": (0.02, 2.0, 6, True), "units": (50, 400, 4, True), "ridge_alpha": (1e-8, 1.0, 9, True),
    "hidden_size": (4, 64, 5, True), "truncation_length": (6, 96, 5, True), "learning_rate": (1e-4, 3e-2, 5, True),
}
MAX_AXES: dict[str, int] = {"esn": 2, "lstm": 1, "gru": 1}  # LSTM/GRU cells train a network each: 1-D only
COSTLY_MODELS = ("lstm", "gru")
MAX_CELLS = 400
DEFAULT_METRIC = "nrmse"


# A cell is one plain fit of exactly the settings it shows: the ESN is swept as the single reservoir of
# forecasting.models.esn (no hyperparameter search or ensemble, which would override or average the cell).
SWEEP_CLASSES: dict[str, str] = {"esn": "forecasting.models.esn:ESNForecaster"}


def sweep_model_class(model: str) -> type[Forecaster]:
    """The class each cell of a ``model`` sweep fits (the registry's, except the plain ESN for ``esn``)."""
    target = SWEEP_CLASSES.get(model)
    if target is None:
        return get_model_class(model)
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


def sweep_base_params(model: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The comparison's overrides for ``model`` that a sweep cell can take (search / ensemble settings of
    the registered ESN are dropped: a cell is one reservoir)."""
    names = set(sweep_model_class(model).Params.names())
    return {k: v for k, v in overrides.items() if k in names}


def comparison_settings(model: str, params: dict[str, Any]) -> dict[str, Any]:
    """What to copy into the comparison for a cell: its settings, with the registered model's search
    switched off when it has one (else the comparison would search again and override them)."""
    if "search" in get_model_class(model).Params.names():
        return {**params, "search": "off"}
    return dict(params)


# -- axes --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Axis:
    """One swept hyperparameter and the values it takes (``log`` says how they were spaced)."""

    name: str
    values: tuple[float, ...]
    log: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "values": list(self.values), "log": self.log}


def _field_kind(model: str, name: str) -> tuple[type, float | None, float | None]:
    """The Python type of a hyperparameter's default and its declared range (low, high)."""
    params = sweep_model_class(model).Params()
    spec = next(f for f in params.specs() if f.name == name)
    default = getattr(params, name)
    kind = int if isinstance(default, int) and not isinstance(default, bool) else float
    return kind, spec.metadata.get("low"), spec.metadata.get("high")


def check_axis_name(model: str, name: str) -> None:
    """Raise SettingsError unless ``name`` is a hyperparameter this model can be swept over."""
    if model not in SWEEPABLE:
        raise SettingsError(f"Sweeps are available for {', '.join(SWEEPABLE)}; got model {model!r}.")
    if name not in SWEEPABLE[model]:
        raise SettingsError(f"{model} cannot be swept over {name!r}; choose one of: {', '.join(SWEEPABLE[model])}.")


def make_axis(model: str, name: str, low: float, high: float, count: int, *, log: bool = False) -> Axis:
    """``count`` values from ``low`` to ``high`` (linear, or geometric when ``log``), checked against the
    hyperparameter's range; whole-number hyperparameters are rounded and repeated values dropped."""
    check_axis_name(model, name)
    if isinstance(count, bool) or int(count) != count or count < 1:
        raise SettingsError(f"The number of values for {name} must be a whole number of at least 1; got {count!r}.")
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        raise SettingsError(f"The range of {name} must go from a low to a higher finite value; got {low:g}:{high:g}.")
    if log and low <= 0:
        raise SettingsError(f"A log range of {name} needs a positive start; got {low:g}. Use a linear range.")
    raw = np.geomspace(low, high, int(count)) if log else np.linspace(low, high, int(count))
    return axis_from_values(model, name, raw, log=log)


def axis_from_values(model: str, name: str, values: Iterable[float], *, log: bool = False) -> Axis:
    """An axis over explicit ``values``, each checked against the hyperparameter's declared range."""
    check_axis_name(model, name)
    kind, low, high = _field_kind(model, name)
    cleaned: list[float] = []
    for value in values:
        number = kind(round(float(value))) if kind is int else float(value)
        if (low is not None and number < low) or (high is not None and number > high):
            raise SettingsError(f"{name} = {number:g} is outside its range {low:g}..{high:g}; narrow the sweep.")
        if number not in cleaned:
            cleaned.append(number)
    if not cleaned:
        raise SettingsError(f"Give at least one value for {name}.")
    return Axis(name, tuple(cleaned), log)


def parse_axis(text: str, model: str = "esn") -> Axis:
    """Read ``name=low:high:count`` (add ``:log`` for geometric spacing) or ``name=v1,v2,...``."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    if not sep or not name or not spec:
        raise SettingsError(f"An axis is NAME=LOW:HIGH:COUNT[:log] or NAME=V1,V2,...; got {text!r}.")
    try:
        if ":" not in spec:
            return axis_from_values(model, name, [float(v) for v in spec.split(",") if v.strip()])
        parts = spec.split(":")
        log = parts[-1].strip().lower() == "log"
        parts = parts[:-1] if log else parts
        if len(parts) != 3:
            raise ValueError(spec)
        low, high, count = float(parts[0]), float(parts[1]), float(parts[2])
    except ValueError:
        raise SettingsError(f"Could not read the axis {text!r}; write e.g. spectral_radius=0.1:1.3:12 or "
                            "ridge_alpha=1e-8:1e-1:8:log or units=100,200,400.") from None
    if not count.is_integer():
        raise SettingsError(f"The number of values in {text!r} must be a whole number.")
    return make_axis(model, name, low, high, int(count), log=log)


# -- what every cell shares -------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepData:
    """Everything that is the same for every cell: the split, the fitted preprocessing and the windows.

    ``z`` is train + validation in model space (the test part is cut off before anything else);
    ``origins`` are the starts of the comparison's selection windows (``window`` points each).
    """

    y: np.ndarray                 # train + validation, original units (no test values)
    split: Split
    season_length: int
    horizon: int
    preprocessor: Preprocessor
    z: np.ndarray
    origins: tuple[int, ...]
    window: int
    note: str = ""

    @property
    def lost(self) -> int:
        return self.preprocessor.lost_points

    @property
    def z_train(self) -> np.ndarray:
        return self.z[:self.split.train_end - self.lost]


def prepare(values: np.ndarray, *, horizon: int | None = None, validation_size: int | None = None,
            season_length: int = 1, log: bool | str = AUTO, difference: bool | str = AUTO,
            seasonal_difference: bool | str = AUTO) -> SweepData:
    """Plan ``values`` like the comparison (its train part and selection windows,
    :func:`forecasting.splitting.plan_comparison`), drop the test part, fit the preprocessing on train only."""
    y_full = np.asarray(values, dtype=float)
    if y_full.ndim != 1 or not np.all(np.isfinite(y_full)):
        raise InputError("The series to sweep must be a 1-D series of finite numbers; fill missing values first.")
    m = max(1, int(season_length))
    horizon = int(horizon or default_horizon(len(y_full), m))
    plan = plan_comparison(len(y_full), horizon, m, validation_size)
    split = plan.split
    y = y_full[:split.val_end]
    prep = Preprocessor.fit(y[:split.train_end], m, log=log, difference=difference,
                            seasonal_difference=seasonal_difference)
    return SweepData(y=y, split=split, season_length=m, horizon=horizon, preprocessor=prep,
                     z=prep.transform(y), origins=tuple(plan.selection_starts), window=plan.selection_length,
                     note=plan.selection_note)


# -- one cell -----------------------------------------------------------------------------------------

@dataclass
class SweepCell:
    """One point of the grid: its settings and what the fit with them measured (or why it failed)."""

    x: float
    y: float | None
    params: dict[str, Any]
    validation: dict[str, float] = field(default_factory=dict)
    memory_horizon: float | None = None
    memory_capacity: float | None = None
    sensitivity_profile: list[float] | None = None
    fit_seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the whole cell (fit, scoring, memory) in the process that ran it
    tuned_params: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def score(self, metric: str) -> float:
        """The cell's validation ``metric`` (inf when it failed or is not finite), lower is better."""
        value = self.validation.get(metric) if self.ok else None
        return float(value) if value is not None and math.isfinite(value) else math.inf


def cell_params(model: str, base: dict[str, Any], changes: dict[str, Any], horizon: int) -> Params:
    """The model's hyperparameters: defaults, then ``base`` overrides, then the cell's ``changes``;
    a ``horizon`` field follows the sweep's horizon unless set, as in the comparison."""
    params = sweep_model_class(model).Params().replace(**base)
    if "horizon" in params.names() and "horizon" not in base:
        params = params.replace(horizon=horizon)
    return params.replace(**changes)


def validation_scores(model: Forecaster, data: SweepData) -> dict[str, float]:
    """Mean of each metric over the selection windows, forecast from each window's start, in original units."""
    rows = []
    for origin in data.origins:
        history = data.z[:origin - data.lost]
        forecast = model.predict(history, data.window).values
        actual = data.y[origin:origin + data.window]
        predicted = data.preprocessor.inverse(forecast, data.y[:origin])
        rows.append(compute_metrics(actual, predicted, data.y[:origin], data.season_length))
    return {k: float(np.mean([r[k] for r in rows])) for k in METRIC_NAMES}


def _memory(model: Forecaster, data: SweepData,
            known_capacity: tuple[float, np.ndarray] | None = None) -> dict[str, Any]:
    from forecasting.memory import memory_report

    return memory_report(model, data.z, heldout_start=data.split.train_end - data.lost,
                         known_capacity=known_capacity)


CELL_ERRORS = (ArithmeticError, ValueError, np.linalg.LinAlgError)  # numerical trouble in one cell only


def _error_text(error: Exception) -> str:
    """What a failed cell shows: the message of our own errors, the type too for numerical ones."""
    return str(error) if isinstance(error, ForecastingError) else f"{type(error).__name__}: {error}"


def _measure(cell: SweepCell, model: Forecaster, data: SweepData, memory: bool,
             known_capacity: tuple[float, np.ndarray] | None = None) -> tuple[float, np.ndarray] | None:
    """Fill ``cell`` from a fitted ``model``: tuned settings, warnings, validation scores, memory figures.

    Returns the (memory capacity, profile) measured or reused, for cells that share this recurrent core."""
    cell.tuned_params = dict(model.tuned_params())
    cell.warnings = list(model.warnings)
    cell.validation = validation_scores(model, data)
    if not memory:
        return None
    report = _memory(model, data, known_capacity)
    cell.memory_horizon = report["memory_horizon"]
    cell.memory_capacity = report["memory_capacity"]
    cell.sensitivity_profile = report["sensitivity_profile"]
    if report["memory_capacity"] is None:
        return None
    return report["memory_capacity"], np.asarray(report["memory_capacity_profile"], dtype=float)


def evaluate_cell(model_name: str, params: Params, seed: int, data: SweepData, *, memory: bool = True,
                  x: float = math.nan, y: float | None = None, changes: dict[str, Any] | None = None) -> SweepCell:
    """Fit one model on the training part (it holds out its own tail to tune), score the validation
    windows and, when ``memory``, measure its memory horizon and capacity. Errors become ``cell.error``."""
    cell = SweepCell(x=x, y=y, params=dict(changes or {}))
    cpu = time.process_time()
    try:
        model = sweep_model_class(model_name)(params, seed=seed, season_length=data.season_length)
        start = time.perf_counter()
        model.fit(data.z_train)
        cell.fit_seconds = time.perf_counter() - start
        _measure(cell, model, data, memory)
    except (ForecastingError, *CELL_ERRORS) as error:
        cell.error = _error_text(error)
    cell.cpu_seconds = time.process_time() - cpu
    return cell


# -- cells that share a harvest (an ESN swept over ridge_alpha) ----------------------------------------

class _SharedHarvestESN(ESNForecaster):
    """The plain ESN, keeping what its fit harvested so that another ridge_alpha refits only the readout.

    The reservoir, the echo state check, the states and the Gram matrix depend on every setting but
    the penalty; :meth:`with_alpha` runs the remaining stages (penalty, readout, history) of
    :meth:`ESNForecaster._fit` on them, so its ``coef_`` equals that of a full fit with the same seed.
    """

    def __init__(self, params: Params | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.shared: tuple[Any, np.ndarray, Any, list[str]] | None = None  # harvest, train, row plan, warnings

    def _choose_alpha(self, harvest: Any, train: np.ndarray, val: np.ndarray | None,
                      plan: Any) -> tuple[float | None, float | None]:
        """Record the harvest (and the warnings so far) before the penalty is chosen, then choose it."""
        self.shared = (harvest, train, plan, list(self.warnings))
        return super()._choose_alpha(harvest, train, val, plan)

    def with_alpha(self, params: Params) -> ESNForecaster:
        """A fitted ESN with ``params`` (this fit's settings but ridge_alpha) from this fit's harvest."""
        if self.shared is None:
            raise SettingsError("The shared reservoir has not been harvested yet; fit it first.")
        harvest, train, plan, warnings = self.shared
        model = ESNForecaster(params, seed=self.seed, season_length=self.season_length)
        if model._plan_rows(len(train), True) != plan:  # the penalty changed the rows (ridge_alpha unset)
            return model.fit(train)
        model.set_envelope(train)
        model.reservoir, model.washout_, model.warnings = self.reservoir, self.washout_, list(warnings)
        model.fit_timings = {}
        model._fit_from_harvest(harvest, train, None, plan, None)
        model.fitted = True
        return model


def shares_harvest(spec: SweepSpec) -> bool:
    """True when cells of ``spec`` that differ only in ridge_alpha can share one ESN harvest."""
    names = {spec.x.name} | ({spec.y.name} if spec.y else set())
    return "ridge_alpha" in names and sweep_model_class(spec.model) is ESNForecaster


def cell_groups(spec: SweepSpec) -> list[list[tuple[float, float | None]]]:
    """The grid's points, grouped by everything but ridge_alpha when cells can share a harvest
    (one group per value of the other axis), else one point per group; grid order within a group."""
    if not shares_harvest(spec):
        return [[point] for point in spec.cells()]
    groups: dict[float | None, list[tuple[float, float | None]]] = {}
    for x, y in spec.cells():
        key = None if spec.y is None else (y if spec.x.name == "ridge_alpha" else x)
        groups.setdefault(key, []).append((x, y))
    return list(groups.values())


def _alpha_group_cells(spec: SweepSpec, points: list[tuple[float, float | None]],
                       data: SweepData) -> Iterator[SweepCell]:
    """Yield the cells of ``points`` (same settings but ridge_alpha), harvesting the reservoir once.

    The shared fit's wall and CPU time is split evenly over the group's cells; each cell adds its own
    readout refit, scoring and memory horizon; the memory capacity (states only) is measured once per group.
    A fit that fails before its readout fails every cell.
    """
    cells = [SweepCell(x=x, y=y, params=spec.changes(x, y)) for x, y in points]
    params = [cell_params(spec.model, spec.base_params, c.params, data.horizon) for c in cells]
    cpu, wall = time.process_time(), time.perf_counter()
    first = _SharedHarvestESN(params[0], seed=spec.seed, season_length=data.season_length)
    first_error = None
    try:
        first.fit(data.z_train)
    except (ForecastingError, *CELL_ERRORS) as error:
        first_error = _error_text(error)
    shared_cpu, shared_wall = (time.process_time() - cpu) / len(cells), (time.perf_counter() - wall) / len(cells)
    capacity = None  # the states, hence the memory capacity, are the same for every alpha: measured once
    for i, (cell, cell_settings) in enumerate(zip(cells, params, strict=True)):
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            if first_error is not None and (i == 0 or first.shared is None):
                cell.error = first_error
            else:
                model = first if i == 0 else first.with_alpha(cell_settings)
                cell.fit_seconds = shared_wall + (time.perf_counter() - wall)
                capacity = _measure(cell, model, data, spec.memory, capacity) or capacity
        except (ForecastingError, *CELL_ERRORS) as error:
            cell.error = _error_text(error)
        cell.cpu_seconds = shared_cpu + time.process_time() - cpu
        yield cell


def evaluate_group(spec: SweepSpec, points: list[tuple[float, float | None]], data: SweepData) -> Iterator[SweepCell]:
    """Yield the finished cells of one group of :func:`cell_groups`, one after another."""
    if len(points) > 1 and shares_harvest(spec):
        yield from _alpha_group_cells(spec, points, data)
        return
    for x, y in points:
        params = cell_params(spec.model, spec.base_params, spec.changes(x, y), data.horizon)
        yield evaluate_cell(spec.model, params, spec.seed, data, memory=spec.memory, x=x, y=y,
                            changes=spec.changes(x, y))


def _group_list(spec: SweepSpec, points: list[tuple[float, float | None]], data: SweepData) -> list[SweepCell]:
    """:func:`evaluate_group` as a list (what a joblib worker sends back)."""
    return list(evaluate_group(spec, points, data))


# -- the grid -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: the model, one or two axes, fixed overrides, the seed and the metric to rank by."""

    model: str
    x: Axis
    y: Axis | None = None
    base_params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    metric: str = DEFAULT_METRIC
    memory: bool = True

    def validate(self) -> None:
        """Refuse a sweep that cannot run, before anything is fitted."""
        check_axis_name(self.model, self.x.name)
        if self.y is not None:
            check_axis_name(self.model, self.y.name)
            if MAX_AXES[self.model] < 2:
                raise SettingsError(f"{self.model} sweeps take one hyperparameter (each cell trains a network); "
                                    "drop the second axis.")
            if self.y.name == self.x.name:
                raise SettingsError(f"Both axes sweep {self.x.name}; choose two different hyperparameters.")
        if self.metric not in METRIC_NAMES:
            raise SettingsError(f"Unknown metric {self.metric!r}; choose one of: {', '.join(METRIC_NAMES)}.")
        if len(self.cells()) > MAX_CELLS:
            raise SettingsError(f"{len(self.cells())} cells is more than {MAX_CELLS}; use fewer values per axis.")
        swept = {self.x.name} | ({self.y.name} if self.y else set())
        fixed = {k: v for k, v in self.base_params.items() if k not in swept}
        sweep_model_class(self.model).Params().replace(**fixed)

    def cells(self) -> list[tuple[float, float | None]]:
        """Grid points in row-major order (y outer, x inner), ``(x, None)`` for a 1-D sweep."""
        ys: list[float | None] = list(self.y.values) if self.y else [None]
        return [(x, y) for y in ys for x in self.x.values]

    def changes(self, x: float, y: float | None) -> dict[str, Any]:
        """The hyperparameters a cell sets."""
        out: dict[str, Any] = {self.x.name: x}
        if self.y is not None:
            out[self.y.name] = y
        return out


@dataclass
class SweepResult:
    """Every finished cell of a sweep, with what is needed to draw and rank them."""

    spec: SweepSpec
    cells: list[SweepCell]
    split: dict[str, int]
    horizon: int
    window: int
    windows: int
    preprocessing: str
    note: str = ""
    cancelled: bool = False
    total_seconds: float = 0.0

    @property
    def total_cells(self) -> int:
        return len(self.spec.cells())

    def best(self) -> SweepCell | None:
        """The finished cell with the lowest validation metric (None when none has a finite score)."""
        scored = [c for c in self.cells if math.isfinite(c.score(self.spec.metric))]
        return min(scored, key=lambda c: c.score(self.spec.metric)) if scored else None

    def comparison_params(self, cell: SweepCell) -> dict[str, Any]:
        """Overrides to copy into the comparison for ``cell``: the fixed ones plus the cell's own (and
        ``search=off`` when the registered model would otherwise search again)."""
        return comparison_settings(self.spec.model, {**self.spec.base_params, **cell.params})

    def to_dict(self) -> dict[str, Any]:
        spec = self.spec
        best = self.best()
        return json_safe({
            "model": spec.model, "x": spec.x.to_dict(), "y": spec.y.to_dict() if spec.y else None,
            "metric": spec.metric, "seed": spec.seed, "base_params": spec.base_params,
            "split": self.split, "horizon": self.horizon, "validation_window": self.window,
            "validation_windows": self.windows, "windows_note": self.note, "preprocessing": self.preprocessing,
            "cancelled": self.cancelled, "total_seconds": self.total_seconds,
            "total_cells": self.total_cells,
            "best": None if best is None else {"x": best.x, "y": best.y, "params": self.comparison_params(best),
                                               "score": best.score(spec.metric)},
            "cells": [asdict(c) for c in self.cells],
        })


@dataclass
class SweepCallbacks:
    """``on_cell(done, total, cell)`` after each finished cell; ``should_stop()`` polled between cells."""

    on_cell: Callable[[int, int, SweepCell], None] | None = None
    should_stop: Callable[[], bool] | None = None


def _run_cells(spec: SweepSpec, data: SweepData, n_jobs: int) -> Iterator[SweepCell]:
    """Yield finished cells: in order in this process, or as their groups finish in joblib workers."""
    groups = cell_groups(spec)
    if n_jobs == 1:
        for points in groups:
            yield from evaluate_group(spec, points, data)
        return
    from joblib import Parallel, delayed

    tasks = (delayed(_group_list)(spec, points, data) for points in groups)
    for finished in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks):
        yield from finished


def run_sweep(values: np.ndarray, spec: SweepSpec, data: SweepData | None = None, *,
              callbacks: SweepCallbacks | None = None, n_jobs: int = 1, **split_options: Any) -> SweepResult:
    """Fit every cell of ``spec`` on ``values`` (``split_options`` go to :func:`prepare` unless ``data``
    is given). ``callbacks.should_stop`` (or Ctrl-C) ends the sweep early and keeps the finished cells."""
    spec.validate()
    callbacks = callbacks or SweepCallbacks()
    started = time.perf_counter()
    data = data or prepare(values, **split_options)
    total = len(spec.cells())
    cells: list[SweepCell] = []
    cancelled = False
    stream = _run_cells(spec, data, n_jobs)
    try:
        for cell in stream:
            cells.append(cell)
            if callbacks.on_cell:
                callbacks.on_cell(len(cells), total, cell)
            if callbacks.should_stop and callbacks.should_stop() and len(cells) < total:
                cancelled = True
                break
    except KeyboardInterrupt:  # Ctrl-C on the command line: keep what is finished, like the Stop button
        cancelled = True
    finally:
        stream.close()
    order = {point: i for i, point in enumerate(spec.cells())}
    cells.sort(key=lambda c: order.get((c.x, c.y), 0))
    return SweepResult(spec=spec, cells=cells, split=data.split.to_dict(), horizon=data.horizon,
                       window=data.window, windows=len(data.origins), preprocessing=data.preprocessor.describe(),
                       note=data.note, cancelled=cancelled, total_seconds=time.perf_counter() - started)


def cost_warning(spec: SweepSpec) -> str | None:
    """A sentence about the cost of a sweep whose cells each train a network (LSTM/GRU), else None."""
    if spec.model not in COSTLY_MODELS:
        return None
    count = len(spec.cells())
    return (f"Each of the {count} cells trains a {spec.model.upper()} from scratch (seconds to minutes each "
            "on a CPU); the sweep can take many times one comparison. Stop keeps the cells already finished.")


__all__ = ["COSTLY_MODELS", "DEFAULT_METRIC", "DEFAULT_RANGES", "MAX_AXES", "SWEEPABLE", "Axis", "SweepCallbacks",
           "SweepCell", "SweepData", "SweepResult", "SweepSpec", "axis_from_values", "cell_groups", "cell_params",
           "comparison_settings", "cost_warning", "evaluate_cell", "evaluate_group", "make_axis", "parse_axis", "prepare",
           "run_sweep", "shares_harvest", "sweep_base_params", "sweep_model_class", "validation_scores"]
