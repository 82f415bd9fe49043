"""Parsed data, cached: the same bytes with the same column choices are parsed once per server process."""

from __future__ import annotations

from typing import Any

import streamlit as st

from forecasting.loading import LoadedSeries, load_series

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]


@st.cache_data(show_spinner="Reading the file...", max_entries=32)
def load_uploaded(data: bytes, filename: str, column: str | None, time_column: Any) -> LoadedSeries:
    """Parse an uploaded file (raises InputError with a user-facing message when it cannot be used)."""
    return load_series(data, filename=filename, column=column, time_column=time_column)


@st.cache_data(show_spinner=False, max_entries=32)
def load_bundled(key: str, column: str | None, time_column: Any) -> LoadedSeries:
    """Load a bundled example, optionally with another value or time column."""
    from forecasting.examples import load_example

    overrides = {name: value for name, value in (("column", column), ("time_column", time_column))
                 if value is not None}
    return load_example(key, **overrides)
