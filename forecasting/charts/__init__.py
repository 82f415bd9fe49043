"""Altair chart builders for comparison results: pure functions, result in -> chart out (no Streamlit here).

One module per chart family; the dashboard only lays the returned charts out, and the unit tests
inspect their Vega-Lite specs without a browser. Each family (and altair with it, about half a second)
is imported on first use, so the dashboard draws its controls before paying for it.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES: dict[str, str] = {
    "capacity_chart": "memory", "eigenvalue_chart": "reservoir", "error_chart": "forecast",
    "fit_time_chart": "timing", "forecast_chart": "forecast", "future_chart": "future", "loss_chart": "training",
    "origin_error_chart": "origins", "seed_spread_chart": "seeds", "sensitivity_chart": "memory",
    "series_chart": "series",
}
_FAMILIES = frozenset(("batch", "forecast", "future", "memory", "origins", "overview", "reservoir", "seeds",
                       "series", "sweep", "timing", "training"))

__all__ = ["capacity_chart", "eigenvalue_chart", "error_chart", "fit_time_chart", "forecast_chart",
           "future_chart", "loss_chart", "origin_error_chart", "seed_spread_chart", "sensitivity_chart",
           "series_chart"]


def __getattr__(name: str) -> Any:
    """A chart builder (or a chart family module), imported the first time it is asked for."""
    if name in _HOMES:
        return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    if name in _FAMILIES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
