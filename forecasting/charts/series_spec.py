"""The series chart of the data overview as a plain Vega-Lite dict: no pandas, numpy or Altair needed.

The dashboard's first page draws it, so the chart costs neither the Altair import (about a third of a
second) nor Altair's validation and serialisation. It draws the same picture as
:func:`forecasting.charts.series.series_chart` (a test compares the two): the series as a zoomable,
pannable line, thinned for display the same way, with the train / validation / test parts shaded.
The values sit inline in each layer, so Streamlit sends them as JSON without converting them to Arrow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

DISPLAY_POINTS = 2000  # at most this many points of a series are drawn (by every chart of a series)
LINE_COLOR = "#222222"  # the "Actual" colour of every chart
# Shading of the split's parts; forecasting.charts._common.PART_COLORS holds the same (a test checks it).
PART_COLORS = {"train": "#e8eef7", "validation": "#fff3d6", "test": "#fde4e4"}
HINT = "Drag to pan, scroll to zoom, double-click to reset."
ZOOM = "series_zoom"
LINE_VIEW = "series_line"
VEGA_TYPES = {"Q": "quantitative", "T": "temporal", "O": "ordinal"}


def thin_positions(values: Sequence[float], max_points: int = DISPLAY_POINTS) -> list[int]:
    """Positions to draw: all when there are at most ``max_points``, else the first, the last and the lowest
    and highest of each of ``max_points // 2 - 1`` equal buckets, in time order. Pure Python, so the first page
    can draw a series without numpy; the Altair charts use it too (``series.display_indices``)."""
    n = len(values)
    if n <= max_points:
        return list(range(n))
    buckets = max(1, max_points // 2 - 1)
    step = (n - 2) / buckets
    edges = [int(i * step + 1) for i in range(buckets)] + [n - 1]  # numpy.linspace(1, n - 1, buckets + 1)
    keep = {0, n - 1}
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi > lo:
            chunk = [float(v) for v in values[lo:hi]]
            keep.add(lo + chunk.index(min(chunk)))
            keep.add(lo + chunk.index(max(chunk)))
    return sorted(keep)


def _is_timestamp(label: Any) -> bool:
    if not isinstance(label, str):
        return False
    try:
        datetime.fromisoformat(label)
    except ValueError:
        return False
    return True


def axis_kind(labels: Sequence[Any]) -> str:
    """The x axis type of index labels: numbers "Q", ISO timestamps "T" (as the engine writes them), else "O"."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in labels):
        return "Q"
    return "T" if all(_is_timestamp(v) for v in labels) else "O"


def thinning_note(shown: int, total: int) -> str:
    """A caption for a thinned series ("" when every point is drawn)."""
    if shown >= total:
        return ""
    return (f"Showing {shown:,} of {total:,} points (the lowest and highest of each bucket) to keep the "
            "browser responsive; zoom shows the same thinned points.")


def part_rows(x: Sequence[Any], split: Mapping[str, int] | None) -> list[dict[str, Any]]:
    """Start and end x of the train, validation and test parts of a chronological ``split`` (may be empty)."""
    if not split or len(x) == 0:
        return []
    n = len(x)
    train_end, val_end = int(split["train_end"]), int(split["val_end"])
    rows = []
    for part, lo, hi in (("train", 0, train_end), ("validation", train_end, val_end), ("test", val_end, n)):
        if hi > lo:  # each part ends where the next one starts, so the shading has no gaps
            rows.append({"part": part, "start": x[lo], "end": x[min(hi, n - 1)]})
    return rows


def _regions_layer(rows: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    parts = [p for p in PART_COLORS if p in {row["part"] for row in rows}]
    return {
        "data": {"values": rows},
        "mark": {"type": "rect", "opacity": 0.7},
        "encoding": {
            "x": {"field": "start", "type": VEGA_TYPES[kind]},
            "x2": {"field": "end"},
            "color": {"field": "part", "type": "nominal", "title": "Part", "sort": parts,
                      "scale": {"domain": parts, "range": [PART_COLORS[p] for p in parts]}},
            "tooltip": [{"field": "part", "type": "nominal", "title": "part"}],
        },
    }


def _line_layer(points: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    vega_type = VEGA_TYPES[kind]
    return {
        "name": LINE_VIEW,
        "data": {"values": points},
        "mark": {"type": "line", "color": LINE_COLOR, "strokeWidth": 1.4},
        "encoding": {
            "x": {"field": "x", "type": vega_type, "title": "time"},
            "y": {"field": "value", "type": "quantitative", "title": name, "scale": {"zero": False}},
            "tooltip": [{"field": "x", "type": vega_type, "title": "time"},
                        {"field": "value", "type": "quantitative", "title": name, "format": ",.4g"}],
        },
    }


def series_spec(values: Sequence[float], labels: Sequence[Any], name: str = "value", *,
                split: Mapping[str, int] | None = None, height: int = 260,
                max_points: int = DISPLAY_POINTS) -> dict[str, Any]:
    """Vega-Lite spec of the series (thinned to ``max_points``, said in the subtitle) with its parts shaded;
    drag to pan and scroll to zoom the time axis (double-click resets). ``labels`` are the engine's index labels
    (integers or ISO timestamps)."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values but {len(labels)} labels: they must match one to one.")
    kind = axis_kind(labels)
    x = list(labels)
    keep = thin_positions(values, max_points)
    points = [{"x": x[i], "value": float(values[i])} for i in keep]
    note = thinning_note(len(keep), len(values))
    line = _line_layer(points, kind, name)
    layers = [_regions_layer(part_rows(x, split), kind), line] if split else [line]
    return {
        "height": height,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "title": {"text": name, "anchor": "start", "subtitle": [HINT, note] if note else HINT},
        "params": [{"name": ZOOM, "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales",
                    "views": [LINE_VIEW]}],
        "layer": layers,
    }
