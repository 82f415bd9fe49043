"""A comparison running in a background thread, so the page stays responsive and can stop it cleanly.

The UI polls :meth:`ComparisonJob.snapshot` for progress; :meth:`ComparisonJob.stop` asks the engine to
stop between epochs and models, which keeps every model finished so far. No Streamlit here.

One server serves many sessions on few cores, so fits are bounded per server: at most
:data:`MAX_CONCURRENT_FITS` run at once (``FORECASTING_LAB_WORKERS`` overrides it) and the others wait
in a first-come queue, shown as "waiting for a free worker". One request's work (seeds x backtest
origins x models x sweep cells) is bounded by :data:`MAX_SESSION_WORK`, checked before it starts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from forecasting.background import BackgroundJob
from forecasting.comparison import CompareCallbacks, CompareConfig, compare
from forecasting.errors import ForecastingError, SettingsError
from forecasting.results import ComparisonResult, ModelResult

log = logging.getLogger(__name__)

MAX_CONCURRENT_FITS = max(1, int(os.environ.get("FORECASTING_LAB_WORKERS", "2")))
MAX_SESSION_WORK = 400  # fits one request may ask for: seeds x backtest origins x models x sweep cells


def session_work(config: CompareConfig, sweep_cells: int = 1) -> int:
    """How many fits a request asks for: seeds x backtest origins x models x sweep cells."""
    return int(config.seeds) * int(config.backtest) * len(config.models) * max(int(sweep_cells), 1)


def check_session_work(config: CompareConfig, sweep_cells: int = 1) -> None:
    """Refuse, before anything starts, a request larger than MAX_SESSION_WORK fits, saying what to lower."""
    work = session_work(config, sweep_cells)
    if work > MAX_SESSION_WORK:
        cells = f" x {sweep_cells} sweep cells" if sweep_cells > 1 else ""
        raise SettingsError(
            f"This run asks for {work:,} fits ({config.seeds} seeds x {config.backtest} backtest origins x "
            f"{len(config.models)} models{cells}); one run on this server may ask for at most "
            f"{MAX_SESSION_WORK:,}. Lower the seeds, the backtest origins or the number of models."
        )


class WorkerPool:
    """At most ``size`` fits at once across every session of this server; the rest wait first come, first served."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._condition = threading.Condition()
        self._running = 0
        self._queue: list[object] = []

    @property
    def running(self) -> int:
        with self._condition:
            return self._running

    @contextmanager
    def slot(self, should_stop: Callable[[], bool] = lambda: False,
             on_wait: Callable[[bool, int], None] | None = None) -> Iterator[bool]:
        """Hold one worker while the block runs; yields False (without a worker) when stopped while waiting.

        ``on_wait(waiting, ahead)`` hears whether the caller is queued and how many requests are in front.
        """
        ticket = object()
        acquired = False
        with self._condition:
            self._queue.append(ticket)
            try:
                while not (self._queue[0] is ticket and self._running < self.size):
                    if should_stop():
                        break
                    if on_wait is not None:
                        on_wait(True, self._queue.index(ticket))
                    self._condition.wait(timeout=0.2)
                else:
                    self._running += 1
                    acquired = True
            finally:
                self._queue.remove(ticket)
                self._condition.notify_all()
        if on_wait is not None:
            on_wait(False, 0)
        try:
            yield acquired
        finally:
            if acquired:
                with self._condition:
                    self._running -= 1
                    self._condition.notify_all()


SERVER_POOL = WorkerPool(MAX_CONCURRENT_FITS)  # module state: one per server process, shared by its sessions


@dataclass
class RunRecord:
    """A finished comparison with the data and settings it ran on (for downloads and replays)."""

    result: ComparisonResult
    series: Any
    source: dict[str, Any]
    config: CompareConfig


@dataclass
class Progress:
    """What the progress panel shows: the model being fitted, its epoch and losses, and the clock."""

    models: tuple[str, ...]
    started: float = field(default_factory=time.perf_counter)
    model: str | None = None
    model_started: float | None = None
    run: int = 0
    total_runs: int = 0
    epoch: int = 0
    max_epochs: int = 0
    train_loss: float | None = None
    val_loss: float | None = None
    finished: dict[str, ModelResult] = field(default_factory=dict)
    waiting: bool = False   # queued for a free worker (the clock runs from the click)
    ahead: int = 0          # requests waiting in front of this one

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def model_elapsed(self) -> float:
        return 0.0 if self.model_started is None else time.perf_counter() - self.model_started


class ComparisonJob(BackgroundJob):
    """Runs :func:`forecasting.comparison.compare` once in a daemon thread and records its outcome."""

    thread_name = "comparison"

    def __init__(self, series: Any, config: CompareConfig, source: dict[str, Any],
                 pool: WorkerPool | None = None) -> None:
        self.series = series
        self.pool = pool or SERVER_POOL
        self.config = config
        self.source = dict(source)
        self.progress = Progress(models=tuple(config.models))
        self.result: ComparisonResult | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        super().__init__()

    def record(self) -> RunRecord | None:
        """The finished run with its data and settings, or None while running or after an error."""
        if not self.done or self.result is None:
            return None
        return RunRecord(result=self.result, series=self.series, source=self.source, config=self.config)

    def snapshot(self) -> Progress:
        """A consistent copy of the progress, safe to read while the thread updates it."""
        with self._lock:
            copy = Progress(**{k: getattr(self.progress, k) for k in self.progress.__dataclass_fields__})
            copy.finished = dict(self.progress.finished)
        return copy

    # -- the thread ---------------------------------------------------------------------------
    def _callbacks(self) -> CompareCallbacks:
        def on_model_start(name: str, run: int, total: int) -> None:
            with self._lock:
                p = self.progress
                if p.model != name:
                    p.model_started = time.perf_counter()
                p.model, p.run, p.total_runs = name, run, total
                p.epoch, p.max_epochs, p.train_loss, p.val_loss = 0, 0, None, None

        def on_epoch(name: str, epoch: int, max_epochs: int, train_loss: float, val_loss: float | None) -> None:
            with self._lock:
                p = self.progress
                p.epoch, p.max_epochs, p.train_loss, p.val_loss = epoch, max_epochs, train_loss, val_loss

        def on_model_done(name: str, result: ModelResult) -> None:
            with self._lock:
                self.progress.finished[name] = result

        return CompareCallbacks(on_model_start=on_model_start, on_epoch=on_epoch,
                                on_model_done=on_model_done, should_stop=self._stop.is_set)

    def _on_wait(self, waiting: bool, ahead: int) -> None:
        with self._lock:
            self.progress.waiting, self.progress.ahead = waiting, ahead

    def _run(self) -> None:
        try:
            with self.pool.slot(self._stop.is_set, self._on_wait) as acquired:
                if acquired:
                    self.result = compare(self.series, self.config, self._callbacks())
                else:  # stopped while waiting: nothing ran, nothing to keep
                    self.result = None
                    self.error = "Stopped while waiting for a free worker; nothing was fitted."
        except ForecastingError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - shown to the user as a message, logged with its traceback
            log.exception("comparison failed")
            self.error = f"The comparison failed unexpectedly ({type(error).__name__}: {error})."
