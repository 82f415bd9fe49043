"""Sidebar data section: pick a bundled example or upload a file, choose columns, keep the last valid series."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from dashboard import state
from dashboard.loaders import UPLOAD_TYPES, load_bundled, load_uploaded
from forecasting.errors import ForecastingError
from forecasting.loading import LoadedSeries

NO_TIME = "(none: use row order)"
UPLOAD_HELP = ("CSV, TSV, TXT, XLSX or Parquet with one value per row (optionally a time column). "
               "An uploaded file replaces the example; remove it to go back.")


def _example_title(key: str) -> str:
    from forecasting.examples import EXAMPLES

    example = EXAMPLES[key]
    return str(getattr(example, "title", None) or getattr(example, "label", None) or key)


def _pick(label: str, options: list[str], current: str, key: str, help: str) -> str:
    """A selectbox whose first value is the loader's own choice (or a run file's pending choice)."""
    pending = (state.get(state.PENDING_COLUMNS) or {}).get(label)
    if key not in st.session_state:
        st.session_state[key] = pending if pending in options else current
    return st.selectbox(label, options, key=key, help=help)


def _load(kind: str, token: str, loader: Any, *args: Any) -> tuple[LoadedSeries, dict[str, Any]]:
    """Load once with the loader's defaults, then again with the columns the user picked (both cached)."""
    base = loader(*args, None, None)
    column, time_column = None, None
    if len(base.value_columns) > 1:
        chosen = _pick("value column", base.value_columns, base.name, f"value_column::{token}",
                       "The column holding the numbers to forecast.")
        column = None if chosen == base.name else chosen
    if base.time_columns:
        current = base.time_column or NO_TIME
        chosen = _pick("time column", [*base.time_columns, NO_TIME], current, f"time_column::{token}",
                       "Timestamps that order the rows and give the frequency; none uses the row order.")
        if chosen != current:
            time_column = False if chosen == NO_TIME else chosen
    series = base if column is None and time_column is None else loader(*args, column, time_column)
    return series, {"column": column, "time_column": time_column}


def data_sidebar() -> None:
    """Draw the data controls and update the current series; a failed load keeps the previous one."""
    from forecasting.examples import EXAMPLES

    st.header("1 · Data")
    example = st.selectbox("Bundled example", list(EXAMPLES), format_func=_example_title, key="example",
                           help="Real series shipped with the app (sources and licences in data/README.md).")
    upload = st.file_uploader("…or upload your own series", type=UPLOAD_TYPES, key="upload", help=UPLOAD_HELP)
    try:
        if upload is not None:
            data = upload.getvalue()
            token = "upload:" + hashlib.sha1(data).hexdigest()[:12]
            series, choices = _load("upload", token, load_uploaded, data, upload.name)
            source = {"filename": upload.name, **choices}
        else:
            series, choices = _load("example", f"example:{example}", load_bundled, example)
            source = {"example": example, **choices}
    except ForecastingError as error:
        what = f"“{upload.name}”" if upload is not None else "the example"
        st.session_state[state.DATA_ERROR] = f"Could not load {what}: {error}"
        return
    st.session_state[state.DATA_ERROR] = None
    st.session_state[state.SERIES] = series
    st.session_state[state.SOURCE] = {**source, "season_length": None, "frequency": None}
    for warning in series.warnings:  # e.g. many interpolated points: visible, not only in the loader notes
        st.warning(warning, icon=":material/warning:")
