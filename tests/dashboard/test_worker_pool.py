"""The server-wide worker pool: at most N fits at once, the rest wait in order; one run's work is bounded."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard import jobs
from dashboard.jobs import ComparisonJob, WorkerPool, check_session_work, session_work
from forecasting.comparison import CompareConfig
from forecasting.errors import SettingsError


class GatedCompare:
    """Stands in for ``compare``: each call blocks until the test opens its gate, and counts the calls."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Semaphore(0)
        self.calls = 0

    def __call__(self, series, config, callbacks):
        self.calls += 1
        self.started.release()
        assert self.gate.wait(10), "the test never opened the gate"
        return f"result for {series}"


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def gated(monkeypatch) -> GatedCompare:
    fake = GatedCompare()
    monkeypatch.setattr(jobs, "compare", fake)
    return fake


def test_second_session_waits_for_the_free_worker_then_finishes(gated):
    pool = WorkerPool(1)
    first = ComparisonJob("series A", CompareConfig(models=("naive",)), {}, pool=pool).start()
    assert gated.started.acquire(timeout=5)
    second = ComparisonJob("series B", CompareConfig(models=("naive",)), {}, pool=pool).start()
    wait_until(lambda: second.snapshot().waiting)
    assert gated.calls == 1 and pool.running == 1
    gated.gate.set()
    assert first.wait(5) and second.wait(5)
    assert (first.result, second.result) == ("result for series A", "result for series B")
    assert not second.snapshot().waiting and pool.running == 0


def test_waiting_requests_are_served_in_order_and_know_how_many_are_ahead(gated):
    pool = WorkerPool(1)
    running = ComparisonJob("A", CompareConfig(models=("naive",)), {}, pool=pool).start()
    assert gated.started.acquire(timeout=5)
    queued = [ComparisonJob(name, CompareConfig(models=("naive",)), {}, pool=pool).start() for name in "BC"]
    wait_until(lambda: queued[0].snapshot().waiting and queued[1].snapshot().waiting)
    wait_until(lambda: (queued[0].snapshot().ahead, queued[1].snapshot().ahead) == (0, 1))
    gated.gate.set()
    assert all(job.wait(5) for job in [running, *queued])


def test_stop_while_waiting_fits_nothing_and_says_so(gated):
    pool = WorkerPool(1)
    with pool.slot():
        job = ComparisonJob("B", CompareConfig(models=("naive",)), {}, pool=pool).start()
        wait_until(lambda: job.snapshot().waiting)
        job.stop()
        assert job.wait(5)
    assert gated.calls == 0 and job.result is None and "waiting for a free worker" in job.error


def test_two_workers_run_two_fits_at_once(gated):
    pool = WorkerPool(2)
    started = [ComparisonJob(n, CompareConfig(models=("naive",)), {}, pool=pool).start() for n in "AB"]
    assert gated.started.acquire(timeout=5) and gated.started.acquire(timeout=5)
    assert pool.running == 2
    gated.gate.set()
    assert all(job.wait(5) for job in started)


def test_a_run_larger_than_the_session_bound_is_refused_before_it_starts():
    small = CompareConfig(models=("esn", "naive"), seeds=2, backtest=3)
    assert session_work(small) == 12 and session_work(small, sweep_cells=5) == 60
    check_session_work(small)
    big = CompareConfig(models=("esn", "lstm", "gru", "naive"), seeds=20, backtest=20)
    with pytest.raises(SettingsError, match=r"1,600 fits \(20 seeds x 20 backtest origins x 4 models\)"):
        check_session_work(big)
    with pytest.raises(SettingsError, match="sweep cells"):
        check_session_work(small, sweep_cells=100)
