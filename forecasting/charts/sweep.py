"""Sweep charts: heatmaps over two hyperparameters (or curves over one) with the best cell marked.

Input is a :class:`forecasting.sweep.SweepResult`; three figures per sweep: the validation metric, the
memory horizon and the memory capacity. Pure Altair, no Streamlit.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, FIXED_SIZE, nice_title
from forecasting.metrics import METRIC_LABELS

TINY = 1e-12  # a log axis cannot show zero: smaller relative sensitivities are left out

# field in the frame -> (title, colour scheme, True when lower is better)
FIGURES: dict[str, tuple[str, str, bool]] = {
    "score": ("validation error", "viridis", True),
    "memory_horizon": ("memory horizon (steps)", "blues", False),
    "memory_capacity": ("memory capacity", "greens", False),
}


def _value_label(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _horizon(cell: Any) -> tuple[float | None, bool]:
    """A cell's memory horizon as a number to plot (the last lag measured when it did not decay) and
    whether it is beyond that lag."""
    h = cell.memory_horizon
    if h is None:
        return None, False
    if math.isinf(h):
        return float(len(cell.sensitivity_profile or [])) or None, True
    return float(h), False


def sweep_frame(result: Any) -> pd.DataFrame:
    """One row per finished cell: its axis values (as numbers and labels), score, memory figures and
    whether it is the best cell."""
    spec, best = result.spec, result.best()
    rows = []
    for cell in result.cells:
        horizon, beyond = _horizon(cell)
        score = cell.score(spec.metric)
        rows.append({
            "x": cell.x, "x_label": _value_label(cell.x),
            "y": cell.y, "y_label": _value_label(cell.y),
            "score": score if math.isfinite(score) else None,
            "memory_horizon": horizon, "beyond": beyond,
            "memory_capacity": cell.memory_capacity,
            "best": cell is best, "error": cell.error or "",
        })
    return pd.DataFrame(rows, columns=["x", "x_label", "y", "y_label", "score", "memory_horizon", "beyond",
                                       "memory_capacity", "best", "error"])


def _title(result: Any, field: str) -> alt.TitleParams:
    spec = result.spec
    name = FIGURES[field][0]
    if field == "score":
        name = f"validation {METRIC_LABELS.get(spec.metric, spec.metric)}"
    what = f"{spec.model.upper()}: {name}"
    subtitle = "Black ring: the cell with the lowest validation error."
    if result.cancelled:
        subtitle += f" Stopped early: {len(result.cells)} of {result.total_cells} cells."
    return nice_title(what, subtitle)


def _tooltip(result: Any) -> list[alt.Tooltip]:
    spec = result.spec
    tips = [alt.Tooltip("x_label:N", title=spec.x.name)]
    if spec.y is not None:
        tips.append(alt.Tooltip("y_label:N", title=spec.y.name))
    return tips + [alt.Tooltip("score:Q", title=f"validation {spec.metric}", format=".4g"),
                   alt.Tooltip("memory_horizon:Q", title="memory horizon", format=".0f"),
                   alt.Tooltip("beyond:N", title="beyond lags measured"),
                   alt.Tooltip("memory_capacity:Q", title="memory capacity", format=".2f"),
                   alt.Tooltip("error:N", title="error")]


def sweep_heatmap(result: Any, field: str = "score", *, size: int = 280) -> alt.LayerChart:
    """Heatmap of ``field`` over the two swept hyperparameters; the best cell ringed in black.
    Click a cell to select it (selection ``cell``, fields x and y)."""
    spec = result.spec
    frame = sweep_frame(result)
    x_order = [_value_label(v) for v in spec.x.values]
    y_order = [_value_label(v) for v in reversed(spec.y.values)]  # larger values at the top
    _, scheme, lower_better = FIGURES[field]
    pick = alt.selection_point(fields=["x", "y"], name="cell", on="click")
    base = alt.Chart(frame).encode(
        x=alt.X("x_label:O", title=spec.x.name + (" (log spacing)" if spec.x.log else ""), sort=x_order),
        y=alt.Y("y_label:O", title=spec.y.name + (" (log spacing)" if spec.y.log else ""), sort=y_order))
    short = {"score": spec.metric.upper(), "memory_horizon": "steps", "memory_capacity": "MC"}[field]
    color = alt.Color(f"{field}:Q", title=short, scale=alt.Scale(scheme=scheme, reverse=lower_better))
    rects = base.mark_rect().encode(color=color, tooltip=_tooltip(result)).add_params(pick)
    ring = base.transform_filter(alt.datum.best).mark_point(shape="circle", size=size // 2, strokeWidth=2.5,
                                                            color="black", filled=False)
    return alt.layer(rects, ring).properties(width=size, height=size, autosize=FIXED_SIZE, title=_title(result, field))


def sweep_curve(result: Any, field: str = "score", *, height: int = 260) -> alt.LayerChart:
    """``field`` against the one swept hyperparameter (log x axis for a log-spaced axis), best cell ringed.
    Click a point to select it (selection ``cell``, field x)."""
    spec = result.spec
    frame = sweep_frame(result).dropna(subset=[field])
    title = FIGURES[field][0] if field != "score" else f"validation {METRIC_LABELS.get(spec.metric, spec.metric)}"
    x = alt.X("x:Q", title=spec.x.name, scale=alt.Scale(type="log" if spec.x.log else "linear", zero=False))
    base = alt.Chart(frame).encode(x=x, y=alt.Y(f"{field}:Q", title=title, scale=alt.Scale(zero=False)))
    pick = alt.selection_point(fields=["x"], name="cell", on="click")
    line = base.mark_line(point=alt.OverlayMarkDef(size=60)).encode(tooltip=_tooltip(result)).add_params(pick)
    ring = base.transform_filter(alt.datum.best).mark_point(size=180, strokeWidth=2.5, color="black", filled=False)
    return alt.layer(line, ring).properties(height=height, autosize=FIT_WIDTH, title=_title(result, field))


def profile_frame(result: Any) -> pd.DataFrame:
    """Long table (lag, sensitivity / peak, value of the swept hyperparameter) of every cell's S(k)."""
    rows = []
    for cell in result.cells:
        profile = np.asarray(cell.sensitivity_profile or [], dtype=float)
        peak = float(np.max(profile)) if len(profile) else 0.0
        if peak <= 0:
            continue
        rows += [{"lag": k, "sensitivity": float(v / peak), "value": cell.x, "label": _value_label(cell.x)}
                 for k, v in enumerate(profile, start=1) if v / peak > TINY]
    return pd.DataFrame(rows, columns=["lag", "sensitivity", "value", "label"])


def sweep_sensitivity_chart(result: Any, *, height: int = 300) -> alt.Chart:
    """S(k) / peak of every cell of a one-axis sweep on a log scale, coloured by the swept value."""
    spec = result.spec
    frame = profile_frame(result)
    color = alt.Color("value:Q", title=spec.x.name,
                      scale=alt.Scale(scheme="viridis", type="log" if spec.x.log else "linear"))
    return alt.Chart(frame).mark_line().encode(
        x=alt.X("lag:Q", title="lag k (steps back)"),
        y=alt.Y("sensitivity:Q", title="S(k) / max S", scale=alt.Scale(type="log")),
        color=color, detail="label:N",
        tooltip=[alt.Tooltip("label:N", title=spec.x.name), "lag:Q", alt.Tooltip("sensitivity:Q", format=".3g")],
    ).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        f"{spec.model.upper()}: sensitivity profile per {spec.x.name}",
        "How strongly the one-step forecast reacts to the input k steps back, one line per cell."))


def sweep_charts(result: Any) -> list[alt.LayerChart | alt.Chart]:
    """The figures of a sweep: heatmaps for two axes, curves for one (plus each cell's S(k)); memory
    figures only when measured."""
    fields = ["score"]
    if any(c.memory_horizon is not None for c in result.cells):
        fields.append("memory_horizon")
    if any(c.memory_capacity is not None for c in result.cells):
        fields.append("memory_capacity")
    draw = sweep_heatmap if result.spec.y is not None else sweep_curve
    figures: list[Any] = [draw(result, field) for field in fields]
    if result.spec.y is None and any(c.sensitivity_profile for c in result.cells):
        figures.append(sweep_sensitivity_chart(result))
    return figures
