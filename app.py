"""Forecasting lab dashboard: layout and wiring only; every number comes from ``forecasting/``.

Run with ``streamlit run app.py``. It opens on a bundled example, already loaded.
"""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.data_panel import data_sidebar
from dashboard.data_view import data_overview
from dashboard.explore import explore_section
from dashboard.future_view import future_section
from dashboard.many_series import MANY, many_series_page, opened_series_sidebar, view_switch
from dashboard.progress import collect_finished_job, fit_controls
from dashboard.results_view import results_section
from dashboard.runfile_panel import runfile_sidebar
from dashboard.settings import keep_hidden_settings, plan_split, settings_section, start_background_warm_up
from forecasting.comparison import DEFAULT_MODELS
from forecasting.examples import DEFAULT_EXAMPLE

st.set_page_config(page_title="Forecasting lab", page_icon=":material/show_chart:", layout="wide")
state.init_state(DEFAULT_MODELS)  # the same default models as the CLI
st.session_state.setdefault("example", DEFAULT_EXAMPLE)
keep_hidden_settings()  # settings drawn on demand keep their values while hidden
collect_finished_job()
if view_switch() == MANY:  # the "Many series" view (dashboard/many_series.py) replaces the page below
    many_series_page()
    st.stop()

with st.sidebar:
    if not opened_series_sidebar():  # a series opened from the many-series view, else examples/uploads
        data_sidebar()
    runfile_sidebar()

st.title("Forecasting lab")
st.caption("Fit an Echo State Network, an LSTM, a GRU and honest baselines on one series, "
           "then compare accuracy, cost and memory on the same held-out test part.")

series = state.get(state.SERIES)
overview = st.container()
config, problem = settings_section(series) if series is not None else (None, "load a series first")
fit_controls(series, config, problem)  # drawn before the chart fills the container above: interactive sooner
with overview:
    data_overview(series, plan_split(series, config) if series is not None and problem is None else None)
results_section()
future_section()
explore_section(series, config)
start_background_warm_up()  # torch, numba, statsmodels: after the page is drawn, so it does not slow the first render
