"""Model registry: every forecaster by its short name, imported lazily so torch loads only when needed."""

from __future__ import annotations

import importlib

from forecasting.errors import SettingsError
from forecasting.models.base import (
    FitCallbacks,
    Forecast,
    Forecaster,
    ModelKind,
    Params,
    StopReason,
    TrainingHistory,
)

# name -> "module:Class". Importing a class is deferred: the LSTM/GRU module pulls in torch.
_REGISTRY: dict[str, str] = {
    "esn": "forecasting.models.esn_search:SearchedESNForecaster",
    "lstm": "forecasting.models.rnn:LSTMForecaster",
    "gru": "forecasting.models.rnn:GRUForecaster",
    "naive": "forecasting.models.baselines:NaiveForecaster",
    "seasonal_naive": "forecasting.models.baselines:SeasonalNaiveForecaster",
    "drift": "forecasting.models.baselines:DriftForecaster",
    "ets": "forecasting.models.classical.ets:ETSForecaster",
    "theta": "forecasting.models.classical.theta:ThetaForecaster",
    "arima": "forecasting.models.classical.arima:ARIMAForecaster",
}

MODEL_NAMES: tuple[str, ...] = tuple(_REGISTRY)


def get_model_class(name: str) -> type[Forecaster]:
    """Return the forecaster class registered as ``name``; unknown names list the valid ones."""
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise SettingsError(f"Unknown model {name!r}; valid models are: {', '.join(MODEL_NAMES)}.") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


def kind_of(name: str) -> ModelKind:
    """The :class:`ModelKind` a registered model declares (baseline, classical, neural or ensemble)."""
    return get_model_class(name).kind


def models_of_kind(*kinds: ModelKind) -> tuple[str, ...]:
    """Registered model names whose class declares one of ``kinds``, in registry order."""
    return tuple(name for name in MODEL_NAMES if kind_of(name) in kinds)


__all__ = ["MODEL_NAMES", "FitCallbacks", "Forecast", "Forecaster", "ModelKind", "Params", "StopReason",
           "TrainingHistory", "get_model_class", "kind_of", "models_of_kind"]
