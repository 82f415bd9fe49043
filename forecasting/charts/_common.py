"""Shared pieces of every chart: how index labels become an x axis, and one colour per model everywhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

ACTUAL_LABEL = "Actual"
ACTUAL_COLOR = "#222222"
# One fixed colour per registered model so a model looks the same in every chart.
MODEL_COLORS: dict[str, str] = {
    "esn": "#1f77b4", "lstm": "#d62728", "gru": "#9467bd",
    "naive": "#7f7f7f", "seasonal_naive": "#2ca02c", "drift": "#ff7f0e",
}
_FALLBACK = ["#17becf", "#bcbd22", "#8c564b", "#e377c2"]
PART_COLORS = {"train": "#e8eef7", "validation": "#fff3d6", "test": "#fde4e4"}
# Streamlit sizes a chart without "autosize" as type "fit": title, axes and legend then eat into the plot
# (a 136 px bar chart kept ~10 px of bars and dropped labels). fit-x fits the width only; pad keeps both sizes.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
FIXED_SIZE = alt.AutoSizeParams(type="pad", contains="padding")


def model_color(name: str, position: int = 0) -> str:
    """The colour of a model by its registry name (a fallback palette for unknown names)."""
    return MODEL_COLORS.get(name, _FALLBACK[position % len(_FALLBACK)])


def color_scale(names_labels: Sequence[tuple[str, str]], *, with_actual: bool = False) -> alt.Scale:
    """A colour scale over model labels (plus ``Actual`` in black) using each model's fixed colour."""
    domain, colors = [], []
    if with_actual:
        domain.append(ACTUAL_LABEL)
        colors.append(ACTUAL_COLOR)
    for position, (name, label) in enumerate(names_labels):
        domain.append(label)
        colors.append(model_color(name, position))
    return alt.Scale(domain=domain, range=colors)


def axis_values(labels: Sequence[Any]) -> tuple[list[Any], str]:
    """Turn index labels into x values and their Vega-Lite type: integers stay quantitative ("Q"),
    date-like strings become timestamps ("T"), anything else is ordinal ("O")."""
    values = list(labels)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return values, "Q"
    try:
        stamps = pd.to_datetime(pd.Series([str(v) for v in values]), errors="raise", format="ISO8601")
        return list(stamps), "T"
    except (ValueError, TypeError):
        return [str(v) for v in values], "O"


def x_field(kind: str, title: str = "time") -> alt.X:
    """The x encoding for a column named ``x`` of the given Vega-Lite type."""
    return alt.X(f"x:{kind}", title=title)


def nice_title(text: str, subtitle: str | None = None) -> alt.TitleParams:
    """A left-aligned chart title with an optional one-line explanation under it."""
    return alt.TitleParams(text=text, subtitle=subtitle or "", anchor="start")
