"""Honest cost figures: one-time setup paid before any timed fit, and per-fit peak memory that does not
depend on which model ran first.

* **Setup** (imports, JIT compilation or cache loading, thread pools, a first tiny call): each model
  class's ``warm_up()`` runs once per process, before the first timed fit, and is reported on its own
  line (``ComparisonResult.setup_seconds``), never charged to a model.
* **Peak memory of a fit**: free heap is handed back to the OS (glibc ``malloc_trim``), the kernel's
  resident-memory high-water mark is reset (``/proc/self/clear_refs``), and after the fit the new
  high-water mark minus the resident memory before it is the fit's peak. It is exact (no sampling) and,
  since nothing from earlier fits is left to reuse, the same in any model order. Where the kernel
  does not offer this (not Linux, or no ``/proc``) the figure is ``None``: "not measured".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from forecasting.models import get_model_class

_STATUS = "/proc/self/status"
_CLEAR_REFS = "/proc/self/clear_refs"
_RESET_PEAK = "5"  # Linux >= 4.0: reset VmHWM to the current RSS

WAITED_KEY = "waiting for a warm-up in progress"
WAIT_REPORTED_S = 0.005
_warmed: dict[str, float] = {}
_warm_lock = threading.Lock()


def warm_up_models(names: Iterable[str]) -> dict[str, float]:
    """Run ``warm_up()`` of every model class in ``names`` once per process (cached) before timing anything.

    Returns the seconds spent now for each name: 0.0 for a model warmed earlier in this process, plus
    :data:`WAITED_KEY` when another thread's warm-up had to finish first. A warm-up that fails is
    skipped: the model's own fit then reports the problem.
    """
    spent: dict[str, float] = {}
    waited = time.perf_counter()
    with _warm_lock:
        waited = time.perf_counter() - waited
        if waited >= WAIT_REPORTED_S:  # another thread (the dashboard's background warm-up) held the lock
            spent[WAITED_KEY] = waited
        for name in names:
            if name in _warmed:
                spent[name] = 0.0
                continue
            started = time.perf_counter()
            try:
                get_model_class(name).warm_up()
            except Exception:  # noqa: BLE001 - a broken warm-up must not hide the real fit's clearer error
                pass
            _warmed[name] = spent[name] = time.perf_counter() - started
    return spent


def _status_kib(key: str) -> int | None:
    """One ``kB`` field of /proc/self/status (VmRSS, VmHWM), or None where it cannot be read."""
    try:
        with open(_STATUS) as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (returns free heap pages to the OS), or None on other C libraries."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def _reset_peak() -> bool:
    """Reset the kernel's resident high-water mark to the current resident size; False where impossible."""
    try:
        with open(_CLEAR_REFS, "w") as handle:
            handle.write(_RESET_PEAK)
        return True
    except OSError:
        return False


@lru_cache(maxsize=1)
def peak_memory_supported() -> bool:
    """True when this platform can measure a fit's peak memory (Linux with a writable clear_refs)."""
    return _status_kib("VmHWM") is not None and _reset_peak()


@dataclass
class FitMeter:
    """Wall time and peak memory over several fits of one model (seconds add up, the peak is the largest)."""

    seconds: float = 0.0
    peak_bytes: int | None = None

    @contextmanager
    def measure(self) -> Iterator[None]:
        """Time the block and record its resident-memory peak above the memory in use when it started."""
        start_kib = self._prepare()
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started
            self._record(start_kib)

    @staticmethod
    def _prepare() -> int | None:
        """Trim the heap and reset the high-water mark; the resident KiB to measure from (None: unmeasured)."""
        if not peak_memory_supported():
            return None
        trim = _malloc_trim()
        if trim is not None:
            trim(0)
        if not _reset_peak():
            return None
        return _status_kib("VmRSS")

    def _record(self, start_kib: int | None) -> None:
        peak_kib = _status_kib("VmHWM") if start_kib is not None else None
        if peak_kib is None or start_kib is None:
            return
        rise = max(peak_kib - start_kib, 0) * 1024
        self.peak_bytes = rise if self.peak_bytes is None else max(self.peak_bytes, rise)

    @property
    def peak_mb(self) -> float | None:
        """The peak in MiB, or None when it could not be measured on this platform."""
        return None if self.peak_bytes is None else self.peak_bytes / 2**20
