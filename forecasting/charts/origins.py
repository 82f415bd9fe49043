"""Test error per backtest origin and model: is a model's rank steady, or carried by one lucky window?

Origin 1 is the earliest test window; each model was refitted on every point before each window
(``forecasting/comparison.py``). The value at an origin is the mean over the model's kept seeds.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title
from forecasting.charts.seeds import check_metric
from forecasting.metrics import METRIC_LABELS

ORIGIN_COLUMNS = ["model", "name", "origin", "start", "value"]


def origin_starts(result: Any) -> list[str]:
    """The time (or step) of the first forecast point of each backtest window, oldest first, as text."""
    starts = (getattr(result, "selection", None) or {}).get("test_starts") or []
    index = list(result.index)
    return [str(index[s]) if 0 <= int(s) < len(index) else str(s) for s in starts]


def origin_rows(result: Any, metric: str = "mase") -> pd.DataFrame:
    """Long table (model, name, origin, start, value): each successful model's test ``metric`` per backtest
    origin (1 = earliest window), with the time its window starts; non-finite values are left out."""
    check_metric(metric)
    starts = origin_starts(result)
    rows = []
    for model in result.models.values():
        if not model.ok:
            continue
        for k, metrics in enumerate(model.origin_metrics or []):
            value = metrics.get(metric)
            if value is None or not math.isfinite(value):
                continue
            rows.append({"model": model.label, "name": model.name, "origin": k + 1,
                         "start": starts[k] if k < len(starts) else "", "value": float(value)})
    return pd.DataFrame(rows, columns=ORIGIN_COLUMNS)


def origin_error_chart(result: Any, metric: str = "mase", *, height: int = 300) -> alt.Chart:
    """Test ``metric`` per backtest origin (x, earliest first), one line with points per model."""
    rows = origin_rows(result, metric)
    shown = [m for m in result.models.values() if m.ok and m.label in set(rows["model"])]
    scale = color_scale([(m.name, m.label) for m in shown])
    pick = alt.selection_point(fields=["model"], bind="legend", name="pick_origin")
    name = METRIC_LABELS[metric]
    origins = sorted(set(rows["origin"]))
    return alt.Chart(rows).mark_line(point=alt.OverlayMarkDef(size=50)).encode(
        x=alt.X("origin:Q", title="backtest origin (1 = earliest test window)",
                scale=alt.Scale(domain=[0.8, max(origins, default=1) + 0.2], nice=False),
                axis=alt.Axis(values=origins, format="d")),
        y=alt.Y("value:Q", title=f"test {name} (lower is better)", scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", title="Model (click to toggle)", scale=scale),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.08)),
        tooltip=["model:N", "origin:Q", alt.Tooltip("start:N", title="window starts"),
                 alt.Tooltip("value:Q", title=name, format=".4g")],
    ).add_params(pick).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        f"Error per backtest origin (test {name})",
        "Each model refitted before each test window; a model whose line crosses the others ranks by luck of "
        "the window."))
