"""The data overview at the top of the page: the series chart and its facts (length, frequency, season, gaps)."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from forecasting import charts
from forecasting.loading import LoadedSeries
from forecasting.splitting import Split


def data_overview(series: LoadedSeries | None, split: Split | None) -> None:
    """Show the loading error (if the last load failed), then the current series with its split shaded."""
    error = state.get(state.DATA_ERROR)
    if error:
        kept = f" Still showing the previous series “{series.name}”." if series is not None else ""
        st.error(f"{error}{kept}")
    if series is None:
        st.info("Pick an example or upload a file in the sidebar to begin.")
        return
    cols = st.columns(4)
    cols[0].metric("Points", f"{len(series):,}")
    cols[1].metric("Frequency", series.frequency or "none (row order)",
                   help="Inferred from the time column; without one, steps are row numbers.")
    cols[2].metric("Season length", series.season_length,
                   help="Steps per seasonal cycle, inferred from the frequency (override in the settings).")
    cols[3].metric("Missing values filled", series.filled_missing,
                   help="Gaps and empty cells filled by interpolation before modelling (see the notes).")
    split_dict = None if split is None else {"train_end": split.train_end, "val_end": split.val_end}
    st.altair_chart(charts.series_chart(series.values, _labels(series), series.name, split=split_dict),
                    key="chart_series", width="stretch")
    if series.notes:
        with st.expander(f"What the loader did ({len(series.notes)} note(s))"):
            st.markdown("\n".join(f"- {note}" for note in series.notes))


def _labels(series: LoadedSeries) -> list:
    from forecasting.comparison import index_labels

    return index_labels(series.index)
