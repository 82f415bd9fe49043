"""A batch running in a background thread, for a UI: progress snapshots and a Stop that keeps finished series.

No Streamlit here. Stopping ends the run between series (the series being fitted stops between epochs and
models and is not written), so a later run on the same output folder resumes where it ended.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from forecasting.background import BackgroundJob
from forecasting.batch.inputs import BatchInput
from forecasting.batch.runner import BatchProgress, BatchSettings, Executor, run_batch
from forecasting.batch.store import ResultStore
from forecasting.errors import ForecastingError

log = logging.getLogger(__name__)


class BatchJob(BackgroundJob):
    """Runs :func:`forecasting.batch.runner.run_batch` once in a daemon thread and records its outcome.

    ``stop`` ends the run after the current series' model or epoch; finished series stay written.
    """

    thread_name = "batch"

    def __init__(self, batch: BatchInput, settings: BatchSettings, store: ResultStore,
                 executor: Executor | None = None, chunk_size: int = 1) -> None:
        self.batch = batch
        self.settings = settings
        self.store = store
        self.executor = executor or Executor()
        self.chunk_size = chunk_size
        self.progress: BatchProgress | None = None
        self.error: str | None = None
        self._lock = threading.Lock()
        super().__init__()

    def snapshot(self) -> BatchProgress | None:
        """A copy of the latest progress (None before the first chunk), safe to read while the thread runs."""
        with self._lock:
            return None if self.progress is None else dataclasses.replace(self.progress,
                                                                           workers=set(self.progress.workers))

    def _on_progress(self, progress: BatchProgress) -> None:
        with self._lock:
            self.progress = progress

    def _run(self) -> None:
        try:
            run_batch(self.batch, self.settings, self.store, self.executor, chunk_size=self.chunk_size,
                      on_progress=self._on_progress, should_stop=self._stop.is_set)
        except ForecastingError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - shown to the user as a message, logged with its traceback
            log.exception("batch failed")
            self.error = f"The batch failed unexpectedly ({type(error).__name__}: {error})."
        finally:
            self.executor.close()
