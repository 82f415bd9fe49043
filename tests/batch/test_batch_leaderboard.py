"""Leaderboard numbers on a hand-made result table (the arithmetic, independent of any model)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forecasting.batch.leaderboard import geometric_mean, leaderboard, to_markdown

SCORES = {  # series -> model -> (MASE or None for a failed fit, fit seconds)
    "a": {"esn": (0.5, 1.0), "ets": (1.0, 0.1), "seasonal_naive": (2.0, 0.0)},
    "b": {"esn": (2.0, 3.0), "ets": (1.0, 0.3), "seasonal_naive": (1.0, 0.0)},
    "c": {"esn": (0.9, 2.0), "ets": (None, 0.2), "seasonal_naive": (4.0, 0.0)},
}
KINDS = {"esn": "neural", "ets": "classical", "seasonal_naive": "baseline"}
RECOMMENDED = {"a": "esn", "b": "ets", "c": "esn"}


def _table() -> pd.DataFrame:
    rows = []
    for series, models in SCORES.items():
        for model, (mase, fit) in models.items():
            rows.append({"series_id": series, "model": model, "kind": KINDS[model], "ok": mase is not None,
                         "mase": mase, "fit_seconds": fit, "recommended_model": RECOMMENDED[series]})
    rows.append({"series_id": "d", "model": None, "kind": None, "ok": False, "mase": None, "fit_seconds": None,
                 "recommended_model": None})  # a series that could not be loaded at all
    return pd.DataFrame(rows)


def test_leaderboard_numbers() -> None:
    board = leaderboard(_table()).set_index("model")
    assert list(board.index) == ["esn", "ets", "seasonal_naive"]  # by geometric-mean MASE
    esn, ets, snaive = board.loc["esn"], board.loc["ets"], board.loc["seasonal_naive"]
    assert esn["geomean_mase"] == pytest.approx((0.5 * 2.0 * 0.9) ** (1 / 3))
    assert esn["median_mase"] == pytest.approx(0.9)
    assert (esn["series"], esn["failed"], esn["wins"], esn["recommended"]) == (3, 0, 2, 2)
    assert esn["beats_seasonal_naive"] == pytest.approx(2 / 3)
    assert esn["beats_ets"] == pytest.approx(1 / 2)  # series c has no ETS score: not counted
    assert esn["median_fit_seconds"] == pytest.approx(2.0)
    assert (ets["series"], ets["failed"], ets["wins"], ets["recommended"]) == (2, 1, 1, 1)  # tie on b: a win
    assert ets["geomean_mase"] == pytest.approx(1.0)
    assert ets["beats_seasonal_naive"] == pytest.approx(1 / 2)  # equal on b is not beating
    assert math.isnan(ets["beats_ets"]) and math.isnan(snaive["beats_seasonal_naive"])
    assert snaive["geomean_mase"] == pytest.approx(2.0) and snaive["beats_ets"] == 0.0


def test_markdown_counts_whole_series_failures_and_names_the_references() -> None:
    text = to_markdown(leaderboard(_table()), _table())
    assert text.startswith("# Leaderboard: 4 series, 1 failed as a whole")
    assert "| beats seasonal naive | beats ets |" in text
    assert "| esn | neural | 3 | 0 | 0.965 | 0.900 | 2 | 67% | 50% |" in text


def test_geometric_mean_ignores_missing_and_floors_zero() -> None:
    assert geometric_mean(pd.Series([1.0, 4.0, float("nan"), float("inf")])) == pytest.approx(2.0)
    assert geometric_mean(pd.Series([0.0, 1.0])) == pytest.approx(math.sqrt(1e-9))
    assert math.isnan(geometric_mean(pd.Series([], dtype=float)))
