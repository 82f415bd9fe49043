"""A sparse recurrent matrix laid out for the reservoir's step: fixed slots per row, plus the overflow.

Row-by-row CSR spends much of a reservoir step on loops of a few nonzeros each, with a different
length per row (a random W of connectivity p has Binomial(N, p) nonzeros per row). Here every row gets
the same number K of slots (the mean number of nonzeros per row, rounded up), stored slot-major, so the
product is K branch-free passes over all rows that the compiler vectorises; a row's nonzeros beyond K
go to a short coordinate list added afterwards, and an unused slot holds a zero weight. At N = 500 and
1000 with 10 nonzeros per row the reservoir run took 1.3-1.4x less time than with CSR
(``benchmarks/results_esn.md``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp


class SlicedMatrix(NamedTuple):
    """W as ``slot_values`` / ``slot_columns`` (K x N: slot k of row i) and the overflow ``(rows, columns, values)``."""

    slot_values: np.ndarray
    slot_columns: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray


def slice_rows(w: sp.csr_matrix) -> SlicedMatrix:
    """The sliced layout of CSR matrix ``w`` (its entries in CSR order: row by row, columns ascending)."""
    n = w.shape[0]
    counts = np.diff(w.indptr)
    slots = int(-(-w.nnz // n)) if n else 0
    rows = np.repeat(np.arange(n, dtype=np.int32), counts)
    position = np.arange(w.nnz) - np.repeat(w.indptr[:-1], counts)
    in_slot = position < slots
    slot_values = np.zeros((slots, n))
    slot_columns = np.zeros((slots, n), dtype=np.int32)
    slot_values[position[in_slot], rows[in_slot]] = w.data[in_slot]
    slot_columns[position[in_slot], rows[in_slot]] = w.indices[in_slot]
    overflow = ~in_slot
    return SlicedMatrix(slot_values, slot_columns, rows[overflow],
                        np.ascontiguousarray(w.indices[overflow], dtype=np.int32),
                        np.ascontiguousarray(w.data[overflow], dtype=np.float64))
