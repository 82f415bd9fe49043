"""The Theta method (Assimakopoulos & Nikolopoulos, 2000) as statsmodels' ThetaModel.

Equivalent to simple exponential smoothing with drift (half the slope of a fitted line, theta = 2).
When m > 1 and the training part holds two full seasons, the series is deseasonalised by classical
decomposition if statsmodels' seasonality test (lag-m autocorrelation, 10% level) finds a season;
the decomposition is multiplicative for strictly positive series, as statsmodels' ``auto`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from forecasting.models.base import FitCallbacks, Params, param
from forecasting.models.classical._common import (
    AUTO,
    STATSMODELS_FAILURES,
    ClassicalForecaster,
    enough_for_seasonality,
    quiet,
)


@dataclass
class ThetaParams(Params):
    """Theta method settings; ``auto`` lets the training data decide, as statsmodels does."""

    deseasonalize: str = param(
        AUTO, "deseasonalize: remove a seasonal pattern (classical decomposition) before the theta lines; "
        "auto runs statsmodels' seasonality test on the training data (needs m > 1 and two seasons).",
        choices=(AUTO, "true", "false"))
    method: str = param(
        AUTO, "method: how the season is removed, mul (divide, for strictly positive series) or add "
        "(subtract); auto takes mul when every training value is positive.", choices=(AUTO, "add", "mul"))
    theta: float = param(
        2.0, "theta: weight of the long-run trend line; 2 is the classic Theta method (half the fitted "
        "slope), 1 gives simple exponential smoothing without drift.", low=1.0, high=100.0)


class ThetaForecaster(ClassicalForecaster):
    """Theta method from statsmodels: exponential smoothing plus half a linear trend, optionally deseasonalised."""

    name: ClassVar[str] = "theta"
    label: ClassVar[str] = "Theta"
    Params: ClassVar[type[Params]] = ThetaParams
    warm_up_params: ClassVar[dict[str, Any]] = {"deseasonalize": "false"}

    def __init__(self, params: ThetaParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.seasonal: bool | None = None
        self.method: str | None = None
        self._result: Any = None

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Run statsmodels' test (when ``auto``) and fit on ``train``; ``val`` is not needed."""
        self._remember_training(train)
        can_season = enough_for_seasonality(len(train), self.season_length)
        wanted = self.params.deseasonalize
        if wanted == "true" and not can_season:
            self._warn(f"Theta: deseasonalising needs m > 1 and at least {2 * self.season_length + 1} "
                       "training values; fitted without it.")
        try:
            with quiet():
                self._result = self._fit_model(train, can_season and wanted != "false", wanted == AUTO)
        except STATSMODELS_FAILURES as exc:
            self._warn(f"Theta: the fit failed ({type(exc).__name__}); fitted without deseasonalising.")
            try:
                with quiet():
                    self._result = self._fit_model(train, False, False)
            except STATSMODELS_FAILURES:
                self._warn("Theta: the fit failed again; the naive forecast is used instead.")
                self._result = None
        if self._result is not None:
            model = self._result.model
            self.seasonal = bool(model.deseasonalize and len(self._result._seasonal))
            self.method = "mul" if model.method.startswith("mul") else "add"
            self._n_params = 2 + (self.season_length if self.seasonal else 0)

    def _fit_model(self, series: np.ndarray, deseasonalize: bool, use_test: bool) -> Any:
        """One statsmodels ThetaModel fit (two-step: OLS slope and SES smoothing)."""
        from statsmodels.tsa.forecasting.theta import ThetaModel

        method = self.params.method
        if method == "mul" and np.min(series) <= 0:
            method = "add"
        model = ThetaModel(series, period=self.season_length if deseasonalize else 1,
                           deseasonalize=deseasonalize, use_test=use_test, method=method)
        return model.fit()

    def _forecast(self, history: np.ndarray, horizon: int) -> Any:
        """Forecast from the fit, or refit the two-step estimates on a new history with the choices fixed."""
        if self._result is None:
            return np.full(horizon, history[-1])
        result = self._result
        if not self._is_training_series(history):
            seasonal = bool(self.seasonal) and enough_for_seasonality(len(history), self.season_length)
            result = self._refit_fixed(history, seasonal)
        return result.forecast(horizon, theta=self.params.theta)

    def _refit_fixed(self, history: np.ndarray, seasonal: bool) -> Any:
        """Theta on ``history`` with this fit's seasonal choice and decomposition fixed (no test run)."""
        from statsmodels.tsa.forecasting.theta import ThetaModel

        method = self.method if self.method == "add" or np.min(history) > 0 else "add"
        model = ThetaModel(history, period=self.season_length if seasonal else 1, deseasonalize=seasonal,
                           use_test=False, method=method or "add")
        return model.fit()

    def tuned_params(self) -> dict[str, Any]:
        """The seasonal decision and decomposition, e.g. ``{"deseasonalize": "true", "method": "mul"}``."""
        if self._result is None:
            return {}
        return {"deseasonalize": "true" if self.seasonal else "false", "method": self.method}
