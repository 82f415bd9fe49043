"""The stages of turning values and times into a LoadedSeries, each tested alone, and the filled-share rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError, SettingsError
from forecasting.loading import series as stages
from forecasting.loading import series_from_values


def test_raw_values_refuse_empty_infinite_and_too_many():
    with pytest.raises(InputError, match="empty"):
        stages._check_raw_values(np.array([]), np.array([]), "y", 100)
    with pytest.raises(InputError, match="row 7"):
        stages._check_raw_values(np.array([1.0, np.inf]), np.array([6, 7]), "y", 100)
    with pytest.raises(InputError, match="more than the limit of 10"):
        stages._check_raw_values(np.ones(11), np.arange(11), "y", 10)


def test_order_by_time_sorts_drops_missing_times_and_notes_it():
    notes: list[str] = []
    times = pd.DatetimeIndex(["2020-03-01", None, "2020-01-01", "2020-02-01"])
    values, ordered = stages._order_by_time(np.array([3.0, 9.0, 1.0, 2.0]), times, "datetime", "t", notes)
    assert values.tolist() == [1.0, 2.0, 3.0] and ordered.is_monotonic_increasing
    assert any("without a timestamp" in n for n in notes) and any("sorted" in n for n in notes)


def test_order_by_time_refuses_duplicates():
    with pytest.raises(InputError, match="Duplicated timestamps"):
        stages._order_by_time(np.ones(3), np.array([1, 2, 2]), "counter", "step", [])


def test_time_index_keeps_ancient_years_as_integers_and_modern_ones_as_timestamps():
    index, _, freq = stages._time_index(np.ones(3), np.array([-500, -499, -498]), "year", "year", [])
    assert list(index) == [-500, -499, -498] and freq == "year"
    index, _, freq = stages._time_index(np.ones(3), np.array([2000, 2001, 2002]), "year", "year", [])
    assert isinstance(index, pd.DatetimeIndex) and freq == "YS"


def test_filled_share_refuses_a_mostly_missing_series_with_the_count():
    with pytest.raises(InputError, match=r"99 of its 111 points \(89%\)"):
        stages._check_filled_share(99, 111, "y", stages.MAX_FILLED_SHARE)


def test_filled_share_warns_between_the_thresholds_and_is_quiet_below():
    assert stages._check_filled_share(30, 100, "y", 0.5)[0].startswith("30 of the 100 points (30%)")
    assert stages._check_filled_share(5, 100, "y", 0.5) == []


def test_usable_refuses_short_and_constant_series():
    with pytest.raises(InputError, match="only 3 usable"):
        stages._check_usable(np.arange(3.0), "y")
    with pytest.raises(InputError, match="constant"):
        stages._check_usable(np.ones(20), "y")


def test_frequency_and_season_overrides_are_noted_and_checked():
    notes: list[str] = []
    assert stages._frequency_and_season("MS", "D", None, 50, notes) == ("D", 7)
    assert "timestamps suggest MS" in notes[0]
    with pytest.raises(SettingsError, match="shorter than the series"):
        stages._frequency_and_season(None, None, 60, 50, [])


def _gappy(n_missing: int, n: int = 111) -> np.ndarray:
    values = np.sin(np.arange(n) / 3.0)
    values[1:1 + n_missing] = np.nan  # interior gaps: the first and last values stay
    return values


def test_mostly_missing_series_is_refused_end_to_end_and_the_limit_can_be_raised():
    with pytest.raises(InputError, match="99 of its 111 points"):
        series_from_values(_gappy(99))
    series = series_from_values(_gappy(99), max_filled_share=0.95)
    assert series.filled_missing == 99 and series.warnings and "99 of the 111" in series.warnings[0]


def test_warning_between_thresholds_and_none_for_a_few_gaps():
    assert series_from_values(_gappy(40)).warnings
    assert series_from_values(_gappy(3)).warnings == []


def test_max_filled_share_must_be_a_fraction():
    with pytest.raises(SettingsError, match="from 0 to 1"):
        series_from_values(np.arange(20.0), max_filled_share=1.5)
