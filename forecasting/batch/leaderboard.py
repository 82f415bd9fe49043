"""The leaderboard of a batch: how each model did across series, from the result rows alone.

For each model: series scored, geometric-mean and median test MASE, wins (lowest MASE on a series;
ties all count), how often it beats seasonal naive and each classical reference on the same series,
median fit time, and how often it was the recommended model. ``report`` rebuilds it from the Parquet output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecasting.models import ModelKind

MASE_FLOOR = 1e-9  # a perfect forecast (MASE 0) enters the geometric mean as this, not as log(0)
REFERENCE = "seasonal_naive"


def geometric_mean(values: pd.Series) -> float:
    """Geometric mean of the finite values (zeros floored at ``MASE_FLOOR``); NaN when there are none."""
    finite = values[np.isfinite(values.astype(float))].astype(float)
    if finite.empty:
        return math.nan
    return float(np.exp(np.mean(np.log(np.maximum(finite.to_numpy(), MASE_FLOOR)))))


def _scores(results: pd.DataFrame) -> pd.DataFrame:
    """Series x model table of test MASE (successful, finite scores only)."""
    ok = results[results["ok"].fillna(False).astype(bool) & results["model"].notna()]
    ok = ok[np.isfinite(ok["mase"].astype(float))]
    return ok.pivot_table(index="series_id", columns="model", values="mase", aggfunc="first")


def classical_references(results: pd.DataFrame) -> list[str]:
    """Models in the results whose class kind is ModelKind.CLASSICAL (ETS, Theta, ARIMA, ...)."""
    kinds = results.dropna(subset=["model"]).drop_duplicates("model").set_index("model")["kind"]
    return [name for name, kind in kinds.items() if kind == ModelKind.CLASSICAL.value]


def _beats(scores: pd.DataFrame, model: str, reference: str) -> float:
    """Share of the series scored for both where ``model``'s MASE is strictly below ``reference``'s."""
    if reference not in scores or model not in scores or model == reference:
        return math.nan
    both = scores[[model, reference]].dropna()
    return float((both[model] < both[reference]).mean()) if len(both) else math.nan


def leaderboard(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model, best geometric-mean MASE first (see the module docstring for the columns)."""
    scores = _scores(results)
    rows = results[results["model"].notna()]
    models = list(dict.fromkeys(rows["model"]))
    best = scores.min(axis=1)
    references = classical_references(results)
    recommended = results.drop_duplicates("series_id")["recommended_model"].value_counts()
    table = []
    for model in models:
        mine = rows[rows["model"] == model]
        mase = scores[model] if model in scores else pd.Series(dtype=float)
        entry = {
            "model": model, "kind": mine["kind"].iloc[0], "series": int(mase.notna().sum()),
            "failed": int((~mine["ok"].fillna(False).astype(bool)).sum()),
            "geomean_mase": geometric_mean(mase.dropna()), "median_mase": float(mase.median()),
            "wins": int((mase.notna() & (mase == best)).sum()),
            f"beats_{REFERENCE}": _beats(scores, model, REFERENCE),
        }
        for ref in references:
            entry[f"beats_{ref}"] = _beats(scores, model, ref)
        entry["median_fit_seconds"] = float(mine["fit_seconds"].median())
        entry["recommended"] = int(recommended.get(model, 0))
        table.append(entry)
    out = pd.DataFrame(table)
    return out.sort_values("geomean_mase", na_position="last", kind="stable").reset_index(drop=True) if len(out) else out


def _cell(value: object, column: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if column.startswith("beats_"):
        return f"{100 * float(value):.0f}%"
    if column in ("geomean_mase", "median_mase"):
        return f"{float(value):.3f}"
    if column == "median_fit_seconds":
        return f"{float(value):.3g}"
    return str(value)


HEADERS = {"model": "model", "kind": "kind", "series": "series", "failed": "failed",
           "geomean_mase": "geomean MASE", "median_mase": "median MASE", "wins": "wins",
           "median_fit_seconds": "median fit s", "recommended": "recommended"}


def header(column: str) -> str:
    """The display name of a leaderboard column (``beats_ets`` -> ``beats ets``)."""
    return HEADERS.get(column, column.replace("_", " "))


def to_markdown(board: pd.DataFrame, results: pd.DataFrame) -> str:
    """The leaderboard as a Markdown table with a line on what was measured."""
    n_series = results["series_id"].nunique()
    failed = results.groupby("series_id")["ok"].apply(lambda s: not s.fillna(False).astype(bool).any())
    lines = [f"# Leaderboard: {n_series} series, {int(failed.sum())} failed as a whole", "",
             "| " + " | ".join(header(c) for c in board.columns) + " |",
             "|" + "---|" * len(board.columns)]
    for _, row in board.iterrows():
        lines.append("| " + " | ".join(_cell(row[c], c) for c in board.columns) + " |")
    lines += ["", "MASE on the test part (below 1 beats the in-sample seasonal-naive forecast). geomean = geometric "
              "mean over the series a model scored; wins = series where it had the lowest MASE (ties all count); "
              "beats X = share of the series scored by both where its MASE is below X's; recommended = series "
              "where it had the best validation MASE."]
    if not classical_references(results):
        lines.append("No classical reference (a model of kind classical) was in this batch.")
    return "\n".join(lines) + "\n"


def to_text(board: pd.DataFrame) -> str:
    """The leaderboard as an aligned plain-text table for the terminal."""
    head = [header(c) for c in board.columns]
    body = [[_cell(row[c], c) for c in board.columns] for _, row in board.iterrows()]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body])
