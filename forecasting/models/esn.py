"""Echo State Network forecaster: a fixed random leaky reservoir and a scikit-learn linear readout.

Only the readout is learned. The features of step t are ``[1, u_t, x_t]`` (bias, current value,
reservoir state after consuming ``u_t``) and the readout predicts ``u_{t+1}`` (``recursive``) or
``u_{t+1..t+H}`` (``direct``). The fitted readout ``readout_`` is a scikit-learn estimator chosen by
the ``readout`` hyperparameter (``forecasting.models.readout``): ``Ridge`` by default, fitted exactly
from the Gram matrix ``X^T X`` accumulated chunk by chunk while the reservoir runs (on a long series
the next chunk's states are computed in a background thread meanwhile), so the T x (N+2) feature
matrix never has to exist at once.

``fit`` runs five named stages, each a method: draw the reservoir (:meth:`ESNForecaster._draw_reservoir`),
check the echo state property (:meth:`_check_echo_state`), harvest the states into normal equations
(:meth:`_harvest`), choose the ridge penalty (:meth:`_choose_alpha`) and fit the readout (:meth:`_fit_readout`).

Choosing the penalty when ``ridge_alpha`` is None: each alpha of a log grid is scored by the closed-loop
forecast error on windows of the validation series, or, without one, of the inner hold-out tail of
``train`` (so that nothing after ``train`` tunes anything). For the Gram-exact readout one
eigendecomposition gives the readout of every alpha. This closed-loop criterion is kept over
RidgeCV's leave-one-out (a one-step, training-only criterion, available as ``readout=ridgecv``)
because it gives lower closed-loop forecast errors: over six bundled series the test MSE with the
leave-one-out alpha was 1.16 times that of the hold-out alpha (geometric mean; 2.0 times on sunspots,
at best 0.89 times on the airline series), see ``benchmarks/results_esn.md``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import (
    ACTIVATIONS,
    STRATEGIES,
    FitCallbacks,
    Forecast,
    Forecaster,
    Params,
    RecurrentModel,
    StopReason,
    as_series,
    param,
)
from forecasting.models.feature_blocks import worth_computing_ahead
from forecasting.models.readout import (
    READOUT_KINDS,
    READOUTS,
    build_readout,
    check_row_memory,
    chosen_alpha,
    coefficients,
    fit_readout,
    gram_factor,
    readout_kind,
)

if TYPE_CHECKING:  # the reservoir pulls in numba: imported at fit time so the dashboard starts fast
    from sklearn.base import RegressorMixin

    from forecasting.models.reservoir import Reservoir

ALPHA_GRID = tuple(10.0 ** k for k in range(-12, 3))  # 1e-12 ... 1e2, one value per decade
# Penalty used when it cannot be chosen (no usable hold-out, or every candidate's validation error is
# non-finite): strong enough to damp the weak feature directions that make a closed loop unstable.
FALLBACK_ALPHA = 1.0
MAX_VAL_WINDOWS = 10  # closed-loop validation windows per alpha (evenly spaced over the validation part)
INTERNAL_VAL_FRACTION = 0.2  # tail of train used to pick alpha when no validation series is given
MIN_READOUT_ROWS = 10
ESP_CHECK_STEPS = 1000
ESP_TOL = 1e-6


@dataclass
class ESNParams(Params):
    """Hyperparameters of the Echo State Network (reservoir shape, its dynamics and the readout)."""

    units: int = param(
        300, "units: number of reservoir neurons N; more neurons give richer features (and a larger "
        "readout to fit) at O(N * connectivity) cost per step.", low=10, high=5000)
    spectral_radius: float = param(
        0.95, "spectral_radius: largest |eigenvalue| of W; below 1 gives fading memory of the past, near "
        "or slightly above 1 gives longer memory at the risk of losing the echo state property.",
        low=0.0, high=2.0)
    leak_rate: float = param(
        0.8, "leak_rate a: each step keeps (1-a) of the old state and adds a of the new activation; "
        "small a makes a slow, smoothing reservoir (long time scales), a = 1 a fast one.",
        low=0.01, high=1.0)
    input_scaling: float = param(
        0.2, "input_scaling: range of the input weights; small values keep tanh near-linear (good memory), "
        "large values make it saturate (more nonlinearity, less memory).", low=0.0, high=10.0)
    bias_scaling: float = param(
        0.2, "bias_scaling: range of the constant input to each neuron; it shifts neurons off tanh's "
        "symmetric centre so the features can represent even functions of the input.", low=0.0, high=10.0)
    connectivity: float = param(
        0.03, "connectivity: fraction of nonzero recurrent weights; sparse reservoirs are as good as "
        "dense ones and much cheaper to run (sparse kernel at 0.15 or below, dense above).", low=0.001, high=1.0)
    washout: int = param(
        100, "washout: first steps whose states are dropped from the readout fit because they still "
        "remember the arbitrary zero initial state. Capped at a quarter of the training series (e.g. 26 for "
        "106 training points) so that short series keep enough rows; the fit uses washout_.",
        low=0, high=100000)
    ridge_alpha: float | None = param(
        None, "ridge_alpha: L2 penalty on the readout weights; larger values trade fit for stability of "
        "the closed loop. None: choose from 1e-12..1e2 by closed-loop error on validation data (readout=ridgecv: "
        "by its leave-one-out error).", low=0.0, high=1e6, log_scale=True)
    readout: str = param(
        "ridge", "readout: the scikit-learn regressor fitted on [1, u_t, x_t]. "
        + "; ".join(kind.help for kind in READOUT_KINDS.values()) + ".", choices=READOUTS)
    activation: str = param(
        "tanh", "activation f: tanh gives a nonlinear reservoir; identity a linear one (a theory check: "
        "its memory is exactly a sum of powers of W).", choices=ACTIVATIONS)
    strategy: str = param(
        "recursive", "strategy: recursive trains one one-step readout and feeds each prediction back "
        "(any horizon, the same closed loop as the LSTM/GRU); direct trains one readout per step ahead "
        "up to 'horizon' and never feeds predictions back.", choices=STRATEGIES)
    horizon: int = param(
        12, "horizon: steps ahead the direct readout predicts at once (it can forecast up to this many), "
        "and the length of the closed-loop validation windows that score each ridge_alpha.",
        low=1, high=10000)


def _targets(series: np.ndarray, rows: np.ndarray, out_dim: int) -> np.ndarray:
    """Targets of feature rows ``rows``: ``series[r + 1 + h]`` for h < ``out_dim`` (rows x out_dim)."""
    return series[rows[:, None] + 1 + np.arange(out_dim)[None, :]]


@dataclass
class _Normal:
    """Sufficient statistics of a least-squares problem: X^T X, X^T Y, Y^T Y and the row count."""

    gram: np.ndarray
    xty: np.ndarray
    yty: np.ndarray
    rows: int

    @classmethod
    def zeros(cls, features: int, outputs: int) -> _Normal:
        return cls(np.zeros((features, features)), np.zeros((features, outputs)), np.zeros((outputs, outputs)), 0)

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        """Accumulate rows ``x`` with targets ``y`` (``x.T @ x``: numpy calls BLAS syrk for it)."""
        self.gram += x.T @ x
        self.xty += x.T @ y
        self.yty += y.T @ y
        self.rows += len(x)

    def __add__(self, other: _Normal) -> _Normal:
        return _Normal(self.gram + other.gram, self.xty + other.xty, self.yty + other.yty, self.rows + other.rows)

    def mse(self, coef: np.ndarray) -> float:
        """Mean squared training error of readout ``coef`` (outputs x features), from the statistics alone."""
        w = coef.T
        sse = self.yty - 2.0 * w.T @ self.xty + w.T @ self.gram @ w
        return float(max(np.trace(sse), 0.0) / (self.rows * coef.shape[0]))


@dataclass(frozen=True)
class _RowPlan:
    """Which feature rows fit the readout and where the inner hold-out (when any) begins.

    Row r holds the features after consuming ``train[r]``. Rows ``washout .. last_row`` fit the final
    readout; rows ``washout .. split_row - 1`` (targets inside ``train[:fit_end]``) fit the candidate
    readouts scored on the hold-out ``train[fit_end:]`` when ``holdout`` is True.
    """

    washout: int
    last_row: int
    split_row: int
    fit_end: int
    holdout: bool


@dataclass
class _Harvest:
    """What one pass of the reservoir over ``train`` leaves for the readout."""

    head: _Normal               # rows before split_row
    full: _Normal               # every readout row
    last_state: np.ndarray      # state after the last training value
    base_state: np.ndarray      # state after train[fit_end - 1] (where hold-out windows start)
    x: np.ndarray | None = None  # every readout row (rows x (N+2)) when the readout needs them or they are few
    y: np.ndarray | None = None  # their targets (rows x outputs)


class ESNForecaster(Forecaster, RecurrentModel):
    """Echo State Network: fixed random leaky tanh reservoir, scikit-learn linear readout on [1, u_t, x_t].

    After ``fit``: ``reservoir``, ``readout_`` (the fitted scikit-learn estimator), ``ridge_alpha_`` (the
    penalty it used), ``washout_``, ``last_state`` (state after the last training value), ``warnings``
    and ``fit_timings`` (seconds per stage: reservoir, echo_state_check, harvest, harvest_wait, gram,
    alpha_selection, readout, total; harvest and gram overlap on a long series, see ``_timed_blocks``).
    """

    name: ClassVar[str] = "esn"
    label: ClassVar[str] = "Echo State Network"
    Params: ClassVar[type[Params]] = ESNParams
    stochastic: ClassVar[bool] = True

    def __init__(self, params: ESNParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.reservoir: Reservoir | None = None
        self.readout_: RegressorMixin | None = None
        self.last_state: np.ndarray | None = None
        self.ridge_alpha_: float | None = None
        self.washout_: int | None = None
        self.fit_timings: dict[str, float] = {}

    # -- fitting --------------------------------------------------------------------------------
    @property
    def out_dim(self) -> int:
        """Readout outputs: 1 for the recursive strategy, ``horizon`` for direct."""
        return 1 if self.params.strategy == "recursive" else int(self.params.horizon)

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        """Add the wall time of the block to ``fit_timings[stage]``."""
        tick = time.perf_counter()
        try:
            yield
        finally:
            self.fit_timings[stage] = self.fit_timings.get(stage, 0.0) + time.perf_counter() - tick

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Draw the reservoir, check it, harvest ``train``, choose the penalty and fit the readout."""
        plan = self._plan_rows(len(train), val is None)
        self.washout_ = plan.washout
        self.set_envelope(train)
        self.fit_timings = {}
        started = time.perf_counter()
        with self._timed("reservoir"):
            self.reservoir = self._draw_reservoir()
        with self._timed("echo_state_check"):
            self._check_echo_state(train)
        harvest = self._harvest(train, plan)
        self._fit_from_harvest(harvest, train, val, plan, callbacks)
        self.fit_timings["total"] = time.perf_counter() - started

    def _fit_from_harvest(self, harvest: Any, train: np.ndarray, val: np.ndarray | None, plan: _RowPlan,
                          callbacks: FitCallbacks | None) -> None:
        """The stages after the harvest: choose the penalty, fit the readout, record the history.

        Nothing before them depends on the penalty, so a sweep along ridge_alpha reuses one harvest."""
        with self._timed("alpha_selection"):
            alpha, val_score = self._choose_alpha(harvest, train, val, plan)
        with self._timed("readout"):
            self.readout_ = self._fit_readout(harvest, alpha)
        self.ridge_alpha_ = chosen_alpha(self.readout_)
        if val is not None and val_score is None:
            val_score = self._validation_scores([coefficients(self.readout_)], np.concatenate([train, val]),
                                                len(train), harvest.last_state)[0]
        self.last_state = harvest.last_state
        self._record_history(harvest, val_score, callbacks)

    def _plan_rows(self, n: int, no_val: bool) -> _RowPlan:
        """Washout (capped at a quarter of ``n``), readout rows and the inner hold-out, or an InputError."""
        p, k = self.params, self.out_dim
        washout = min(int(p.washout), n // 4)  # the documented cap (see ESNParams.washout): silent, by design
        last_row = n - 1 - k  # last feature row whose targets are all inside train
        if last_row - washout + 1 < MIN_READOUT_ROWS:
            raise InputError(f"The training series has {n} points; the ESN needs at least "
                             f"{washout + k + MIN_READOUT_ROWS} (washout {washout} + {k} target steps + "
                             f"{MIN_READOUT_ROWS} rows). Use a longer series or a smaller washout/horizon.")
        wants_holdout = no_val and p.ridge_alpha is None and not readout_kind(p.readout).tunes_itself
        if wants_holdout:
            tail = max(int(INTERNAL_VAL_FRACTION * n), k)
            split_row, fit_end = n - tail - k, n - tail  # rows before split_row have targets in train[:fit_end]
            if split_row - washout >= MIN_READOUT_ROWS:
                return _RowPlan(washout, last_row, split_row, fit_end, True)
        return _RowPlan(washout, last_row, last_row + 1, n, False)

    def _draw_reservoir(self) -> Reservoir:
        """Stage 1: the seeded random reservoir of the current hyperparameters."""
        from forecasting.models.reservoir import Reservoir

        p = self.params
        return Reservoir.random(p.units, spectral_radius=p.spectral_radius, connectivity=p.connectivity,
                                input_scaling=p.input_scaling, bias_scaling=p.bias_scaling,
                                leak_rate=p.leak_rate, activation=p.activation, seed=self.seed)

    def _check_echo_state(self, train: np.ndarray) -> None:
        """Stage 2: warn when two runs from different initial states do not merge (echo state property fails)."""
        steps = ESP_CHECK_STEPS
        drive = np.resize(train, steps) if len(train) < steps else train[:steps]  # tile short series
        converged, _ = self.reservoir.echo_state_check(drive, tol=ESP_TOL, seed=self.seed)
        if not converged:
            self.warnings.append(
                f"Echo state property check failed: two reservoir runs from different initial states, driven by "
                f"the training series, still differ by more than {ESP_TOL:g} after {steps} steps "
                f"(spectral_radius={self.params.spectral_radius}, leak_rate={self.params.leak_rate}). The "
                "forecast then depends on the arbitrary initial state; lower spectral_radius (below 1) or raise "
                "input_scaling."
            )

    def _harvest(self, train: np.ndarray, plan: _RowPlan) -> _Harvest:
        """Stage 3: run the reservoir over ``train`` chunk by chunk into the normal equations (and the rows
        themselves when the readout is not Gram-exact); SettingsError when the states overflow."""
        m, k = self.reservoir.units + 2, self.out_dim
        count = plan.last_row + 1 - plan.washout
        # Rows are kept when the readout needs them, or when there are fewer of them than features: then a
        # fit on the rows is cheaper than on the (N+2)-row Gram factor (and gives the same coef_).
        keep_rows = not readout_kind(self.params.readout).gram_exact or count <= m
        if keep_rows:
            check_row_memory(count, m, self.params.readout)
        harvest = _Harvest(_Normal.zeros(m, k), _Normal.zeros(m, k), np.zeros(m - 2), np.zeros(m - 2),
                           np.empty((count, m)) if keep_rows else None, np.empty((count, k)) if keep_rows else None)
        rest = _Normal.zeros(m, k)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
            for start, block in self._timed_blocks(train):
                with self._timed("gram"):
                    self._absorb(block, start, train, plan, harvest, rest)
        harvest.full = harvest.head + rest
        if not (np.all(np.isfinite(harvest.full.gram)) and np.all(np.isfinite(harvest.last_state))):
            raise SettingsError("The reservoir states overflowed to infinity (a linear reservoir with spectral_radius "
                                "above 1 grows without bound). Lower spectral_radius below 1 or use activation=tanh.")
        return harvest

    def _timed_blocks(self, series: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
        """The reservoir's feature blocks over ``series``, each next one computed ahead on a spare core when the
        series is long. Timings: 'harvest' is the reservoir's own run time, 'harvest_wait' the time this thread
        waited for it (less than 'harvest' when the run overlapped the Gram)."""
        blocks = self.reservoir.iter_features(series, ahead=worth_computing_ahead(len(series)))
        iterator = iter(blocks)
        try:
            while True:
                with self._timed("harvest_wait"):
                    item = next(iterator, None)
                if item is None:
                    return
                yield item
        finally:
            iterator.close()  # on an error, stop the background thread now, not when the frame is collected
            self.fit_timings["harvest"] = self.fit_timings.get("harvest", 0.0) + blocks.run_seconds

    def _absorb(self, block: np.ndarray, start: int, train: np.ndarray, plan: _RowPlan, harvest: _Harvest,
                rest: _Normal) -> None:
        """Add one feature block (rows ``start ..``) to the head / rest statistics and the kept rows."""
        k, end = self.out_dim, start + len(block)
        if start <= plan.fit_end - 1 < end:
            harvest.base_state = block[plan.fit_end - 1 - start, 2:].copy()
        for part, lo, hi in ((harvest.head, plan.washout, plan.split_row), (rest, plan.split_row, plan.last_row + 1)):
            a, b = max(lo, start), min(hi, end)
            if a < b:
                x, y = block[a - start:b - start], _targets(train, np.arange(a, b), k)
                part.add(x, y)
                if harvest.x is not None:
                    harvest.x[a - plan.washout:b - plan.washout] = x
                    harvest.y[a - plan.washout:b - plan.washout] = y
        harvest.last_state = block[-1, 2:].copy()

    def _choose_alpha(self, harvest: _Harvest, train: np.ndarray, val: np.ndarray | None,
                      plan: _RowPlan) -> tuple[float | None, float | None]:
        """Stage 4: the penalty to fit with and its validation score (None: the readout chooses, or no score).

        Fixed ``ridge_alpha``: used as is. RidgeCV: left to its leave-one-out. Otherwise the grid alpha with
        the lowest closed-loop error on ``val`` or, without it, on the inner hold-out of ``train``.
        """
        p = self.params
        if p.ridge_alpha is not None:
            return float(p.ridge_alpha), None
        if readout_kind(p.readout).tunes_itself:
            return None, None
        if val is None and not plan.holdout:
            self.warnings.append(f"ridge_alpha left unset but the training series is too short to hold out a "
                                 f"validation tail; used {FALLBACK_ALPHA:g}. Pass a validation series or set ridge_alpha.")
            return FALLBACK_ALPHA, None
        if plan.holdout:
            rows, series, fit_end, state = harvest.head, train, plan.fit_end, harvest.base_state
            count = plan.split_row - plan.washout
        else:
            rows, series, fit_end, state = harvest.full, np.concatenate([train, val]), len(train), harvest.last_state
            count = plan.last_row + 1 - plan.washout
        candidates = self._candidate_readouts(rows, harvest, count)
        scores = self._validation_scores(candidates, series, fit_end, state)
        return self._best_alpha(scores)

    def _candidate_readouts(self, part: _Normal, harvest: _Harvest, count: int) -> list[np.ndarray]:
        """Readout coefficients (outputs x features) for every grid alpha, fitted on the first ``count`` rows.

        Gram-exact readouts: one eigendecomposition of the Gram matrix gives all of them (the ridge
        solution ``V diag(1/(l + alpha)) V^T X^T Y``). Others: the estimator is fitted once per alpha.
        """
        if readout_kind(self.params.readout).gram_exact:
            eigvals, eigvecs = np.linalg.eigh(part.gram)
            eigvals = np.maximum(eigvals, 0.0)
            projected = eigvecs.T @ part.xty
            return [(eigvecs @ (projected / (eigvals + alpha)[:, None])).T for alpha in ALPHA_GRID]
        out = []
        for alpha in ALPHA_GRID:
            estimator = build_readout(self.params.readout, alpha, ALPHA_GRID, self.out_dim)
            fit_readout(estimator, harvest.x[:count], harvest.y[:count])
            out.append(coefficients(estimator))
        return out

    def _best_alpha(self, scores: list[float]) -> tuple[float, float | None]:
        """The grid alpha with the lowest finite score; a warning and FALLBACK_ALPHA when none is finite."""
        finite = np.array([s if np.isfinite(s) else np.inf for s in scores])
        if not np.isfinite(finite).any():
            self.warnings.append(f"Every ridge_alpha candidate gave a non-finite validation error (the closed loop "
                                 f"diverged for all of them); used ridge_alpha={FALLBACK_ALPHA:g}. Lower "
                                 "spectral_radius or input_scaling, or set ridge_alpha.")
            return FALLBACK_ALPHA, None
        best = int(np.argmin(finite))
        return float(ALPHA_GRID[best]), float(finite[best])

    def _fit_readout(self, harvest: _Harvest, alpha: float | None) -> RegressorMixin:
        """Stage 5: the fitted scikit-learn readout on every readout row, or on their Gram factor when only
        the normal equations were kept (Gram-exact readout, more rows than features)."""
        p = self.params
        estimator = build_readout(p.readout, alpha, ALPHA_GRID, self.out_dim)
        if harvest.x is None:  # Gram-exact readout, more rows than features: fit on the Gram factor
            x, y = gram_factor(harvest.full.gram, harvest.full.xty)
        else:
            x, y = harvest.x, harvest.y
        self.warnings.extend(fit_readout(estimator, x, y))
        return estimator

    def _record_history(self, harvest: _Harvest, val_score: float | None, callbacks: FitCallbacks | None) -> None:
        """Training MSE (from the normal equations), the validation score and the closed-form stop reason."""
        train_mse = harvest.full.mse(coefficients(self.readout_))
        self.history.train_loss = [train_mse]
        self.history.val_loss = [] if val_score is None else [float(val_score)]
        self.history.stop_reason = StopReason.CLOSED_FORM
        if callbacks is not None and callbacks.on_epoch is not None:
            callbacks.on_epoch(1, 1, train_mse, val_score)

    # -- closed-loop validation ----------------------------------------------------------------------
    def _validation_windows(self, series: np.ndarray, fit_end: int) -> tuple[list[int], int]:
        """Origins (indices into ``series``, all >= fit_end) of the closed-loop validation windows and their length."""
        val_len = len(series) - fit_end
        length = min(int(self.params.horizon), val_len)
        count = val_len // length
        offsets = np.unique(np.linspace(0, (count - 1) * length, min(count, MAX_VAL_WINDOWS)).round().astype(int))
        return [fit_end + int(o) for o in offsets], length

    def _window_states(self, series: np.ndarray, origins: list[int], base: int,
                       base_state: np.ndarray) -> np.ndarray:
        """States after consuming ``series[origin - 1]`` for every origin >= ``base``, teacher-forced from
        ``base_state`` (the state after ``series[base - 1]``)."""
        wanted = np.asarray(origins) - 1 - base  # row index in a run over series[base:]
        states = np.empty((len(origins), self.reservoir.units))
        states[wanted < 0] = base_state
        if wanted.max() >= 0:
            for start, block in self.reservoir.iter_features(series[base: base + wanted.max() + 1], base_state):
                inside = (wanted >= start) & (wanted < start + len(block))
                states[inside] = block[wanted[inside] - start, 2:]
        return states

    def _validation_scores(self, readouts: list[np.ndarray], series: np.ndarray, fit_end: int,
                           base_state: np.ndarray) -> list[float]:
        """Mean squared closed-loop error of each readout (outputs x features) over the validation windows.

        ``base_state`` is the reservoir state after ``series[fit_end - 1]``.
        """
        origins, length = self._validation_windows(series, fit_end)
        states = self._window_states(series, origins, fit_end, base_state)
        lo, hi = self._envelope
        scores = []
        for coef in readouts:
            sq, count = 0.0, 0
            for origin, x0 in zip(origins, states, strict=True):
                truth = series[origin:origin + length]
                u0 = series[origin - 1]
                if self.params.strategy == "recursive":
                    pred, _ = self.reservoir.closed_loop(x0, u0, coef[0], length, (lo, hi))
                else:
                    pred = np.clip(coef[:, 0] + coef[:, 1] * u0 + coef[:, 2:] @ x0, lo, hi)[:length]
                sq += float(np.sum((pred - truth) ** 2))
                count += length
            scores.append(sq / count)
        return scores

    # -- forecasting ------------------------------------------------------------------------------
    def _coef(self) -> np.ndarray:
        """The fitted readout's weights (outputs x (N+2)), or a SettingsError before fit."""
        if self.reservoir is None or self.readout_ is None:
            raise SettingsError("The Echo State Network is not fitted yet; call fit(train) before forecasting.")
        return coefficients(self.readout_)

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Run the reservoir over ``history`` from a zero state, then predict ``horizon`` steps.

        Recursive: closed loop on the readout's ``coef_``, each prediction clipped to the training
        envelope and fed back. Direct: the readout's ``predict`` at the last state (at most
        ``params.horizon`` steps). The returned :class:`Forecast` says whether any step had to be clipped.
        """
        coef = self._coef()
        state = self.reservoir.final_state(history)
        u = float(history[-1])
        if self.params.strategy == "direct":
            if horizon > self.out_dim:
                raise SettingsError(f"The direct ESN was trained for at most {self.out_dim} steps ahead; got a "
                                    f"horizon of {horizon}. Set the ESN hyperparameter horizon >= {horizon} "
                                    "or use strategy=recursive.")
            features = np.concatenate([[1.0, u], state])[None, :]
            return self.clip_values(np.ravel(self.readout_.predict(features))[:horizon])
        lo, hi = self._envelope
        values, clipped = self.reservoir.closed_loop(state, u, coef[0], horizon, (lo, hi))
        return Forecast(values, clipped)

    def one_step_predictions(self, series: np.ndarray) -> np.ndarray:
        """Teacher-forced one-step predictions: element t predicts ``series[t + 1]`` from ``series[: t + 1]``.

        The reservoir starts from a zero state at ``series[0]``; the last element forecasts the value
        after the series. Not clipped.
        """
        w = self._coef()[0]
        series = as_series(series, "series")
        out = np.empty(len(series))
        for start, block in self.reservoir.iter_features(series):
            out[start:start + len(block)] = block @ w
        return out

    # -- the recurrent core, for the memory analysis ----------------------------------------------
    def states(self, inputs: np.ndarray) -> np.ndarray:
        """Reservoir states from a zero state: (T, N) for a 1-D input, (B, T, N) for a (B, T) batch."""
        self._coef()
        u = np.asarray(inputs, dtype=np.float64)
        if u.ndim == 2:
            return np.stack([self.reservoir.run(row) for row in u])
        return self.reservoir.run(u)

    def input_gradients(self, series: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
        """Exact ``d y_hat(ends[i] + 1) / d series[j]`` of the one-step forecast by the adjoint chain."""
        coef = self._coef()
        series, ends = as_series(series, "series"), np.asarray(ends, dtype=int)
        if ends.size and (ends.min() < 0 or ends.max() >= len(series)):
            raise InputError(f"Gradient origins must lie inside the series (0 .. {len(series) - 1}).")
        return self.reservoir.input_gradients(series, coef[0], ends, int(lags))

    def memory_extras(self, eps: float) -> dict[str, Any]:
        """The reservoir's eigenvalues and spectral radius, and the decay rate (1-a) + a rho with its horizon."""
        from forecasting.memory import decay_horizon, theoretical_decay_rate

        self._coef()
        eigenvalues = self.reservoir.eigenvalues()
        actual = float(np.max(np.abs(eigenvalues))) if len(eigenvalues) else 0.0
        rate = theoretical_decay_rate(self.params.leak_rate, float(self.params.spectral_radius))
        return {"decay_rate": rate, "decay_horizon": decay_horizon(rate, eps), "spectral_radius": actual,
                "eigenvalues": [[float(z.real), float(z.imag)] for z in eigenvalues]}

    # -- reporting --------------------------------------------------------------------------------
    @property
    def trainable_parameters(self) -> int:
        """Readout weights: outputs x (N + 2) (bias, input and one per reservoir neuron)."""
        return int(self.out_dim * (int(self.params.units) + 2))

    def tuned_params(self) -> dict[str, Any]:
        """The ridge_alpha the readout used (chosen on validation, or by RidgeCV, when the setting was None)."""
        return {} if self.ridge_alpha_ is None else {"ridge_alpha": self.ridge_alpha_}
