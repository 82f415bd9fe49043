"""Forecasting lab dashboard: layout and wiring only; every number comes from ``forecasting/``.

Run with ``streamlit run app.py``. It opens on a bundled example, already loaded.

The "Fit & compare" button is drawn first, before anything imports pandas, numpy or the engine: the first page
is interactive sooner. It does not move when the rest arrives: the data overview above it is laid out at its
final size first (facts row, fixed-height chart box), and the settings fill in below it (it sits on the
settings' heading row).
"""

from __future__ import annotations

import streamlit as st

from dashboard.data_view import overview_frame
from dashboard.progress import collect_finished_job, fit_button, settings_heading
from dashboard.views import MANY, chosen_view, view_switch

st.set_page_config(page_title="Forecasting lab", page_icon=":material/show_chart:", layout="wide")
collect_finished_job()  # before the button, which stays disabled while a run is going
if chosen_view() == MANY:  # the "Many series" view (dashboard/many_series.py) replaces the page below
    view_switch()
    from dashboard.many_series import many_series_page
    from dashboard.settings import prepare_session

    prepare_session()
    many_series_page()
    st.stop()

st.title("Forecasting lab")
st.caption("Fit an Echo State Network, an LSTM, a GRU and honest baselines on one series, "
           "then compare accuracy, cost and memory on the same held-out test part.")
overview = overview_frame()  # the facts row and the chart box at their final size, filled in below
fit_slot = settings_heading()  # "2 · Settings" with the action on its right; the settings fill in below
settings_box = st.container()
clicked = fit_button(fit_slot)  # None when it can only be drawn once the data is known (fit_controls below)
view_switch()  # first in the sidebar, drawn after the button: the browser has one widget type fewer before it

# Everything below imports pandas, numpy and the engine, after the button has been sent to the browser.
from dashboard import state  # noqa: E402
from dashboard.data_panel import data_sidebar  # noqa: E402
from dashboard.data_view import data_overview  # noqa: E402
from dashboard.explore import explore_section  # noqa: E402
from dashboard.future_view import future_section  # noqa: E402
from dashboard.many_series import opened_series_sidebar  # noqa: E402
from dashboard.progress import fit_controls  # noqa: E402
from dashboard.results_view import results_section  # noqa: E402
from dashboard.runfile_panel import runfile_sidebar  # noqa: E402
from dashboard.settings import (  # noqa: E402
    plan_split,
    prepare_session,
    settings_section,
    start_background_warm_up,
)

prepare_session()  # defaults of a new session; settings drawn on demand keep their values while hidden
with st.sidebar:
    if not opened_series_sidebar():  # a series opened from the many-series view, else examples/uploads
        data_sidebar()
    runfile_sidebar()

series = state.get(state.SERIES)
with settings_box:
    config, problem = settings_section(series) if series is not None else (None, "load a series first")
fit_controls(fit_slot, clicked, series, config, problem)  # the click is handled once the settings are known
# The chart last: the browser's work on it does not hold up the controls.
data_overview(overview, series, plan_split(series, config) if series is not None and problem is None else None)
results_section()
future_section()
explore_section(series, config)
start_background_warm_up()  # torch, numba, statsmodels: after the page is drawn, so it does not slow the first render
