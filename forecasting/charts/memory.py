"""Memory charts: the input-sensitivity profile S(k) with each model's memory horizon, and the capacity MC(k)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title

TINY = 1e-12  # log scales cannot show zero: sensitivities below this are left out of the plot


def _with(result: Any, field: str, models: Iterable[str] | None) -> list[Any]:
    wanted = None if models is None else set(models)
    return [r for name, r in result.models.items()
            if r.ok and getattr(r, field, None) and (wanted is None or name in wanted)]


def horizon_label(model: Any) -> str:
    """The memory horizon as text: ``12 steps``, ``> 200 steps`` (not decayed within the lags measured) or ``-``."""
    h = model.memory_horizon
    if h is None:
        return "-"
    if isinstance(h, float) and math.isinf(h):
        return f"> {model.memory_max_lag or len(model.sensitivity_profile or [])} steps"
    return f"{h:g} step" + ("" if h == 1 else "s")


def sensitivity_frame(result: Any, models: Iterable[str] | None = None, *, normalise: bool = True) -> pd.DataFrame:
    """Long table (lag, sensitivity, model) of S(k), divided by each model's peak when ``normalise``."""
    rows = []
    for model in _with(result, "sensitivity_profile", models):
        profile = np.asarray(model.sensitivity_profile, dtype=float)
        peak = float(np.nanmax(profile)) if len(profile) else 0.0
        scale = peak if normalise and peak > 0 else 1.0
        rows += [{"lag": k, "sensitivity": float(v / scale), "model": model.label}
                 for k, v in enumerate(profile, start=1) if np.isfinite(v)]
    return pd.DataFrame(rows, columns=["lag", "sensitivity", "model"])


def horizon_frame(result: Any, models: Iterable[str] | None = None) -> pd.DataFrame:
    """Where to mark each model's memory horizon: its lag (the last lag measured when beyond it)."""
    rows = []
    for model in _with(result, "sensitivity_profile", models):
        h = model.memory_horizon
        if h is None:
            continue
        beyond = isinstance(h, float) and math.isinf(h)
        lag = float(model.memory_max_lag or len(model.sensitivity_profile)) if beyond else float(h)
        rows.append({"lag": lag, "model": model.label, "horizon": horizon_label(model), "beyond": beyond})
    return pd.DataFrame(rows, columns=["lag", "model", "horizon", "beyond"])


def sensitivity_chart(result: Any, models: Iterable[str] | None = None, *, normalise: bool = True,
                      log_scale: bool = True, height: int = 340) -> alt.LayerChart:
    """S(k) = mean |d forecast / d input k steps back| per model on a log scale, each memory horizon marked."""
    frame = sensitivity_frame(result, models, normalise=normalise)
    shown = _with(result, "sensitivity_profile", models)
    scale = color_scale([(r.name, r.label) for r in shown])
    if log_scale:
        frame = frame[frame["sensitivity"] > TINY]
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale()
    pick = alt.selection_point(fields=["model"], bind="legend", name="pick_memory")
    y_title = "S(k) / max S" if normalise else "S(k)"
    lines = alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=10)).encode(
        x=alt.X("lag:Q", title="lag k (steps back)"),
        y=alt.Y("sensitivity:Q", title=y_title, scale=y_scale),
        color=alt.Color("model:N", title="Model (click to toggle)", scale=scale),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.08)),
        tooltip=["model:N", "lag:Q", alt.Tooltip("sensitivity:Q", format=".3g")],
    ).add_params(pick)
    marks = horizon_frame(result, models)
    rules = alt.Chart(marks).mark_rule(strokeDash=[6, 3], strokeWidth=1.5).encode(
        x="lag:Q", color=alt.Color("model:N", scale=scale, legend=None),
        opacity=alt.condition(pick, alt.value(0.9), alt.value(0.05)),
        tooltip=["model:N", alt.Tooltip("horizon:N", title="memory horizon")])
    layers: list[alt.Chart] = [rules, lines]
    eps = next((r.memory_epsilon for r in shown if r.memory_epsilon), None)
    if normalise and eps:
        threshold = pd.DataFrame({"y": [float(eps)], "text": [f"threshold eps = {eps:g}"]})
        layers.append(alt.Chart(threshold).mark_rule(color="#888", strokeDash=[2, 2]).encode(
            y="y:Q", tooltip=[alt.Tooltip("text:N", title="")]))
    subtitle = ("How strongly the one-step forecast reacts to the input k steps back. Dashed rule: the memory "
                "horizon, the last lag still above eps x the peak.")
    return alt.layer(*layers).properties(height=height, autosize=FIT_WIDTH, title=nice_title("Sensitivity profile S(k)", subtitle))


def capacity_frame(result: Any, models: Iterable[str] | None = None, *, cumulative: bool = False) -> pd.DataFrame:
    """Long table (delay, capacity, model) of MC(k), or its running sum when ``cumulative``."""
    rows = []
    for model in _with(result, "memory_capacity_profile", models):
        values = np.asarray(model.memory_capacity_profile, dtype=float)
        if cumulative:
            values = np.cumsum(values)
        rows += [{"delay": k, "capacity": float(v), "model": model.label,
                  "total": float(model.memory_capacity or 0.0)} for k, v in enumerate(values, start=1)]
    return pd.DataFrame(rows, columns=["delay", "capacity", "model", "total"])


def capacity_chart(result: Any, models: Iterable[str] | None = None, *, cumulative: bool = False,
                   height: int = 300) -> alt.Chart:
    """Memory capacity MC(k): how well the recurrent state recalls i.i.d. input k steps back (r^2, 0 to 1)."""
    frame = capacity_frame(result, models, cumulative=cumulative)
    shown = _with(result, "memory_capacity_profile", models)
    scale = color_scale([(r.name, r.label) for r in shown])
    title = "cumulative MC up to k" if cumulative else "MC(k) = r^2 of recalling u(t-k)"
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("delay:Q", title="delay k"),
        y=alt.Y("capacity:Q", title=title),
        color=alt.Color("model:N", title="Model", scale=scale),
        tooltip=["model:N", "delay:Q", alt.Tooltip("capacity:Q", format=".3f"),
                 alt.Tooltip("total:Q", title="MC (sum)", format=".2f")],
    ).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        "Memory capacity", "Jaeger's short-term memory: the sum over k is at most the number of units."))
