"""The sliced layout of a sparse recurrent matrix holds exactly W, and the reservoir kernels use it correctly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from forecasting.models.reservoir import Reservoir
from forecasting.models.sliced_matrix import SlicedMatrix, slice_rows


def _dense(layout: SlicedMatrix, n: int) -> np.ndarray:
    """W rebuilt from the layout (an unused slot adds a zero)."""
    w = np.zeros((n, n))
    for k in range(layout.slot_values.shape[0]):
        np.add.at(w, (np.arange(n), layout.slot_columns[k]), layout.slot_values[k])
    np.add.at(w, (layout.rows, layout.columns), layout.values)
    return w


def _irregular(n: int, seed: int) -> sp.csr_matrix:
    """Random sparse W with an empty row and a full row, so that rows overflow their slots."""
    rng = np.random.default_rng(seed)
    w = sp.random(n, n, density=0.1, format="lil", random_state=rng, data_rvs=rng.standard_normal)
    w[0, :] = 0.0
    w[1, :] = rng.standard_normal(n)
    return sp.csr_matrix(w)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_layout_holds_exactly_w(seed: int) -> None:
    w = _irregular(40, seed)
    w.sort_indices()
    layout = slice_rows(w)
    assert layout.slot_values.shape == (-(-w.nnz // 40), 40)
    assert len(layout.values) > 0  # the full row overflows
    np.testing.assert_array_equal(_dense(layout, 40), w.toarray())
    assert len(layout.values) + np.count_nonzero(layout.slot_values) == w.nnz


def test_an_all_zero_matrix_has_no_slots() -> None:
    layout = slice_rows(sp.csr_matrix((5, 5)))
    assert layout.slot_values.shape == (0, 5) and len(layout.values) == 0


@pytest.mark.parametrize("activation", ["tanh", "identity"])
def test_reservoir_runs_with_an_irregular_sparse_w_match_the_dense_ones(activation: str) -> None:
    w = _irregular(30, 2) * 0.1
    w_in = np.random.default_rng(3).uniform(-1, 1, (30, 2))
    sparse = Reservoir(w, w_in, leak_rate=0.6, activation=activation)
    dense = Reservoir(w.toarray(), w_in, leak_rate=0.6, activation=activation)
    u = np.sin(np.arange(120) * 0.2)
    np.testing.assert_allclose(sparse.run(u), dense.run(u), rtol=0, atol=1e-13)
    x = sparse.run(u)[-1]
    readout = np.random.default_rng(4).normal(scale=0.1, size=32)
    a, _ = sparse.closed_loop(x, u[-1], readout, 15)
    b, _ = dense.closed_loop(x, u[-1], readout, 15)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
