"""The sidebar switch between the single-series and the "Many series" views.

Kept free of pandas and the engine: it is drawn before the "Fit & compare" button on the first page.
"""

from __future__ import annotations

import streamlit as st

ONE, MANY = "One series", "Many series"


def chosen_view() -> str:
    """The view the switch holds in this run, known before the switch is drawn (the one-series view at first)."""
    return st.session_state.get("view", ONE)


def view_switch() -> str:
    """The sidebar switch between the single-series view and the many-series one; returns the chosen view."""
    with st.sidebar:
        return st.radio("View", [ONE, MANY], key="view", horizontal=True,
                        help="One series: fit and compare on one series. Many series: the same comparison on "
                             "every series of a table, with a leaderboard.")
