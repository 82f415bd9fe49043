"""The leaderboard of a batch: how each model did across series, from the result rows alone.

For each model: series scored, geometric-mean and median test MASE, wins (lowest MASE on a series;
ties all count), how often it beats seasonal naive and each classical reference on the same series,
its geometric-mean MASE ratio to the best classical reference on the series both scored, with a paired
bootstrap interval over the series (how sure that ratio is: a few series decide a geometric mean), median
fit time, and how often it was the recommended model. ``report`` rebuilds it from the Parquet output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from forecasting.models import ModelKind

MASE_FLOOR = 1e-9  # a perfect forecast (MASE 0) enters the geometric mean as this, not as log(0)
REFERENCE = "seasonal_naive"
INTERVAL_LEVEL = 0.90
MIN_INTERVAL_SERIES = 5  # fewer paired series leave a bootstrap interval meaningless: the ratio alone is shown
BOOTSTRAP_RESAMPLES = 9999


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


def paired_ratio(scores: pd.DataFrame, model: str, reference: str) -> tuple[float, float, float]:
    """Geometric-mean MASE ratio of ``model`` to ``reference`` on the series both scored, and its interval.

    The interval is a paired percentile bootstrap (``scipy.stats.bootstrap``, series resampled with their
    pair of scores, fixed seed) at ``INTERVAL_LEVEL``; NaN bounds with fewer than ``MIN_INTERVAL_SERIES``
    series. All NaN when the two models share no series.
    """
    if model not in scores or reference not in scores or model == reference:
        return math.nan, math.nan, math.nan
    both = scores[[model, reference]].dropna().astype(float)
    if both.empty:
        return math.nan, math.nan, math.nan
    logs = np.log(np.maximum(both[model].to_numpy(), MASE_FLOOR)) - np.log(np.maximum(both[reference].to_numpy(),
                                                                                        MASE_FLOOR))
    ratio = float(np.exp(logs.mean()))
    if len(logs) < MIN_INTERVAL_SERIES:
        return ratio, math.nan, math.nan
    if np.ptp(logs) == 0:  # every series gives the same ratio: nothing to resample
        return ratio, ratio, ratio
    from scipy.stats import bootstrap

    interval = bootstrap((logs,), np.mean, confidence_level=INTERVAL_LEVEL, n_resamples=BOOTSTRAP_RESAMPLES,
                         method="percentile", random_state=np.random.default_rng(0)).confidence_interval
    return ratio, float(np.exp(interval.low)), float(np.exp(interval.high))


def best_classical(scores: pd.DataFrame, references: list[str]) -> str | None:
    """The classical reference with the lowest geometric-mean MASE (None when there is none)."""
    present = [ref for ref in references if ref in scores]
    return min(present, key=lambda ref: geometric_mean(scores[ref].dropna()), default=None)


def leaderboard(results: pd.DataFrame) -> pd.DataFrame:
    """One row per model, best geometric-mean MASE first (see the module docstring for the columns)."""
    scores = _scores(results)
    rows = results[results["model"].notna()]
    models = list(dict.fromkeys(rows["model"]))
    best = scores.min(axis=1)
    references = classical_references(results)
    yardstick = best_classical(scores, references)
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
        if yardstick is not None:
            ratio, low, high = paired_ratio(scores, model, yardstick)
            entry.update({f"vs_{yardstick}": ratio, f"vs_{yardstick}_low": low, f"vs_{yardstick}_high": high})
        entry["median_fit_seconds"] = float(mine["fit_seconds"].median())
        entry["recommended"] = int(recommended.get(model, 0))
        table.append(entry)
    out = pd.DataFrame(table)
    return out.sort_values("geomean_mase", na_position="last", kind="stable").reset_index(drop=True) if len(out) else out


def _is_bound(column: str) -> bool:
    return column.startswith("vs_") and column.endswith(("_low", "_high"))


def _cell(value: object, column: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "-"
    if column.startswith("vs_"):
        return f"{float(value):.3f}"
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
    """The display name of a leaderboard column (``beats_ets`` -> ``beats ets``, ``vs_ets`` -> ``ratio to ets``)."""
    level = f"{100 * INTERVAL_LEVEL:.0f}%"
    if column.startswith("vs_"):
        if column.endswith("_low"):
            return f"ratio {level} low"
        if column.endswith("_high"):
            return f"ratio {level} high"
        return f"ratio to {column[3:].replace('_', ' ')}"
    return HEADERS.get(column, column.replace("_", " "))


def _shown(board: pd.DataFrame) -> list[str]:
    """Columns of the text tables: the ratio's bounds are written inside its own cell."""
    return [c for c in board.columns if not _is_bound(c)]


def _text_cell(row: pd.Series, column: str) -> str:
    """A text-table cell; the ratio to the best classical reference carries its interval, e.g. ``1.12 (0.98-1.30)``."""
    text = _cell(row[column], column)
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    if column.startswith("vs_") and text != "-" and low is not None and not math.isnan(float(low)):
        text += f" ({float(low):.2f}-{float(high):.2f})"
    return text


def to_markdown(board: pd.DataFrame, results: pd.DataFrame) -> str:
    """The leaderboard as a Markdown table with a line on what was measured."""
    n_series = results["series_id"].nunique()
    failed = results.groupby("series_id")["ok"].apply(lambda s: not s.fillna(False).astype(bool).any())
    shown = _shown(board)
    lines = [f"# Leaderboard: {n_series} series, {int(failed.sum())} failed as a whole", "",
             "| " + " | ".join(header(c) for c in shown) + " |",
             "|" + "---|" * len(shown)]
    for _, row in board.iterrows():
        lines.append("| " + " | ".join(_text_cell(row, c) for c in shown) + " |")
    lines += ["", "MASE on the test part (below 1 beats the in-sample seasonal-naive forecast). geomean = geometric "
              "mean over the series a model scored; wins = series where it had the lowest MASE (ties all count); "
              "beats X = share of the series scored by both where its MASE is below X's; ratio to X = geometric "
              f"mean of its MASE divided by X's (the classical reference with the lowest geomean) on the series both "
              f"scored, with a {100 * INTERVAL_LEVEL:.0f}% paired bootstrap interval over the series in brackets (an "
              "interval that contains 1 means the series do not tell the two apart); recommended = series where it "
              "had the best validation MASE."]
    if not classical_references(results):
        lines.append("No classical reference (a model of kind classical) was in this batch.")
    return "\n".join(lines) + "\n"


def to_text(board: pd.DataFrame) -> str:
    """The leaderboard as an aligned plain-text table for the terminal."""
    shown = _shown(board)
    head = [header(c) for c in shown]
    body = [[_text_cell(row, c) for c in shown] for _, row in board.iterrows()]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [head, *body])
