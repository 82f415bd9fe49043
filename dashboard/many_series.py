"""The "Many series" view: run the comparison on a long-format table or the shipped benchmark set in the
background, with progress and Stop, then the leaderboard, MASE across series, and any one series opened in
the single-series view with the same settings. Every number comes from ``forecasting.batch``.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import state
from dashboard.views import ONE
from forecasting.batch import BatchSettings, ResultStore, find_input, input_from_table
from forecasting.batch.inputs import (
    BatchInput,
    LongColumns,
    first_series,
    guess_long_columns,
    read_long_table,
)
from forecasting.batch.job import BatchJob
from forecasting.batch.leaderboard import header, leaderboard, to_markdown
from forecasting.comparison import SELECTABLE_MODELS, CompareConfig, model_label
from forecasting.ensemble import ENSEMBLE
from forecasting.errors import ForecastingError, InputError
from forecasting.examples import DATA_DIR
from forecasting.models import ModelKind, models_of_kind

BENCHMARK_DIR = DATA_DIR / "benchmark-series"
BENCHMARK, UPLOAD = "Benchmark set (19 series shipped in data/)", "Upload a long-format table"
NO_TIME = "(none: use row order)"
POLL_SECONDS = 1.0
JOB, RUN, OPENED = "batch_job", "batch_run_record", "batch_opened"  # session-state keys of this view


def default_models() -> list[str]:
    """The ESN, the baselines and the classical references: the models a batch can afford by default."""
    return ["esn", *models_of_kind(ModelKind.BASELINE, ModelKind.CLASSICAL), ENSEMBLE]


@st.cache_data(show_spinner="Reading the table...", max_entries=8)
def _table_columns(data: bytes, filename: str) -> tuple[list[str], tuple[str, str | None, str]]:
    names = [str(c) for c in read_long_table(data, filename).columns]
    if not names:
        raise InputError(f"{filename} has no columns; upload a table with id, time and value columns.")
    return names, guess_long_columns(names)


def _upload_input() -> BatchInput | None:
    upload = st.file_uploader("Long-format table: one row per (series, time, value)", key="batch_upload",
                              type=["csv", "tsv", "txt", "parquet"],
                              help="CSV or Parquet with an id column, an optional time column and a value column.")
    if upload is None:
        return None
    data = upload.getvalue()
    try:
        names, (id_col, time_col, value_col) = _table_columns(data, upload.name)
    except ForecastingError as error:
        st.error(str(error))
        return None
    cols = st.columns(3)
    id_col = cols[0].selectbox("id column", names, index=names.index(id_col), key="batch_id_col")
    times = [*names, NO_TIME]
    time_pick = cols[1].selectbox("time column", times, index=times.index(time_col or NO_TIME), key="batch_time_col")
    value_col = cols[2].selectbox("value column", names, index=names.index(value_col), key="batch_value_col")
    columns = LongColumns(id_col, None if time_pick == NO_TIME else time_pick, value_col)
    try:
        return input_from_table(data, upload.name, columns)
    except ForecastingError as error:
        st.error(str(error))
        return None


def _source() -> BatchInput | None:
    choices = [BENCHMARK, UPLOAD] if BENCHMARK_DIR.is_dir() else [UPLOAD]
    choice = st.radio("Series", choices, key="batch_source", horizontal=True)
    if choice == BENCHMARK:
        st.caption("Horizons and season lengths per series from data/benchmark-series/manifest.json; sources "
                   "and licences in data/benchmark-series/README.md.")
        return find_input(str(BENCHMARK_DIR))
    return _upload_input()


def _settings() -> tuple[BatchSettings, int | None]:
    st.session_state.setdefault("batch_models", default_models())
    models = st.multiselect("Models", list(SELECTABLE_MODELS), key="batch_models", format_func=model_label,
                            help="LSTM and GRU take seconds per series; the ESN, baselines and classical "
                                 "references take a fraction of a second.")
    cols = st.columns(3)
    horizon = cols[0].number_input("Horizon H", min_value=1, step=1, value=None, key="batch_horizon",
                                   placeholder="auto (or the manifest's)",
                                   help="Steps to forecast; empty: the manifest's, else one season.")
    backtest = cols[1].number_input("Backtest origins", min_value=1, max_value=10, step=1, value=1,
                                    key="batch_backtest", help="Rolling origins H apart, averaged.")
    limit = cols[2].number_input("Series to run", min_value=1, step=1, value=None, key="batch_limit",
                                 placeholder="all", help="Run only the first N series (a quick check).")
    config = CompareConfig(models=tuple(models), horizon=None if horizon is None else int(horizon),
                           backtest=int(backtest), memory=False)
    return BatchSettings(config=config), None if limit is None else int(limit)


def _start(batch: BatchInput, settings: BatchSettings, limit: int | None) -> None:
    try:
        settings.config.validate()
    except ForecastingError as error:
        st.error(f"Nothing was run: {error}")
        return
    batch = first_series(batch, limit) if limit else batch
    store = ResultStore(tempfile.mkdtemp(prefix="many-series-"))
    st.session_state[JOB] = BatchJob(batch, settings, store).start()
    st.session_state[RUN] = {"batch": batch, "settings": settings, "store": store}


@st.fragment(run_every=POLL_SECONDS)
def _progress_panel() -> None:
    job: BatchJob | None = state.get(JOB)
    if job is None:
        return
    if job.done:
        st.rerun()
    p = job.snapshot()
    done, failed, total = (p.done, p.failed, p.total) if p else (0, 0, None)
    label = "Stopping…" if job.stop_requested else f"Running: {done} series done"
    with st.status(f"{label} · {p.elapsed if p else 0:.0f} s", expanded=True, state="running"):
        if total:
            st.progress(min(done / total, 1.0), text=f"{done} of {total} series")
        st.caption(f"failed {failed} · {p.throughput if p else 0:.2f} series/s")
    st.button("Stop", key="batch_stop", on_click=job.stop, disabled=job.stop_requested,
              help="Stop after the current series; finished series are kept and shown.")


def _results(record: dict[str, Any]) -> None:
    store: ResultStore = record["store"]
    try:
        results = store.read_results()
    except ForecastingError:
        st.info("No series finished in the last run.")
        return
    board = leaderboard(results)
    st.subheader(f"Leaderboard · {results['series_id'].nunique()} series")
    st.dataframe(board.rename(columns=header), hide_index=True, key="batch_board")
    # altair: imported on first use, after the page's controls are drawn
    from forecasting.charts.batch import mase_box_chart

    st.altair_chart(mase_box_chart(results, order=list(board["model"])), width="stretch")
    cols = st.columns(2)
    cols[0].download_button("Download results (CSV)", results.to_csv(index=False), "batch_results.csv",
                            key="batch_download_csv")
    cols[1].download_button("Download leaderboard (Markdown)", to_markdown(board, results), "leaderboard.md",
                            key="batch_download_md")
    _open_controls(record, results)


def _open_controls(record: dict[str, Any], results: pd.DataFrame) -> None:
    ids = sorted(results["series_id"].unique())
    cols = st.columns([3, 1])
    chosen = cols[0].selectbox("Series", ids, key="batch_series", help="Open one series of this run.")
    row = results[results["series_id"] == chosen].iloc[0]
    if not bool(results[results["series_id"] == chosen]["ok"].fillna(False).any()):
        st.caption(f"This series failed: {row['error']}")
    cols[1].button("Open in the single-series view", key="batch_open", on_click=open_series,
                   args=(record, chosen), help="Shows it in the single-series view with this run's settings.")


def open_series(record: dict[str, Any], series_id: str) -> None:
    """Callback: make ``series_id`` the current series of the single-series view, with the batch's settings."""
    task = next((t for t in record["batch"].tasks() if t.series_id == series_id), None)
    if task is None:
        return
    settings: BatchSettings = record["settings"]
    try:
        series = task.load(settings.load)
    except ForecastingError as error:
        st.session_state[state.DATA_ERROR] = f"Could not open {series_id}: {error}"
        return
    config = settings.config_for(task)
    st.session_state[OPENED] = {"series": series, "series_id": series_id}
    st.session_state.update({"horizon": config.horizon, "season_length": config.season_length,
                             "backtest": config.backtest, "seeds": config.seeds,
                             "models": [m for m in config.models if m in SELECTABLE_MODELS], "view": ONE})


def opened_series_sidebar() -> bool:
    """In the single-series sidebar: the series opened from a batch, with a way back; False when there is none."""
    opened = state.get(OPENED)
    if opened is None:
        return False
    st.header("1 · Data")
    st.info(f"Series **{opened['series_id']}** from the many-series run ({len(opened['series'])} points).")
    st.button("Back to the examples and uploads", key="batch_close",
              on_click=lambda: st.session_state.pop(OPENED, None))
    st.session_state[state.DATA_ERROR] = None
    st.session_state[state.SERIES] = opened["series"]
    st.session_state[state.SOURCE] = {"filename": f"{opened['series_id']} (many-series run)", "column": None,
                                      "time_column": None, "season_length": None, "frequency": None}
    return True


def many_series_page() -> None:
    """The whole view: source, settings, Run, progress, leaderboard, chart and the series picker."""
    st.title("Many series")
    st.caption("The same comparison as the single-series view on every series of a table: one row per series "
               "and model, then a leaderboard. The command line does the same at scale: "
               "`python -m forecasting batch INPUT --out RESULTS` (see docs/scaling.md).")
    batch = _source()
    settings, limit = _settings()
    job: BatchJob | None = state.get(JOB)
    running = job is not None and not job.done
    if st.button("Run", type="primary", key="batch_run", disabled=running or batch is None,
                 help="Run every selected model on every series in the background.") and not running:
        _start(batch, settings, limit)
        running = state.get(JOB) is not None
    if running:
        _progress_panel()
        return
    if job is not None and job.error:
        st.error(f"The batch could not run: {job.error}")
    elif job is not None and job.stop_requested:
        p = job.snapshot()
        st.warning(f"Stopped early: {p.done if p else 0} series finished and kept.")
    record = state.get(RUN)
    if record is not None:
        _results(record)

