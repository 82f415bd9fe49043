"""The reservoir's feature rows ``[1, u_t, x_t]`` block by block, optionally computed one block ahead.

A long harvest alternates two jobs of similar size: running the reservoir over a block (compiled,
releases the GIL) and adding the block to the readout's normal equations (BLAS syrk, also outside the
GIL). Computed one block ahead in a background thread, the next block's states are produced while the
caller absorbs the current one, so on two or more cores the harvest and the Gram overlap
(``benchmarks/results_esn.md``). The rows, and so every sum the caller forms, are identical either way.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - typing only
    from forecasting.models.reservoir import Reservoir

AHEAD_MIN_STEPS = 2048  # shorter series are one or two small blocks: a thread would cost more than it saves
AHEAD_BLOCKS = 8  # a series computed ahead is cut into about this many blocks, so that most of them overlap


def cores_available() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


_inline_holders = 0  # blocks inside harvests_inline(): while any runs, no harvest starts a background thread
_inline_lock = threading.Lock()


@contextmanager
def harvests_inline() -> Iterator[None]:
    """Keep every harvest that starts within the block in its calling thread (a batch worker uses one core)."""
    global _inline_holders
    with _inline_lock:
        _inline_holders += 1
    try:
        yield
    finally:
        with _inline_lock:
            _inline_holders -= 1


def worth_computing_ahead(steps: int) -> bool:
    """Whether a harvest of ``steps`` inputs gains from a background thread: long enough, a spare core, and
    not inside :func:`harvests_inline`."""
    return steps >= AHEAD_MIN_STEPS and _inline_holders == 0 and cores_available() >= 2


class FeatureBlocks:
    """Iterate ``(start, F)`` over consecutive row blocks of the features of input ``u`` from state ``x0``.

    ``F`` is a reused buffer, valid until the next block is asked for (copy what you keep). With
    ``ahead=True`` a background thread fills the other of two buffers meanwhile. ``run_seconds`` adds up
    the time spent running the reservoir, in whichever thread ran it. One pass: like a generator, it
    continues from where it stopped if iterated again.
    """

    def __init__(self, reservoir: Reservoir, u: np.ndarray, x0: np.ndarray, rows: int, ahead: bool = False) -> None:
        self.reservoir = reservoir
        self.u = u
        self.state = x0.copy()
        self.rows = int(rows)
        self.ahead = bool(ahead) and len(u) > self.rows
        self.run_seconds = 0.0

    def _buffer(self) -> np.ndarray:
        buffer = np.empty((min(self.rows, max(len(self.u), 1)), self.reservoir.units + 2))
        buffer[:, 0] = 1.0
        return buffer

    def _fill(self, start: int, buffer: np.ndarray) -> np.ndarray:
        """Run the reservoir over the block starting at ``start`` into ``buffer``; the filled rows."""
        tick = time.perf_counter()
        segment = self.u[start:start + self.rows]
        block = buffer[: len(segment)]
        block[:, 1] = segment
        self.reservoir.run_into(segment, block, 2, self.state)
        self.state[:] = block[-1, 2:]
        self.run_seconds += time.perf_counter() - tick
        return block

    def __iter__(self) -> Generator[tuple[int, np.ndarray], None, None]:
        return self._computed_ahead() if self.ahead else self._computed_inline()

    def _computed_inline(self) -> Generator[tuple[int, np.ndarray], None, None]:
        buffer = self._buffer()
        for start in range(0, len(self.u), self.rows):
            yield start, self._fill(start, buffer)

    def _computed_ahead(self) -> Generator[tuple[int, np.ndarray], None, None]:
        buffers = [self._buffer(), self._buffer()]
        free: queue.Queue[int | None] = queue.Queue()
        ready: queue.Queue[tuple[int, int, np.ndarray] | BaseException | None] = queue.Queue()
        for index in range(len(buffers)):
            free.put(index)

        def produce() -> None:
            try:
                for start in range(0, len(self.u), self.rows):
                    index = free.get()
                    if index is None:  # the consumer stopped early
                        return
                    ready.put((start, index, self._fill(start, buffers[index])))
            except BaseException as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
                ready.put(error)
                return
            ready.put(None)

        worker = threading.Thread(target=produce, name="reservoir-features", daemon=True)
        worker.start()
        try:
            while (item := ready.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                start, index, block = item
                yield start, block
                free.put(index)  # the caller asked for the next block: it is done with this one
        finally:
            free.put(None)
            worker.join()
