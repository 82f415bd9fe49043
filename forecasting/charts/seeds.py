"""How much a model's test error depends on its seed: one point per seed per model, the mean marked.

A deterministic model (a baseline, a statistical model) runs once whatever the seed count, so it shows one
point: zero spread. The ensemble, a median of the other models' mean forecasts, has no seeds of its own and
shows one point at its test metric too.
"""

from __future__ import annotations

import math
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title
from forecasting.metrics import METRIC_LABELS, METRIC_NAMES

SEED_COLUMNS = ["model", "name", "seed", "value", "runs"]


def check_metric(metric: str) -> str:
    """``metric`` when it is one of :data:`METRIC_NAMES`, else a ValueError that lists them."""
    if metric not in METRIC_NAMES:
        raise ValueError(f"Unknown metric {metric!r}; choose one of {', '.join(METRIC_NAMES)}.")
    return metric


def seed_rows(result: Any, metric: str = "mase") -> pd.DataFrame:
    """Long table (model, name, seed, value, runs): each successful model's test ``metric`` per kept seed.

    A model without per-seed rows (the ensemble) gives one row at its test metric with ``seed`` None;
    ``runs`` is how many points the model has. Non-finite values are left out.
    """
    check_metric(metric)
    rows = []
    for model in result.models.values():
        if not model.ok:
            continue
        per_seed = [(row.get("seed"), row.get(metric)) for row in (model.seed_metrics or [])]
        if not per_seed and (model.metrics or {}).get(metric) is not None:
            per_seed = [(None, model.metrics[metric])]
        kept = [(seed, float(v)) for seed, v in per_seed if v is not None and math.isfinite(v)]
        rows += [{"model": model.label, "name": model.name, "seed": seed, "value": value, "runs": len(kept)}
                 for seed, value in kept]
    return pd.DataFrame(rows, columns=SEED_COLUMNS)


def seed_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per model: mean, spread (max - min) and population standard deviation over its seeds, in run order."""
    grouped = rows.groupby("model", sort=False)["value"]
    return pd.DataFrame({"mean": grouped.mean(), "spread": grouped.max() - grouped.min(),
                         "std": grouped.std(ddof=0)}).reset_index()


def seed_spread_chart(result: Any, metric: str = "mase", *, height: int = 300) -> alt.LayerChart:
    """Test ``metric`` of every seed (points) and its mean over seeds (a wide tick), one column per model."""
    rows = seed_rows(result, metric)
    summary = seed_summary(rows)
    order = list(summary["model"])
    shown = [m for m in result.models.values() if m.ok and m.label in set(order)]
    scale = color_scale([(m.name, m.label) for m in shown])
    name = METRIC_LABELS[metric]
    x = alt.X("model:N", title=None, sort=order, axis=alt.Axis(labelAngle=0))
    y_title = f"test {name} (lower is better)"
    points = alt.Chart(rows).mark_circle(size=70, opacity=0.75).encode(
        x=x, y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("model:N", scale=scale, legend=None),
        tooltip=["model:N", alt.Tooltip("seed:N", title="seed"), alt.Tooltip("value:Q", title=name, format=".4g")])
    means = alt.Chart(summary).mark_tick(thickness=2, size=36, color="#222222").encode(
        x=x, y=alt.Y("mean:Q", title=y_title),
        tooltip=["model:N", alt.Tooltip("mean:Q", title=f"mean {name}", format=".4g"),
                 alt.Tooltip("spread:Q", title="max - min over seeds", format=".4g"),
                 alt.Tooltip("std:Q", title="std over seeds", format=".4g")])
    subtitle = ["One point per seed; the black tick is the mean over seeds, the value in the table.",
                "Deterministic models (and the ensemble) run once: a single point, zero spread."]
    return alt.layer(points, means).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        f"Spread over seeds (test {name})", subtitle))
