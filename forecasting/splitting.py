"""Chronological train / validation / test split, shared by every model in a comparison.

The test part is always the last ``horizon`` points; validation is the block right before it
(default: ``max(horizon, 10% of the series)``, rounded down to whole seasons so that every phase of
the season is validated equally often); training is everything earlier. Nothing is shuffled.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from forecasting.errors import InputError, SettingsError

MIN_TRAIN_POINTS = 20


@dataclass(frozen=True)
class Split:
    """Boundaries of a chronological split: train = [0, train_end), val = [train_end, val_end), test = [val_end, n)."""

    n: int
    train_end: int
    val_end: int

    @property
    def horizon(self) -> int:
        """Points after validation (the test part); equals the horizon unless backtest windows follow."""
        return self.n - self.val_end

    @property
    def test_size(self) -> int:
        """Points in the test part (every backtest window together)."""
        return self.n - self.val_end

    @property
    def validation_size(self) -> int:
        return self.val_end - self.train_end

    def to_dict(self) -> dict[str, int]:
        return {**asdict(self), "train_size": self.train_end, "validation_size": self.validation_size,
                "test_size": self.horizon}


def default_horizon(n_points: int, season_length: int) -> int:
    """A sensible default horizon: one season (at least 10 steps), never more than 10% of the series."""
    horizon = season_length if season_length > 1 else 10
    horizon = max(horizon, 10) if season_length <= 1 else horizon
    return int(max(1, min(horizon, n_points // 10)))


def default_validation_size(n_points: int, horizon: int, season_length: int = 1) -> int:
    """``max(horizon, 10% of the series)``, rounded down to a multiple of the season length when possible."""
    size = max(horizon, round(0.1 * n_points))
    if season_length > 1 and size >= season_length:
        size = max(size - size % season_length, horizon)
    return int(size)


def chronological_split(n_points: int, horizon: int, validation_size: int | None = None,
                        min_train: int = MIN_TRAIN_POINTS, season_length: int = 1) -> Split:
    """Split ``n_points`` chronologically; raise a clear error when the series is too short for the request."""
    if horizon < 1:
        raise SettingsError(f"The horizon must be at least 1 step; got {horizon}.")
    if validation_size is None:
        validation_size = default_validation_size(n_points, horizon, season_length)
    if validation_size < 1:
        raise SettingsError(f"The validation part needs at least 1 point; got {validation_size}.")
    needed = min_train + validation_size + horizon
    if n_points < needed:
        raise InputError(
            f"The series has {n_points} points, but a horizon of {horizon} with {validation_size} validation "
            f"points and at least {min_train} training points needs {needed}. "
            "Use a longer series or a shorter horizon / validation part."
        )
    val_end = n_points - horizon
    return Split(n=n_points, train_end=val_end - validation_size, val_end=val_end)


# -- the comparison's plan: selection windows before every test window -----------------------------------
SELECTION_WINDOWS = 3       # rolling origins wanted inside the validation part
MAX_SELECTION_WINDOWS = 5   # a longer validation part spreads at most this many windows over it
MIN_TRAIN_SHARE = 0.5       # the default validation part never leaves less than half the points to train on


@dataclass(frozen=True)
class SplitPlan:
    """Where a comparison fits, selects and tests, all decided before anything is fitted.

    ``split``: train = [0, train_end) (the selection fit), validation = [train_end, val_end) (the
    selection windows), test = [val_end, n) (``len(test_starts)`` windows of ``horizon`` points).
    Selection window ``i`` covers ``[selection_starts[i], selection_starts[i] + selection_length)``;
    ``selection_note`` says why there are fewer than :data:`SELECTION_WINDOWS` ("" otherwise).
    """

    season_length: int
    horizon: int
    split: Split
    test_starts: tuple[int, ...]
    selection_starts: tuple[int, ...]
    selection_length: int
    selection_note: str = ""

    @property
    def selection_windows(self) -> list[tuple[int, int]]:
        """(start, end) of every selection window, end exclusive."""
        return [(s, s + self.selection_length) for s in self.selection_starts]

    def to_dict(self) -> dict[str, object]:
        return {"windows": [list(w) for w in self.selection_windows], "length": self.selection_length,
                "note": self.selection_note, "test_starts": list(self.test_starts)}


def selection_validation_size(n_before_test: int, horizon: int, season_length: int = 1,
                              min_train: int = MIN_TRAIN_POINTS) -> int:
    """Default validation size of a comparison: room for 3 selection windows of ``horizon`` (or 10% of the
    points in whole seasons, if larger), dropping whole windows while training would keep fewer than
    ``max(min_train, half the points)``; one window when even that does not fit (the plan then says why)."""
    floor = max(min_train, math.ceil(MIN_TRAIN_SHARE * n_before_test))
    tenth = round(0.1 * n_before_test)
    if season_length > 1 and tenth >= season_length:
        tenth -= tenth % season_length
    size = max(SELECTION_WINDOWS * horizon, tenth)
    if n_before_test - size >= floor:
        return int(size)
    for windows in range(SELECTION_WINDOWS, 0, -1):
        if n_before_test - windows * horizon >= floor:
            return int(windows * horizon)
    return int(horizon)


def selection_windows(train_end: int, val_end: int, horizon: int) -> tuple[tuple[int, ...], int, str]:
    """Start of each selection window, their length, and why there are fewer than 3 ("" when not).

    Windows of ``horizon`` points never overlap, the last one ends at ``val_end`` (the first test point)
    and up to :data:`MAX_SELECTION_WINDOWS` are spread evenly over the validation part.
    """
    size = val_end - train_end
    if size < horizon:
        return (train_end,), size, (f"One selection window of {size} steps: the validation part ({size} points) "
                                    f"is shorter than the horizon H = {horizon}.")
    count = min(MAX_SELECTION_WINDOWS, size // horizon)
    offsets = np.unique(np.linspace(0, size - horizon, count).round().astype(int))
    note = ""
    if count < SELECTION_WINDOWS:
        note = (f"Only {count} selection window{'s' if count > 1 else ''} of H = {horizon}: the validation part "
                f"has {size} points and {SELECTION_WINDOWS} windows need {SELECTION_WINDOWS * horizon}; the series "
                f"is too short to hold them and keep {train_end} training points (or the validation size was set lower).")
    return tuple(train_end + int(o) for o in offsets), horizon, note


def plan_comparison(n_points: int, horizon: int, season_length: int = 1, validation_size: int | None = None,
                    backtest: int = 1, min_train: int = MIN_TRAIN_POINTS) -> SplitPlan:
    """Test windows at the end (``backtest`` of ``horizon`` points), selection windows right before them,
    training before those; raise a clear error when the series is too short for the request."""
    if horizon < 1:
        raise SettingsError(f"The horizon must be at least 1 step; got {horizon}.")
    if backtest < 1:
        raise SettingsError(f"Use at least one backtest origin; got {backtest}.")
    test_size = horizon * backtest
    before_test = n_points - test_size
    if validation_size is None:
        validation_size = selection_validation_size(before_test, horizon, season_length, min_train)
    if validation_size < 1:
        raise SettingsError(f"The validation part needs at least 1 point; got {validation_size}.")
    needed = min_train + validation_size + test_size
    if n_points < needed:
        tests = f"{backtest} test windows of {horizon}" if backtest > 1 else f"a horizon of {horizon}"
        raise InputError(
            f"The series has {n_points} points, but {tests} with {validation_size} validation points and at "
            f"least {min_train} training points needs {needed}. Use a longer series, a shorter horizon, fewer "
            "backtest origins or a smaller validation part."
        )
    split = Split(n=n_points, train_end=before_test - validation_size, val_end=before_test)
    starts, length, note = selection_windows(split.train_end, split.val_end, horizon)
    tests = tuple(before_test + k * horizon for k in range(backtest))
    return SplitPlan(season_length=season_length, horizon=horizon, split=split, test_starts=tests,
                     selection_starts=starts, selection_length=length, selection_note=note)
