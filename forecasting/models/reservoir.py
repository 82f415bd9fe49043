"""The fixed random reservoir of an Echo State Network: a leaky-integrator recurrent layer that is never trained.

State update (Goodfellow, Bengio & Courville, *Deep Learning*, sections 10.8-10.9)::

    x_t = (1 - a) x_{t-1} + a f(W_in [1; u_t] + W x_{t-1})

with leak rate ``a``, ``f = tanh`` (or the identity, for linear-theory checks), a sparse random
recurrent matrix ``W`` rescaled to a chosen spectral radius and an ``N x 2`` input matrix ``W_in``
acting on ``[bias; input]``. The harvest loop is compiled with numba (``cache=True``: the machine
code is written next to this file on first use and reloaded afterwards) and computes the input
drive ``W_in [1; u_t]``, the sparse product (W in fixed slots per row, :mod:`sliced_matrix`) and a
vectorised tanh step by step, with no per-step allocation.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigs

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import ACTIVATIONS
from forecasting.models.feature_blocks import AHEAD_BLOCKS, FeatureBlocks
from forecasting.models.sliced_matrix import slice_rows

ESP_CHUNK = 100  # echo_state_check compares the two runs every this many steps and stops once converged
CHUNK_ELEMENTS = 1 << 21  # rows per harvest chunk = this / (N + 2): about 16 MB of float64 features
# Sparse W with more units than this gets its spectral radius from ARPACK (implicitly restarted Arnoldi,
# tol ARPACK_TOL), several times cheaper than all N eigenvalues; a dense W, or a small one, always gets the
# dense eigenvalues. The ARPACK radius's measured gap to the dense one: benchmarks/results_esn.md.
DENSE_EIG_MAX_UNITS = 300
# ARPACK is asked for this many largest-modulus eigenvalues, not one: the top of a random W is often a
# complex-conjugate pair with other eigenvalues within 1% of its modulus, and with k = 1 ARPACK returned a
# radius 3.6e-4 too small for one of three N = 2000 draws (benchmarks/results_esn.md).
ARPACK_EIGENVALUES = 8
# ARPACK's convergence tolerance (relative residual of the Ritz values). 1e-9 took 30-40% less time than
# 1e-13 at N = 500-2000 and its radius stayed within 3e-12 of the dense eigenvalues on 35 draws
# (20 at N = 500, 10 at 1000, 5 at 2000); benchmarks/results_esn.md rechecks the gap every run.
ARPACK_TOL = 1e-9
# Above this fraction of nonzeros the vectorised dense kernel beats the sparse one (sliced layout: the two
# crossed between 0.15 and 0.2 at N = 50, 100 and 300, T = 5,000).
SPARSE_MAX_CONNECTIVITY = 0.15


# -- compiled kernels ------------------------------------------------------------------------------
# Each writes the states into ``out[t, col:col + N]``; the previous state is read back from the row
# above (or from ``x0`` at t = 0), so the loop allocates nothing per step. ``col`` lets the ESN harvest
# straight into its feature matrix [1, u_t, x_t] (col = 2) without a copy. Per step, one pass computes
# the pre-activations ``W_in [1; u_t] + W x_{t-1}`` (input drive fused in: no T x N drive array) and a
# second, SIMD-vectorised pass applies tanh and the leak. ``error_model="numpy"`` drops the
# division-by-zero checks that would otherwise stop LLVM from vectorising the tanh loop.
KERNEL = dict(cache=True, nogil=True, boundscheck=False, error_model="numpy")
_LN2_HI = 6.93147180369123816490e-01  # ln 2 split in two (fdlibm): k * _LN2_HI is exact for k < 2^11
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_TANH_CAP = 40.0  # exp(-40) < 5e-18: beyond 2|z| = 40, tanh(z) rounds to +-1 in float64


@njit(**KERNEL)
def _leaky_activate(prev, pre, leak, identity, dst):  # pragma: no cover - compiled
    """dst = (1 - leak) prev + leak f(pre), elementwise (``dst`` may alias ``pre`` or ``prev``).

    tanh(z) = sign(z) (1 - e) / (1 + e) with e = exp(-2|z|), and exp evaluated inline so that the loop
    vectorises: exp(-a) = 2^-k exp(r), r = k ln2 - a in [-ln2/2, ln2/2], exp(r) by its degree-13 Taylor
    polynomial (truncation < 1e-17) and 2^-k as a product of exact powers of two chosen by compare and
    select. Absolute error below 3e-16 (measured against numpy's tanh), like libm's tanh.
    """
    keep = 1.0 - leak
    n = dst.shape[0]
    if identity:
        for i in range(n):
            dst[i] = keep * prev[i] + leak * pre[i]
        return
    for i in range(n):
        z = pre[i]
        a = min(2.0 * abs(z), _TANH_CAP)
        k = np.floor(a * _INV_LN2 + 0.5)
        r = (k * _LN2_HI - a) + k * _LN2_LO
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        s = 1.0  # 2^-k for 0 <= k <= 58, bit by bit
        b = k >= 32.0
        s = s * 2.3283064365386963e-10 if b else s
        k = k - 32.0 if b else k
        b = k >= 16.0
        s = s * 1.52587890625e-05 if b else s
        k = k - 16.0 if b else k
        b = k >= 8.0
        s = s * 0.00390625 if b else s
        k = k - 8.0 if b else k
        b = k >= 4.0
        s = s * 0.0625 if b else s
        k = k - 4.0 if b else k
        b = k >= 2.0
        s = s * 0.25 if b else s
        k = k - 2.0 if b else k
        s = s * 0.5 if k >= 1.0 else s
        e = p * s
        v = (1.0 - e) / (1.0 + e)
        dst[i] = keep * prev[i] + leak * (v if z >= 0.0 else -v)


@njit(**KERNEL)
def _sliced_pre(slot_values, slot_columns, rows, columns, values, bias, gain, u, x, dst):  # pragma: no cover
    """dst = (bias + gain u) + W x with W in the sliced layout (:mod:`sliced_matrix`): one vectorised pass
    over all rows per slot, then the overflow entries."""
    n = dst.shape[0]
    for i in range(n):
        dst[i] = bias[i] + gain[i] * u
    for k in range(slot_values.shape[0]):
        for i in range(n):
            dst[i] += slot_values[k, i] * x[slot_columns[k, i]]
    for k in range(values.shape[0]):
        dst[rows[k]] += values[k] * x[columns[k]]


@njit(**KERNEL)
def _dense_pre(wt, bias, gain, u, x, dst):  # pragma: no cover - compiled
    """dst = (bias + gain u) + W x with ``wt`` = W transposed (C order): column-wise axpy, vectorised."""
    n = dst.shape[0]
    for i in range(n):
        dst[i] = bias[i] + gain[i] * u
    for j in range(n):
        xj = x[j]
        for i in range(n):
            dst[i] += wt[j, i] * xj


@njit(**KERNEL)
def _run_sparse(w, bias, gain, u, leak, identity, x0, out, col):  # pragma: no cover - compiled
    n = x0.shape[0]
    pre = np.empty(n)
    for t in range(u.shape[0]):
        prev = x0 if t == 0 else out[t - 1, col:col + n]
        _sliced_pre(w[0], w[1], w[2], w[3], w[4], bias, gain, u[t], prev, pre)
        _leaky_activate(prev, pre, leak, identity, out[t, col:col + n])


@njit(**KERNEL)
def _run_dense(wt, bias, gain, u, leak, identity, x0, out, col):  # pragma: no cover - compiled
    n = x0.shape[0]
    pre = np.empty(n)
    for t in range(u.shape[0]):
        prev = x0 if t == 0 else out[t - 1, col:col + n]
        _dense_pre(wt, bias, gain, u[t], prev, pre)
        _leaky_activate(prev, pre, leak, identity, out[t, col:col + n])


@njit(**KERNEL)
def _step_sparse(w, bias, gain, leak, identity, u, x, scratch):  # pragma: no cover - compiled
    _sliced_pre(w[0], w[1], w[2], w[3], w[4], bias, gain, u, x, scratch)
    _leaky_activate(x, scratch, leak, identity, x)


@njit(**KERNEL)
def _step_dense(wt, bias, gain, leak, identity, u, x, scratch):  # pragma: no cover - compiled
    _dense_pre(wt, bias, gain, u, x, scratch)
    _leaky_activate(x, scratch, leak, identity, x)


@njit(**KERNEL)
def _closed_loop_sparse(w, bias, gain, leak, identity, x0, u0, w_out, steps, lo, hi, out):  # pragma: no cover
    """Free run with a linear readout on [1, u, x], clipping each prediction to [lo, hi]."""
    n = x0.shape[0]
    x = x0.copy()
    new = np.empty(n)
    u = u0
    clipped = False
    for s in range(steps):
        y = w_out[0] + w_out[1] * u
        for i in range(n):
            y += w_out[2 + i] * x[i]
        if not np.isfinite(y) or y < lo or y > hi:
            clipped = True
            y = min(max(0.0 if np.isnan(y) else y, lo), hi)
        out[s] = y
        if s + 1 < steps:
            _step_sparse(w, bias, gain, leak, identity, y, x, new)
        u = y
    return clipped


@njit(**KERNEL)
def _closed_loop_dense(wt, bias, gain, leak, identity, x0, u0, w_out, steps, lo, hi,
                       out):  # pragma: no cover - compiled
    """Dense-W twin of :func:`_closed_loop_sparse`."""
    n = x0.shape[0]
    x = x0.copy()
    new = np.empty(n)
    u = u0
    clipped = False
    for s in range(steps):
        y = w_out[0] + w_out[1] * u
        for i in range(n):
            y += w_out[2 + i] * x[i]
        if not np.isfinite(y) or y < lo or y > hi:
            clipped = True
            y = min(max(0.0 if np.isnan(y) else y, lo), hi)
        out[s] = y
        if s + 1 < steps:
            _step_dense(wt, bias, gain, leak, identity, y, x, new)
        u = y
    return clipped


# -- eigenvalues -----------------------------------------------------------------------------------

def largest_abs_eigenvalue(w: np.ndarray | sp.spmatrix) -> float:
    """Spectral radius of ``w``: exact dense eigenvalues for a dense or small W, ARPACK for a large sparse W.

    ARPACK falls back to a larger Krylov space, then to dense eigenvalues, when it does not converge.
    """
    return _spectrum(w)[0]


def _spectrum(w: np.ndarray | sp.spmatrix) -> tuple[float, np.ndarray | None]:
    """Spectral radius of ``w`` and, when they were computed on the way (dense path), all eigenvalues."""
    n = w.shape[0]
    if not sp.issparse(w) or n <= DENSE_EIG_MAX_UNITS:
        dense = w.toarray() if sp.issparse(w) else np.asarray(w)
        values = np.linalg.eigvals(dense).astype(complex)
        return float(np.max(np.abs(values))), values
    k = min(ARPACK_EIGENVALUES, n - 2)
    for ncv in (min(n - 1, 64), min(n - 1, 160)):
        try:
            values = eigs(w.astype(float), k=k, which="LM", ncv=ncv, tol=ARPACK_TOL, maxiter=50 * n,
                          return_eigenvectors=False)
            return float(np.max(np.abs(values))), None
        except (ArpackNoConvergence, ArpackError):
            continue
    values = np.linalg.eigvals(w.toarray()).astype(complex)
    return float(np.max(np.abs(values))), values


# -- the reservoir ---------------------------------------------------------------------------------

class Reservoir:
    """Fixed recurrent layer ``x_t = (1-a) x_{t-1} + a f(W_in [1; u_t] + W x_{t-1})`` for a 1-D input."""

    def __init__(self, W: np.ndarray | sp.spmatrix, W_in: np.ndarray, leak_rate: float = 1.0,
                 activation: str = "tanh") -> None:
        if activation not in ACTIVATIONS:
            raise SettingsError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {activation!r}.")
        if not 0.0 < float(leak_rate) <= 1.0:
            raise SettingsError(f"leak_rate must be in (0, 1]; got {leak_rate!r}.")
        if sp.issparse(W):
            W = sp.csr_matrix(W, dtype=np.float64)
            W.sort_indices()
        else:
            W = np.ascontiguousarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 1:
            raise SettingsError(f"W must be a square N x N matrix; got shape {W.shape}.")
        n = W.shape[0]
        W_in = np.ascontiguousarray(W_in, dtype=np.float64)
        if W_in.shape != (n, 2):
            raise SettingsError(f"W_in must have shape (N, 2) = ({n}, 2) for [bias; input]; got {W_in.shape}.")
        self.W = W
        self.W_in = W_in
        # The dense kernels read W column by column, the sparse ones in fixed slots per row (sliced_matrix);
        # W is treated as immutable after construction.
        self._wt = None if sp.issparse(W) else np.ascontiguousarray(W.T)
        self._sliced = slice_rows(W) if sp.issparse(W) else None
        self._bias = np.ascontiguousarray(W_in[:, 0])  # the kernels compute W_in [1; u] as bias + gain * u
        self._gain = np.ascontiguousarray(W_in[:, 1])
        self.leak_rate = float(leak_rate)
        self.activation = activation
        self._eigenvalues: np.ndarray | None = None

    @classmethod
    def random(cls, units: int, spectral_radius: float = 0.9, connectivity: float = 0.1,
               input_scaling: float = 1.0, bias_scaling: float = 0.0, leak_rate: float = 1.0,
               activation: str = "tanh", seed: int | None = 0) -> Reservoir:
        """Draw W (Gaussian nonzeros, CSR when connectivity <= 0.15) and W_in ~ U(-1, 1) scaled per column.

        W is rescaled so that its largest |eigenvalue| equals ``spectral_radius``: the radius comes from
        all dense eigenvalues (LAPACK) for a dense W or N <= 300, and from ARPACK (the 8 largest-modulus
        eigenvalues, ``eigs(k=8, which="LM", tol=1e-9)``, falling back to a larger Krylov space and then to
        the dense eigenvalues when it does not converge) for a larger sparse W. ARPACK is an iterative
        method, not a guarantee: its radius matched the dense eigenvalues to within 3e-12 (relative) on
        every draw measured at N = 500, 1000 and 2000 (``benchmarks/results_esn.md``).
        """
        units = int(units)
        if units < 1:
            raise SettingsError(f"units must be at least 1; got {units}.")
        if not 0.0 < connectivity <= 1.0:
            raise SettingsError(f"connectivity must be in (0, 1]; got {connectivity!r}.")
        if spectral_radius < 0:
            raise SettingsError(f"spectral_radius must be non-negative; got {spectral_radius!r}.")
        rng = np.random.default_rng(seed)
        sparse = connectivity <= SPARSE_MAX_CONNECTIVITY
        for _ in range(20):
            if sparse:
                W = sp.random(units, units, density=connectivity, format="csr", random_state=rng,
                              data_rvs=rng.standard_normal)
            else:
                W = rng.standard_normal((units, units))
                if connectivity < 1.0:
                    W *= rng.random((units, units)) < connectivity
            radius, eigenvalues = _spectrum(W)
            if radius > 1e-12 or spectral_radius == 0:
                break
        else:
            raise SettingsError(
                f"connectivity {connectivity} is too low for {units} units: every draw of W was nilpotent "
                "(all eigenvalues zero). Raise connectivity or units."
            )
        if radius > 1e-12:
            W = W * (spectral_radius / radius)
        else:
            W = W * 0.0
        W_in = rng.uniform(-1.0, 1.0, size=(units, 2)) * np.array([bias_scaling, input_scaling])
        reservoir = cls(W, W_in, leak_rate=leak_rate, activation=activation)
        if eigenvalues is not None:  # scaling W scales its eigenvalues: keep them for the spectrum chart
            reservoir._eigenvalues = eigenvalues * (spectral_radius / radius if radius > 1e-12 else 0.0)
        return reservoir

    # -- properties --------------------------------------------------------------------------------
    @property
    def units(self) -> int:
        """Number of reservoir neurons N."""
        return int(self.W.shape[0])

    @property
    def is_sparse(self) -> bool:
        """True when W is stored as a scipy CSR matrix."""
        return sp.issparse(self.W)

    def eigenvalues(self) -> np.ndarray:
        """All eigenvalues of W (complex), from a dense eigendecomposition (computed once, then kept)."""
        if self._eigenvalues is None:
            dense = self.W.toarray() if self.is_sparse else self.W
            self._eigenvalues = np.linalg.eigvals(dense).astype(complex)
        return self._eigenvalues.copy()

    @property
    def spectral_radius(self) -> float:
        """Largest |eigenvalue| of W; below 1 the linearised reservoir forgets its initial state."""
        return largest_abs_eigenvalue(self.W)

    # -- running -----------------------------------------------------------------------------------
    def _check_input(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=np.float64)
        if u.ndim != 1:
            raise InputError(f"The reservoir input must be a 1-D series; got an array of shape {u.shape}.")
        if not np.all(np.isfinite(u)):
            raise InputError("The reservoir input contains NaN or infinite values; clean or impute them first.")
        return u

    def _initial_state(self, x0: np.ndarray | None) -> np.ndarray:
        if x0 is None:
            return np.zeros(self.units)
        x0 = np.ascontiguousarray(x0, dtype=np.float64)
        if x0.shape != (self.units,):
            raise InputError(f"x0 must have shape ({self.units},); got {x0.shape}.")
        return x0

    def run_into(self, u: np.ndarray, out: np.ndarray, col: int = 0, x0: np.ndarray | None = None) -> None:
        """Harvest the states for input ``u`` into ``out[:, col:col+N]`` (C-contiguous float64 array)."""
        u = self._check_input(u)
        x0 = self._initial_state(x0)
        if (out.dtype != np.float64 or out.ndim != 2 or out.shape[0] != len(u) or out.shape[1] < col + self.units
                or not out.flags.c_contiguous):
            raise InputError("out must be a C-contiguous float64 array with one row per step and room for N columns.")
        identity = self.activation == "identity"
        if self.is_sparse:
            _run_sparse(self._sliced, self._bias, self._gain, u, self.leak_rate, identity, x0, out, col)
        else:
            _run_dense(self._wt, self._bias, self._gain, u, self.leak_rate, identity, x0, out, col)

    def run(self, u: np.ndarray, x0: np.ndarray | None = None) -> np.ndarray:
        """States (T x N) after each input of ``u``, starting from ``x0`` (zeros by default)."""
        u = self._check_input(u)
        out = np.empty((len(u), self.units))
        self.run_into(u, out, 0, x0)
        return out

    def step(self, u: float, x: np.ndarray, scratch: np.ndarray) -> None:
        """Advance state ``x`` in place by one input ``u`` (``scratch``: a length-N work array)."""
        identity = self.activation == "identity"
        if self.is_sparse:
            _step_sparse(self._sliced, self._bias, self._gain, self.leak_rate, identity, float(u), x, scratch)
        else:
            _step_dense(self._wt, self._bias, self._gain, self.leak_rate, identity, float(u), x, scratch)

    def closed_loop(self, x0: np.ndarray, u0: float, readout: np.ndarray, steps: int,
                    bounds: tuple[float, float] = (-np.inf, np.inf)) -> tuple[np.ndarray, bool]:
        """Free run: predict with ``readout`` on [1, u, x], feed each prediction back, clip to ``bounds``.

        ``x0`` is the state after consuming ``u0``; returns the ``steps`` predictions and whether any
        had to be clipped.
        """
        readout = np.ascontiguousarray(readout, dtype=np.float64)
        x0 = np.ascontiguousarray(x0, dtype=np.float64)
        out = np.empty(int(steps))
        identity = self.activation == "identity"
        lo, hi = float(bounds[0]), float(bounds[1])
        if self.is_sparse:
            clipped = _closed_loop_sparse(self._sliced, self._bias, self._gain, self.leak_rate, identity, x0,
                                          float(u0), readout, int(steps), lo, hi, out)
        else:
            clipped = _closed_loop_dense(self._wt, self._bias, self._gain, self.leak_rate, identity, x0, float(u0),
                                         readout, int(steps), lo, hi, out)
        return out, bool(clipped)

    def iter_features(self, u: np.ndarray, x0: np.ndarray | None = None, chunk_rows: int | None = None,
                      ahead: bool = False) -> FeatureBlocks:
        """``(start, F)`` over consecutive row blocks of the features ``[1, u_t, x_t]`` (T x (N+2)).

        ``F`` is a reused buffer (copy what you keep), so a long series never needs a T x N array. With
        ``ahead`` a background thread computes the next block while the caller uses this one, in blocks of
        about T / AHEAD_BLOCKS rows unless ``chunk_rows`` is given (see :mod:`feature_blocks`).
        """
        u = self._check_input(u)
        rows = max(256, CHUNK_ELEMENTS // (self.units + 2))
        if chunk_rows:
            rows = int(chunk_rows)
        elif ahead:
            rows = min(rows, max(256, -(-len(u) // AHEAD_BLOCKS)))
        return FeatureBlocks(self, u, self._initial_state(x0), rows, ahead=ahead)

    def final_state(self, u: np.ndarray, x0: np.ndarray | None = None) -> np.ndarray:
        """State after consuming all of ``u`` (chunked: memory does not grow with the series length)."""
        state = self._initial_state(x0).copy()
        for _, block in self.iter_features(u, x0):
            state = block[-1, 2:].copy()
        return state

    # -- derivatives (the memory analysis) -----------------------------------------------------------
    def activation_derivatives(self, u: np.ndarray) -> np.ndarray:
        """``f'(pre_t)`` for every step of input ``u`` from a zero state (ones for a linear reservoir), T x N."""
        states = self.run(u)
        if self.activation == "identity":
            return np.ones_like(states)
        previous = np.vstack([np.zeros((1, self.units)), states[:-1]])
        pre = self.times_w_transposed(previous) + self._bias + np.outer(u, self._gain)
        return 1.0 - np.tanh(pre) ** 2

    def times_w_transposed(self, rows: np.ndarray) -> np.ndarray:
        """``rows @ W.T``: each row of ``rows`` (a state vector) pushed forward through W."""
        return np.asarray((self.W @ rows.T).T) if self.is_sparse else rows @ self.W.T

    def times_w(self, rows: np.ndarray) -> np.ndarray:
        """``rows @ W``: each row of ``rows`` (a co-vector) pulled back through W."""
        return np.asarray((self.W.T @ rows.T).T) if self.is_sparse else rows @ self.W

    def input_gradients(self, u: np.ndarray, readout: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
        """Exact ``d y_hat(ends[i] + 1) / d u[j]`` of the linear readout ``y = w . [1, u_t, x_t]`` at ``t = ends[i]``.

        Adjoint (backward) chain through the leaky recursion: ``d x_s / d x_{s-1} = (1-a) I + a diag(f'(pre_s)) W``
        and ``d x_s / d u_s = a f'(pre_s) * W_in[:, 1]``. One co-vector per origin is pulled back one step per
        lag, all origins together (an ``origins x N`` times ``N x N`` product per lag). Shape (len(ends), len(u));
        only ``j`` in ``ends[i] + 1 - lags .. ends[i]`` is filled.
        """
        u = self._check_input(u)
        readout = np.asarray(readout, dtype=np.float64)
        a, w_u = self.leak_rate, float(readout[1])
        fprime = self.activation_derivatives(u)
        grads = np.zeros((len(ends), len(u)))
        rows = np.arange(len(ends))
        cov = np.tile(readout[2:], (len(ends), 1))  # d y / d x_s for each origin, s = t_i - j
        for j in range(int(lags)):
            s = ends - j
            active = s >= 0
            if not active.any():
                break
            d = fprime[np.where(active, s, 0)]
            grads[rows[active], s[active]] = (a * (cov * d) @ self._gain)[active]
            if j == 0:
                grads[rows, ends] += w_u
            cov = (1.0 - a) * cov + a * self.times_w(cov * d)
        return grads

    def echo_state_check(self, u: np.ndarray, steps: int | None = None, tol: float = 1e-6,
                         seed: int = 0) -> tuple[bool, int | None]:
        """Drive two runs from different random initial states with ``u``; do they forget where they began?

        Returns ``(converged, steps_needed)``: the number of steps after which the largest state
        difference stays below ``tol``, or ``(False, None)`` when it is still above ``tol`` after
        ``steps`` inputs (default: all of ``u``). Runs in chunks and stops early once converged.
        """
        u = self._check_input(u)
        if steps is not None:
            u = u[: int(steps)]
        if len(u) == 0:
            raise InputError("echo_state_check needs at least one input step.")
        rng = np.random.default_rng(seed)
        xa = rng.uniform(-1.0, 1.0, self.units)
        xb = rng.uniform(-1.0, 1.0, self.units)
        last_above = -1
        for start in range(0, len(u), ESP_CHUNK):
            segment = u[start:start + ESP_CHUNK]
            a = self.run(segment, xa)
            b = self.run(segment, xb)
            gap = np.max(np.abs(a - b), axis=1)
            above = np.flatnonzero(gap >= tol)
            if len(above):
                last_above = start + int(above[-1])
            if gap[-1] < tol:
                return True, last_above + 2
            xa, xb = a[-1], b[-1]
        return False, None
