"""Downloads of a finished run: forecasts and table (CSV), the full result (JSON) and a replayable run file."""

from __future__ import annotations

import json
import re

import streamlit as st

from dashboard.jobs import RunRecord
from dashboard.summary import comparison_table, forecasts_frame
from forecasting.runfile import make_run_file


def slug(text: str) -> str:
    """A file-name-safe version of a series name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "series"


def run_file_json(record: RunRecord) -> str:
    """The run file of ``record``: data fingerprint, data source, every setting and seed."""
    return json.dumps(make_run_file(record.source, record.series, record.config), indent=2, allow_nan=False)


def downloads_tab(record: RunRecord) -> None:
    """Four download buttons; none of them reruns the page."""
    result = record.result
    name = slug(result.series.name)
    cols = st.columns(4)
    cols[0].download_button(
        "Forecasts (CSV)", forecasts_frame(result).to_csv(index=False), f"{name}_forecasts.csv", "text/csv",
        key="dl_forecasts", on_click="ignore", help="Test part: time, actual value and every model's forecast.")
    cols[1].download_button(
        "Comparison table (CSV)", comparison_table(result).to_csv(), f"{name}_comparison.csv", "text/csv",
        key="dl_table", on_click="ignore")
    cols[2].download_button(
        "Full result (JSON)", json.dumps(result.to_dict(), allow_nan=False), f"{name}_result.json",
        "application/json", key="dl_result", on_click="ignore",
        help="Every number of this run: metrics, forecasts, loss curves, memory profiles.")
    cols[3].download_button(
        "Run file (JSON)", run_file_json(record), f"{name}_run.json", "application/json", key="dl_run",
        on_click="ignore", help="Replays this run: python -m forecasting compare --config RUN.json "
                                "(or load it back in the sidebar).")
    target = f" {record.source['filename']}" if record.source.get("filename") else ""
    st.caption("Replay the run from a terminal with the same numbers: "
               f"`python -m forecasting compare --config {name}_run.json{target}`")
