"""Leaderboard numbers on a hand-made result table (the arithmetic, independent of any model)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecasting.batch.leaderboard import geometric_mean, leaderboard, paired_ratio, to_markdown, to_text

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


def test_paired_ratio_is_the_geometric_mean_ratio_with_a_bootstrap_interval_around_it() -> None:
    rng = np.random.default_rng(1)
    reference = rng.uniform(0.5, 2.0, 40)
    scores = pd.DataFrame({"ref": reference, "good": reference * 0.8 * np.exp(rng.normal(0, 0.1, 40)),
                           "same": reference * np.exp(rng.normal(0, 0.3, 40))})
    ratio, low, high = paired_ratio(scores, "good", "ref")
    assert ratio == pytest.approx(geometric_mean(scores["good"]) / geometric_mean(scores["ref"]))
    assert low < ratio < high < 1.0  # consistently 20% better: the interval excludes 1
    _, low, high = paired_ratio(scores, "same", "ref")
    assert low < 1.0 < high  # noise around the reference: the interval contains 1
    assert paired_ratio(scores, "good", "ref") == (ratio, *paired_ratio(scores, "good", "ref")[1:])  # fixed seed


def test_paired_ratio_needs_shared_series_and_enough_of_them_for_an_interval() -> None:
    scores = pd.DataFrame({"a": [1.0, 2.0, np.nan], "b": [2.0, 4.0, 1.0], "c": [np.nan, np.nan, 3.0]})
    ratio, low, high = paired_ratio(scores, "a", "b")
    assert ratio == pytest.approx(0.5) and math.isnan(low) and math.isnan(high)  # 2 series: no interval
    assert all(math.isnan(v) for v in paired_ratio(scores, "a", "c"))  # no series in common
    assert all(math.isnan(v) for v in paired_ratio(scores, "a", "missing"))
    same = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 4.0, 6.0, 8.0, 10.0]})
    assert paired_ratio(same, "a", "b") == pytest.approx((0.5, 0.5, 0.5))  # one ratio on every series


def test_leaderboard_ratio_is_to_the_best_classical_reference_and_text_tables_show_its_interval() -> None:
    rows = []
    for i in range(8):
        for model, kind, mase in (("esn", "neural", 0.9 + 0.01 * i), ("ets", "classical", 1.0),
                                  ("theta", "classical", 1.5), ("naive", "baseline", 2.0)):
            rows.append({"series_id": f"s{i}", "model": model, "kind": kind, "ok": True, "mase": mase,
                         "fit_seconds": 0.1, "recommended_model": "esn"})
    results = pd.DataFrame(rows)
    board = leaderboard(results).set_index("model")
    assert "vs_ets" in board and "vs_theta" not in board  # ETS has the lower geometric mean
    assert board.loc["theta", "vs_ets"] == pytest.approx(1.5)
    assert board.loc["esn", "vs_ets_low"] < board.loc["esn", "vs_ets"] < board.loc["esn", "vs_ets_high"] < 1
    esn = board.loc["esn"]
    cell = f"{esn['vs_ets']:.3f} ({esn['vs_ets_low']:.2f}-{esn['vs_ets_high']:.2f})"
    assert f"| {cell} |" in to_markdown(leaderboard(results), results)
    assert "ratio 90% low" not in to_text(leaderboard(results)) and cell in to_text(leaderboard(results))
