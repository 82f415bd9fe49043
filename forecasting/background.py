"""One piece of work run once in a daemon thread, with a stop request the work polls (UI-free).

The dashboard's comparison, sweep and batch jobs share this plumbing, so a page can start a run,
stay responsive while it works, and stop it cleanly between models, cells or series.
"""

from __future__ import annotations

import threading
from typing import Any


class BackgroundJob:
    """Start once, poll ``done``, ask to ``stop``; subclasses implement ``_run`` and read ``stop_requested``."""

    thread_name = "job"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> Any:
        """Start the thread and return the job (for ``job = Job(...).start()``)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the work to stop at its next boundary (epoch, model, cell or series); finished parts are kept."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def done(self) -> bool:
        return self._thread.ident is not None and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work ends (tests and scripts); True when it has."""
        self._thread.join(timeout)
        return self.done
