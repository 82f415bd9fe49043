"""Explore: sweep one or two hyperparameters of a model and map validation error, memory horizon and capacity.

The sweep runs in a background thread (like the comparison) with live progress and a Stop button that
keeps finished cells. A cell chosen in the list (or clicked on a heatmap) can be copied into the
comparison's settings: the same session-state keys the settings expanders use (``param::MODEL::NAME``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dashboard.state import keep_values, param_key
from forecasting.background import BackgroundJob
from forecasting.comparison import CompareConfig
from forecasting.errors import ForecastingError
from forecasting.loading import LoadedSeries
from forecasting.metrics import METRIC_LABELS, METRIC_NAMES
from forecasting.models import get_model_class
from forecasting.presets import LEAKY_UNITS_NAME, leaky_units_series
from forecasting.sweep import (
    DEFAULT_RANGES,
    SWEEPABLE,
    SweepCallbacks,
    SweepCell,
    SweepResult,
    SweepSpec,
    cost_warning,
    make_axis,
    run_sweep,
    sweep_base_params,
)

JOB = "sweep_job"
RESULT = "sweep_result"
NOTE = "sweep_note"
DATA_NAME = "sweep_data_name"  # what the shown sweep ran on: the loaded series' name or the preset
NO_AXIS = "(none: curves)"
POLL_SECONDS = 1.0


# -- the background run ---------------------------------------------------------------------------------

@dataclass
class SweepProgress:
    """What the progress panel shows: cells finished of the total, and the clock."""

    total: int
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    last: SweepCell | None = None

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def eta(self) -> float | None:
        """Seconds left at the pace so far (None before the first cell)."""
        return None if self.done == 0 else self.elapsed / self.done * (self.total - self.done)


class SweepJob(BackgroundJob):
    """Runs :func:`forecasting.sweep.run_sweep` once in a daemon thread; ``stop`` keeps finished cells."""

    thread_name = "sweep"

    def __init__(self, values: Any, spec: SweepSpec, options: dict[str, Any], n_jobs: int = 1) -> None:
        self.spec = spec
        self.progress = SweepProgress(total=len(spec.cells()))
        self.result: SweepResult | None = None
        self.error: str | None = None
        self._args = (values, spec, options, n_jobs)
        super().__init__()

    def _on_cell(self, done: int, total: int, cell: SweepCell) -> None:
        self.progress.done, self.progress.total, self.progress.last = done, total, cell

    def _run(self) -> None:
        values, spec, options, n_jobs = self._args
        callbacks = SweepCallbacks(on_cell=self._on_cell, should_stop=self._stop.is_set)
        try:
            self.result = run_sweep(values, spec, callbacks=callbacks, n_jobs=n_jobs, **options)
        except ForecastingError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - shown as a message instead of a traceback
            self.error = f"The sweep failed unexpectedly ({type(error).__name__}: {error})."


# -- settings ---------------------------------------------------------------------------------------------

def _reset_axes() -> None:
    """After the model changes: first sweepable hyperparameter on x, the second on y (ESN only)."""
    names = SWEEPABLE[st.session_state["sw_model"]]
    st.session_state["sw_x"] = names[0]
    st.session_state["sw_y"] = names[1] if st.session_state["sw_model"] == "esn" else NO_AXIS
    _reset_range("x")
    _reset_range("y")


def _reset_range(axis: str) -> None:
    """Put an axis's low / high / count / log widgets to the starting range of its hyperparameter."""
    name = st.session_state.get(f"sw_{axis}")
    if name not in DEFAULT_RANGES:
        return
    low, high, count, log = DEFAULT_RANGES[name]
    st.session_state.update({f"sw_{axis}_low": float(low), f"sw_{axis}_high": float(high),
                             f"sw_{axis}_count": int(count), f"sw_{axis}_log": bool(log)})


# Sweep widgets whose values are kept while the sweep tools are hidden (buttons and charts cannot be set).
KEPT_KEYS = ("sw_model", "sw_metric", "sw_memory", "sw_jobs", "sw_cell",
             *(f"sw_{axis}{part}" for axis in ("x", "y") for part in ("", "_low", "_high", "_count", "_log")))


def _init_state() -> None:
    """Defaults on first use, and every sweep setting written back so that hiding the tools keeps it."""
    keep_values(KEPT_KEYS)
    if "sw_model" not in st.session_state:
        st.session_state["sw_model"] = "esn"
        _reset_axes()
    st.session_state.setdefault("sw_metric", "nrmse")
    st.session_state.setdefault("sw_memory", True)
    st.session_state.setdefault("sw_jobs", 1)


def _axis_inputs(axis: str, options: list[str]) -> None:
    """One row of widgets: which hyperparameter, from, to, how many values and log spacing."""
    cols = st.columns([2, 1, 1, 1, 1])
    cols[0].selectbox(f"{axis.upper()} axis", options, key=f"sw_{axis}", on_change=_reset_range, args=(axis,),
                      help="The hyperparameter varied along this axis.")
    if st.session_state[f"sw_{axis}"] == NO_AXIS:
        return
    cols[1].number_input("from", key=f"sw_{axis}_low", format="%g", step=None)
    cols[2].number_input("to", key=f"sw_{axis}_high", format="%g", step=None)
    cols[3].number_input("values", key=f"sw_{axis}_count", min_value=1, max_value=30, step=1)
    cols[4].checkbox("log spacing", key=f"sw_{axis}_log", help="Geometric steps (for scales like 1e-6 .. 1).")


def _axis(model: str, axis: str) -> Any:
    s = st.session_state
    return make_axis(model, s[f"sw_{axis}"], s[f"sw_{axis}_low"], s[f"sw_{axis}_high"],
                     int(s[f"sw_{axis}_count"]), log=bool(s[f"sw_{axis}_log"]))


def _spec(config: CompareConfig | None) -> SweepSpec:
    """The sweep the widgets describe; fixed hyperparameters come from the comparison's settings."""
    s = st.session_state
    model = s["sw_model"]
    y = _axis(model, "y") if model == "esn" and s.get("sw_y", NO_AXIS) != NO_AXIS else None
    base = sweep_base_params(model, dict((config.params if config else {}).get(model, {})))
    spec = SweepSpec(model=model, x=_axis(model, "x"), y=y, base_params=base,
                     seed=int(config.base_seed) if config else 0, metric=s["sw_metric"], memory=bool(s["sw_memory"]))
    spec.validate()
    return spec


def split_options(series: LoadedSeries, config: CompareConfig | None) -> dict[str, Any]:
    """The comparison's split and preprocessing settings, so the sweep validates where the comparison does."""
    if config is None:
        return {"season_length": series.season_length}
    return {"horizon": config.horizon, "validation_size": config.validation_size,
            "season_length": config.season_length or series.season_length, "log": config.log,
            "difference": config.difference, "seasonal_difference": config.seasonal_difference}


def sweep_settings(config: CompareConfig | None) -> SweepSpec | None:
    """Draw the sweep's settings; return the spec, or None (with the message shown) when it cannot run."""
    cols = st.columns(4)
    cols[0].selectbox("Model", list(SWEEPABLE), key="sw_model", on_change=_reset_axes,
                      format_func=lambda n: get_model_class(n).label,
                      help="The ESN sweeps one or two hyperparameters (heatmaps); the LSTM and GRU one (curves).")
    cols[1].selectbox("Rank cells by", list(METRIC_NAMES), key="sw_metric", format_func=METRIC_LABELS.get,
                      help="Validation metric, averaged over rolling windows of the validation part.")
    cols[2].number_input("Parallel cells", key="sw_jobs", min_value=1, max_value=8, step=1,
                         help="Cells fitted at once in separate processes (joblib); 1 runs them here. Measured on "
                              "2 cores (benchmarks/results_sweep.md): 2 processes ran a 100-cell grid 1.7x faster, "
                              "but the first parallel sweep of a session first starts the workers (seconds).")
    cols[3].checkbox("Memory per cell", key="sw_memory",
                     help="Measure each cell's memory horizon and capacity (about as long as the fit).")
    model = st.session_state["sw_model"]
    names = list(SWEEPABLE[model])
    _axis_inputs("x", names)
    if model == "esn":
        _axis_inputs("y", [NO_AXIS, *names])
    try:
        spec = _spec(config)
    except ForecastingError as error:
        st.error(f"This sweep cannot run: {error}")
        return None
    warning = cost_warning(spec)
    if warning:
        st.warning(warning)
    return spec


# -- running and results ------------------------------------------------------------------------------------

def _start(series: LoadedSeries, spec: SweepSpec, config: CompareConfig | None) -> None:
    job = SweepJob(series.values, spec, split_options(series, config), int(st.session_state["sw_jobs"]))
    st.session_state[JOB] = job.start()
    st.session_state[NOTE] = None
    st.session_state[DATA_NAME] = series.name


def collect_finished_sweep() -> None:
    """Move a finished sweep into session state (its result, or the message of why it failed)."""
    job: SweepJob | None = st.session_state.get(JOB)
    if job is None or not job.done:
        return
    st.session_state[JOB] = None
    if job.error:
        st.session_state[NOTE] = ("error", f"The sweep could not run: {job.error}")
    elif job.result is not None:
        st.session_state[RESULT] = job.result
        st.session_state.pop("sw_cell", None)


@st.fragment(run_every=POLL_SECONDS)
def sweep_progress() -> None:
    """Cells finished, time so far and left; reruns the page when the sweep ends."""
    job: SweepJob | None = st.session_state.get(JOB)
    if job is None:
        return
    if job.done:
        st.rerun()
    p = job.progress
    eta = "" if p.eta is None else f" · about {p.eta:.0f} s left"
    label = "Stopping…" if job.stop_requested else f"Sweeping: {p.done} of {p.total} cells"
    st.progress(min(p.done / max(p.total, 1), 1.0), text=f"{label} · {p.elapsed:.1f} s{eta}")
    st.button("Stop sweep", key="sw_stop", on_click=job.stop, disabled=job.stop_requested,
              help="Stop after the cell being fitted; finished cells are kept and drawn.")


def cell_label(result: SweepResult, cell: SweepCell) -> str:
    """One line per cell for the list: its settings, score and memory figures."""
    spec = result.spec
    where = ", ".join(f"{k} = {v:g}" for k, v in cell.params.items())
    if not cell.ok:
        return f"{where}: failed ({cell.error})"
    h = cell.memory_horizon
    horizon = "-" if h is None else ("beyond lags measured" if math.isinf(h) else f"{h:g}")
    capacity = "-" if cell.memory_capacity is None else f"{cell.memory_capacity:.2f}"
    star = "★ " if cell is result.best() else ""
    return f"{star}{where}: {spec.metric} {cell.score(spec.metric):.4g} · horizon {horizon} · MC {capacity}"


def apply_cell(model: str, params: dict[str, Any]) -> None:
    """Copy a cell's hyperparameters into the comparison's settings widgets (and select the model)."""
    defaults = get_model_class(model).Params()
    for name, value in params.items():
        text_widget = getattr(defaults, name) is None  # an automatic-choice field is a text box
        st.session_state[param_key(model, name)] = f"{value:g}" if text_widget else value
    models = list(st.session_state.get("models") or [])
    if model not in models:
        st.session_state["models"] = [*models, model]
    st.session_state["params_open"] = model  # show the copied values
    st.session_state[NOTE] = ("info", "Copied into the " + get_model_class(model).label + " settings: "
                              + ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                                          for k, v in params.items()) + ". Press Fit & compare to run.")


def _clicked_cell(result: SweepResult, event: Any) -> int | None:
    """Index of the cell a heatmap click selected, or None."""
    points = ((event or {}).get("selection") or {}).get("cell") or []
    if not points:
        return None
    x, y = points[0].get("x"), points[0].get("y")
    return next((i for i, c in enumerate(result.cells) if c.x == x and c.y == y), None)


def _selectable(chart: Any) -> bool:
    """True when the chart defines the ``cell`` click selection (heatmaps and curves, not the S(k) lines)."""
    spec = chart.to_dict()
    params = spec.get("params", []) + [p for layer in spec.get("layer", []) for p in layer.get("params", [])]
    return any(p.get("name") == "cell" for p in params)


def _draw_charts(result: SweepResult) -> None:
    """The sweep's figures in rows (three heatmaps or two curves a row); a click on a cell selects it."""
    # altair: imported on first use, after the page's controls are drawn
    from forecasting.charts.sweep import sweep_charts

    figures = sweep_charts(result)
    per_row = 3 if result.spec.y is not None else 2
    for first in range(0, len(figures), per_row):
        cols = st.columns(per_row)
        for col, i in zip(cols, range(first, min(first + per_row, len(figures))), strict=False):
            with col:
                if not _selectable(figures[i]):
                    st.altair_chart(figures[i], key=f"sw_chart_{i}", width="stretch")
                    continue
                event = st.altair_chart(figures[i], key=f"sw_chart_{i}", on_select="rerun", selection_mode="cell",
                                        width="content" if result.spec.y is not None else "stretch")
                clicked = _clicked_cell(result, event)
                if clicked is not None and st.session_state.get(f"sw_clicked_{i}") != clicked:
                    st.session_state[f"sw_clicked_{i}"] = clicked
                    st.session_state["sw_cell"] = clicked


def sweep_results(result: SweepResult) -> None:
    """Heatmaps or curves, then the list of cells with the button that copies one into the comparison."""
    spec = result.spec
    s = result.split
    data = st.session_state.get(DATA_NAME) or "the loaded series"
    st.caption(f"{len(result.cells)} of {result.total_cells} cells in {result.total_seconds:.1f} s on {data} · "
               f"fitted on train ({s['train_size']} points), scored on {result.windows} validation windows of "
               f"{result.window} steps; the test part is never used. Preprocessing: {result.preprocessing}. "
               "Each cell is one reservoir (no search, no ensemble).")
    _draw_charts(result)
    order = sorted(range(len(result.cells)), key=lambda i: result.cells[i].score(spec.metric))
    if not order:
        return
    st.session_state.setdefault("sw_cell", order[0])
    chosen = st.selectbox("Cell (best first; or click a heatmap cell)", order, key="sw_cell",
                          format_func=lambda i: cell_label(result, result.cells[i]))
    cell = result.cells[chosen]
    preset = st.session_state.get(DATA_NAME) == LEAKY_UNITS_NAME
    st.button("Use these settings in the comparison", key="sw_apply", disabled=not cell.ok or preset,
              on_click=apply_cell, args=(spec.model, result.comparison_params(cell)),
              help="Sets the model's hyperparameters in the Settings section above; press Fit & compare to run."
                   + (" (Not for the generated preset: sweep the loaded series for that.)" if preset else ""))


def leaky_units_panel() -> None:
    """The leaky-units preset: a leak-rate sweep on a generated slow + fast series, to watch memory grow."""
    with st.expander("Leaky units: watch the memory horizon grow as the leak rate falls"):
        st.markdown(
            "A generated series (`forecasting/presets.py`): a slow oscillation (period 200) plus a fast one "
            "(period 7) plus a little noise, 2,000 points. An ESN of 100 units is fitted for six leak rates from "
            "1 down to 0.02 (log spacing). Each unit keeps `1 - a` of its state per step, so small leak rates "
            "integrate over many steps: the memory horizon and the tail of S(k) grow as `a` falls, while the "
            "fast part gets harder to follow. The result replaces the sweep shown below.")
        job: SweepJob | None = st.session_state.get(JOB)
        st.button("Run the leaky-units sweep", key="sw_leaky", disabled=job is not None and not job.done,
                  on_click=_start_leaky)


def _start_leaky() -> None:
    spec = SweepSpec(model="esn", x=make_axis("esn", "leak_rate", 0.02, 1.0, 6, log=True),
                     base_params={"units": 100}, metric="nrmse", memory=True)
    job = SweepJob(leaky_units_series(), spec, {"horizon": 10, "season_length": 1})
    st.session_state[JOB] = job.start()
    st.session_state[NOTE] = None
    st.session_state[DATA_NAME] = LEAKY_UNITS_NAME


def explore_section(series: LoadedSeries | None, config: CompareConfig | None) -> None:
    """The Explore section: sweep settings, Run / Stop, progress and results."""
    st.header("4 · Explore: hyperparameter sweeps")
    st.caption("Fit one model over a grid of hyperparameters, each cell scored on the validation part of the "
               "same split as the comparison, with its memory horizon and capacity.")
    if series is None:
        st.info("Load a series first.")
        return
    _init_state()
    collect_finished_sweep()
    if not st.toggle("Show the sweep tools", key="sw_open",
                     help="Sweep settings, the heatmaps and the leaky-units preset. A sweep keeps running "
                          "while they are hidden, and its settings are kept."):
        if st.session_state.get(RESULT) is not None or st.session_state.get(JOB) is not None:
            st.caption("A sweep has run (or is running): show the sweep tools to see it.")
        return
    spec = sweep_settings(config)
    job: SweepJob | None = st.session_state.get(JOB)
    running = job is not None and not job.done
    if st.button("Run sweep", key="sw_run", disabled=running or spec is None,
                 help="Fits every cell in the background; the page stays usable.") and spec is not None:
        _start(series, spec, config)
        running = True
    note = st.session_state.get(NOTE)
    if note:
        (st.error if note[0] == "error" else st.info)(note[1])
    if running:
        sweep_progress()
    leaky_units_panel()
    result: SweepResult | None = st.session_state.get(RESULT)
    if result is not None:
        sweep_results(result)
