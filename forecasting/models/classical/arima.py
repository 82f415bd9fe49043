"""Automatic seasonal ARIMA (after Hyndman & Khandakar, 2008) on statsmodels' ARIMA, kept cheap.

1. Seasonal differencing D = 1 when m > 1, the training part holds two full seasons and the STL
   seasonal strength ``1 - var(remainder) / var(season + remainder)`` is at least 0.64 (the rule of
   R's ``nsdiffs``).
2. First differences d (at most 2 - D): repeated KPSS tests (statsmodels ``kpss``, level-stationary
   null, 5% level) on the (seasonally) differenced series.
3. ARMA orders by AICc on the differenced series: a stepwise search over p, q in 0..2 and P, Q in
   0..1 (seasonal only with two full seasons), a constant (mean or drift) tried when d + D <= 1. The
   search starts from (0,0)(0,0), (1,0)(1,0) and (0,1)(0,1) and moves to the first better neighbour;
   it stops after ``max_fits`` fits. Hyndman's fourth start, (2,2)(1,1), is left out: it is the most
   expensive fit (benchmarks/results_classical.md) and stays reachable as a neighbour.

Every choice uses the training data only (nested-honest); the differencing is undone exactly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from forecasting.errors import SettingsError
from forecasting.models.base import FitCallbacks, Params, StopReason, param
from forecasting.models.classical._common import (
    AUTO,
    STATSMODELS_FAILURES,
    ClassicalForecaster,
    aicc_or_inf,
    enough_for_seasonality,
    quiet,
)

SEASONAL_STRENGTH_THRESHOLD = 0.64
KPSS_LEVEL = 0.05
MIN_KPSS_POINTS = 10
MAX_ORDER, MAX_SEASONAL_ORDER = 2, 1
# Seasonal ARMA terms make the state m times larger: one fit with m = 52 takes many seconds, so above
# this period only seasonal differencing models the season (as for weekly data in R's auto.arima).
MAX_SEASONAL_ARMA_PERIOD = 24
# The order search runs on the last SEARCH_POINTS differenced values (fit cost is linear in length);
# the chosen orders are then fitted once on the whole training part.
SEARCH_POINTS = 240


@dataclass
class ARIMAParams(Params):
    """Orders of the seasonal ARIMA(p,d,q)(P,D,Q)m; None (empty) means chosen automatically from the training data."""

    p: int | None = param(None, "p: autoregressive order (past values); None: searched in 0..2 by AICc.",
                          low=0, high=5)
    d: int | None = param(None, "d: first differences taken before the ARMA fit; None: KPSS tests decide (0..2).",
                          low=0, high=2)
    q: int | None = param(None, "q: moving-average order (past shocks); None: searched in 0..2 by AICc.",
                          low=0, high=5)
    P: int | None = param(None, "P: seasonal autoregressive order (values one season back); None: searched "
                          "in 0..1 when the series holds two seasons.", low=0, high=2)
    D: int | None = param(None, "D: seasonal differences (lag m); None: 1 when the STL seasonal strength is "
                          "at least 0.64.", low=0, high=1)
    Q: int | None = param(None, "Q: seasonal moving-average order; None: searched in 0..1 when the series "
                          "holds two seasons.", low=0, high=2)
    constant: str = param(AUTO, "constant: a mean (d + D = 0) or drift (d + D = 1) term; auto tries both by "
                          "AICc when d + D <= 1 and leaves it out otherwise.", choices=(AUTO, "true", "false"))
    max_fits: int = param(12, "max_fits: most ARIMA fits the stepwise order search may run (each costs "
                          "0.02-1 s); fewer makes the fit faster and the search coarser.", low=1, high=200)


class Spec(NamedTuple):
    """ARMA orders and constant of one candidate, for the differenced series."""

    p: int
    q: int
    P: int
    Q: int
    constant: bool


def difference(x: np.ndarray, lags: list[int]) -> np.ndarray:
    """``x`` differenced at each lag in turn (seasonal lags first, then first differences)."""
    for lag in lags:
        x = x[lag:] - x[:-lag]
    return x


def integrate(forecast: np.ndarray, history: np.ndarray, lags: list[int]) -> np.ndarray:
    """Undo :func:`difference` for values that follow ``history`` (exact inverse)."""
    stages = [np.asarray(history, dtype=float)]
    for lag in lags:
        stages.append(stages[-1][lag:] - stages[-1][:-lag])
    out = np.asarray(forecast, dtype=float)
    for lag, stage in zip(reversed(lags), reversed(stages[:-1]), strict=True):
        extended = list(stage)
        for value in out:
            extended.append(extended[-lag] + value)
        out = np.array(extended[len(stage):])
    return out


def seasonal_strength(x: np.ndarray, m: int) -> float:
    """STL seasonal strength in [0, 1] (Wang, Smith & Hyndman, 2006): near 1 for a dominant season."""
    from statsmodels.tsa.seasonal import STL

    with quiet():
        fit = STL(x, period=m).fit()
    remainder, season = np.asarray(fit.resid), np.asarray(fit.seasonal)
    total = np.var(season + remainder)
    return 0.0 if total <= 0 else max(0.0, 1.0 - float(np.var(remainder)) / float(total))


def kpss_differences(x: np.ndarray, max_d: int) -> int | None:
    """First differences needed until KPSS no longer rejects stationarity at 5%; None when too short to test."""
    from statsmodels.tsa.stattools import kpss

    if len(x) < MIN_KPSS_POINTS:
        return None
    d = 0
    while d < max_d and len(x) >= MIN_KPSS_POINTS and np.ptp(x) > 0:
        with quiet():
            pvalue = kpss(x, regression="c", nlags="auto")[1]
        if pvalue >= KPSS_LEVEL:
            break
        x, d = np.diff(x), d + 1
    return d


class ARIMAForecaster(ClassicalForecaster):
    """Seasonal ARIMA from statsmodels with differencing from KPSS / seasonal-strength tests and orders by AICc."""

    name: ClassVar[str] = "arima"
    label: ClassVar[str] = "Auto-ARIMA"
    Params: ClassVar[type[Params]] = ARIMAParams
    warm_up_params: ClassVar[dict[str, Any]] = {"p": 1, "d": 0, "q": 0, "P": 0, "D": 0, "Q": 0, "constant": "true"}

    def __init__(self, params: ARIMAParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        if self.params.D and self.season_length <= 1:
            raise SettingsError("ARIMA: seasonal differencing (D = 1) needs a season length above 1.")
        self.d = self.D = 0
        self.spec: Spec | None = None
        self.aicc: dict[str, float] = {}
        self.fits = 0
        self._result: Any = None

    @classmethod
    def warm_up(cls) -> None:
        """The cheap fit of the base class plus one KPSS test and one STL (their modules load on first use)."""
        super().warm_up()
        series = np.sin(np.arange(24) * np.pi / 2) + np.linspace(0, 1, 24)
        kpss_differences(series, 1)
        seasonal_strength(series, 4)

    # -- differencing ---------------------------------------------------------------------------
    @property
    def lags(self) -> list[int]:
        """Differencing lags in the order applied: D seasonal ones, then d first ones."""
        return [self.season_length] * self.D + [1] * self.d

    def _choose_differencing(self, train: np.ndarray) -> None:
        """Fix D (seasonal strength) and d (KPSS) unless given; keep a few values after differencing."""
        m, fixed = self.season_length, self.params
        seasonal_ok = enough_for_seasonality(len(train), m)
        if fixed.D is not None:
            self.D = int(fixed.D) if seasonal_ok else 0
            if fixed.D and not seasonal_ok:
                self._warn(f"ARIMA: D = 1 needs at least {2 * m + 1} training values; no seasonal difference taken.")
        else:
            self.D = int(seasonal_ok and seasonal_strength(train, m) >= SEASONAL_STRENGTH_THRESHOLD)
        if fixed.d is not None:
            self.d = int(fixed.d)
        else:
            found = kpss_differences(difference(train, [m] * self.D), 2 - self.D)
            if found is None:
                self._warn("ARIMA: too few values for the KPSS test; one difference assumed (a random walk).")
            self.d = 1 if found is None else found
        while len(train) - sum(self.lags) < 3 and (self.D or self.d):
            self.D, self.d = (0, self.d) if self.D else (0, self.d - 1)
            self._warn("ARIMA: too few values left after differencing; fewer differences taken.")

    # -- order search ---------------------------------------------------------------------------
    def _starts(self, seasonal: bool) -> list[Spec]:
        """The three starting candidates, with fixed orders imposed and duplicates dropped."""
        constant = self._constant_choices()[0]
        raw = [Spec(0, 0, 0, 0, constant), Spec(1, 0, 1, 0, constant), Spec(0, 1, 0, 1, constant)]
        return list(dict.fromkeys(self._impose(s, seasonal) for s in raw))

    def _constant_choices(self) -> list[bool]:
        """Constant options: both when auto and d + D <= 1 (with one first), none beyond."""
        if self.params.constant != AUTO:
            return [self.params.constant == "true"]
        return [True, False] if self.d + self.D <= 1 else [False]

    def _impose(self, spec: Spec, seasonal: bool) -> Spec:
        """``spec`` with user-fixed orders applied and seasonal orders zero without a season."""
        f = self.params
        return Spec(_pick(f.p, spec.p), _pick(f.q, spec.q), _pick(f.P, spec.P) if seasonal else 0,
                    _pick(f.Q, spec.Q) if seasonal else 0, spec.constant)

    def _neighbours(self, spec: Spec, seasonal: bool) -> list[Spec]:
        """Specs one step away (each order +-1, p and q together, P and Q together, constant toggled)."""
        steps = [(dp, 0, 0, 0) for dp in (-1, 1)] + [(0, dq, 0, 0) for dq in (-1, 1)]
        steps += [(s, s, 0, 0) for s in (-1, 1)]
        if seasonal:
            steps += [(0, 0, s, 0) for s in (-1, 1)] + [(0, 0, 0, s) for s in (-1, 1)] + [(0, 0, s, s) for s in (-1, 1)]
        out = [Spec(spec.p + a, spec.q + b, spec.P + c, spec.Q + e, spec.constant) for a, b, c, e in steps]
        out += [spec._replace(constant=c) for c in self._constant_choices() if c != spec.constant]
        valid = [s for s in out if 0 <= s.p <= MAX_ORDER and 0 <= s.q <= MAX_ORDER
                 and 0 <= s.P <= MAX_SEASONAL_ORDER and 0 <= s.Q <= MAX_SEASONAL_ORDER]
        return list(dict.fromkeys(self._impose(s, seasonal) for s in valid if self._impose(s, seasonal) != spec))

    def _fit_spec(self, w: np.ndarray, spec: Spec) -> Any:
        """Fit one ARMA on the differenced series (statsmodels ARIMA, exact likelihood)."""
        from statsmodels.tsa.arima.model import ARIMA

        m = self.season_length
        seasonal_order = (spec.P, 0, spec.Q, m) if (spec.P or spec.Q) else (0, 0, 0, 0)
        model = ARIMA(w, order=(spec.p, 0, spec.q), seasonal_order=seasonal_order,
                      trend="c" if spec.constant else "n", concentrate_scale=any(spec))  # white noise: sigma only
        with quiet():
            return model.fit(cov_type="none")  # no parameter covariance: it costs a numerical Hessian

    def _fully_fixed(self) -> bool:
        """True when every order and the constant are given (a refit with tuned values): nothing to search."""
        f = self.params
        return None not in (f.p, f.q, f.P, f.Q) and f.constant != AUTO

    def _seasonal_arma(self, n_differenced: int) -> bool:
        """Seasonal AR/MA terms only for m <= 24 with two full seasons of (differenced) data."""
        m = self.season_length
        return m <= MAX_SEASONAL_ARMA_PERIOD and enough_for_seasonality(n_differenced + sum(self.lags), m)

    def _search(self, w: np.ndarray, callbacks: FitCallbacks | None) -> tuple[Spec, Any] | None:
        """Stepwise AICc search from the starting specs; returns the best spec and its fit."""
        seasonal = self._seasonal_arma(len(w))
        if not seasonal and (self.params.P or self.params.Q):
            self._warn(f"ARIMA: seasonal AR/MA terms need 1 < m <= {MAX_SEASONAL_ARMA_PERIOD} and two full seasons; "
                       "P and Q set to 0.")
        results: dict[Spec, tuple[float, Any]] = {}
        started = time.perf_counter()

        def out_of_budget() -> bool:
            if self.fits >= self.params.max_fits:
                return True
            if callbacks and callbacks.should_stop and callbacks.should_stop():
                self.history.stop_reason = StopReason.STOPPED_BY_USER
                return True
            budget = callbacks.time_budget_s if callbacks else None
            if budget is not None and time.perf_counter() - started > budget:
                self.history.stop_reason = StopReason.TIME_BUDGET
                return True
            return False

        def evaluate(spec: Spec) -> None:
            if spec in results or out_of_budget():
                return
            self.fits += 1
            try:
                result = self._fit_spec(w, spec)
            except STATSMODELS_FAILURES:
                return
            results[spec] = (aicc_or_inf(result), result)
            self.aicc[_describe(spec, self.d, self.D, self.season_length)] = results[spec][0]

        for spec in self._starts(seasonal):
            evaluate(spec)
        if not results:
            return None
        best = min(results, key=lambda s: results[s][0])
        moved = True
        while moved and not out_of_budget():
            moved = False
            for spec in self._neighbours(best, seasonal):
                evaluate(spec)
                if spec in results and results[spec][0] < results[best][0]:
                    best, moved = spec, True
                    break
        return best, results[best][1]

    # -- the protocol ---------------------------------------------------------------------------
    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Choose differencing and orders on ``train`` only; ``val`` is not needed."""
        self._remember_training(train)
        self._choose_differencing(train)
        w = difference(train, self.lags)
        searched = w if self._fully_fixed() else w[-SEARCH_POINTS:]
        found = self._search(searched, callbacks)
        if found is not None and len(searched) < len(w):
            found = self._refit_all(w, found)
        if found is None:
            self._warn(f"ARIMA: no ARMA model could be fitted; ARIMA(0,{self.d},0)(0,{self.D},0) "
                       "(a random walk / seasonal naive) is used instead.")
            self.spec, self._result, self._n_params = None, None, 0
            return
        self.spec, self._result = found
        self._n_params = len(np.asarray(self._result.params))

    def _refit_all(self, w: np.ndarray, found: tuple[Spec, Any]) -> tuple[Spec, Any]:
        """The searched orders fitted on the whole differenced training part (the search fit if that fails)."""
        try:
            return found[0], self._fit_spec(w, found[0])
        except STATSMODELS_FAILURES:
            self._warn("ARIMA: the fit on the whole training part failed; the fit on its last "
                       f"{SEARCH_POINTS} values is used.")
            return found

    def _forecast(self, history: np.ndarray, horizon: int) -> Any:
        """Forecast the differenced series (refiltered over a new history) and undo the differencing."""
        if len(history) <= sum(self.lags):
            return np.full(horizon, history[-1])
        if self._result is None:
            w_forecast = np.zeros(horizon)
        elif self._is_training_series(history):
            w_forecast = self._result.forecast(horizon)
        else:
            w_forecast = self._result.apply(difference(history, self.lags)).forecast(horizon)
        return integrate(np.asarray(w_forecast, dtype=float), history, self.lags)

    def tuned_params(self) -> dict[str, Any]:
        """The chosen orders and constant, e.g. ``{"p": 1, "d": 1, "q": 1, "P": 0, "D": 1, "Q": 1, ...}``."""
        chosen: dict[str, Any] = {"d": self.d, "D": self.D}
        if self.spec is not None:
            chosen.update(p=self.spec.p, q=self.spec.q, P=self.spec.P, Q=self.spec.Q,
                          constant="true" if self.spec.constant else "false")
        return chosen

    def describe(self) -> str:
        """The fitted model in the usual notation, e.g. ``ARIMA(1,1,1)(0,1,1)12 with drift``."""
        spec = self.spec or Spec(0, 0, 0, 0, False)
        return _describe(spec, self.d, self.D, self.season_length)


def _pick(fixed: float | None, searched: int) -> int:
    """A user-fixed order (a float when it came from text) as an int, else the searched one."""
    return int(fixed) if fixed is not None else searched


def _describe(spec: Spec, d: int, D: int, m: int) -> str:
    """Notation of one candidate, e.g. ``ARIMA(0,1,1)(0,1,1)12``."""
    text = f"ARIMA({spec.p},{d},{spec.q})"
    if spec.P or spec.Q or D:
        text += f"({spec.P},{D},{spec.Q}){m}"
    return text + (" with constant" if spec.constant else "")
