"""A comparison running in a background thread, so the page stays responsive and can stop it cleanly.

The UI polls :meth:`ComparisonJob.snapshot` for progress; :meth:`ComparisonJob.stop` asks the engine to
stop between epochs and models, which keeps every model finished so far. No Streamlit here.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from forecasting.comparison import CompareCallbacks, CompareConfig, compare
from forecasting.errors import ForecastingError
from forecasting.results import ComparisonResult, ModelResult

log = logging.getLogger(__name__)


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

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def model_elapsed(self) -> float:
        return 0.0 if self.model_started is None else time.perf_counter() - self.model_started


class ComparisonJob:
    """Runs :func:`forecasting.comparison.compare` once in a daemon thread and records its outcome."""

    def __init__(self, series: Any, config: CompareConfig, source: dict[str, Any]) -> None:
        self.series = series
        self.config = config
        self.source = dict(source)
        self.progress = Progress(models=tuple(config.models))
        self.result: ComparisonResult | None = None
        self.error: str | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="comparison", daemon=True)

    # -- control ------------------------------------------------------------------------------
    def start(self) -> ComparisonJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the run to stop at the next epoch or model boundary (finished models are kept)."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ends (tests and scripts); True when it has."""
        self._thread.join(timeout)
        return self.done

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

    def _run(self) -> None:
        try:
            self.result = compare(self.series, self.config, self._callbacks())
        except ForecastingError as error:
            self.error = str(error)
        except Exception as error:  # noqa: BLE001 - shown to the user as a message, logged with its traceback
            log.exception("comparison failed")
            self.error = f"The comparison failed unexpectedly ({type(error).__name__}: {error})."
