"""Settings section: horizon, split, seeds, preprocessing, time budget, which models, and each model's expander.

Returns a :class:`CompareConfig` and, when the settings cannot work on this series, the message that
says why, so nothing is fitted until it is fixed.
"""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from dashboard.jobs import check_session_work
from dashboard.param_widgets import draw_model_params, keep_param_values, model_overrides
from dashboard.state import SETTING_DEFAULTS, init_state, keep_values
from forecasting.comparison import DEFAULT_MODELS, SELECTABLE_MODELS, CompareConfig, model_kind
from forecasting.comparison import model_label as engine_model_label
from forecasting.comparison import plan_split as engine_plan_split
from forecasting.costs import warm_up_models
from forecasting.ensemble import DEFAULT_ENSEMBLE_SIZE, ENSEMBLE
from forecasting.errors import ForecastingError
from forecasting.examples import DEFAULT_EXAMPLE
from forecasting.loading import LoadedSeries
from forecasting.models import MODEL_NAMES, ModelKind
from forecasting.splitting import Split, SplitPlan, default_horizon, selection_validation_size

FLAG_OPTIONS = ["auto", "on", "off"]
FLAG_VALUES = {"auto": "auto", "on": True, "off": False}
FLAG_KEYS = ("log", "difference", "seasonal_difference")


def model_label(name: str) -> str:
    """The display label of a model the comparison accepts (``seasonal_naive`` -> ``Seasonal naive``)."""
    return engine_model_label(name)


def flag_option(value: Any) -> str:
    """A preprocessing setting (True / False / "auto") as the option shown in its selectbox."""
    if isinstance(value, str):
        return "auto" if value.lower() == "auto" else ("on" if value.lower() in ("true", "on", "yes", "1") else "off")
    return "on" if value else "off"


def comparison_plan(series: LoadedSeries, config: CompareConfig) -> SplitPlan:
    """The plan the comparison will use: split, selection windows, test windows (raises a user-facing error)."""
    return engine_plan_split(len(series), series.season_length, config)


def plan_split(series: LoadedSeries, config: CompareConfig) -> Split:
    """The split the comparison will use: train, validation (selection windows), test (raises a user-facing error)."""
    return comparison_plan(series, config).split


def check_settings(series: LoadedSeries, config: CompareConfig) -> str | None:
    """Everything the engine would refuse, found before fitting: returns the message, or None when fine."""
    try:
        config.validate()
        check_session_work(config)  # the server's bound on one run's work (dashboard/jobs.py)
        plan_split(series, config)
    except ForecastingError as error:
        return str(error)
    return None


# Settings shown only when "More settings" is on; their values are kept (and used) while hidden.
MORE_SETTINGS = ("validation_size", "season_length", "time_budget", "base_seed",
                 "log", "difference", "seasonal_difference")


def _main_settings(series: LoadedSeries) -> dict[str, Any]:
    """The settings most runs change: horizon, seeds, backtest origins, memory measures."""
    n, m = len(series), int(st.session_state.get("season_length") or series.season_length or 1)
    auto_h = default_horizon(n, m)
    cols = st.columns(4)
    values: dict[str, Any] = {}
    values["horizon"] = cols[0].number_input(
        "Forecast horizon H (steps)", min_value=1, step=1, key="horizon", placeholder=f"auto: {auto_h}",
        help="How many steps ahead to forecast; the test part is the last H points. Empty: one season, "
             "at most 10% of the series.")
    values["seeds"] = cols[1].number_input(
        "Seeds", min_value=1, max_value=20, step=1, key="seeds",
        help="Stochastic models (ESN, LSTM, GRU) are fitted once per seed; metrics are means over seeds "
             "and the table can show how much they vary.")
    values["backtest"] = cols[2].number_input(
        "Backtest origins", min_value=1, max_value=20, step=1, key="backtest",
        help="Repeat the whole fit-and-forecast at this many forecast origins, H steps apart, and average "
             "the test metrics: a steadier comparison at a multiple of the cost.")
    values["memory"] = cols[3].checkbox(
        "Measure memory", key="memory",
        help="Compute each model's sensitivity profile, memory horizon and memory capacity after fitting.")
    return values


def _more_settings(series: LoadedSeries, values: dict[str, Any]) -> dict[str, Any]:
    """Validation block, season length, time budget, first seed and preprocessing: drawn on demand."""
    n, m = len(series), int(st.session_state.get("season_length") or series.season_length or 1)
    h = int(values["horizon"] or default_horizon(n, m))
    auto_val = selection_validation_size(n - int(values["backtest"] or 1) * h, h, m)
    cols = st.columns(4)
    more: dict[str, Any] = {}
    more["validation_size"] = cols[0].number_input(
        "Validation points", min_value=1, step=1, key="validation_size", placeholder=f"auto: {auto_val}",
        help="The block just before the test part, holding the selection windows (H points each, at least "
             "3 where the series allows) that pick the recommended model; models tune on their own tail of "
             "the training part, never here. Empty: 3 windows of H (or 10% of the series if larger), fewer "
             "when training would keep less than half the points.")
    more["season_length"] = cols[1].number_input(
        "Season length m", min_value=1, step=1, key="season_length",
        placeholder=f"inferred: {series.season_length}",
        help="Steps per seasonal cycle (12 for monthly data with a yearly pattern). Used by seasonal naive, "
             "MASE and seasonal differencing. Empty: inferred from the time column.")
    more["time_budget_s"] = cols[2].number_input(
        "Time budget per model (s)", min_value=0.5, step=1.0, key="time_budget", placeholder="none",
        help="Training of one model stops when it has run this long, keeping the best weights so far; "
             "the result says so. Empty: no limit.")
    more["base_seed"] = cols[3].number_input(
        "First seed", min_value=0, step=1, key="base_seed",
        help="Seeds used are base, base+1, ...: the same seeds give the same numbers.")
    cols = st.columns(3)
    for col, key, text in (
        (cols[0], "log", "Log transform (neural models): on, off, or auto (when the spread grows with the level)."),
        (cols[1], "difference", "First differencing: auto applies it when a unit-root test says the series wanders."),
        (cols[2], "seasonal_difference", "Seasonal differencing (lag m): auto applies it under a strong seasonal pattern."),
    ):
        more[key] = FLAG_VALUES[col.selectbox(key.replace("_", " ").capitalize(), FLAG_OPTIONS, key=key,
                                              help=text)]
    return more


def _held_more_settings() -> dict[str, Any]:
    """The hidden settings' current values, read from the session (the same keys their widgets use)."""
    held = {key: st.session_state.get(key, SETTING_DEFAULTS[key]) for key in MORE_SETTINGS}
    held["time_budget_s"] = held.pop("time_budget")
    for key in FLAG_KEYS:
        held[key] = FLAG_VALUES[flag_option(held[key])]
    return held


def more_settings_summary() -> str:
    """The hidden settings that differ from their defaults, in one line ("" when all are at defaults)."""
    changed = [f"{key.replace('_', ' ')} {flag_option(value) if key in FLAG_KEYS else value}"
               for key in MORE_SETTINGS
               if (value := st.session_state.get(key, SETTING_DEFAULTS[key])) != SETTING_DEFAULTS[key]]
    return ", ".join(changed)


def keep_hidden_settings() -> None:
    """Keep the values of settings whose widgets are not drawn in this run (call before drawing any).

    Keeps the hidden "More settings", every model's hyperparameters and the ensemble size, and every setting
    while the "Many series" view is open.
    """
    keep_values((*SETTING_DEFAULTS, "models", "ensemble_size"))
    keep_param_values(MODEL_NAMES)


def prepare_session() -> None:
    """Give a new session its defaults (the CLI's default models, the default example) and keep hidden settings.

    Call before drawing any setting or data widget.
    """
    init_state(DEFAULT_MODELS)
    st.session_state.setdefault("example", DEFAULT_EXAMPLE)
    keep_hidden_settings()


def _general_settings(series: LoadedSeries) -> dict[str, Any]:
    """Every general setting: the main ones drawn, the rest drawn when "More settings" is on."""
    values = _main_settings(series)
    shown = st.toggle("More settings", key="more_settings",
                      help="Validation points, season length, time budget, first seed and preprocessing. "
                           "Their values apply whether or not they are shown.")
    if shown:
        values.update(_more_settings(series, values))
    else:
        values.update(_held_more_settings())
        summary = more_settings_summary()
        if summary:
            st.caption(f"More settings changed from their defaults: {summary}.")
    return values


# The warm-up waits this long after the first page's script run, so that its CPU (torch import, JIT) does not
# compete with the browser drawing that page; a Fit & compare pressed sooner pays what it needs itself. It was
# 5 s: a user who read the page for 3 s then waited 13.3-14.0 s for the first results, now 9.3-12.5 s (the
# setup is about 6.4 s, half of it scikit-learn's first import); after 8 s of reading the models are warm.
WARM_UP_DELAY_S = 1.0


@st.cache_resource(show_spinner=False)
def start_background_warm_up() -> threading.Thread:
    """Pay every model's one-time setup (torch import, JIT) in the background, once per server process, while
    the user reads the data: the first Fit & compare then finds the models warm (or waits for the rest)."""
    thread = threading.Timer(WARM_UP_DELAY_S, warm_up_models, args=(MODEL_NAMES,))
    thread.name, thread.daemon = "warm-up", True
    thread.start()
    return thread


def settings_section(series: LoadedSeries) -> tuple[CompareConfig, str | None]:
    """Draw every setting (under the heading drawn by ``dashboard.progress.settings_heading``); return the
    comparison config and the first problem found (None if it can run)."""
    values = _general_settings(series)
    models = st.multiselect(
        "Models to compare", list(SELECTABLE_MODELS), key="models", format_func=model_label,
        help="ESN, LSTM and GRU are trained; naive, seasonal naive and drift are the baselines to beat; the "
             "ensemble is the median of the best models on the selection windows.")
    ensemble_size = _ensemble_size() if ENSEMBLE in models else DEFAULT_ENSEMBLE_SIZE
    params: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    trained = [m for m in models if model_kind(m) not in (ModelKind.BASELINE, ModelKind.ENSEMBLE)]
    if trained:
        params, problems = _model_hyperparameters(trained)
    config = CompareConfig(
        horizon=_int_or_none(values["horizon"]), validation_size=_int_or_none(values["validation_size"]),
        models=tuple(models), params=params, seeds=int(values["seeds"]), base_seed=int(values["base_seed"]),
        backtest=int(values["backtest"]), season_length=_int_or_none(values["season_length"]),
        log=values["log"], difference=values["difference"], seasonal_difference=values["seasonal_difference"],
        memory=bool(values["memory"]),
        time_budget_s=None if values["time_budget_s"] is None else float(values["time_budget_s"]),
        ensemble_size=ensemble_size,
    )
    problem = problems[0] if problems else check_settings(series, config)
    if problem is None:
        st.caption(split_caption(len(series), comparison_plan(series, config), config.backtest))
    else:
        st.error(f"These settings cannot run: {problem}")
    return config, problem


def split_caption(n_points: int, plan: SplitPlan, backtest: int) -> str:
    """The split in one line: train, validation (with its selection windows), test (touched once)."""
    split, windows = plan.split, len(plan.selection_starts)
    text = (f"Split of the {n_points} points: train {split.train_end} · validation {split.validation_size} "
            f"({windows} selection window{'s' if windows != 1 else ''} of {plan.selection_length}) · test "
            f"{split.test_size} (")
    text += (f"{backtest} windows of H = {plan.horizon}, each touched once)." if backtest > 1
             else "the last H points, touched once).")
    return text + (f" {plan.selection_note}" if plan.selection_note else "")


def _model_hyperparameters(trained: list[str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Open one model's hyperparameters at a time; return every trained model's overrides and problems.

    Only the opened model's widgets are drawn (a page with every model's widgets took seconds to appear);
    the others keep their values, listed in a caption when they differ from the defaults.
    """
    opened = st.segmented_control(
        "Hyperparameters", trained, key="params_open", format_func=model_label,
        help="Open one model's hyperparameters (hover each ? for what it does). The others keep their values.")
    if opened in trained:
        draw_model_params(opened)
    params: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for model in trained:
        overrides, error = model_overrides(model)
        if overrides:
            params[model] = overrides
        if error:
            problems.append(error)
    if params:
        st.caption("Changed from the defaults: " + "; ".join(
            f"{model_label(model)} " + ", ".join(f"{name.replace('_', ' ')} = {value}"
                                                 for name, value in overrides.items())
            for model, overrides in params.items()) + ".")
    return params, problems


def _ensemble_size() -> int:
    """How many of the best models the ensemble combines (its one setting)."""
    st.session_state.setdefault("ensemble_size", DEFAULT_ENSEMBLE_SIZE)
    return int(st.number_input(
        "Ensemble size k", min_value=2, max_value=10, step=1, key="ensemble_size",
        help="The ensemble is the median forecast of the k best models on the selection windows; its own "
             "score ranks members on the other windows only, so it is scored honestly."))


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
