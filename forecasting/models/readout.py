"""The Echo State Network's readout: a scikit-learn linear regressor fitted on the reservoir features.

The fitted readout is always a real, fitted scikit-learn estimator (``Ridge``, ``RidgeCV`` or
``HuberRegressor``), fitted by its own ``fit`` and read through ``predict`` / ``coef_``. What differs
is which rows it is given:

* squared loss + L2 penalty with no row count in the objective (``Ridge``): the solution depends on
  the rows only through ``X^T X`` and ``X^T Y``, so it is fitted on a small (N+2)-row factor ``R`` of
  the Gram matrix (``R^T R = X^T X``, targets ``Z`` with ``R^T Z = X^T Y``) and gets the same
  ``coef_`` as a fit on all T rows, without the T x (N+2) feature matrix ever existing;
* ``RidgeCV``'s efficient leave-one-out needs the hat-matrix diagonal of the T real rows, which a
  factor does not have, and ``HuberRegressor``'s loss is not quadratic: both get the full feature
  matrix (float64: the leave-one-out residuals of tiny alphas are not safe in float32).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecasting.errors import SettingsError

if TYPE_CHECKING:  # scikit-learn and scipy are imported where a readout is built or fitted: the dashboard starts fast
    from sklearn.base import RegressorMixin

# Full feature rows are kept in memory only up to this size (float64); beyond it, readouts that need
# them are refused with a message (the Gram-matrix readout 'ridge' has no such limit).
MAX_ROW_BYTES = 1 << 29  # 512 MiB
HUBER_MAX_ITER = 500


@dataclass(frozen=True)
class ReadoutKind:
    """One readout choice: how to build its estimator and whether a Gram-matrix factor fits it exactly."""

    name: str
    help: str
    gram_exact: bool  # True: depends on the rows only through X^T X and X^T Y (fit on the factor)
    tunes_itself: bool  # True: chooses its own alpha from the training rows (RidgeCV's leave-one-out)
    build: Callable[[float, tuple[float, ...], int], RegressorMixin]


def _ridge(alpha: float, grid: tuple[float, ...], outputs: int) -> RegressorMixin:
    from sklearn.linear_model import Ridge

    return Ridge(alpha=alpha, fit_intercept=False)


def _ridgecv(alpha: float, grid: tuple[float, ...], outputs: int) -> RegressorMixin:
    from sklearn.linear_model import RidgeCV

    if min(grid) <= 0:
        raise SettingsError("readout=ridgecv needs ridge_alpha above 0 (its leave-one-out formula divides by it); "
                            "set a positive ridge_alpha or leave it unset.")
    return RidgeCV(alphas=list(grid), fit_intercept=False, alpha_per_target=False)


def _huber(alpha: float, grid: tuple[float, ...], outputs: int) -> RegressorMixin:
    from sklearn.linear_model import HuberRegressor
    from sklearn.multioutput import MultiOutputRegressor

    single = HuberRegressor(alpha=alpha, fit_intercept=False, max_iter=HUBER_MAX_ITER)
    return single if outputs == 1 else MultiOutputRegressor(single)


READOUT_KINDS: dict[str, ReadoutKind] = {
    "ridge": ReadoutKind("ridge", "ridge = sklearn Ridge (squared loss + L2), fitted exactly from the Gram matrix",
                         True, False, _ridge),
    "ridgecv": ReadoutKind("ridgecv", "ridgecv = sklearn RidgeCV: alpha by efficient leave-one-out on the "
                           "training rows (a one-step, training-only criterion; keeps all rows in memory)",
                           False, True, _ridgecv),
    "huber": ReadoutKind("huber", "huber = sklearn HuberRegressor: L2 penalty with a loss that is linear for "
                         "outliers (robust to spikes; slower, keeps all rows in memory)", False, False, _huber),
}
READOUTS: tuple[str, ...] = tuple(READOUT_KINDS)


def readout_kind(name: str) -> ReadoutKind:
    """The :class:`ReadoutKind` called ``name``, or a SettingsError listing the valid names."""
    try:
        return READOUT_KINDS[name]
    except KeyError:
        raise SettingsError(f"Unknown readout {name!r}; valid readouts are: {', '.join(READOUTS)}.") from None


def build_readout(name: str, alpha: float | None, grid: tuple[float, ...], outputs: int) -> RegressorMixin:
    """An unfitted estimator for readout ``name``: penalty ``alpha``; RidgeCV searches ``grid`` (or just ``alpha``)."""
    kind = readout_kind(name)
    candidates = grid if alpha is None else (float(alpha),)
    return kind.build(1.0 if alpha is None else float(alpha), tuple(candidates), int(outputs))


def gram_factor(gram: np.ndarray, xty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(R, Z)`` with ``R^T R = gram`` and ``R^T Z = xty``: a square stand-in for the rows of a least-squares fit.

    Upper Cholesky factor when ``gram`` is numerically positive definite. Otherwise (tiny penalties on
    collinear reservoir states make it semidefinite to round-off) LAPACK's pivoted Cholesky ``dpstrf``:
    ``P^T gram P = U^T U`` with ``U`` of the numerical rank r, so ``R = U P^T`` has r rows and ``Z`` solves the
    leading r x r triangle (``X^T Y`` has no component in the null space of ``X^T X``). The pivoted factor
    costs about a sixth of the eigendecomposition this used before (0.26 s at N = 1000, see
    benchmarks/results_esn.md); an eigenvector factor is kept as the last resort.
    """
    import scipy.linalg

    try:
        r = scipy.linalg.cholesky(gram, lower=False, check_finite=False)
        z = scipy.linalg.solve_triangular(r, xty, trans="T", lower=False, check_finite=False)
        if np.all(np.isfinite(z)):
            return r, z
    except np.linalg.LinAlgError:
        pass
    factor, pivots, rank, info = scipy.linalg.lapack.dpstrf(gram, lower=0)
    if info >= 0 and rank > 0:
        order = pivots - 1  # LAPACK's pivots are 1-based
        upper = np.triu(factor[:rank])  # rank x n, columns in pivot order
        r = np.empty_like(upper)
        r[:, order] = upper
        z = scipy.linalg.solve_triangular(upper[:, :rank], xty[order[:rank]], trans="T", lower=False,
                                          check_finite=False)
        if np.all(np.isfinite(r)) and np.all(np.isfinite(z)):
            return r, z
    eigvals, eigvecs = np.linalg.eigh(gram)
    keep = eigvals > eigvals.max(initial=0.0) * gram.shape[0] * np.finfo(float).eps
    root = np.sqrt(np.where(keep, eigvals, 0.0))
    r = root[:, None] * eigvecs.T
    z = np.where(keep, 1.0 / np.where(keep, root, 1.0), 0.0)[:, None] * (eigvecs.T @ xty)
    return r, z


def fit_readout(estimator: RegressorMixin, x: np.ndarray, y: np.ndarray) -> list[str]:
    """Fit ``estimator`` on rows ``x`` (features) and ``y`` (rows x outputs); returns warnings worth showing.

    Ill-conditioning warnings of tiny penalties are expected and silenced; a solver that stopped
    before converging is reported.
    """
    import scipy.linalg
    from sklearn.exceptions import ConvergenceWarning

    target = y[:, 0] if y.shape[1] == 1 else y  # one output: a 1-D target, as sklearn users fit it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        estimator.fit(x, target)
    return [f"The {type(estimator).__name__} readout did not converge in its iteration limit; its weights may "
            "be rough. Raise ridge_alpha or use readout=ridge."
            for w in caught if issubclass(w.category, ConvergenceWarning)][:1]


def coefficients(estimator: RegressorMixin) -> np.ndarray:
    """The fitted readout's weights as an (outputs x features) float64 C-ordered array."""
    from sklearn.multioutput import MultiOutputRegressor

    if isinstance(estimator, MultiOutputRegressor):
        coef = np.vstack([e.coef_ for e in estimator.estimators_])
    else:
        coef = np.atleast_2d(estimator.coef_)
    return np.ascontiguousarray(coef, dtype=np.float64)


def chosen_alpha(estimator: RegressorMixin) -> float:
    """The penalty the fitted readout used (``alpha_`` for RidgeCV, ``alpha`` otherwise)."""
    from sklearn.linear_model import RidgeCV
    from sklearn.multioutput import MultiOutputRegressor

    if isinstance(estimator, MultiOutputRegressor):
        return float(estimator.estimator.alpha)
    if isinstance(estimator, RidgeCV):
        return float(estimator.alpha_)
    return float(estimator.alpha)


def check_row_memory(rows: int, features: int, readout: str) -> None:
    """Refuse a readout that needs the full feature matrix when it would not fit the memory budget."""
    size = rows * features * 8
    if size > MAX_ROW_BYTES:
        raise SettingsError(f"readout={readout} keeps every feature row in memory: {size / 2**20:,.0f} MiB for "
                            f"{rows:,} rows x {features} features (limit {MAX_ROW_BYTES / 2**20:,.0f} MiB). Use "
                            "readout=ridge (exact from the Gram matrix, any length), fewer units or a shorter series.")
