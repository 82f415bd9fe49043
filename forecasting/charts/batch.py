"""Many series at a glance: each model's test MASE on every series, as a box with the series as points."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import model_color, nice_title

MASE_FLOOR = 1e-3  # a log axis cannot show 0: perfect scores are drawn at this floor


def mase_frame(results: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """One row per successful (series, model) with a finite MASE; ``order`` sorts the models (default: by median)."""
    ok = results[results["ok"].fillna(False).astype(bool) & results["model"].notna()]
    ok = ok[np.isfinite(ok["mase"].astype(float))]
    frame = pd.DataFrame({"series": ok["series_id"].astype(str), "model": ok["model"].astype(str),
                          "mase": ok["mase"].astype(float).clip(lower=MASE_FLOOR)})
    models = order or list(frame.groupby("model")["mase"].median().sort_values().index)
    frame["model"] = pd.Categorical(frame["model"], categories=[m for m in models if m in set(frame["model"])])
    return frame.sort_values(["model", "series"]).reset_index(drop=True)


def mase_box_chart(results: pd.DataFrame, order: list[str] | None = None, height: int | None = None) -> alt.Chart:
    """Test MASE per model across series on a log axis: a box per model, a point per series (hover: which one)."""
    frame = mase_frame(results, order)
    models = list(frame["model"].cat.categories)
    frame["model"] = frame["model"].astype(str)
    colors = alt.Scale(domain=models, range=[model_color(m, i) for i, m in enumerate(models)])
    y = alt.Y("model:N", sort=models, title=None)
    x = alt.X("mase:Q", scale=alt.Scale(type="log"), title="test MASE (log scale; below 1 beats seasonal naive)")
    base = alt.Chart(frame)
    boxes = base.mark_boxplot(extent="min-max", opacity=0.35, size=18).encode(
        x=x, y=y, color=alt.Color("model:N", scale=colors, legend=None))
    points = base.mark_circle(size=28, opacity=0.75).encode(
        x=x, y=y, yOffset=alt.YOffset("jitter:Q"), color=alt.Color("model:N", scale=colors, legend=None),
        tooltip=["series:N", "model:N", alt.Tooltip("mase:Q", title="MASE", format=".3f")],
    ).transform_calculate(jitter="random() * 14 - 7")
    rule = alt.Chart(pd.DataFrame({"mase": [1.0]})).mark_rule(strokeDash=[4, 3], color="#555").encode(x="mase:Q")
    return (boxes + points + rule).properties(
        height=height or max(140, 44 * len(models)),
        title=nice_title("Test MASE per model across series",
                         "Each point is one series; the dashed line is MASE 1 (the seasonal-naive scale)."))
