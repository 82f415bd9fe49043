"""The loaded series as a zoomable, pannable line, optionally with the train / validation / test parts shaded.

Long series are thinned for display (:func:`display_indices`: the minimum and maximum of each of
~1,000 buckets, so peaks and troughs survive) and the chart says so: a 17,520-point series sent as
is makes the browser slow to draw, pan and zoom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, PART_COLORS, axis_values, nice_title
from forecasting.charts.series_spec import DISPLAY_POINTS, thin_positions


def display_indices(n: int, values: Sequence[float] | np.ndarray, max_points: int = DISPLAY_POINTS) -> np.ndarray:
    """Positions to draw of the first ``n`` values: all of them when ``n <= max_points``, else the first,
    the last and the minimum and maximum of each of ``max_points // 2 - 1`` equal buckets, in time order.
    One thinning for every chart: the first page's plain spec (:func:`thin_positions`) and the Altair charts."""
    return np.asarray(thin_positions(np.asarray(values, dtype=float)[:n].tolist(), max_points), dtype=int)


def thinning_note(shown: int, total: int) -> str:
    """A caption for a thinned series ("" when every point is drawn)."""
    if shown >= total:
        return ""
    return (f"Showing {shown:,} of {total:,} points (the lowest and highest of each bucket) to keep the "
            "browser responsive; zoom shows the same thinned points.")


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
                 split: Mapping[str, int] | None = None, height: int = 260,
                 max_points: int = DISPLAY_POINTS) -> alt.LayerChart | alt.Chart:
    """Line chart of the series (thinned to ``max_points`` for display, said in the subtitle); drag to pan
    and scroll to zoom the time axis (double-click resets)."""
    x, kind = axis_values(index)
    keep = display_indices(len(values), values, max_points)
    frame = pd.DataFrame({"x": [x[i] for i in keep], "value": [float(values[i]) for i in keep]})
    zoom = alt.selection_interval(bind="scales", encodings=["x"])
    line = alt.Chart(frame).mark_line(color="#222222", strokeWidth=1.4).encode(
        x=alt.X(f"x:{kind}", title="time"),
        y=alt.Y("value:Q", title=name, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"x:{kind}", title="time"), alt.Tooltip("value:Q", title=name, format=",.4g")],
    ).add_params(zoom)
    note = thinning_note(len(keep), len(values))
    hint = "Drag to pan, scroll to zoom, double-click to reset."
    title = nice_title(name, [hint, note] if note else hint)
    if split:
        chart = alt.layer(regions_layer(part_regions(x, split), kind), line)
    else:
        chart = line
    return chart.properties(height=height, title=title, autosize=FIT_WIDTH)
