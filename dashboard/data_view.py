"""The data overview at the top of the page: the series chart and its facts (length, frequency, season, gaps).

Drawn in two steps so that the page does not jump: :func:`overview_frame` lays out the facts row and a
fixed-height box for the chart before anything heavy is imported (on a session's first run it shows the
facts' labels with "…" in place of the values), and :func:`data_overview` fills them in once the series is
loaded. The chart is a plain Vega-Lite dict (:mod:`forecasting.charts.series_spec`): no pandas or Altair.
This module imports only Streamlit at its top: it is used before the "Fit & compare" button is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import streamlit as st

from dashboard import state

if TYPE_CHECKING:
    from forecasting.loading import LoadedSeries
    from forecasting.splitting import Split

# The facts row: label and help of each metric (the values come from the loaded series).
FACTS = (
    ("Points", None),
    ("Frequency", "Inferred from the time column; without one, steps are row numbers."),
    ("Season length", "Steps per seasonal cycle, inferred from the frequency (override in the settings)."),
    ("Missing values filled", "Gaps and empty cells filled by interpolation before modelling (see the notes)."),
)
# Height of the facts row: one st.metric without a delta (76 px in Chromium). Fixed, so that on the first run
# the row can be laid out with empty placeholders: no metric element (one more element type for the browser
# to load) is drawn before "Fit & compare", and the button still keeps its place when the values arrive.
FACTS_BOX_PX = 76
FACTS_BOX_KEY = "facts_box"
CHART_HEIGHT = 260      # the plot's own height (px), as in forecasting.charts.series
# Height of the box that holds the chart: the plot, its title and two subtitle lines (the second when a long
# series is thinned), the time axis and its title. Fixed, and laid out before the series is known, so the page
# below keeps its place while the browser draws the chart; browser tests check that the chart fits (no scroll
# bar) and that the "Fit & compare" button does not move.
CHART_BOX_PX = 410
CHART_BOX_KEY = "chart_box"


@dataclass
class OverviewFrame:
    """Where the overview's parts go: a message above, the facts row, the chart box, the loader's notes below."""

    message: Any
    body: Any
    facts: list[Any] = field(default_factory=list)  # one target per metric (a placeholder on the first run)
    chart: Any = None


def overview_frame() -> OverviewFrame:
    """Lay out the overview before the data is loaded; return where its parts go.

    The facts row and the chart box are laid out, at fixed heights, when a series is expected (one is kept
    from the last run, or this is the session's first run, which loads the default example). On the first run
    both stay empty until the values arrive; later runs keep the last values on screen until the new ones
    replace them.
    """
    message, body = st.container(), st.container()
    frame = OverviewFrame(message, body)
    series = state.get(state.SERIES)
    if series is None and state.get(state.DATA_ERROR):
        return frame  # nothing to show until a series loads
    first_run = series is None
    with body:
        for column in _facts_row():
            frame.facts.append(column.empty() if first_run else column)
        box = st.container(height=CHART_BOX_PX, border=False, key=CHART_BOX_KEY)
        frame.chart = box.empty() if first_run else box
    return frame


def _facts_row() -> list[Any]:
    """One column per fact inside the fixed-height facts box."""
    return list(st.container(height=FACTS_BOX_PX, border=False, key=FACTS_BOX_KEY).columns(len(FACTS)))


def data_overview(frame: OverviewFrame, series: LoadedSeries | None, split: Split | None) -> None:
    """Show the loading error (if the last load failed), then the current series with its split shaded."""
    error = state.get(state.DATA_ERROR)
    if error:
        kept = f" Still showing the previous series “{series.name}”." if series is not None else ""
        frame.message.error(f"{error}{kept}")
    if series is None:
        for target in frame.facts:
            target.empty()
        if frame.chart is not None:
            frame.chart.empty()
        frame.message.info("Pick an example or upload a file in the sidebar to begin.")
        return
    if not frame.facts:  # laid out with no series expected, and one loaded in this run
        with frame.body:
            frame.facts = _facts_row()
            frame.chart = st.container(height=CHART_BOX_PX, border=False, key=CHART_BOX_KEY)
    values = (f"{len(series):,}", series.frequency or "none (row order)", series.season_length,
              series.filled_missing)
    for target, (label, help_text), value in zip(frame.facts, FACTS, values, strict=True):
        target.metric(label, value, help=help_text)
    frame.chart.vega_lite_chart(series_chart_spec(series, split), key="chart_series", width="stretch")
    if series.notes:
        with frame.body.expander(f"What the loader did ({len(series.notes)} note(s))"):
            st.markdown("\n".join(f"- {note}" for note in series.notes))


def series_chart_spec(series: LoadedSeries, split: Split | None) -> dict[str, Any]:
    """The overview chart of ``series`` (a Vega-Lite dict) with the parts of ``split`` shaded."""
    from forecasting.charts.series_spec import series_spec
    from forecasting.comparison import index_labels

    split_dict = None if split is None else {"train_end": split.train_end, "val_end": split.val_end}
    return series_spec(series.values, index_labels(series.index), series.name, split=split_dict,
                       height=CHART_HEIGHT)
