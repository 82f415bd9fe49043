"""Transforms applied identically before every neural model: log, differencing, standard scaling.

All choices and the scaler are fitted on the training part only; :meth:`Preprocessor.inverse`
turns model-space forecasts back into the original units exactly (a round-trip test proves it).

The ``auto`` rule, decided from the training part alone:

* **log** when every value is positive and the spread grows with the level: over consecutive
  windows of ``max(season_length, 6)`` points, the correlation between window mean and window
  standard deviation exceeds 0.5 (at least four windows needed).
* **seasonal differencing** (lag m) when ``m > 1``, the training part holds at least three seasons
  and the autocorrelation at lag m of the first-differenced (logged) series exceeds 0.3.
* **first differencing** when no seasonal difference was taken and an augmented Dickey-Fuller test
  (statsmodels ``adfuller``, constant, ``floor(4 (n/100)^0.25)`` lags) on the (logged) series cannot
  reject a unit root at the 5% level (MacKinnon p-value above 0.05). A series too short for the
  test (fewer than 8 regression rows) is left undifferenced and the reason says so. At
  most one difference in total: a seasonal difference already removes a trend, and differencing
  twice over-differences short series so that recursive forecasts drift toward a zero change.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from forecasting.errors import InputError, SettingsError

AUTO = "auto"
ADF_LEVEL = 0.05  # significance level of the unit-root test
MIN_ADF_ROWS = 8  # fewer regression rows leave the ADF statistic meaningless
LOG_LEVEL_SPREAD_CORRELATION = 0.5
SEASONAL_ACF_THRESHOLD = 0.3


def _resolve_flag(value: bool | str, name: str) -> bool | None:
    """Return True/False for explicit settings and None for ``auto``."""
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == AUTO:
            return None
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise SettingsError(f"{name} must be true, false or auto; got {value!r}.")
    return bool(value)


@dataclass(frozen=True)
class UnitRootTest:
    """Outcome of the augmented Dickey-Fuller test: statistic and p-value, or why it did not run."""

    ran: bool
    statistic: float = float("nan")
    pvalue: float = float("nan")
    note: str = ""

    @property
    def unit_root(self) -> bool:
        """True when the test ran and cannot reject a unit root at the 5% level."""
        return self.ran and self.pvalue > ADF_LEVEL


def adf_test(x: np.ndarray, lags: int | None = None) -> UnitRootTest:
    """Augmented Dickey-Fuller test (statsmodels, constant only) with a fixed lag count, or "not run".

    The lag count defaults to Schwert's ``floor(4 (n/100)^0.25)``, capped at n/4; the test needs at
    least ``MIN_ADF_ROWS`` regression rows, below which its statistic means nothing.
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if lags is None:
        lags = int(np.floor(4 * (max(n, 1) / 100.0) ** 0.25))
    lags = max(0, min(lags, n // 4))
    rows = n - 1 - lags
    if rows < MIN_ADF_ROWS:
        return UnitRootTest(False, note=f"test not run (too short: {n} values, needs {MIN_ADF_ROWS + 1 + lags})")
    if np.ptp(x) == 0:
        return UnitRootTest(False, note="test not run (constant series)")
    from statsmodels.tsa.stattools import adfuller  # deferred: statsmodels costs ~2 s to import cold

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # FutureWarning about the return type in statsmodels 0.15
            result = adfuller(x, maxlag=lags, regression="c", autolag=None)
    except (ValueError, np.linalg.LinAlgError) as exc:
        return UnitRootTest(False, note=f"test not run ({exc})")
    return UnitRootTest(True, float(result[0]), float(result[1]))


def adf_statistic(x: np.ndarray, lags: int | None = None) -> float:
    """ADF t-statistic of :func:`adf_test` (NaN when the test cannot run); below about -2.86 rejects a unit root."""
    return adf_test(x, lags).statistic


def _autocorrelation(x: np.ndarray, lag: int) -> float:
    """Sample autocorrelation at ``lag`` (statsmodels ``acf``); 0 when the lag is too long or x constant."""
    from statsmodels.tsa.stattools import acf  # deferred like adfuller

    x = np.asarray(x, dtype=float)
    if lag >= len(x) or np.ptp(x) == 0:
        return 0.0
    return float(acf(x, nlags=lag, fft=len(x) > 256)[lag])


def _spread_grows_with_level(x: np.ndarray, window: int) -> bool:
    n_windows = len(x) // window
    if n_windows < 4:
        return False
    blocks = x[: n_windows * window].reshape(n_windows, window)
    means, stds = blocks.mean(axis=1), blocks.std(axis=1)
    if np.std(means) == 0 or np.std(stds) == 0:
        return False
    return float(np.corrcoef(means, stds)[0, 1]) > LOG_LEVEL_SPREAD_CORRELATION


def _first_difference_rule(work: np.ndarray) -> tuple[bool, str]:
    """Difference when the ADF test cannot reject a unit root; leave a series too short to test alone."""
    test = adf_test(work)
    if not test.ran:
        return False, f"no first difference: ADF {test.note}"
    if test.unit_root:
        return True, f"first difference: ADF t={test.statistic:.2f} (p={test.pvalue:.2f}) cannot reject a unit root"
    return False, f"no first difference: ADF t={test.statistic:.2f} (p={test.pvalue:.2f}) rejects a unit root"


@dataclass
class Preprocessor:
    """Fitted transform ``y -> z`` (log, first difference, seasonal difference, standardise) and its inverse."""

    log: bool = False
    difference: bool = False
    seasonal_difference: bool = False
    season_length: int = 1
    mean: float = 0.0
    std: float = 1.0
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def fit(cls, train: np.ndarray, season_length: int = 1, *, log: bool | str = AUTO,
            difference: bool | str = AUTO, seasonal_difference: bool | str = AUTO,
            scale: bool = True) -> Preprocessor:
        """Decide the transforms (explicit or by the ``auto`` rule) and fit the scaler on ``train`` only."""
        train = np.asarray(train, dtype=float)
        m = max(1, int(season_length))
        reasons: list[str] = []

        use_log = _resolve_flag(log, "log")
        if use_log is None:
            use_log = bool(np.all(train > 0)) and _spread_grows_with_level(train, max(m, 6))
            reasons.append("log: spread grows with level" if use_log else "no log")
        elif use_log and np.any(train <= 0):
            raise SettingsError("The log transform needs a strictly positive series; set log to false or auto.")
        work = np.log(train) if use_log else train

        use_sdiff = _resolve_flag(seasonal_difference, "seasonal_difference")
        if use_sdiff is None:
            use_sdiff = m > 1 and len(work) >= 3 * m + 2 and _autocorrelation(np.diff(work), m) > SEASONAL_ACF_THRESHOLD
            reasons.append(f"seasonal difference (lag {m}): strong lag-{m} autocorrelation"
                           if use_sdiff else "no seasonal difference")
        if use_sdiff and m <= 1:
            raise SettingsError("Seasonal differencing needs a season length above 1.")
        if use_sdiff:
            work = work[m:] - work[:-m]

        use_diff = _resolve_flag(difference, "difference")
        if use_diff is None and use_sdiff:
            use_diff = False
            reasons.append("no first difference: the seasonal difference already removes a trend")
        if use_diff is None:
            use_diff, reason = _first_difference_rule(work)
            reasons.append(reason)
        if use_diff:
            work = np.diff(work)

        if len(work) < 2:
            raise InputError("The training part is too short for the chosen differencing; "
                             "use a longer series, a shorter horizon or turn differencing off.")
        mean, std = (float(np.mean(work)), float(np.std(work))) if scale else (0.0, 1.0)
        if not np.isfinite(std) or std <= 1e-12 * max(1.0, abs(mean)):
            std = 1.0
        return cls(log=bool(use_log), difference=bool(use_diff), seasonal_difference=bool(use_sdiff),
                   season_length=m, mean=mean, std=std, reasons=reasons)

    @property
    def lost_points(self) -> int:
        """How many leading values have no model-space counterpart (consumed by differencing)."""
        return int(self.difference) + (self.season_length if self.seasonal_difference else 0)

    def describe(self) -> str:
        steps = [s for s, on in (("log", self.log), ("difference", self.difference),
                                 (f"seasonal difference (lag {self.season_length})", self.seasonal_difference)) if on]
        return " -> ".join(steps + ["standardise"]) if steps else "standardise"

    def to_dict(self) -> dict:
        return asdict(self)

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Map a raw series to model space; the result is ``lost_points`` values shorter."""
        work = np.asarray(y, dtype=float)
        if self.log:
            if np.any(work <= 0):
                raise InputError("The log transform met a non-positive value; set log to false.")
            work = np.log(work)
        if self.seasonal_difference:
            m = self.season_length
            work = work[m:] - work[:-m]
        if self.difference:
            work = np.diff(work)
        return (work - self.mean) / self.std

    def inverse(self, z_future: np.ndarray, y_history: np.ndarray) -> np.ndarray:
        """Turn model-space forecasts that follow ``y_history`` back into original units, exactly."""
        w = np.asarray(z_future, dtype=float) * self.std + self.mean
        history = np.asarray(y_history, dtype=float)
        level = np.log(history) if self.log else history.copy()
        if len(level) < self.lost_points + 1:
            raise InputError("Not enough history to undo the differencing for the forecast.")
        m = self.season_length
        # s_t: series after the seasonal difference (or the level itself when there is none).
        if self.seasonal_difference:
            s_hist = list(level[m:] - level[:-m])
        else:
            s_hist = list(level)
        lv = list(level)
        out = np.empty(len(w))
        for i, value in enumerate(w):
            s_next = s_hist[-1] + value if self.difference else value
            s_hist.append(s_next)
            level_next = lv[-m] + s_next if self.seasonal_difference else s_next
            lv.append(level_next)
            out[i] = level_next
        with np.errstate(over="ignore"):
            return np.exp(out) if self.log else out
