"""Where the chunks run: this process, local worker processes (joblib/loky), or a Dask cluster.

Every executor runs the same :func:`forecasting.batch.runner.run_chunk`, so moving a batch from a
laptop to a cluster is one flag (``--jobs N`` or ``--scheduler tcp://HOST:PORT``). Workers live for
the whole batch: each pays its imports and model warm-ups once, on its first chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from forecasting.batch.inputs import SeriesTask
from forecasting.batch.runner import BatchSettings, ChunkOutcome, Executor, run_chunk
from forecasting.errors import SettingsError

IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: enough to keep it busy, few enough to lose little in a crash


class LocalExecutor(Executor):
    """``jobs`` local worker processes through joblib's loky backend (reused across chunks and batches)."""

    in_process = False

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise SettingsError(f"--jobs must be at least 1; got {jobs}.")
        self.workers = jobs

    def map_chunks(self, chunks: Iterable[list[SeriesTask]], settings: BatchSettings,
                   should_stop: Callable[[], bool] | None = None) -> Iterator[ChunkOutcome]:
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend="loky", n_jobs=self.workers, inner_max_num_threads=1):
            parallel = Parallel(return_as="generator_unordered", pre_dispatch=f"{IN_FLIGHT_PER_WORKER}*n_jobs")
            yield from parallel(delayed(run_chunk)(chunk, settings) for chunk in chunks)

    def describe(self) -> str:
        return f"{self.workers} local worker process{'es' if self.workers > 1 else ''} (joblib/loky)"


# Worker settings for the LocalCluster we start; a user's own cluster can set the same in its Dask config.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


class DaskExecutor(Executor):
    """The same chunks on Dask distributed: ``tcp://HOST:PORT`` (a running scheduler) or ``local:W`` (a LocalCluster)."""

    in_process = False

    def __init__(self, address: str, processes: bool = True) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as error:
            raise SettingsError("--scheduler needs Dask: pip install -r requirements-scale.txt "
                                "(or pip install 'forecasting-lab[scale]').") from error
        self.address = address
        self._cluster = None
        if address.startswith("local:"):
            workers = _local_workers(address)
            import dask

            # Dask's workers sample every thread's stack every 10 ms for their dashboard profile: CPU taken
            # from the series themselves (benchmarks/results_batch.md). Off for the clusters we start.
            with dask.config.set(WORKER_CONFIG):
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                             dashboard_address=None)
            self._client = Client(self._cluster)
        else:
            try:
                self._client = Client(address, timeout=30)
            except OSError as error:
                raise SettingsError(f"Could not reach the Dask scheduler at {address}: {error}. Check the address "
                                    "(tcp://HOST:PORT) and that the scheduler is running.") from error
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map_chunks(self, chunks: Iterable[list[SeriesTask]], settings: BatchSettings,
                   should_stop: Callable[[], bool] | None = None) -> Iterator[ChunkOutcome]:
        from dask.distributed import as_completed

        pending = iter(chunks)
        settings_future = self._client.scatter(settings, broadcast=True)
        running = as_completed()
        for chunk in _take(pending, IN_FLIGHT_PER_WORKER * self.workers):
            running.add(self._client.submit(run_chunk, chunk, settings_future, pure=False))
        for future in running:
            outcome = future.result()
            future.release()
            for chunk in _take(pending, 1):
                running.add(self._client.submit(run_chunk, chunk, settings_future, pure=False))
            yield outcome

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def describe(self) -> str:
        where = "a local Dask cluster" if self._cluster is not None else f"Dask at {self.address}"
        return f"{self.workers} worker thread{'s' if self.workers > 1 else ''} on {where}"


def _local_workers(address: str) -> int:
    text = address.partition(":")[2]
    if not text.isdigit() or int(text) < 1:
        raise SettingsError(f"--scheduler local:W needs a whole number of workers W >= 1; got {address!r}.")
    return int(text)


def _take(items: Iterator[list[SeriesTask]], count: int) -> list[list[SeriesTask]]:
    out = []
    for _ in range(count):
        item = next(items, None)
        if item is None:
            break
        out.append(item)
    return out


def make_executor(jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The executor for the CLI flags: Dask with ``scheduler``, else this process (1 job) or local processes."""
    if scheduler:
        return DaskExecutor(scheduler)
    if jobs < 1:
        raise SettingsError(f"--jobs must be at least 1; got {jobs}.")
    return Executor() if jobs == 1 else LocalExecutor(jobs)
