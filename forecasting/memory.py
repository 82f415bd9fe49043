"""Memory horizon: how far back in its input a fitted forecaster still looks, and how much it can recall.

Three measures (definitions, defaults and how to read them: ``docs/memory-horizon.md``):

* the input-sensitivity profile ``S(k) = mean_t |d y_hat(t+1) / d u(t+1-k)|`` of the one-step
  forecast, from the model's own exact gradients when it declares
  :class:`~forecasting.models.base.RecurrentModel` (the ESN's adjoint chain, autograd for the
  LSTM/GRU), else by central finite differences of its forecasts (baselines, classical references);
* the memory horizon ``h``: the largest lag whose sensitivity is still at least ``eps`` times the
  peak, ``math.inf`` when the profile has not decayed within the lags measured;
* the memory capacity of the recurrent core (Jaeger 2001, GMD Report 152): ``sum_k r^2`` between
  ``u(t-k)`` and its best linear reconstruction from the state, for i.i.d. uniform input.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import RecurrentModel

if TYPE_CHECKING:  # the reservoir pulls in numba
    from forecasting.models.reservoir import Reservoir

EXACT_ALIASES = ("exact", "jacobian", "autograd")  # the model's own input_gradients (old names kept)
METHODS = ("auto", *EXACT_ALIASES, "finite_difference")
DEFAULT_MAX_LAG = 200
DEFAULT_ORIGINS = 16
DEFAULT_EPSILON = 0.01
DEFAULT_FD_STEP = 1e-3  # central-difference step, as a fraction of the series' standard deviation
DEFAULT_MC_DELAYS = 100
DEFAULT_MC_TRAIN = 2000
DEFAULT_MC_TEST = 1000
DEFAULT_MC_WASHOUT = 100
# The per-model report in every comparison uses half the samples: it must stay cheap next to the fits
# (the bias of r^2 grows like K_mc / n_test; its effect is measured in benchmarks/results_memory.md).
MC_STREAMS = 4  # independent input series driven at once through a core that declares batched_states
REPORT_MC_TRAIN = 1000
REPORT_MC_TEST = 500
MC_RIDGE_GRID = 10.0 ** np.arange(-12, 1)  # candidate penalties, relative to the Gram matrix's mean eigenvalue


# -- input checks ------------------------------------------------------------------------------------

def _as_series(values: Any, what: str = "series", min_length: int = 1) -> np.ndarray:
    """Return ``values`` as a finite 1-D float array of at least ``min_length`` points, else InputError."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise InputError(f"The {what} must be a 1-D series; got an array of shape {arr.shape}.")
    if len(arr) < min_length:
        raise InputError(f"The {what} needs at least {min_length} values; got {len(arr)}.")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"The {what} contains missing or infinite values; fill or drop them first.")
    return arr


def _positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 1 or raise SettingsError."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not number.is_integer() or number < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1; got {value!r}.")
    return int(number)


def _check_epsilon(eps: float) -> float:
    eps = float(eps)
    if not 0.0 < eps < 1.0:
        raise SettingsError(f"The memory threshold eps must be between 0 and 1 (e.g. 0.01); got {eps!r}.")
    return eps


# -- how a model is differentiated ------------------------------------------------------------------

def _is_recurrent(model: Any) -> bool:
    """True when the model declares the :class:`RecurrentModel` interface (states, exact input gradients)."""
    return isinstance(model, RecurrentModel)


def _resolve_method(model: Any, method: str) -> str:
    """``exact`` or ``finite_difference`` for ``method`` (``auto``: exact when the model declares it)."""
    if method not in METHODS:
        raise SettingsError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    if method == "auto":
        return "exact" if _is_recurrent(model) else "finite_difference"
    if method in EXACT_ALIASES:
        if not _is_recurrent(model):
            raise SettingsError(f"{type(model).__name__} has no exact input gradients (it is not a RecurrentModel); "
                                "use method='finite_difference'.")
        return "exact"
    return method


# -- sensitivity profile ------------------------------------------------------------------------------

def sensitivity_profile(model: Any, series: np.ndarray, max_lag: int = DEFAULT_MAX_LAG,
                        origins: int | None = DEFAULT_ORIGINS, method: str = "auto",
                        fd_step: float = DEFAULT_FD_STEP, heldout_start: int | None = None) -> np.ndarray:
    """Mean ``|d y_hat(t+1) / d u(t+1-k)|`` over forecast origins, for lags ``k = 1 .. K`` (entry ``k-1``).

    ``series`` is in model space; each origin ``t`` forecasts from ``series[:t+1]``. The origins are
    ``origins`` positions spread evenly over ``heldout_start - 1 .. len(series) - 1`` (the forecasts of
    held-out values), or the last ``origins`` positions when ``heldout_start`` is None; None takes every
    candidate. ``K = min(max_lag, first origin + 1)``, so every lag is averaged over the same origins.
    ``method``: ``exact`` (the model's own :meth:`RecurrentModel.input_gradients`: the ESN's adjoint
    chain, autograd for the LSTM/GRU; ``jacobian`` and ``autograd`` are accepted as its old names),
    ``finite_difference`` (any forecaster; step ``fd_step`` x the series' standard deviation) or
    ``auto`` (exact when the model is a RecurrentModel).
    """
    series = _as_series(series, "series for the sensitivity profile")
    max_lag = _positive_int(max_lag, "max_lag")
    ends = _origin_positions(len(series), origins, heldout_start)
    method = _resolve_method(model, method)
    lags = min(max_lag, int(ends[0]) + 1)
    if method == "finite_difference":
        grads = _fd_gradients(model, series, ends, lags, fd_step)
    else:
        grads = np.asarray(model.input_gradients(series, ends, lags), dtype=float)
    return _profile_from_gradients(grads, ends, lags)


def _origin_positions(n: int, origins: int | None, heldout_start: int | None) -> np.ndarray:
    """Sorted forecast origins: ``origins`` positions spread evenly over the candidate range."""
    count = None if origins is None else _positive_int(origins, "origins")
    if heldout_start is None:
        first = 0 if count is None else max(0, n - count)
    else:
        if isinstance(heldout_start, bool) or not float(heldout_start).is_integer():
            raise SettingsError(f"heldout_start must be a whole number; got {heldout_start!r}.")
        if not 0 <= int(heldout_start) <= n:
            raise SettingsError(f"heldout_start must lie between 0 and the series length {n}; "
                                f"got {heldout_start!r}.")
        first = max(0, int(heldout_start) - 1)
    available = n - first
    if count is None or count >= available:
        return np.arange(first, n)
    return np.unique(np.linspace(first, n - 1, count).round().astype(int))


def _profile_from_gradients(grads: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
    """Average ``|grads[i, t_i + 1 - k]|`` over the origins ``i``, for ``k = 1 .. lags`` (<= first origin + 1).

    ``grads`` is ``origins x len(series)``: row ``i`` holds ``d y_hat(t_i + 1) / d u(s)`` for every ``s``.
    """
    source = ends[:, None] + 1 - np.arange(1, lags + 1)[None, :]  # origins x lags: the input each lag reads
    return np.abs(np.take_along_axis(grads, source, axis=1)).mean(axis=0)


def _fd_gradients(model: Any, series: np.ndarray, ends: np.ndarray, lags: int, fd_step: float) -> np.ndarray:
    """Central differences of ``forecast(history, 1)``: two forecasts per origin and lag."""
    if not fd_step > 0:
        raise SettingsError(f"fd_step must be positive; got {fd_step!r}.")
    scale = float(np.std(series))
    delta = fd_step * (scale if scale > 0 else max(1.0, float(np.max(np.abs(series)))))
    grads = np.zeros((len(ends), len(series)))
    for i, t in enumerate(ends):
        history = series[: t + 1].copy()
        for s in range(max(0, t + 1 - lags), t + 1):
            original = history[s]
            history[s] = original + delta
            up = float(model.forecast(history, 1)[0])
            history[s] = original - delta
            down = float(model.forecast(history, 1)[0])
            history[s] = original
            grads[i, s] = (up - down) / (2.0 * delta)
    return grads


def state_sensitivity_profile(reservoir: Reservoir, u: np.ndarray, max_lag: int = DEFAULT_MAX_LAG,
                              sources: int = 4) -> np.ndarray:
    """Mean ``||d x_t / d u(t+1-k)||`` for ``k = 1 .. max_lag``: the readout-free memory of a reservoir.

    Forward-mode chain from ``sources`` input positions spread over ``u`` (each needs ``max_lag - 1``
    later steps); for a linear reservoir with ``W = rho Q`` (``Q`` orthogonal) it is exactly
    ``||W_in[:, 1]|| rho^(k-1)``.
    """
    u = _as_series(u, "reservoir input")
    max_lag = _positive_int(max_lag, "max_lag")
    sources = _positive_int(sources, "sources")
    last_start = len(u) - max_lag
    if last_start < 0:
        raise InputError(f"The reservoir input must hold at least max_lag = {max_lag} steps; got {len(u)}.")
    starts = np.unique(np.linspace(0, last_start, min(sources, last_start + 1)).round().astype(int))
    a = float(reservoir.leak_rate)
    fprime = reservoir.activation_derivatives(u)
    w_in = np.asarray(reservoir.W_in, float)[:, 1]
    vec = a * fprime[starts] * w_in  # d x_s / d u_s, one row per source
    norms = np.empty((len(starts), max_lag))
    for j in range(max_lag):
        norms[:, j] = np.linalg.norm(vec, axis=1)
        if j + 1 < max_lag:
            vec = (1.0 - a) * vec + a * fprime[starts + j + 1] * reservoir.times_w_transposed(vec)
    return norms.mean(axis=0)


# -- memory horizon -----------------------------------------------------------------------------------

def memory_horizon(profile: np.ndarray, eps: float = DEFAULT_EPSILON) -> float:
    """Largest lag ``k`` with ``S(k) >= eps * max S``, so every older lag is below it; ``inf`` if ``S(K)`` is not.

    Returns 0.0 for an all-zero profile (the forecast ignores its input) and ``math.inf`` when the last
    lag measured is still at or above the threshold: the horizon is then beyond ``K`` and unknown.
    """
    p = np.asarray(profile, dtype=float)
    if p.ndim != 1 or len(p) == 0:
        raise InputError(f"The sensitivity profile must be a non-empty 1-D array; got shape {p.shape}.")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise InputError("The sensitivity profile must hold finite, non-negative values.")
    eps = _check_epsilon(eps)
    peak = float(p.max())
    if peak == 0.0:
        return 0.0
    horizon = int(np.flatnonzero(p >= eps * peak)[-1]) + 1
    return math.inf if horizon == len(p) else float(horizon)


def theoretical_decay_rate(leak_rate: float, spectral_radius: float) -> float:
    """``(1 - a) + a rho``: per-step shrink factor of a *linear* leaky reservoir's memory.

    It is the spectral radius of ``(1-a) I + a W`` when W's largest eigenvalue is real and positive,
    and bounds it otherwise. With tanh it is no bound for a non-normal W (rho(DW) can exceed rho(W) for
    D = diag(f') <= I); the bound that holds uses the operator norm, ``(1-a) + a ||W||``
    (docs/memory-horizon.md).
    """
    a, rho = float(leak_rate), float(spectral_radius)
    if not 0.0 < a <= 1.0:
        raise SettingsError(f"leak_rate must be in (0, 1]; got {leak_rate!r}.")
    if not (math.isfinite(rho) and rho >= 0.0):
        raise SettingsError(f"spectral_radius must be a finite non-negative number; got {spectral_radius!r}.")
    return (1.0 - a) + a * rho


def decay_horizon(rate: float, eps: float = DEFAULT_EPSILON) -> float:
    """Horizon of a profile shrinking by ``rate`` per lag, ``S(k) = rate^(k-1)``: about ``ln eps / ln rate``."""
    eps = _check_epsilon(eps)
    rate = float(rate)
    if not (math.isfinite(rate) and rate >= 0.0):
        raise SettingsError(f"rate must be a finite non-negative number; got {rate!r}.")
    if rate >= 1.0:
        return math.inf
    if rate == 0.0:
        return 1.0
    return float(math.floor(math.log(eps) / math.log(rate) + 1e-9) + 1)


# -- memory capacity ----------------------------------------------------------------------------------

def memory_capacity(states_fn: Callable[[np.ndarray], np.ndarray], max_delay: int = DEFAULT_MC_DELAYS,
                    n_train: int = DEFAULT_MC_TRAIN, n_test: int = DEFAULT_MC_TEST,
                    washout: int = DEFAULT_MC_WASHOUT, seed: int = 0, input_scale: float = 1.0,
                    ridge: float | None = None, streams: int = 1) -> tuple[float, np.ndarray]:
    """Jaeger's short-term memory capacity: ``MC = sum_k MC(k)``, ``MC(k)`` = held-out r^2 recalling ``u(t-k)``.

    ``states_fn(u)`` maps an input series (T,) to states (T x N), row ``t`` after reading ``u[t]``.
    Input: i.i.d. uniform on ``[-input_scale, input_scale]``. All ``max_delay`` ridge readouts come from
    one eigendecomposition of the state Gram matrix; each delay's penalty is chosen by generalised
    cross-validation on the training steps (``ridge``: a fixed penalty relative to the mean eigenvalue
    instead). Returns ``(MC, profile)`` with ``profile[k-1] = MC(k)``.

    ``streams > 1`` drives that many independent input series at once (``states_fn`` then maps
    ``B x T`` to ``B x T x N``), each with its own washout, and pools their steps: the same estimate
    with a B times shorter sequential run (cheaper for cores that step slowly, like torch's CPU GRU).
    """
    streams = _positive_int(streams, "streams")
    max_delay = _positive_int(max_delay, "max_delay")
    n_train = _positive_int(n_train, "n_train")
    n_test = _positive_int(n_test, "n_test")
    if isinstance(washout, bool) or int(washout) < 0:
        raise SettingsError(f"washout must be zero or more steps; got {washout!r}.")
    if not input_scale > 0 or (ridge is not None and not ridge >= 0):
        raise SettingsError(f"input_scale must be positive and ridge non-negative; got {input_scale!r}, {ridge!r}.")
    rng = np.random.default_rng(seed)
    start = int(washout) + max_delay
    if streams > 1:
        return _pooled_memory_capacity(states_fn, rng, start, max_delay, n_train, n_test, input_scale,
                                       ridge, streams)
    total = start + n_train + n_test
    u = rng.uniform(-1.0, 1.0, total) * float(input_scale)
    states = np.asarray(states_fn(u), dtype=float)
    if states.ndim != 2 or states.shape[0] != total:
        raise InputError(f"states_fn must return one state row per input step ({total}); got shape {states.shape}.")
    times = np.arange(start, total)
    targets = u[times[:, None] - np.arange(1, max_delay + 1)[None, :]]
    x_train, x_test = states[start:start + n_train], states[start + n_train:]
    return _fit_and_score(x_train, targets[:n_train], x_test, targets[n_train:], ridge)


def _pooled_memory_capacity(states_fn: Callable[[np.ndarray], np.ndarray], rng: np.random.Generator,
                            start: int, max_delay: int, n_train: int, n_test: int, input_scale: float,
                            ridge: float | None, streams: int) -> tuple[float, np.ndarray]:
    """:func:`memory_capacity` over ``streams`` independent series run as one batch (arguments already checked;
    ``start`` = washout + max_delay steps before the first scored step of each series)."""
    per_stream = -(-(n_train + n_test) // streams)
    u = rng.uniform(-1.0, 1.0, (streams, start + per_stream)) * float(input_scale)
    states = np.asarray(states_fn(u), dtype=float)
    if states.ndim != 3 or states.shape[:2] != u.shape:
        raise InputError(f"states_fn must return streams x steps x units {u.shape} + (N,); got {states.shape}.")
    times = np.arange(start, start + per_stream)
    lags = np.arange(1, max_delay + 1)
    x = states[:, start:].reshape(-1, states.shape[2])[: n_train + n_test]
    targets = u[:, times[:, None] - lags[None, :]].reshape(-1, max_delay)[: n_train + n_test]
    return _fit_and_score(x[:n_train], targets[:n_train], x[n_train:], targets[n_train:], ridge)


def _fit_and_score(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
                   ridge: float | None) -> tuple[float, np.ndarray]:
    """Fit the delay readouts on the training rows and return (MC, MC(k)) on the held-out rows."""
    x_mean, y_mean = x_train.mean(axis=0), y_train.mean(axis=0)
    coef = _ridge_readouts(x_train - x_mean, y_train - y_mean, ridge)
    profile = _squared_correlations((x_test - x_mean) @ coef + y_mean, y_test)
    return float(profile.sum()), profile


def _ridge_readouts(x: np.ndarray, y: np.ndarray, ridge: float | None) -> np.ndarray:
    """Ridge weights (N x K) for centred ``x`` (n x N) and ``y`` (n x K) from one eigendecomposition.

    With ``G = X^T X = V diag(l) V^T`` and ``P = V^T X^T Y`` the readout for penalty ``c`` is
    ``V diag(1/(l+c)) P``, its training residual ``|y|^2 - 2 sum p^2/(l+c) + sum l p^2/(l+c)^2`` and its
    effective degrees of freedom ``sum l/(l+c)``: so GCV scores a whole grid of penalties for every
    delay at the cost of a few ``N x K`` products.
    """
    eigvals, eigvecs = np.linalg.eigh(x.T @ x)
    eigvals = np.maximum(eigvals, 0.0)
    proj = eigvecs.T @ (x.T @ y)
    scale = max(float(eigvals.mean()), 1e-300)
    if ridge is not None:
        return eigvecs @ (proj / (eigvals + ridge * scale)[:, None])
    rows = x.shape[0]
    total = (y**2).sum(axis=0)
    proj_sq = proj**2
    best = np.full(y.shape[1], np.inf)
    coef = np.zeros_like(proj)
    for penalty in MC_RIDGE_GRID * scale:
        inverse = 1.0 / (eigvals + penalty)
        residual = total - proj_sq.T @ (2.0 * inverse - eigvals * inverse**2)
        dof = float((eigvals * inverse).sum())
        score = residual / max(rows * (1.0 - dof / rows) ** 2, 1e-300)
        better = score < best
        best[better] = score[better]
        coef[:, better] = proj[:, better] * inverse[:, None]
    return eigvecs @ coef


def _squared_correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Column-wise squared Pearson correlation; 0 where either column is constant."""
    ac, bc = a - a.mean(axis=0), b - b.mean(axis=0)
    denom = np.sqrt((ac**2).sum(axis=0) * (bc**2).sum(axis=0))
    num = (ac * bc).sum(axis=0)
    safe = denom > 0
    out = np.zeros(a.shape[1])
    out[safe] = (num[safe] / denom[safe]) ** 2
    return out


def states_function(model: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """The model's recurrent core as ``u -> states`` (:meth:`RecurrentModel.states`), else None."""
    return model.states if _is_recurrent(model) else None


def model_memory_capacity(model: Any, max_delay: int = DEFAULT_MC_DELAYS, n_train: int = DEFAULT_MC_TRAIN,
                          n_test: int = DEFAULT_MC_TEST, seed: int = 0,
                          **kwargs: Any) -> tuple[float, np.ndarray] | None:
    """:func:`memory_capacity` of the model's recurrent core, or None when it has none (the baselines).

    A core that declares ``batched_states`` runs ``MC_STREAMS`` shorter input series as one batch.
    """
    states_fn = states_function(model)
    if states_fn is None:
        return None
    if model.batched_states:
        kwargs.setdefault("streams", MC_STREAMS)
    return memory_capacity(states_fn, max_delay=max_delay, n_train=n_train, n_test=n_test, seed=seed, **kwargs)


# -- the report ---------------------------------------------------------------------------------------

def memory_report(model: Any, series: np.ndarray, *, heldout_start: int | None = None,
                  max_lag: int = DEFAULT_MAX_LAG, origins: int | None = DEFAULT_ORIGINS,
                  eps: float = DEFAULT_EPSILON, mc_delays: int = DEFAULT_MC_DELAYS,
                  mc_train: int = REPORT_MC_TRAIN, mc_test: int = REPORT_MC_TEST,
                  seed: int = 0, known_capacity: tuple[float, np.ndarray] | None = None) -> dict[str, Any]:
    """Every memory figure of one fitted model on ``series`` (model space), as plain JSON-ready values.

    Keys: ``memory_horizon`` (float, ``inf`` when beyond ``memory_max_lag``), ``sensitivity_profile``,
    ``memory_capacity`` / ``memory_capacity_profile`` (None without a recurrent core), ``memory_epsilon``,
    ``memory_max_lag``; plus whatever the model's :meth:`RecurrentModel.memory_extras` adds (for the ESN
    ``decay_rate``, ``decay_horizon``, ``spectral_radius`` of W as built and ``eigenvalues`` as [re, im]
    pairs). Origins: see :func:`sensitivity_profile`. ``known_capacity``: the (capacity, profile) already
    measured, with the same settings, for a model with the same recurrent core; memory capacity depends on
    the core's states only, not on the readout, so a sweep along ridge_alpha measures it once.
    """
    eps = _check_epsilon(eps)
    profile = sensitivity_profile(model, series, max_lag=max_lag, origins=origins, heldout_start=heldout_start)
    capacity = known_capacity if known_capacity is not None else model_memory_capacity(
        model, max_delay=mc_delays, n_train=mc_train, n_test=mc_test, seed=seed)
    report: dict[str, Any] = {
        "memory_horizon": memory_horizon(profile, eps),
        "sensitivity_profile": [float(v) for v in profile],
        "memory_capacity": None if capacity is None else capacity[0],
        "memory_capacity_profile": None if capacity is None else [float(v) for v in capacity[1]],
        "memory_epsilon": eps,
        "memory_max_lag": len(profile),
    }
    if _is_recurrent(model):
        report.update(model.memory_extras(eps))
    return report


__all__ = ["DEFAULT_EPSILON", "DEFAULT_MAX_LAG", "DEFAULT_ORIGINS", "METHODS", "decay_horizon", "memory_capacity",
           "memory_horizon", "memory_report", "model_memory_capacity", "sensitivity_profile",
           "state_sensitivity_profile", "states_function", "theoretical_decay_rate"]
