"""Model registry: every forecaster by its short name, imported lazily so torch loads only when needed."""

from __future__ import annotations

import importlib

from forecasting.errors import SettingsError
from forecasting.models.base import FitCallbacks, Forecaster, Params, TrainingHistory

# name -> "module:Class". Importing a class is deferred: the LSTM/GRU module pulls in torch.
_REGISTRY: dict[str, str] = {
    "esn": "forecasting.models.esn:ESNForecaster",
    "lstm": "forecasting.models.rnn:LSTMForecaster",
    "gru": "forecasting.models.rnn:GRUForecaster",
    "naive": "forecasting.models.baselines:NaiveForecaster",
    "seasonal_naive": "forecasting.models.baselines:SeasonalNaiveForecaster",
    "drift": "forecasting.models.baselines:DriftForecaster",
}

MODEL_NAMES: tuple[str, ...] = tuple(_REGISTRY)
NEURAL_MODELS: tuple[str, ...] = ("esn", "lstm", "gru")
BASELINE_MODELS: tuple[str, ...] = ("naive", "seasonal_naive", "drift")


def get_model_class(name: str) -> type[Forecaster]:
    """Return the forecaster class registered as ``name``; unknown names list the valid ones."""
    try:
        target = _REGISTRY[name]
    except KeyError:
        raise SettingsError(f"Unknown model {name!r}; valid models are: {', '.join(MODEL_NAMES)}.") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)


__all__ = ["BASELINE_MODELS", "MODEL_NAMES", "NEURAL_MODELS", "FitCallbacks", "Forecaster", "Params",
           "TrainingHistory", "get_model_class"]
