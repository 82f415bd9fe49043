"""What each model cost: fit time per model as horizontal bars."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title


def timing_frame(result: Any) -> pd.DataFrame:
    """One row per successful model: fit, forecast and memory-analysis seconds and trainable parameters."""
    rows = [{"model": r.label, "fit_seconds": float(r.fit_seconds), "forecast_seconds": float(r.forecast_seconds),
             "memory_seconds": float(getattr(r, "memory_seconds", 0.0) or 0.0),
             "parameters": int(r.trainable_parameters), "name": r.name}
            for r in result.models.values() if r.ok]
    return pd.DataFrame(rows, columns=["model", "fit_seconds", "forecast_seconds", "memory_seconds",
                                       "parameters", "name"])


def fit_time_chart(result: Any, *, log_scale: bool = False, height: int | None = None) -> alt.Chart:
    """Fit seconds per model (all seeds and test windows, selection fit and refits together; no setup)."""
    frame = timing_frame(result)
    shown = [r for r in result.models.values() if r.ok]
    scale = color_scale([(r.name, r.label) for r in shown])
    if log_scale:
        frame = frame.assign(fit_seconds=frame["fit_seconds"].clip(lower=1e-4))
    x_scale = alt.Scale(type="log") if log_scale else alt.Scale()
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("fit_seconds:Q", title="fit time (s)", scale=x_scale, stack=None),
        y=alt.Y("model:N", title=None, sort="-x"),
        color=alt.Color("model:N", scale=scale, legend=None),
        tooltip=["model:N", alt.Tooltip("fit_seconds:Q", title="fit s", format=".3f"),
                 alt.Tooltip("forecast_seconds:Q", title="forecast s", format=".4f"),
                 alt.Tooltip("memory_seconds:Q", title="memory analysis s", format=".3f"),
                 alt.Tooltip("parameters:Q", title="trainable parameters", format=",")],
    ).properties(height=height or max(120, 34 * len(frame)), autosize=FIT_WIDTH, title=nice_title(
        "Fit time per model", "Wall time of the fits only (selection fit + one refit per test window, every "
        "seed); the one-time setup is reported apart."))
