"""Results, side by side: comparison table with verdicts, then one tab per chart family.

Chart options live in fragments, so changing one redraws that chart only and never refits.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.jobs import RunRecord
from dashboard.summary import comparison_table, cost_frame, selection_line, setup_line, styled_table, verdict
from forecasting import charts
from forecasting.metrics import METRIC_HELP, METRIC_LABELS, METRIC_NAMES

TABS = ["Comparison", "Forecasts", "Errors", "Training", "Cost", "Memory", "Reservoir", "Downloads"]


def _record() -> RunRecord | None:
    return state.get(state.RECORD)


def results_section() -> None:
    """Draw the last finished comparison (nothing before the first run)."""
    record = _record()
    if record is None:
        st.info("Press **Fit & compare** to fit the selected models and see the comparison here.")
        return
    result = record.result
    st.header("3 · Results")
    current = state.get(state.SERIES)
    if current is not None and current.fingerprint() != result.series.fingerprint:
        st.info(f"These results are for **{result.series.name}** ({result.series.length} points). "
                "Press Fit & compare to run on the data loaded now.")
    split = result.split
    st.caption(f"{result.series.name}: {result.series.length} points, horizon H = {result.horizon}, "
               f"season length {result.season_length}; train {split['train_size']} · validation "
               f"{split['validation_size']} · test {split['test_size']}. {selection_line(result)} "
               f"Total time {result.total_seconds:.1f} s, of which one-time setup "
               f"{result.setup_seconds:.1f} s.")
    # altair: imported on first use, after the page's controls are drawn
    from forecasting.charts.overview import overview_chart

    st.altair_chart(overview_chart(result), key="chart_overview", width="stretch")  # accuracy x cost x memory
    tabs = st.tabs(TABS)
    with tabs[0]:
        comparison_tab(record)
    with tabs[1]:
        forecasts_tab()
    with tabs[2]:
        errors_tab()
    with tabs[3]:
        training_tab()
    with tabs[4]:
        cost_tab()
    with tabs[5]:
        memory_tab()
    with tabs[6]:
        reservoir_tab(record)
    with tabs[7]:
        from dashboard.downloads import downloads_tab

        downloads_tab(record)


def comparison_tab(record: RunRecord) -> None:
    """The comparison table (best per column highlighted), metric help and one verdict line per model."""
    result = record.result
    table = comparison_table(result)
    st.dataframe(styled_table(result, table), key="comparison_table", width="stretch",
                 column_config={"Note": st.column_config.TextColumn(width="medium")})
    seeds = len(next((m.seeds for m in result.models.values() if m.seeds and len(m.seeds) > 1), [1]))
    st.caption("Test-part metrics" + (f", means over {seeds} seeds" if seeds > 1 else "")
               + (f" and {result.backtest_origins} backtest origins" if result.backtest_origins > 1 else "")
               + ". Highlighted: the best value of each column (lowest error, time and parameters; "
                 "longest memory).  \n" + "  \n".join(f"**{METRIC_LABELS[m]}**: {METRIC_HELP[m]}"
                                                       for m in METRIC_NAMES))
    spread_charts()
    st.subheader("Verdict")
    st.markdown("\n".join(f"- {verdict(result, model)}" for model in result.models.values()))
    _choices_expander(result)
    warnings = [(m.label, w) for m in result.models.values() if m.ok for w in m.warnings]
    if warnings:
        with st.expander(f"Warnings from the models ({len(warnings)})"):
            st.markdown("\n".join(f"- **{label}**: {text}" for label, text in warnings))


def _run_counts(result: Any) -> tuple[int, int]:
    """Seeds and backtest origins the comparison was run with (from its settings)."""
    config = getattr(result, "config", None) or {}
    return int(config.get("seeds") or 1), int(getattr(result, "backtest_origins", 1) or 1)


@st.fragment
def spread_charts() -> None:
    """Seed spread (seeds > 1) and error per backtest origin (origins > 1), for a metric picked here."""
    result = _record().result
    seeds, origins = _run_counts(result)
    if seeds == 1 and origins == 1:
        st.caption("One seed and one backtest origin: set **Seeds** or **Backtest origins** above 1 to see how "
                   "much each model's error depends on its seed or on the test window.")
        return
    metric = st.selectbox("Metric of the spread charts", METRIC_NAMES, index=METRIC_NAMES.index("mase"),
                          key="spread_metric", format_func=lambda m: METRIC_LABELS[m])
    if seeds > 1:
        st.altair_chart(charts.seed_spread_chart(result, metric), key="chart_seeds", width="stretch")
        st.caption(f"Each point is one seed's test {METRIC_LABELS[metric]} (mean over the backtest windows); the "
                   f"tick is the mean over the {seeds} seeds shown in the table. Deterministic models run once "
                   "whatever the seed count, so they show one point (zero spread); so does the ensemble.")
    if origins > 1:
        st.altair_chart(charts.origin_error_chart(result, metric), key="chart_origins", width="stretch")
        st.caption(f"Test {METRIC_LABELS[metric]} of each of the {origins} backtest windows, earliest first; "
                   "each model was refitted on every point before each window"
                   + (" and each point is the mean over its seeds" if seeds > 1 else "")
                   + ". The table shows their mean.")


def _choices_expander(result: Any) -> None:
    """What each model chose on its own training tail (tuned values, search trials), so no choice is hidden."""
    chosen = [m for m in result.models.values() if m.ok and (m.tuned_params or m.extras.get("fit_report"))]
    if not chosen:
        return
    with st.expander("What each model chose, and why"):
        st.caption("Every choice below was made on the training part only (each model's own inner tail); the "
                   "selection windows and the test part never tuned anything.")
        for model in chosen:
            st.markdown(f"**{model.label}**: " + (", ".join(f"{k} = {v}" for k, v in model.tuned_params.items())
                                                  or "nothing tuned"))
            trials = (model.extras.get("fit_report") or {}).get("trials")
            if trials:
                st.dataframe(pd.json_normalize(trials), key=f"trials_{model.name}", width="stretch")


def _model_filter(key: str) -> list[str]:
    result = _record().result
    names = [n for n, r in result.models.items() if r.ok]
    st.session_state.setdefault(key, names)
    st.session_state[key] = [n for n in st.session_state[key] if n in names]
    return st.multiselect("Models shown", names, key=key, format_func=lambda n: result.models[n].label)


@st.fragment
def forecasts_tab() -> None:
    """Forecast vs actual for every model, with the split parts shaded; options redraw without refitting."""
    result = _record().result
    cols = st.columns([3, 2, 1])
    with cols[0]:
        shown = _model_filter("fc_models")
    window = cols[1].radio("Window", ["Test part and recent history", "Whole series"], key="fc_window",
                           horizontal=True, help="Zoom to the end of the series or show all of it.")
    shade = cols[2].checkbox("Shade parts", value=True, key="fc_shade")
    context = None if window == "Whole series" else max(4 * result.horizon, 24)
    st.altair_chart(charts.forecast_chart(result, shown, context=context, shade_parts=shade),
                    key="chart_forecast", width="stretch")


@st.fragment
def errors_tab() -> None:
    """Absolute error or residual per step ahead."""
    result = _record().result
    kind = st.radio("Error", ["absolute", "residual"], key="err_kind", horizontal=True,
                    help="Absolute: |actual - forecast|. Residual: actual - forecast (sign shows bias).")
    st.altair_chart(charts.error_chart(result, kind=kind), key="chart_errors", width="stretch")


@st.fragment
def training_tab() -> None:
    """Training and validation loss curves of the RNNs."""
    result = _record().result
    if not charts.training.trained_models(result):
        st.info("No model here was trained by gradient descent: select the LSTM or GRU to see loss curves.")
        return
    log_scale = st.checkbox("Log scale", value=True, key="loss_log")
    st.altair_chart(charts.loss_chart(result, log_scale=log_scale), key="chart_loss", width="stretch")
    for model in charts.training.trained_models(result):
        history = model.training_history
        st.caption(f"**{model.label}**: {len(history.get('train_loss', []))} epochs (selection fit on the training "
                   f"part, tuned on its own tail), best epoch {history.get('best_epoch')}, stopped by "
                   f"{history.get('stop_reason') or '-'}.")


@st.fragment
def cost_tab() -> None:
    """Fit time per model as bars, and the cost figures as a table."""
    result = _record().result
    log_scale = st.checkbox("Log scale", value=False, key="time_log",
                            help="Baselines take microseconds: a log axis shows them next to the trained models.")
    st.altair_chart(charts.fit_time_chart(result, log_scale=log_scale), key="chart_time", width="stretch")
    st.dataframe(cost_frame(result), key="cost_table", width="stretch")
    st.caption(setup_line(result) + " Fit time is the wall time of the fits only (the selection fit plus one "
               "refit per test window, every seed); on a series of 2,048 points or more the ESN's reservoir runs in a "
               "second thread beside its readout's sums. Peak memory is the largest rise of resident memory during "
               "one fit, measured from the kernel's high-water mark after freeing the heap, so it does not "
               "depend on which model ran first.")


@st.fragment
def memory_tab() -> None:
    """Sensitivity profile S(k) with each memory horizon, and the memory-capacity curve MC(k)."""
    result = _record().result
    with_profile = [m for m in result.models.values() if m.ok and m.sensitivity_profile]
    if not with_profile:
        st.info("No memory figures: turn on **Measure memory** in the settings and fit again.")
        return
    cols = st.columns(3)
    normalise = cols[0].checkbox("Divide by peak", value=True, key="mem_normalise",
                                 help="Compare shapes: each profile scaled so its largest value is 1.")
    log_scale = cols[1].checkbox("Log scale", value=True, key="mem_log")
    cumulative = cols[2].checkbox("Cumulative capacity", value=False, key="mc_cumulative")
    st.altair_chart(charts.sensitivity_chart(result, normalise=normalise, log_scale=log_scale),
                    key="chart_sensitivity", width="stretch")
    from forecasting.charts.memory import horizon_label

    st.caption("Memory horizon: " + " · ".join(f"**{m.label}** {horizon_label(m)}" for m in with_profile))
    if any(m.memory_capacity_profile for m in with_profile):
        st.altair_chart(charts.capacity_chart(result, cumulative=cumulative), key="chart_capacity",
                        width="stretch")
    else:
        st.caption("Memory capacity needs a recurrent state: only the ESN, LSTM and GRU have one.")
    skipped = [m.label for m in result.models.values() if m.ok and (m.extras or {}).get("memory_note")]
    if skipped:
        st.caption(f"No memory figures for {', '.join(skipped)}: no recurrent core, and probing the forecasts "
                   "by finite differences would take minutes.")


def reservoir_tab(record: RunRecord) -> None:
    """Eigenvalues of the ESN's reservoir matrix with the unit circle and the chosen spectral radius."""
    esn = [m for m in record.result.models.values() if m.ok and (m.extras or {}).get("eigenvalues")]
    if not esn:
        st.info("Fit the ESN with **Measure memory** on to see its reservoir's eigenvalues.")
        return
    from forecasting.charts.reservoir import spectral_radius_of

    for model in esn:
        st.altair_chart(charts.eigenvalue_chart(model), key=f"chart_eigen_{model.name}", width="content")
        rho = spectral_radius_of(model)
        rate = (model.extras or {}).get("decay_rate")
        text = f"Spectral radius {rho:g}." if rho is not None else ""
        if rate is not None:
            text += (f" A linear reservoir's memory shrinks by about {rate:.3f} per step ((1 - leak) + leak x rho). "
                     "With tanh this is not a bound for a non-normal W (see docs/memory-horizon.md); the "
                     "measured S(k) above is what the fitted model does.")
        st.caption(text)
