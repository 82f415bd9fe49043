"""Session-state keys and their defaults: the one place that says what the dashboard remembers between reruns.

Widgets are created without ``value=``; their defaults live here so that a loaded run file can set them
before they are drawn without Streamlit's "default value and Session State" warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import streamlit as st

# Settings widgets (keys) and their defaults; ``None`` in a number input means "automatic".
SETTING_DEFAULTS: dict[str, Any] = {
    "horizon": None,
    "validation_size": None,
    "season_length": None,
    "seeds": 1,
    "base_seed": 0,
    "backtest": 1,
    "time_budget": None,
    "log": "auto",
    "difference": "auto",
    "seasonal_difference": "auto",
    "memory": True,
}
# Data and results kept across reruns.
SERIES = "series"            # the last valid LoadedSeries
SOURCE = "source"            # where it came from: {"example": key} or {"filename": name}, plus column choices
DATA_ERROR = "data_error"    # the message of the last failed load (the previous series stays)
RECORD = "record"            # the last finished RunRecord (result + series + source + config)
JOB = "job"                  # the ComparisonJob while one runs
RUN_NOTE = "run_note"        # a message about the last run (stopped early, failed)
FIT_COUNT = "fit_count"      # how many comparisons were started in this session (the no-refit test reads it)
FUTURE = "future"            # {"forecasts": [...], "labels": {...}, "fingerprint": str}
RUN_FILE_NOTE = "run_file_note"
PENDING_COLUMNS = "pending_columns"
EXPECTED_FINGERPRINT = "expected_fingerprint"


def param_key(model: str, name: str) -> str:
    """Widget key of one model hyperparameter."""
    return f"param::{model}::{name}"


def init_state(model_names: tuple[str, ...]) -> None:
    """Give every remembered value its default on the first run of a session."""
    st.session_state.setdefault("models", list(model_names))
    for key, value in SETTING_DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault(FIT_COUNT, 0)


def keep_values(keys: Iterable[str]) -> None:
    """Write each present key's value back, so Streamlit keeps it through a run that does not draw its widget.

    Streamlit drops a widget's value at the end of a run that does not draw it; call this before drawing.
    Not for buttons or charts, whose values cannot be set.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def get(key: str, default: Any = None) -> Any:
    """Read one remembered value."""
    return st.session_state.get(key, default)
