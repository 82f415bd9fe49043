"""Chronological train / validation / test split, shared by every model in a comparison.

The test part is always the last ``horizon`` points; validation is the block right before it
(default: ``max(horizon, 10% of the series)``, rounded down to whole seasons so that every phase of
the season is validated equally often); training is everything earlier. Nothing is shuffled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

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
