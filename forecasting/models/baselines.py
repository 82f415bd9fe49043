"""Honest baselines on raw values: naive (last value), seasonal naive (value one season ago) and drift.

Every result in the comparison is shown next to these, so a user sees at once whether a trained
model beats a forecast that needs no training at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.models.base import FitCallbacks, Forecast, Forecaster, ModelKind, Params


@dataclass
class NoParams(Params):
    """Baselines have no hyperparameters (the season length comes from the series)."""


class _Baseline(Forecaster):
    """Shared plumbing: baselines see raw values, learn nothing and are deterministic."""

    Params = NoParams
    kind = ModelKind.BASELINE
    needs_fit = False
    uses_preprocessing = False
    stochastic = False

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Nothing to learn: the forecast is a fixed rule on the history."""

    @property
    def trainable_parameters(self) -> int:
        return 0


class NaiveForecaster(_Baseline):
    """Repeat the last observed value: y_hat(t+h) = y(t)."""

    name = "naive"
    label = "Naive"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        return Forecast(np.full(horizon, history[-1]))


class SeasonalNaiveForecaster(_Baseline):
    """Repeat the last full season: y_hat(t+h) = y(t+h-m*ceil(h/m)); equals naive when m = 1."""

    name = "seasonal_naive"
    label = "Seasonal naive"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        m = self.season_length if len(history) >= self.season_length else 1
        last_season = history[-m:]
        return Forecast(np.array([last_season[h % m] for h in range(horizon)]))


class DriftForecaster(_Baseline):
    """Extend the straight line from the first to the last observation: y(t) + h * (y(t) - y(1)) / (t - 1)."""

    name = "drift"
    label = "Drift"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        slope = (history[-1] - history[0]) / (len(history) - 1) if len(history) > 1 else 0.0
        return Forecast(history[-1] + slope * np.arange(1, horizon + 1))
