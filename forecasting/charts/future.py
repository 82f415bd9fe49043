"""Forecasts beyond the end of the data: the recent history, each model's future values and their bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import ACTUAL_LABEL, FIT_WIDTH, axis_values, color_scale, nice_title
from forecasting.charts.forecast import BAND_SHADES
from forecasting.intervals import bands_of

BAND_COLUMNS = ["x", "lower", "upper", "series", "level", "shade"]


def _x_lookup(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
              context: int | None) -> tuple[dict[str, Any], str, int]:
    """x value of every label shown (history from ``first`` on, then every future step), its type, and ``first``."""
    first = 0 if context is None else max(0, len(values) - int(context))
    all_labels = list(index[first:])
    for future in forecasts:
        all_labels += list(future.index)
    x_all, kind = axis_values(all_labels)
    return dict(zip([str(v) for v in all_labels], x_all, strict=True)), kind, first


def future_frame(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
                 labels: dict[str, str] | None = None, context: int | None = 200) -> tuple[pd.DataFrame, str]:
    """Long table (x, value, series) of the last ``context`` observations and every future forecast.

    Each forecast has ``model_name``, ``values`` and ``index``; the forecast line starts at the last
    observation so the two connect.
    """
    labels = labels or {}
    lookup, kind, first = _x_lookup(values, index, forecasts, context)
    rows = [{"x": lookup[str(t)], "value": float(v), "series": ACTUAL_LABEL}
            for t, v in zip(index[first:], values[first:], strict=True)]
    for future in forecasts:
        label = labels.get(future.model_name, future.model_name)
        if len(values):
            rows.append({"x": lookup[str(index[-1])], "value": float(values[-1]), "series": label})
        rows += [{"x": lookup[str(t)], "value": float(v), "series": label}
                 for t, v in zip(future.index, future.values, strict=True)]
    return pd.DataFrame(rows, columns=["x", "value", "series"]), kind


def future_band_frame(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
                      labels: dict[str, str] | None = None, context: int | None = 200) -> pd.DataFrame:
    """Long table (x, lower, upper, series, level, shade) of every forecast's bands (``intervals``, the format
    of :mod:`forecasting.intervals`), over the steps that have one; empty when no forecast carries a band."""
    labels = labels or {}
    lookup, _, _ = _x_lookup(values, index, forecasts, context)
    rows = []
    for future in forecasts:
        label = labels.get(future.model_name, future.model_name)
        for rank, (key, _level, lower, upper) in enumerate(bands_of(getattr(future, "intervals", None))):
            shade = BAND_SHADES[min(rank, len(BAND_SHADES) - 1)]
            rows += [{"x": lookup[str(t)], "lower": float(lo), "upper": float(hi), "series": label,
                      "level": f"{key}%", "shade": shade}
                     for t, lo, hi in zip(future.index, lower, upper, strict=False)]
    return pd.DataFrame(rows, columns=BAND_COLUMNS)


def _band_layer(bands: pd.DataFrame, kind: str, scale: alt.Scale) -> alt.Chart:
    """Shaded bands in each model's colour, the narrower level darker."""
    return alt.Chart(bands).mark_area(interpolate="linear").encode(
        x=alt.X(f"x:{kind}"), y="lower:Q", y2="upper:Q",
        color=alt.Color("series:N", scale=scale, legend=None), detail="level:N",
        opacity=alt.Opacity("shade:Q", scale=None),
        tooltip=[alt.Tooltip("series:N", title="model"), alt.Tooltip("level:N", title="interval"),
                 alt.Tooltip("lower:Q", format=",.4g"), alt.Tooltip("upper:Q", format=",.4g")])


def future_chart(values: Sequence[float], index: Sequence[Any], forecasts: Sequence[Any],
                 labels: dict[str, str] | None = None, *, context: int | None = 200,
                 title: str = "value", height: int = 340) -> alt.LayerChart:
    """The end of the series and each model's forecast of the next steps (zoom and pan on the time axis), with
    the conformal bands of the forecasts that carry them."""
    frame, kind = future_frame(values, index, forecasts, labels, context)
    labels = labels or {}
    scale = color_scale([(f.model_name, labels.get(f.model_name, f.model_name)) for f in forecasts],
                        with_actual=True)
    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom_future")
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=14)).encode(
        x=alt.X(f"x:{kind}", title="time"),
        y=alt.Y("value:Q", title=title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title="Series", scale=scale),
        strokeDash=alt.condition(alt.datum.series == ACTUAL_LABEL, alt.value([1, 0]), alt.value([5, 3])),
        tooltip=[alt.Tooltip(f"x:{kind}", title="time"), "series:N", alt.Tooltip("value:Q", format=",.4g")],
    ).add_params(zoom)
    subtitle = ["Each model refitted on every point, then forecast past the last observation."]
    layers: list[alt.Chart] = [lines]
    bands = future_band_frame(values, index, forecasts, labels, context)
    if len(bands):
        layers.insert(0, _band_layer(bands, kind, scale))
        subtitle.append(f"Bands: conformal intervals ({', '.join(sorted(set(bands['level'])))}) calibrated in the "
                        "comparison for the same model and settings.")
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        height=height, autosize=FIT_WIDTH,
        title=nice_title("Forecast beyond the data", subtitle if len(subtitle) > 1 else subtitle[0]))
