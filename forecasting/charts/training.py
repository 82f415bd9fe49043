"""Training and validation loss per epoch for the models trained by gradient descent (the LSTM and GRU)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from forecasting.charts._common import FIT_WIDTH, color_scale, nice_title


def trained_models(result: Any, models: Iterable[str] | None = None) -> list[Any]:
    """Successful model results with a loss curve of at least two epochs (a closed-form fit has one value)."""
    wanted = None if models is None else set(models)
    return [r for name, r in result.models.items()
            if r.ok and len((r.training_history or {}).get("train_loss") or []) > 1
            and (wanted is None or name in wanted)]


def loss_frame(result: Any, models: Iterable[str] | None = None) -> pd.DataFrame:
    """Long table (epoch, loss, model, curve) with one row per model, curve (train/validation) and epoch."""
    rows = []
    for model in trained_models(result, models):
        history = model.training_history
        for curve, key in (("train", "train_loss"), ("validation", "val_loss")):
            for epoch, loss in enumerate(history.get(key) or [], start=1):
                if loss is not None:
                    rows.append({"epoch": epoch, "loss": float(loss), "model": model.label, "curve": curve})
    return pd.DataFrame(rows, columns=["epoch", "loss", "model", "curve"])


def loss_chart(result: Any, models: Iterable[str] | None = None, *, log_scale: bool = True,
               height: int = 320) -> alt.LayerChart:
    """Loss curves (solid: train, dashed: validation) with the best validation epoch marked per model."""
    frame = loss_frame(result, models)
    shown = trained_models(result, models)
    scale = color_scale([(r.name, r.label) for r in shown])
    positive = frame[frame["loss"] > 0] if log_scale else frame
    y_scale = alt.Scale(type="log") if log_scale else alt.Scale(zero=False)
    zoom = alt.selection_interval(bind="scales", encodings=["x"], name="zoom_loss")
    lines = alt.Chart(positive).mark_line().encode(
        x=alt.X("epoch:Q", title="epoch"),
        y=alt.Y("loss:Q", title="loss (MSE, model space)", scale=y_scale),
        color=alt.Color("model:N", title="Model", scale=scale),
        strokeDash=alt.StrokeDash("curve:N", title="Curve", sort=["train", "validation"],
                                  scale=alt.Scale(domain=["train", "validation"], range=[[1, 0], [5, 3]])),
        tooltip=["model:N", "curve:N", "epoch:Q", alt.Tooltip("loss:Q", format=".4g")],
    ).add_params(zoom)
    best = pd.DataFrame([{"epoch": r.training_history["best_epoch"], "model": r.label,
                          "why": r.training_history.get("stop_reason", "")}
                         for r in shown if r.training_history.get("best_epoch")],
                        columns=["epoch", "model", "why"])
    rules = alt.Chart(best).mark_rule(strokeDash=[2, 2]).encode(
        x="epoch:Q", color=alt.Color("model:N", title="Model", scale=scale),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("epoch:Q", title="best epoch"),
                 alt.Tooltip("why:N", title="training stopped by")])
    return alt.layer(lines, rules).properties(height=height, autosize=FIT_WIDTH, title=nice_title(
        "Training curves", "Dotted rule: the epoch with the lowest validation loss (its weights are kept)."))
