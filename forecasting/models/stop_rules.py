"""Why an iterative fit ends, as small rule objects: each looks at one epoch's record and may say stop.

The training loop asks its rules in order after every epoch and stops at the first that answers;
keeping each rule separate means each can be tested alone and the loop reads as a list of reasons.
Torch-free, so the rules can be tested (and reused) without importing torch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from forecasting.models.base import StopReason


@dataclass(frozen=True)
class EpochRecord:
    """What the rules may look at after an epoch: losses, the best epoch so far and the time spent."""

    epoch: int
    train_loss: float
    val_score: float | None  # None on epochs without a validation check
    best_epoch: int
    elapsed_s: float
    out_of_time: bool = False  # the epoch itself was cut short by the time budget
    improved_epoch: int | None = None  # last epoch any watched score improved (best_epoch when None)


class StopRule:
    """One reason to end training; ``check`` returns it, or None to keep going."""

    reason: StopReason

    def check(self, record: EpochRecord) -> StopReason | None:
        return self.reason if self.fires(record) else None

    def fires(self, record: EpochRecord) -> bool:  # pragma: no cover - every rule overrides it
        raise NotImplementedError


@dataclass
class Divergence(StopRule):
    """The training loss or the validation score is not finite: the weights have blown up."""

    reason: StopReason = StopReason.DIVERGED

    def fires(self, record: EpochRecord) -> bool:
        values = [record.train_loss] + ([record.val_score] if record.val_score is not None else [])
        return not all(math.isfinite(v) for v in values)


@dataclass
class TimeBudget(StopRule):
    """The fit has used its wall-clock budget; ``expired`` is also polled between updates of an epoch."""

    budget_s: float | None
    started: float = 0.0
    clock: Callable[[], float] = time.perf_counter
    reason: StopReason = StopReason.TIME_BUDGET

    def __post_init__(self) -> None:
        self.started = self.started or self.clock()

    def expired(self) -> bool:
        return self.budget_s is not None and self.clock() - self.started > self.budget_s

    def fires(self, record: EpochRecord) -> bool:
        return record.out_of_time or self.expired()


@dataclass
class UserStop(StopRule):
    """Someone pressed stop: ``should_stop()`` (polled once per epoch) answered True."""

    should_stop: Callable[[], bool] | None
    reason: StopReason = StopReason.STOPPED_BY_USER

    def fires(self, record: EpochRecord) -> bool:
        return self.should_stop is not None and bool(self.should_stop())


@dataclass
class Patience(StopRule):
    """Early stopping: no watched validation score has improved for ``patience`` epochs (0 turns it off)."""

    patience: int
    reason: StopReason = StopReason.EARLY_STOPPING

    def fires(self, record: EpochRecord) -> bool:
        improved = record.best_epoch if record.improved_epoch is None else record.improved_epoch
        return self.patience > 0 and record.epoch - improved >= self.patience


@dataclass
class MaxEpochs(StopRule):
    """The epoch limit is reached."""

    max_epochs: int
    reason: StopReason = StopReason.MAX_EPOCHS

    def fires(self, record: EpochRecord) -> bool:
        return record.epoch >= self.max_epochs


def first_stop(rules: Sequence[StopRule], record: EpochRecord) -> StopReason | None:
    """The reason of the first rule (in order) that fires on ``record``, or None to train on."""
    for rule in rules:
        reason = rule.check(record)
        if reason is not None:
            return reason
    return None


__all__ = ["Divergence", "EpochRecord", "MaxEpochs", "Patience", "StopRule", "TimeBudget", "UserStop",
           "first_stop"]
