"""The loaded series as a zoomable, pannable line, optionally with the train / validation / test parts shaded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import PART_COLORS, axis_values, nice_title


def part_regions(x: Sequence[Any], split: Mapping[str, int] | None) -> pd.DataFrame:
    """Start and end x of the train, validation and test parts of a chronological ``split`` (may be empty)."""
    if not split or len(x) == 0:
        return pd.DataFrame(columns=["part", "start", "end"])
    n = len(x)
    train_end, val_end = int(split["train_end"]), int(split["val_end"])
    bounds = [("train", 0, train_end), ("validation", train_end, val_end), ("test", val_end, n)]
    rows = []
    for part, lo, hi in bounds:
        if hi > lo:
            # Each region ends where the next one starts, so the shading has no gaps.
            rows.append({"part": part, "start": x[lo], "end": x[min(hi, n - 1)]})
    return pd.DataFrame(rows)


def regions_layer(regions: pd.DataFrame, kind: str) -> alt.Chart:
    """Shaded background rectangles for the parts of the split, with their own legend."""
    parts = [p for p in PART_COLORS if p in set(regions["part"])] if len(regions) else list(PART_COLORS)
    return alt.Chart(regions).mark_rect(opacity=0.7).encode(
        x=alt.X(f"start:{kind}"), x2="end",
        color=alt.Color("part:N", title="Part", sort=parts,
                        scale=alt.Scale(domain=parts, range=[PART_COLORS[p] for p in parts])),
        tooltip=[alt.Tooltip("part:N", title="part")],
    )


def series_chart(values: Sequence[float], index: Sequence[Any], name: str = "value", *,
                 split: Mapping[str, int] | None = None, height: int = 260) -> alt.LayerChart | alt.Chart:
    """Line chart of the series; drag to pan and scroll to zoom the time axis (double-click resets)."""
    x, kind = axis_values(index)
    frame = pd.DataFrame({"x": x, "value": [float(v) for v in values]})
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    line = alt.Chart(frame).mark_line(color="#222222", strokeWidth=1.4).encode(
        x=alt.X(f"x:{kind}", title="time"),
        y=alt.Y("value:Q", title=name, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"x:{kind}", title="time"), alt.Tooltip("value:Q", title=name, format=",.4g")],
    ).add_params(zoom)
    title = nice_title(name, "Drag to pan, scroll to zoom, double-click to reset.")
    if split:
        chart = alt.layer(regions_layer(part_regions(x, split), kind), line)
    else:
        chart = line
    return chart.properties(height=height, title=title)
