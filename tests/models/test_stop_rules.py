"""Each stop rule alone, and their order: the reasons an iterative fit ends (torch-free)."""

from __future__ import annotations

import math

from forecasting.models.base import StopReason
from forecasting.models.stop_rules import (
    Divergence,
    EpochRecord,
    MaxEpochs,
    Patience,
    TimeBudget,
    UserStop,
    first_stop,
)


def record(epoch: int = 5, train_loss: float = 0.1, val_score: float | None = 0.2, best_epoch: int = 5,
           **kw) -> EpochRecord:
    return EpochRecord(epoch=epoch, train_loss=train_loss, val_score=val_score, best_epoch=best_epoch,
                       elapsed_s=kw.pop("elapsed_s", 1.0), **kw)


def test_divergence_fires_on_a_non_finite_loss_or_score_only():
    rule = Divergence()
    assert rule.check(record()) is None
    assert rule.check(record(val_score=None)) is None  # epochs without a validation check
    assert rule.check(record(train_loss=math.nan)) is StopReason.DIVERGED
    assert rule.check(record(val_score=math.inf)) is StopReason.DIVERGED


def test_time_budget_reads_its_clock_and_the_cut_short_flag():
    now = [100.0]
    rule = TimeBudget(2.0, clock=lambda: now[0])
    assert not rule.expired() and rule.check(record()) is None
    now[0] = 102.5
    assert rule.expired() and rule.check(record()) is StopReason.TIME_BUDGET
    assert TimeBudget(None).check(record(out_of_time=True)) is StopReason.TIME_BUDGET
    assert not TimeBudget(None).expired()


def test_user_stop_polls_the_callback():
    answers = iter([False, True])
    rule = UserStop(lambda: next(answers))
    assert rule.check(record()) is None
    assert rule.check(record()) is StopReason.STOPPED_BY_USER
    assert UserStop(None).check(record()) is None


def test_patience_counts_from_the_last_improvement_of_any_watched_score():
    assert Patience(3).check(record(epoch=7, best_epoch=5)) is None
    assert Patience(3).check(record(epoch=8, best_epoch=5)) is StopReason.EARLY_STOPPING
    assert Patience(3).check(record(epoch=8, best_epoch=5, improved_epoch=6)) is None  # the guide improved
    assert Patience(0).check(record(epoch=1000, best_epoch=0)) is None  # 0 turns it off


def test_max_epochs_and_the_order_of_the_rules():
    assert MaxEpochs(10).check(record(epoch=9)) is None
    assert MaxEpochs(10).check(record(epoch=10)) is StopReason.MAX_EPOCHS
    rules = [Divergence(), TimeBudget(None), UserStop(lambda: True), Patience(1), MaxEpochs(1)]
    assert first_stop(rules, record(epoch=1, train_loss=math.nan)) is StopReason.DIVERGED
    assert first_stop(rules, record(epoch=1)) is StopReason.STOPPED_BY_USER
    assert first_stop(rules[3:], record(epoch=3, best_epoch=1)) is StopReason.EARLY_STOPPING
    assert first_stop([MaxEpochs(5)], record(epoch=3)) is None
