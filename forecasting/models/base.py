"""The one interface every forecaster implements, and the typed hyperparameter declarations it uses.

The comparison code, the CLI and the dashboard only ever talk to :class:`Forecaster`, so no model
is special-cased anywhere: hyperparameters, help texts and ranges all come from ``Params`` below.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from forecasting.errors import InputError, SettingsError

STRATEGIES = ("recursive", "direct")
ACTIVATIONS = ("tanh", "identity")  # reservoir nonlinearity; identity gives a linear reservoir


def param(default: Any, help: str, *, low: float | None = None, high: float | None = None,
          choices: tuple | None = None, log_scale: bool = False) -> Any:
    """Declare one hyperparameter: its default, a one-line teaching help text and its valid range."""
    return field(default=default, metadata={"help": help, "low": low, "high": high,
                                            "choices": choices, "log_scale": log_scale})


@dataclass
class Params:
    """Base of every model's hyperparameter dataclass; subclasses declare fields with :func:`param`."""

    @classmethod
    def specs(cls) -> list[dataclasses.Field]:
        return list(dataclasses.fields(cls))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Params:
        """Return a copy with ``changes`` applied, coerced to each field's type and range-checked."""
        valid = self.names()
        unknown = [k for k in changes if k not in valid]
        if unknown:
            raise SettingsError(
                f"Unknown hyperparameter {unknown[0]!r} for {type(self).__qualname__}; "
                f"valid names are: {', '.join(valid)}."
            )
        coerced = {k: coerce_value(self, k, v) for k, v in changes.items()}
        new = dataclasses.replace(self, **coerced)
        new.validate()
        return new

    def validate(self) -> None:
        """Raise :class:`SettingsError` when a value is outside its declared range or choices."""
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            meta = f.metadata
            if value is None:
                continue
            if meta.get("choices") is not None and value not in meta["choices"]:
                raise SettingsError(f"{f.name} must be one of {', '.join(map(str, meta['choices']))}; got {value!r}.")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if not math.isfinite(float(value)):
                    raise SettingsError(f"{f.name} must be a finite number; got {value!r}.")
                if meta.get("low") is not None and value < meta["low"]:
                    raise SettingsError(f"{f.name} must be at least {meta['low']}; got {value!r}.")
                if meta.get("high") is not None and value > meta["high"]:
                    raise SettingsError(f"{f.name} must be at most {meta['high']}; got {value!r}.")


def coerce_value(params: Params, name: str, value: Any) -> Any:
    """Convert ``value`` (often a string from the CLI) to the type of the field's default."""
    default = getattr(params, name)
    if not isinstance(value, str):
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value
    text = value.strip()
    try:
        if isinstance(default, bool):
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if isinstance(default, int):
            as_float = float(text)
            if not as_float.is_integer():
                raise ValueError(text)
            return int(as_float)
        if isinstance(default, float) or default is None:
            if default is None and text.lower() in ("none", ""):
                return None
            return float(text)
    except ValueError:
        raise SettingsError(f"{name} expects a {type(default).__name__}; could not read {value!r}.") from None
    return text


def as_series(values: Any, what: str) -> np.ndarray:
    """``values`` as a finite 1-D float64 array, or an :class:`InputError` naming ``what`` is wrong."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise InputError(f"The {what} must be a 1-D series; got an array of shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"The {what} contains NaN (missing) or infinite values; fill or drop them first.")
    return arr


@dataclass
class TrainingHistory:
    """Loss curves and how training ended; empty for models without iterative training."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stop_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class FitCallbacks:
    """Hooks the UI-free training loops call so that a CLI or dashboard can show progress or stop.

    ``on_epoch(epoch, max_epochs, train_loss, val_loss)`` is called after each epoch;
    ``should_stop()`` is polled between epochs (a user pressed stop); ``time_budget_s`` caps the
    wall time of one fit, after which training ends with the best weights so far.
    """

    on_epoch: Callable[[int, int, float, float | None], None] | None = None
    should_stop: Callable[[], bool] | None = None
    time_budget_s: float | None = None


class Forecaster(ABC):
    """A model that learns from a 1-D series and forecasts the next ``horizon`` values.

    Series given to ``fit`` and ``forecast`` are in *model space*: already log-transformed,
    differenced and standardised by the comparison when ``uses_preprocessing`` is True, raw values
    otherwise (the baselines, which must stay the textbook forecasts).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Params: ClassVar[type[Params]]
    uses_preprocessing: ClassVar[bool] = True
    stochastic: ClassVar[bool] = False

    def __init__(self, params: Params | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        self.params = params if params is not None else self.Params()
        self.params.validate()
        self.seed = int(seed)
        self.season_length = max(1, int(season_length))
        self.history = TrainingHistory()
        self.warnings: list[str] = []
        self.clipped = False
        self._envelope: tuple[float, float] | None = None

    # -- the protocol -------------------------------------------------------------------------
    @abstractmethod
    def fit(self, train: np.ndarray, val: np.ndarray | None = None,
            callbacks: FitCallbacks | None = None) -> Forecaster:
        """Learn from ``train``; ``val`` (the values right after ``train``) may tune hyperparameters."""

    @abstractmethod
    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        """Forecast the ``horizon`` values that follow ``history`` (which usually ends with training data)."""

    @property
    @abstractmethod
    def trainable_parameters(self) -> int:
        """Number of parameters learned from data (readout weights for the ESN, all weights for RNNs)."""

    def tuned_params(self) -> dict[str, Any]:
        """Hyperparameters chosen on validation data, to fix when refitting on train + validation."""
        return {}

    # -- shared helpers -----------------------------------------------------------------------
    ENVELOPE_MARGIN: ClassVar[float] = 0.5

    def set_envelope(self, train: np.ndarray) -> None:
        """Remember the clipping envelope: the training range widened by half its width on each side."""
        lo, hi = float(np.min(train)), float(np.max(train))
        width = max(hi - lo, 1e-12)
        self._envelope = (lo - self.ENVELOPE_MARGIN * width, hi + self.ENVELOPE_MARGIN * width)

    def clip_to_envelope(self, value: float) -> float:
        """Clip one recursive prediction to the envelope and flag the forecast when it had to."""
        if self._envelope is None:
            return value
        lo, hi = self._envelope
        if not np.isfinite(value):
            self.clipped = True
            return float(np.clip(0.0 if np.isnan(value) else value, lo, hi))
        if value < lo or value > hi:
            self.clipped = True
            return float(min(max(value, lo), hi))
        return value

    def clip_array(self, values: np.ndarray) -> np.ndarray:
        """Clip a whole forecast (direct strategy) to the envelope, flagging it when needed."""
        return np.array([self.clip_to_envelope(float(v)) for v in np.asarray(values, dtype=float)])
