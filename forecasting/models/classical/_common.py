"""Plumbing every classical reference shares: quiet statsmodels calls, AICc choice, naive fallbacks."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from forecasting.models.base import Forecast, Forecaster, ModelKind, StopReason

# What a statsmodels fit or forecast raises on data it cannot handle (too short, singular, diverging).
STATSMODELS_FAILURES: tuple[type[BaseException], ...] = (
    ValueError, ArithmeticError, np.linalg.LinAlgError, IndexError, KeyError, RuntimeError, TypeError,
)
AUTO = "auto"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence statsmodels' ConvergenceWarning / ValueWarning noise and numpy's floating-point warnings."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def finite_or_none(values: Any, horizon: int) -> np.ndarray | None:
    """``values`` as a float array of length ``horizon`` when every value is finite, else None."""
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return arr if arr.shape == (horizon,) and np.all(np.isfinite(arr)) else None


def aicc_or_inf(result: Any) -> float:
    """A fitted statsmodels result's AICc, +inf when it is missing or not finite (never chosen then)."""
    try:
        value = float(result.aicc)
    except STATSMODELS_FAILURES:
        return float("inf")
    return value if np.isfinite(value) else float("inf")


def enough_for_seasonality(n: int, season_length: int) -> bool:
    """Seasonal terms only when m > 1 and the series holds at least two full seasons plus a point."""
    return season_length > 1 and n >= 2 * season_length + 1


class ClassicalForecaster(Forecaster):
    """Base of the statsmodels references: raw values, deterministic, a naive forecast as last resort.

    Subclasses implement ``_fit`` and ``_forecast(history, horizon)``; a forecast that fails or is not
    finite becomes the naive forecast with a warning, so no traceback and no NaN ever reaches a user.
    """

    kind: ClassVar[ModelKind] = ModelKind.CLASSICAL
    uses_preprocessing: ClassVar[bool] = False
    stochastic: ClassVar[bool] = False
    min_train_points: ClassVar[int] = 4

    def __init__(self, params: Any = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self._train: np.ndarray | None = None
        self._n_params = 0

    #: Hyperparameters of the cheapest fit that still runs every code path (used by ``warm_up``).
    warm_up_params: ClassVar[dict[str, Any]] = {}

    @classmethod
    def warm_up(cls) -> None:
        """Import statsmodels (about 2 s cold) and run one cheap fit and forecast, so no timed fit pays for it."""
        t = np.arange(40, dtype=float)
        series = 10 + 0.1 * t + np.sin(2 * np.pi * t / 4)
        model = cls(cls.Params().replace(**cls.warm_up_params), season_length=4)
        model.fit(series[:36])
        model.predict(series, 2)

    def _remember_training(self, train: np.ndarray) -> None:
        """Keep the training series (to recognise it in ``predict``) and record a closed-form fit."""
        self._train = np.array(train, dtype=float)
        self.history.stop_reason = StopReason.CLOSED_FORM

    def _is_training_series(self, history: np.ndarray) -> bool:
        """True when ``history`` is exactly the series the model was fitted on (forecast from the fit)."""
        return self._train is not None and len(history) == len(self._train) and np.array_equal(history, self._train)

    def _warn(self, message: str) -> None:
        """Add ``message`` to the warnings once."""
        if message not in self.warnings:
            self.warnings.append(message)

    def _forecast(self, history: np.ndarray, horizon: int) -> Any:
        """Forecast values after ``history`` from the fitted configuration (may raise statsmodels errors)."""
        raise NotImplementedError

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        try:
            with quiet():
                values = finite_or_none(self._forecast(history, horizon), horizon)
            problem = "a non-finite forecast"
        except STATSMODELS_FAILURES as exc:
            values, problem = None, f"an error ({type(exc).__name__}: {exc})"
        if values is None:
            self._warn(f"{self.label} gave {problem}; the naive forecast (last value repeated) is used instead.")
            values = np.full(horizon, float(history[-1]))
        return Forecast(values, False)

    @property
    def trainable_parameters(self) -> int:
        return int(self._n_params)
