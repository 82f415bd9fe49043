"""Forecast vs actual for every model on one chart, and the forecast error per step ahead."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import ACTUAL_LABEL, FIT_WIDTH, axis_values, color_scale, nice_title
from forecasting.charts.series import (
    DISPLAY_POINTS,
    display_indices,
    part_regions,
    regions_layer,
    thinning_note,
)
from forecasting.intervals import bands_of

ERROR_KINDS = ("absolute", "residual")


def ok_models(result: Any, models: Iterable[str] | None = None) -> list[Any]:
    """The successful model results of ``result`` (optionally only those named in ``models``), in run order."""
    wanted = None if models is None else set(models)
    return [r for name, r in result.models.items() if r.ok and r.forecast and (wanted is None or name in wanted)]


def forecast_frame(result: Any, models: Iterable[str] | None = None,
                   context: int | None = None) -> tuple[pd.DataFrame, str, int]:
    """Long table (x, value, series, kind) of the actual series and every model's test forecast.

    ``context`` limits the actual values shown to that many points before the test part (None: all);
    a long history is thinned to :data:`DISPLAY_POINTS` (see :func:`display_indices`), the test part never.
    Returns the table, the x type and the first position shown.
    """
    x, kind = axis_values(result.index)
    n = len(result.actual)
    test_start = n - int(result.horizon)
    first = 0 if context is None else max(0, test_start - int(context))
    history = display_indices(test_start - first, result.actual[first:test_start], DISPLAY_POINTS) + first
    shown = [*history.tolist(), *range(test_start, n)]  # the test part is always drawn point by point
    rows = [{"x": x[i], "value": float(result.actual[i]), "series": ACTUAL_LABEL, "kind": "actual"} for i in shown]
    for model in ok_models(result, models):
        start = n - len(model.forecast)
        for step, value in enumerate(model.forecast):
            rows.append({"x": x[start + step], "value": float(value), "series": model.label, "kind": "forecast"})
    return pd.DataFrame(rows), kind, first


BAND_SHADES = (0.12, 0.22, 0.32)  # opacity of the widest band, the next one, ... (narrower bands are darker)


def interval_frame(result: Any, models: Iterable[str] | None = None) -> pd.DataFrame:
    """Long table (x, lower, upper, series, level, shade) of every model's prediction intervals, from
    ``extras["intervals"]`` (see :mod:`forecasting.intervals`); empty when no model carries any."""
    x, _ = axis_values(result.index)
    n = len(result.actual)
    rows = []
    for model in ok_models(result, models):
        start = n - len(model.forecast)
        for rank, (key, _level, lower, upper) in enumerate(bands_of((model.extras or {}).get("intervals"))):
            shade = BAND_SHADES[min(rank, len(BAND_SHADES) - 1)]
            rows += [{"x": x[start + step], "lower": float(lo), "upper": float(hi), "series": model.label,
                      "level": f"{key}%", "shade": shade}
                     for step, (lo, hi) in enumerate(zip(lower, upper, strict=True)) if start + step < n]
    return pd.DataFrame(rows, columns=["x", "lower", "upper", "series", "level", "shade"])


def band_layer(bands: pd.DataFrame, kind: str, scale: alt.Scale, pick: Any) -> alt.Chart:
    """Shaded prediction intervals in each model's colour; hidden with the model when toggled off."""
    return alt.Chart(bands).mark_area(interpolate="linear").encode(
        x=alt.X(f"x:{kind}"), y="lower:Q", y2="upper:Q",
        color=alt.Color("series:N", scale=scale, legend=None),
        detail="level:N",
        opacity=alt.condition(pick, alt.Opacity("shade:Q", scale=None), alt.value(0.0)),
        tooltip=[alt.Tooltip("series:N", title="model"), alt.Tooltip("level:N", title="interval"),
                 alt.Tooltip("lower:Q", format=",.4g"), alt.Tooltip("upper:Q", format=",.4g")])


def forecast_chart(result: Any, models: Iterable[str] | None = None, *, context: int | None = None,
                   shade_parts: bool = True, height: int = 380) -> alt.LayerChart:
    """Actual series and each model's forecast of the test part, with its prediction intervals when the
    result carries them; click a legend entry to show or hide a model."""
    frame, kind, first = forecast_frame(result, models, context)
    shown = ok_models(result, models)
    scale = color_scale([(r.name, r.label) for r in shown], with_actual=True)
    pick = alt.selection_point(fields=["series"], bind="legend", name="pick_model")
    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom_forecast")
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X(f"x:{kind}", title="time"),
        y=alt.Y("value:Q", title=result.series.name, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title="Model (click to toggle)", scale=scale),
        strokeDash=alt.condition(alt.datum.kind == "actual", alt.value([1, 0]), alt.value([5, 3])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.08)),
        tooltip=[alt.Tooltip(f"x:{kind}", title="time"), alt.Tooltip("series:N", title="series"),
                 alt.Tooltip("value:Q", format=",.4g")],
    ).add_params(pick, zoom)
    layers = [lines]
    bands = interval_frame(result, models)
    if len(bands):
        layers.insert(0, band_layer(bands, kind, scale, pick))
    if shade_parts:
        x, _ = axis_values(result.index)
        regions = part_regions(x, result.split)
        if first > 0 and len(regions):
            regions = regions[regions["end"] >= x[first]].copy()
            regions.loc[regions.index[0], "start"] = x[first]
        layers.insert(0, regions_layer(regions, kind))
    lines = ["Shaded: the training, validation and test parts. Forecasts cover the test part only."]
    if len(bands):
        lines.append(f"Bands: conformal prediction intervals ({', '.join(sorted(set(bands['level'])))}), "
                     "calibrated on the validation part.")
    history = int((frame["kind"] == "actual").sum()) - int(result.horizon)
    note = thinning_note(history, len(result.actual) - int(result.horizon) - first)
    lines += [note] if note else []
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        height=height, autosize=FIT_WIDTH, title=nice_title("Forecast vs actual", lines if len(lines) > 1 else lines[0]))


def error_frame(result: Any, models: Iterable[str] | None = None, kind: str = "absolute") -> pd.DataFrame:
    """Per step ahead (1..H), each model's forecast error: ``actual - forecast`` or its absolute value."""
    if kind not in ERROR_KINDS:
        raise ValueError(f"kind must be one of {ERROR_KINDS}; got {kind!r}")
    actual = np.asarray(result.actual, dtype=float)
    rows = []
    for model in ok_models(result, models):
        forecast = np.asarray(model.forecast, dtype=float)
        residual = actual[len(actual) - len(forecast):] - forecast
        errors = np.abs(residual) if kind == "absolute" else residual
        rows += [{"step": h + 1, "error": float(e), "model": model.label} for h, e in enumerate(errors)]
    return pd.DataFrame(rows, columns=["step", "error", "model"])


def error_chart(result: Any, models: Iterable[str] | None = None, *, kind: str = "absolute",
                height: int = 300) -> alt.LayerChart:
    """Absolute error (or residual, actual minus forecast) for each step ahead, one line per model."""
    frame = error_frame(result, models, kind)
    shown = ok_models(result, models)
    scale = color_scale([(r.name, r.label) for r in shown])
    pick = alt.selection_point(fields=["model"], bind="legend", name="pick_error")
    title = "|actual - forecast|" if kind == "absolute" else "actual - forecast"
    lines = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("step:Q", title="steps ahead", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("error:Q", title=title),
        color=alt.Color("model:N", title="Model (click to toggle)", scale=scale),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.08)),
        tooltip=["model:N", "step:Q", alt.Tooltip("error:Q", format=",.4g")],
    ).add_params(pick)
    layers: list[alt.Chart] = [lines]
    if kind == "residual":
        layers.insert(0, alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#999").encode(y="y:Q"))
    name = "Absolute error per step ahead" if kind == "absolute" else "Residual per step ahead"
    return alt.layer(*layers).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        name, "Errors usually grow with the step: recursive forecasts feed their own mistakes back in."))
