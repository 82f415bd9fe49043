"""One side-by-side picture of a comparison: accuracy against training cost, with memory and seed spread.

Each model is a point at (fit time, test MASE) on a log time axis; its size is the memory horizon
(the last lag measured when it did not decay), vertical bars are ± one standard deviation over seeds
(``metrics_std``), and a label names the model and its horizon. Lower and further left is better.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title
from forecasting.charts.memory import horizon_label

MIN_SECONDS = 1e-4  # a log axis cannot show 0 s: faster fits are drawn here


def overview_frame(result: Any, metric: str = "mase") -> pd.DataFrame:
    """One row per successful model with a finite test ``metric``: time, metric, its spread and memory."""
    rows = []
    for r in result.models.values():
        value = (r.metrics or {}).get(metric) if r.ok else None
        if value is None or not math.isfinite(value):
            continue
        spread = (r.metrics_std or {}).get(metric) or 0.0
        h = r.memory_horizon
        beyond = h is not None and math.isinf(h)
        size = float(r.memory_max_lag or len(r.sensitivity_profile or [])) if beyond else h
        rows.append({"model": r.label, "name": r.name, "seconds": max(float(r.fit_seconds), MIN_SECONDS),
                     "fit_seconds": float(r.fit_seconds), "value": float(value),
                     "low": float(value) - float(spread), "high": float(value) + float(spread),
                     "spread": float(spread), "memory": size, "memory_text": horizon_label(r),
                     "text": f"{r.label} (h {horizon_label(r)})" if h is not None else r.label})
    return pd.DataFrame(rows, columns=["model", "name", "seconds", "fit_seconds", "value", "low", "high", "spread",
                                       "memory", "memory_text", "text"])


def overview_chart(result: Any, metric: str = "mase", *, height: int = 320) -> alt.LayerChart:
    """Test ``metric`` (default MASE) against fit time on a log axis; size = memory horizon, bars = seed spread."""
    frame = overview_frame(result, metric)
    shown = [r for r in result.models.values() if r.ok and r.label in set(frame["model"])]
    scale = color_scale([(r.name, r.label) for r in shown])
    name = metric.upper() if metric != "smape" else "sMAPE"
    low, high = (float(frame["seconds"].min()), float(frame["seconds"].max())) if len(frame) else (MIN_SECONDS, 1.0)
    # room on the right for the labels of the slowest models
    x = alt.X("seconds:Q", title="fit time (s, log scale)",
              scale=alt.Scale(type="log", domain=[low / 2, high * 30], nice=False))
    y_title = f"test {name} (lower is better)"
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    base = alt.Chart(frame).encode(x=x, color=alt.Color("model:N", scale=scale, legend=None))
    bars = base.mark_rule(strokeWidth=2).encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    points = base.mark_circle(opacity=0.8).encode(
        y=y, size=alt.Size("memory:Q", title="memory horizon (steps)", scale=alt.Scale(range=[60, 900]),
                           legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=["model:N", alt.Tooltip("value:Q", title=f"test {name}", format=".3f"),
                 alt.Tooltip("spread:Q", title="std over seeds", format=".3f"),
                 alt.Tooltip("fit_seconds:Q", title="fit s", format=".4g"),
                 alt.Tooltip("memory_text:N", title="memory horizon")])
    labels = base.mark_text(align="left", dx=10, dy=-8, fontSize=11).encode(y=y, text="text:N")
    subtitle = ["Each model at its fit time and test error; lower left is better. Size: memory horizon "
                "(missing: not measured).", "Bars: ± one standard deviation over seeds (when several ran)."]
    return alt.layer(bars, points, labels).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        f"Accuracy, cost and memory at a glance (test {name})", subtitle))
