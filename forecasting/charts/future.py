"""Forecasts beyond the end of the data: the recent history and each model's future values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import ACTUAL_LABEL, FIT_WIDTH, axis_values, color_scale, nice_title


def future_frame(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
                 labels: dict[str, str] | None = None, context: int | None = 200) -> tuple[pd.DataFrame, str]:
    """Long table (x, value, series) of the last ``context`` observations and every future forecast.

    Each forecast has ``model_name``, ``values`` and ``index``; the forecast line starts at the last
    observation so the two connect.
    """
    labels = labels or {}
    first = 0 if context is None else max(0, len(values) - int(context))
    all_labels = list(index[first:])
    for future in forecasts:
        all_labels += list(future.index)
    x_all, kind = axis_values(all_labels)
    lookup = dict(zip([str(v) for v in all_labels], x_all, strict=True))
    rows = [{"x": lookup[str(t)], "value": float(v), "series": ACTUAL_LABEL}
            for t, v in zip(index[first:], values[first:], strict=True)]
    for future in forecasts:
        label = labels.get(future.model_name, future.model_name)
        if len(values):
            rows.append({"x": lookup[str(index[-1])], "value": float(values[-1]), "series": label})
        rows += [{"x": lookup[str(t)], "value": float(v), "series": label}
                 for t, v in zip(future.index, future.values, strict=True)]
    return pd.DataFrame(rows, columns=["x", "value", "series"]), kind


def future_chart(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
                 labels: dict[str, str] | None = None, *, context: int | None = 200,
                 title: str = "value", height: int = 340) -> alt.Chart:
    """The end of the series and each model's forecast of the next steps (zoom and pan on the time axis)."""
    frame, kind = future_frame(values, index, forecasts, labels, context)
    labels = labels or {}
    scale = color_scale([(f.model_name, labels.get(f.model_name, f.model_name)) for f in forecasts],
                        with_actual=True)
    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom_future")
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=14)).encode(
        x=alt.X(f"x:{kind}", title="time"),
        y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title="Series", scale=scale),
        strokeDash=alt.condition(alt.datum.series == ACTUAL_LABEL, alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip(f"x:{kind}", title="time"), "series:N", alt.Tooltip("value:Q", format=",.4g")],
    ).add_params(zoom).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        "Forecast beyond the data", "Each model refitted on every point, then forecast past the last observation."))
