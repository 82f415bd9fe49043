"""Run the comparison on every series of a batch, chunk by chunk, on any executor, and resume after a crash.

One *task* is one series; tasks travel in chunks so that workers are reused and a crash loses at most
the chunks in flight. Per series, :func:`run_series` calls the same :func:`forecasting.comparison.compare`
as the single-series command and turns its result into one row per model (see :mod:`.store`).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from forecasting.batch.inputs import BatchInput, LoadOptions, SeriesTask, count_series
from forecasting.batch.store import ResultStore, forecast_rows, result_rows
from forecasting.comparison import CompareCallbacks, CompareConfig, compare
from forecasting.costs import warm_up_models
from forecasting.errors import ForecastingError
from forecasting.models import MODEL_NAMES
from forecasting.results import ComparisonResult

DEFAULT_CHUNK_SIZE = 25
TAIL_SHARE = 2  # near the end, a chunk takes 1 / (TAIL_SHARE x workers) of the series left


@dataclass(frozen=True)
class BatchSettings:
    """Everything a worker needs besides the series: the comparison config, loader options, what to write."""

    config: CompareConfig
    load: LoadOptions = LoadOptions()
    forecasts: bool = False

    def config_for(self, task: SeriesTask) -> CompareConfig:
        """The comparison config of one series: per-series horizon / season length / validation size win."""
        if not task.overrides:
            return self.config
        return dataclasses.replace(self.config, **task.overrides)

    def fingerprint(self) -> dict[str, Any]:
        """The settings that decide the numbers, for checking that a resumed batch used the same ones."""
        return {"config": self.config.to_dict(), "load": dataclasses.asdict(self.load), "forecasts": self.forecasts}


@dataclass
class ChunkOutcome:
    """What a worker sends back for one chunk: the rows to write and where its time went."""

    rows: list[dict[str, Any]]
    forecasts: list[dict[str, Any]]
    series: int
    failed: int
    compute_seconds: float
    setup_seconds: float
    worker: str
    stopped: bool = False


def prepare_worker(models: Iterable[str]) -> float:
    """Pay each model's one-time setup (imports, JIT compile) once per process; returns the seconds spent.

    Uses the comparison's own per-process warm-up cache, so ``compare`` finds every model already warm.
    """
    registered = [name for name in models if name in MODEL_NAMES]  # the ensemble is built, not registered
    return float(sum(warm_up_models(registered).values()))


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """One BLAS/OpenMP thread, and ESN harvests in the calling thread, while the block runs (restored after),
    as each worker should use."""
    from threadpoolctl import threadpool_limits

    from forecasting.models.feature_blocks import harvests_inline

    with threadpool_limits(limits=1), harvests_inline():
        yield


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """One torch thread while the block runs, when torch is loaded (call after the warm-up that imports it)."""
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch else None
    if torch:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        if torch and before:
            torch.set_num_threads(before)


def run_series(task: SeriesTask, settings: BatchSettings,
               should_stop: Callable[[], bool] | None = None) -> tuple[list[dict], list[dict], bool] | None:
    """Compare every model on one series: (result rows, forecast rows, failed); None when stopped mid-way.

    Bad data or settings for this series become one row with the error, so the batch goes on.
    """
    start, cpu = time.perf_counter(), time.process_time()

    def rows_for(result: ComparisonResult | None, error: str | None) -> list[dict]:
        return result_rows(task.series_id, result, error, time.perf_counter() - start, time.process_time() - cpu)

    try:
        series = task.load(settings.load)
        result = compare(series, settings.config_for(task), CompareCallbacks(should_stop=should_stop))
    except ForecastingError as error:
        return rows_for(None, str(error)), [], True
    except Exception as error:  # noqa: BLE001 - one series' failure must never end the batch
        return rows_for(None, f"{type(error).__name__}: {error}"), [], True
    if result.cancelled:
        return None
    rows = rows_for(result, None)
    forecasts = forecast_rows(task.series_id, result) if settings.forecasts else []
    return rows, forecasts, not any(r["ok"] for r in rows)


def run_chunk(tasks: list[SeriesTask], settings: BatchSettings,
              should_stop: Callable[[], bool] | None = None) -> ChunkOutcome:
    """Run one chunk of series in this process (a worker): warm-up once, then every series in turn."""
    with one_blas_thread():
        setup = prepare_worker(settings.config.models)
        with one_torch_thread():
            return _run_tasks(tasks, settings, should_stop, setup)


def _run_tasks(tasks: list[SeriesTask], settings: BatchSettings, should_stop: Callable[[], bool] | None,
               setup: float) -> ChunkOutcome:
    """Every series of a chunk in turn, stopping between series when asked."""
    outcome = ChunkOutcome(rows=[], forecasts=[], series=0, failed=0, compute_seconds=0.0,
                           setup_seconds=setup, worker=f"{os.uname().nodename}:{os.getpid()}")
    for task in tasks:
        if should_stop and should_stop():
            outcome.stopped = True
            break
        start = time.perf_counter()
        done = run_series(task, settings, should_stop)
        outcome.compute_seconds += time.perf_counter() - start
        if done is None:
            outcome.stopped = True
            break
        rows, forecasts, failed = done
        outcome.rows += rows
        outcome.forecasts += forecasts
        outcome.series += 1
        outcome.failed += int(failed)
    return outcome


def chunked(tasks: Iterable[SeriesTask], size: int) -> Iterator[list[SeriesTask]]:
    """Group tasks into lists of ``size`` (the last may be shorter)."""
    chunk: list[SeriesTask] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def tail_chunk_size(remaining: int, max_size: int, workers: int) -> int:
    """Size of the next chunk when ``remaining`` series are left: 1/(TAIL_SHARE x workers) of them, 1 to max_size.

    Chunks shrink as the batch ends (guided self-scheduling), so no worker sits idle while another
    still has a long chunk to run; far from the end this is ``max_size``.
    """
    return max(1, min(max_size, math.ceil(remaining / (TAIL_SHARE * max(1, workers)))))


def plan_chunks(tasks: Iterable[SeriesTask], max_size: int, workers: int = 1) -> Iterator[list[SeriesTask]]:
    """Chunks of ``max_size`` series that shrink near the end of the batch when several workers share it.

    Reads ahead at most ``TAIL_SHARE x workers x max_size`` tasks, so the count left is known exactly
    once it matters, even for inputs whose length is unknown until read. One worker gets plain chunks.
    """
    if workers <= 1:
        yield from chunked(tasks, max_size)
        return
    source = iter(tasks)
    window = TAIL_SHARE * workers * max_size
    ahead: deque[SeriesTask] = deque()
    while True:
        ahead.extend(itertools.islice(source, window - len(ahead)))
        if not ahead:
            return
        size = tail_chunk_size(len(ahead), max_size, workers)
        yield [ahead.popleft() for _ in range(size)]


@dataclass
class BatchProgress:
    """Counts for the progress bar: series done (ok or failed), skipped because already done, throughput."""

    total: int | None
    skipped: int = 0
    done: int = 0
    failed: int = 0
    chunks: int = 0
    compute_seconds: float = 0.0
    setup_seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    workers: set[str] = field(default_factory=set)
    stopped: bool = False

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def throughput(self) -> float:
        """Series finished per second of wall time in this run (skipped ones not counted)."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def add(self, outcome: ChunkOutcome) -> None:
        self.chunks += 1
        self.done += outcome.series
        self.failed += outcome.failed
        self.compute_seconds += outcome.compute_seconds
        self.setup_seconds += outcome.setup_seconds
        self.workers.add(outcome.worker)
        self.stopped = self.stopped or outcome.stopped


class Executor:
    """Runs :func:`run_chunk` over chunks and yields outcomes as they finish (any order)."""

    workers: int = 1
    in_process: bool = True

    def map_chunks(self, chunks: Iterable[list[SeriesTask]], settings: BatchSettings,
                   should_stop: Callable[[], bool] | None = None) -> Iterator[ChunkOutcome]:
        for chunk in chunks:
            yield run_chunk(chunk, settings, should_stop)
            if should_stop and should_stop():
                return

    def close(self) -> None:
        """Release workers (nothing to release in this process)."""

    def describe(self) -> str:
        return "this process"


def run_batch(batch: BatchInput, settings: BatchSettings, store: ResultStore, executor: Executor | None = None,
              chunk_size: int = DEFAULT_CHUNK_SIZE, retry_failed: bool = False,
              on_progress: Callable[[BatchProgress], None] | None = None,
              should_stop: Callable[[], bool] | None = None) -> BatchProgress:
    """Compare every series not done yet, writing each finished chunk to ``store`` as soon as it arrives."""
    executor = executor or Executor()
    store.start(settings, batch.description)
    done_ids = store.done_ids(include_failed=not retry_failed)
    total = count_series(batch)
    progress = BatchProgress(total=total)

    def pending() -> Iterator[SeriesTask]:
        for task in batch.tasks():
            if task.series_id in done_ids:
                progress.skipped += 1
            else:
                yield task

    if on_progress:
        on_progress(progress)
    for outcome in executor.map_chunks(plan_chunks(pending(), max(1, chunk_size), executor.workers),
                                         settings, should_stop):
        store.write_chunk(outcome.rows, outcome.forecasts)
        progress.add(outcome)
        if on_progress:
            on_progress(progress)
        if should_stop and should_stop():
            progress.stopped = True
            break
    return progress
