"""Tables and plain-language verdicts built from a comparison result (pure pandas, no Streamlit).

The dashboard shows them and offers them as downloads; the unit tests check them directly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from forecasting.comparison import model_kind
from forecasting.ensemble import members_note
from forecasting.metrics import METRIC_LABELS, METRIC_NAMES
from forecasting.models import ModelKind

FIT_COL = "Fit (s)"
PARAMS_COL = "Trainable parameters"
HORIZON_COL = "Memory horizon (steps)"
CAPACITY_COL = "Memory capacity"
NOTE_COL = "Note"
INTERVAL_LEVELS = ("80", "95")  # the comparison's default conformal levels


def coverage_col(level: str) -> str:
    """Column name of a level's empirical coverage on the test part (nominal level in the name)."""
    return f"{level}% interval coverage"


def width_col(level: str) -> str:
    """Column name of a level's mean interval width on the test part."""
    return f"{level}% interval width"
# Which way is better in each numeric column of the comparison table.
LOWER_IS_BETTER = [METRIC_LABELS[m] for m in METRIC_NAMES] + [FIT_COL, PARAMS_COL]
HIGHER_IS_BETTER = [HORIZON_COL, CAPACITY_COL]
REFERENCE_MODEL = "seasonal_naive"


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


def model_note(result: Any, model: Any) -> str:
    """Short flags for the table: failed, recommended, stopped early, flat or clipped forecast, failed seeds,
    and the ensemble's members."""
    if not model.ok:
        return f"failed: {model.error}"
    notes = []
    if result.recommended == model.name:
        notes.append("recommended (see note)" if getattr(result, "recommendation_note", "") else "recommended")
    stop = (model.training_history or {}).get("stop_reason", "")
    if model.extras.get("stopped_by_user") or stop == "stopped by user":
        notes.append("stopped by you")
    elif stop == "time budget":
        notes.append("hit time budget")
    if model.flat and model_kind(model.name) is not ModelKind.BASELINE:  # naive is flat by design
        notes.append("flat")
    if model.clipped:
        notes.append("clipped on selection windows" if model.selection_clipped else "clipped")
    if model.failed_seeds:
        notes.append(f"failed seeds {', '.join(map(str, model.failed_seeds))}")
    members = members_note(model, {n: r.label for n, r in result.models.items()})
    if members:
        notes.append(members)
    noise = seed_noise_note(result, model)
    if noise:
        notes.append(noise)
    return ", ".join(notes)


def seed_noise_note(result: Any, model: Any) -> str:
    """'within seed noise of X' when this model's test MASE differs from the best model's by less than the larger
    of their standard deviations over seeds: that difference is luck of the seed, not a ranking."""
    scored = [m for m in result.models.values() if m.ok and np.isfinite(_num(m.metrics.get("mase")))]
    if not scored or model not in scored:
        return ""
    best = min(scored, key=lambda m: _num(m.metrics["mase"]))
    if best is model:
        return ""
    spreads = [(m.metrics_std or {}).get("mase") for m in (model, best)]
    spread = max(_num(s) if s is not None else 0.0 for s in spreads)
    gap = _num(model.metrics["mase"]) - _num(best.metrics["mase"])
    return f"within seed noise of {best.label} (MASE)" if spread > 0 and gap < spread else ""


def comparison_table(result: Any) -> pd.DataFrame:
    """One row per model (baselines included): test metrics, fit seconds, parameters and memory figures."""
    rows = []
    for model in result.models.values():
        row: dict[str, Any] = {"Model": model.label}
        for metric in METRIC_NAMES:
            row[METRIC_LABELS[metric]] = _num(model.metrics.get(metric)) if model.ok else float("nan")
        row[FIT_COL] = float(model.fit_seconds) if model.ok else float("nan")
        row[PARAMS_COL] = int(model.trainable_parameters) if model.ok else None
        row[HORIZON_COL] = _num(model.memory_horizon) if model.ok else float("nan")
        row[CAPACITY_COL] = _num(model.memory_capacity) if model.ok else float("nan")
        coverage, width = (model.extras.get("interval_coverage") or {}), (model.extras.get("interval_mean_width") or {})
        for level in INTERVAL_LEVELS:
            row[coverage_col(level)] = _num(coverage.get(level))
            row[width_col(level)] = _num(width.get(level))
        row[NOTE_COL] = model_note(result, model)
        rows.append(row)
    frame = pd.DataFrame(rows).set_index("Model")
    frame[PARAMS_COL] = frame[PARAMS_COL].astype("Int64")
    return frame[[NOTE_COL] + [c for c in frame.columns if c != NOTE_COL]]  # flags first: always in view


def best_rows(table: pd.DataFrame) -> dict[str, list[str]]:
    """For each numeric column, the model(s) holding its best value (ties all count; NaN never does).

    Models whose training was stopped by the user do not compete: their numbers are not comparable.
    """
    best: dict[str, list[str]] = {}
    if NOTE_COL in table:
        table = table[~table[NOTE_COL].astype(str).str.contains("stopped by you")]
    for column in LOWER_IS_BETTER + HIGHER_IS_BETTER:
        if column not in table:
            continue
        values = pd.to_numeric(table[column], errors="coerce").astype(float).dropna()
        if column != HORIZON_COL:  # an infinite memory horizon (beyond the lags measured) is the longest
            values = values[np.isfinite(values)]
        if values.empty:
            continue
        target = values.min() if column in LOWER_IS_BETTER else values.max()
        best[column] = [str(i) for i in values.index[values == target]]
    return best


def format_horizon(value: Any, max_lag: int | None = None) -> str:
    """Memory horizon for display: whole steps, ``> K`` when it had not decayed within K lags, blank if unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if math.isinf(value):
        return f"> {max_lag}" if max_lag else "beyond max lag"
    return f"{value:g}"


def styled_table(result: Any, table: pd.DataFrame | None = None) -> Any:
    """The comparison table as a pandas Styler with the best value of every column highlighted."""
    table = comparison_table(result) if table is None else table
    max_lag = next((m.memory_max_lag for m in result.models.values() if m.ok and m.memory_max_lag), None)
    best = best_rows(table)

    def highlight(column: pd.Series) -> list[str]:
        winners = set(best.get(column.name, []))
        return ["background-color: #d8f0d2; font-weight: 600" if i in winners else "" for i in column.index]

    # The grid shows a missing number as "None": give the memory columns (blank for the baselines'
    # capacity, "> K" for horizons beyond the lags measured) as text; highlighting uses the numbers.
    shown = table.copy()
    shown[HORIZON_COL] = [format_horizon(v, max_lag) or "–" for v in table[HORIZON_COL]]
    shown[CAPACITY_COL] = ["–" if pd.isna(v) else f"{v:.2f}" for v in table[CAPACITY_COL]]
    formats = {METRIC_LABELS[m]: "{:.4g}" for m in METRIC_NAMES}
    formats.update({FIT_COL: "{:.3f}", PARAMS_COL: "{:,}"})
    return shown.style.apply(highlight, axis=0).format(formats, na_rep="–")


def _pct(a: float, b: float) -> float:
    return 100.0 * abs(a - b) / b if b else float("inf")


def verdict(result: Any, model: Any) -> str:
    """One plain sentence: does the model beat seasonal naive on the test part, by how much, and any caveats."""
    if not model.ok:
        return f"**{model.label}** failed: {model.error}"
    mae = model.metrics.get("mae")
    reference = result.models.get(REFERENCE_MODEL)
    parts = []
    if model.name == REFERENCE_MODEL:
        parts.append(f"**{model.label}** is the reference every model must beat (test MAE {mae:.4g}).")
    elif reference is not None and reference.ok and reference.metrics.get("mae"):
        ref = reference.metrics["mae"]
        if mae < ref:
            parts.append(f"**{model.label}** beats seasonal naive by {_pct(mae, ref):.0f}% "
                         f"(test MAE {mae:.4g} vs {ref:.4g}).")
        elif mae == ref:
            parts.append(f"**{model.label}** ties with seasonal naive (test MAE {mae:.4g}).")
        else:
            parts.append(f"**{model.label}** does not beat seasonal naive: test MAE {mae:.4g} vs {ref:.4g} "
                         f"({_pct(mae, ref):.0f}% worse).")
    else:
        mase = model.metrics.get("mase", float("nan"))
        side = "below" if mase < 1 else "above"
        parts.append(f"**{model.label}**: MASE {mase:.3g}, i.e. its test error is {side} the in-sample "
                     f"seasonal-naive error (seasonal naive was not run).")
    if result.recommended == model.name:
        parts.append(getattr(result, "recommendation_note", "")
                     or "Recommended on the selection windows (before the test part): the ensemble unless a "
                        "single model is the best of all on every window.")
    if model.failed_seeds:
        parts.append(f"Seeds {', '.join(map(str, model.failed_seeds))} gave NaN or infinite forecasts and are "
                     "left out of its figures.")
    if model.flat and model_kind(model.name) is not ModelKind.BASELINE:  # naive is flat by design
        parts.append("Its forecast is flat (almost constant): it learned little beyond the level.")
    if model.clipped:
        parts.append("Some forecast steps were clipped to the training range widened by half its width "
                     "(the recursion ran away).")
    stop = (model.training_history or {}).get("stop_reason", "")
    if model.extras.get("stopped_by_user") or stop == "stopped by user":
        parts.append("Training was stopped by you, so this result is not a fair comparison.")
    elif stop == "time budget":
        parts.append("Training stopped at the time budget and kept the best weights so far.")
    return " ".join(parts)


def forecasts_frame(result: Any) -> pd.DataFrame:
    """The test part as a table: time, actual value and one column per model's forecast."""
    n = len(result.actual)
    start = n - int(result.horizon)
    frame = pd.DataFrame({"time": result.index[start:], "actual": result.actual[start:]})
    for model in result.models.values():
        if model.ok and len(model.forecast) == result.horizon:
            frame[model.name] = model.forecast
            for key, entry in sorted((model.extras.get("intervals") or {}).items()):
                if isinstance(entry, dict) and entry.get("lower") is not None:
                    frame[f"{model.name}_lower_{key}"] = entry["lower"]
                    frame[f"{model.name}_upper_{key}"] = entry["upper"]
    return frame


def future_table(forecasts: list[Any]) -> pd.DataFrame:
    """Future forecasts side by side: a time column and one column per model."""
    if not forecasts:
        return pd.DataFrame(columns=["time"])
    frame = pd.DataFrame({"time": list(forecasts[0].index)})
    for future in forecasts:
        frame[future.model_name] = list(future.values)
    return frame


def setup_line(result: Any) -> str:
    """The one-time setup paid before any timed fit, per model, charged to none of them."""
    seconds = float(getattr(result, "setup_seconds", 0.0) or 0.0)
    paid = [f"{result.models[n].label if n in result.models else n} {s:.2f} s"
            for n, s in (getattr(result, "setup_breakdown", {}) or {}).items() if s >= 0.005]
    text = f"One-time setup (imports, compilation, thread pools) before any timed fit: {seconds:.2f} s"
    text += f" ({', '.join(paid)})" if paid else " (everything was already warm in this process)"
    return text + "; charged to no model."


def selection_line(result: Any) -> str:
    """How the recommended model was chosen: on how many selection windows, and any note on the choice."""
    selection = getattr(result, "selection", {}) or {}
    windows = len(selection.get("windows", []))
    recommended = result.models[result.recommended].label if result.recommended else "none"
    text = (f"Recommended on {windows} selection window{'s' if windows != 1 else ''} before the test part "
            f"(the ensemble unless a single model is the best on every window): **{recommended}**.")
    for note in (getattr(result, "recommendation_note", ""), selection.get("note", "")):
        if note:
            text += f" {note}"
    return text


def cost_frame(result: Any) -> pd.DataFrame:
    """Cost per successful model: fit, forecast and memory-analysis seconds, parameters, peak memory of a fit."""
    rows = [{"model": r.label, "fit (s)": float(r.fit_seconds), "forecast (s)": float(r.forecast_seconds),
             "memory analysis (s)": float(r.memory_seconds or 0.0), "trainable parameters": int(r.trainable_parameters),
             "peak memory of a fit (MB)": "not measured" if r.peak_memory_mb is None else f"{r.peak_memory_mb:.1f}"}
            for r in result.models.values() if r.ok]
    return pd.DataFrame(rows).set_index("model") if rows else pd.DataFrame()
