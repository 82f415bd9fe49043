"""The one interface every forecaster implements, and the typed hyperparameter declarations it uses.

The comparison code, the CLI and the dashboard only ever talk to :class:`Forecaster`, so no model
is special-cased anywhere: hyperparameters, help texts and ranges all come from ``Params`` below.
"""

from __future__ import annotations

import dataclasses
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar

import numpy as np

from forecasting.errors import InputError, SettingsError

STRATEGIES = ("recursive", "direct")


class ModelKind(str, Enum):
    """What a model is, for grouping in tables and verdicts: no name lists repeated across modules."""

    BASELINE = "baseline"      # textbook forecasts that learn nothing (naive, seasonal naive, drift)
    CLASSICAL = "classical"    # statistical references an analyst would use anyway (ETS, Theta, ARIMA)
    NEURAL = "neural"          # the recurrent models this lab studies (ESN, LSTM, GRU)
    ENSEMBLE = "ensemble"      # a combination of other models' forecasts


class StopReason(str, Enum):
    """Why a fit ended; a str enum so that it serialises to JSON as its value."""

    CLOSED_FORM = "closed-form fit (no epochs)"
    MAX_EPOCHS = "max epochs"
    EARLY_STOPPING = "early stopping"
    TIME_BUDGET = "time budget"
    STOPPED_BY_USER = "stopped by user"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class Forecast:
    """A forecast's values and whether any of them had to be clipped to the training envelope."""

    values: np.ndarray
    clipped: bool = False
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
        data = dataclasses.asdict(self)
        if isinstance(self.stop_reason, Enum):
            data["stop_reason"] = self.stop_reason.value
        return data


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


class RecurrentModel(ABC):
    """What the memory analysis needs from a model with a recurrent core: declared here, never sniffed.

    ``forecasting.memory`` uses only these methods; a model without them (baselines, classical
    references) is analysed by finite differences of its forecasts and has no memory capacity.
    """

    #: True when ``states`` runs a (B, T) batch faster than B separate calls (the torch cores).
    batched_states: ClassVar[bool] = False

    @abstractmethod
    def states(self, inputs: np.ndarray) -> np.ndarray:
        """States after each input from a zero state: (T, units) for a 1-D series, (B, T, units) for a batch."""

    @abstractmethod
    def input_gradients(self, series: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
        """``g[i, j] = d y_hat(ends[i] + 1) / d series[j]`` of the one-step forecast, shape (len(ends), len(series)).

        Only ``j`` in ``ends[i] + 1 - lags .. ends[i]`` is needed; other entries may be zero.
        """

    def memory_extras(self, eps: float) -> dict[str, Any]:
        """Model-specific memory figures (the ESN's eigenvalues, decay rate and horizon); none by default."""
        return {}


class Forecaster(ABC):
    """A model that learns from a 1-D series and forecasts the next ``horizon`` values.

    Series given to ``fit`` and ``predict`` are in *model space*: already log-transformed,
    differenced and standardised by the comparison when ``uses_preprocessing`` is True, raw values
    otherwise (baselines and classical references, which must stay the textbook forecasts).

    The public methods validate once (finite 1-D series, enough history, horizon >= 1) and raise the
    typed errors of ``forecasting.errors``; subclasses implement ``_fit`` and ``_predict`` and may
    assume valid input. ``val``, when given, is tuning data right after ``train``; when it is None a
    model that tunes hyperparameters holds out its own tail of ``train`` (so the comparison's
    selection windows never tune anything).
    """

    name: ClassVar[str]
    label: ClassVar[str]
    Params: ClassVar[type[Params]]
    kind: ClassVar[ModelKind] = ModelKind.NEURAL
    uses_preprocessing: ClassVar[bool] = True
    stochastic: ClassVar[bool] = False
    min_train_points: ClassVar[int] = 1
    needs_fit: ClassVar[bool] = True  # False for rules that forecast from any history (the baselines)

    def __init__(self, params: Params | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        self.params = params if params is not None else self.Params()
        self.params.validate()
        self.seed = int(seed)
        self.season_length = max(1, int(season_length))
        self.history = TrainingHistory()
        self.warnings: list[str] = []
        self.fitted = False
        self._envelope: tuple[float, float] | None = None

    # -- the protocol -------------------------------------------------------------------------
    def fit(self, train: np.ndarray, val: np.ndarray | None = None,
            callbacks: FitCallbacks | None = None) -> Forecaster:
        """Validate ``train`` (and ``val``), then learn from them; returns ``self``."""
        train = as_series(train, "training series")
        needed = self.required_train_points()
        if len(train) < needed:
            raise InputError(f"{self.label} needs at least {needed} training values; got {len(train)}. "
                             "Use a longer series or a shorter horizon / validation part.")
        val = None if val is None or len(np.asarray(val).ravel()) == 0 else as_series(val, "validation series")
        self.warnings = []
        self._fit(train, val, callbacks)
        self.fitted = True
        return self

    def predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Forecast the ``horizon`` values after ``history``, with the clipping flag of this forecast."""
        if self.needs_fit and not self.fitted:
            raise SettingsError(f"{self.label} is not fitted yet; call fit(train) before forecasting.")
        history = as_series(history, "history")
        if len(history) == 0:
            raise InputError("The history to forecast from is empty; pass at least one value.")
        if isinstance(horizon, bool) or not float(horizon).is_integer() or int(horizon) < 1:
            raise SettingsError(f"The horizon must be a whole number of steps, at least 1; got {horizon!r}.")
        return self._predict(history, int(horizon))

    def forecast(self, history: np.ndarray, horizon: int) -> np.ndarray:
        """Only the values of :meth:`predict` (for callers that do not need the clipping flag)."""
        return self.predict(history, horizon).values

    def origin_forecasts(self, series: np.ndarray, origins: Sequence[int], horizon: int) -> np.ndarray:
        """Forecasts (origins x horizon): row i is ``forecast(series[:origins[i]], horizon)``, exactly.

        What a conformal band is calibrated on (one forecast from every origin of a stretch). This loops over
        the origins; a model with a cheaper way to forecast from many origins of one series overrides it.
        """
        series = as_series(series, "series")
        return np.vstack([self.forecast(series[:int(o)], horizon) for o in origins])

    def required_train_points(self) -> int:
        """Fewest training values ``fit`` accepts with the current hyperparameters."""
        return int(self.min_train_points)

    @abstractmethod
    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Learn from validated ``train``; ``val`` (may be None) may tune hyperparameters."""

    @abstractmethod
    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Forecast ``horizon`` >= 1 values after a validated, non-empty ``history``."""

    @property
    @abstractmethod
    def trainable_parameters(self) -> int:
        """Number of parameters learned from data (readout weights for the ESN, all weights for RNNs)."""

    def tuned_params(self) -> dict[str, Any]:
        """Hyperparameters chosen during fit, to fix when refitting on more data (must survive a refit)."""
        return {}

    def fit_report(self) -> dict[str, Any]:
        """What the last fit chose and why, as strict JSON (e.g. a hyperparameter search's trials); {} if nothing."""
        return {}

    @classmethod
    def warm_up(cls) -> None:
        """Pay one-time setup (imports, JIT compilation, thread pools) so that no timed fit is charged for it.

        The default fits and forecasts a tiny synthetic series; models override it when that is not enough.
        """
        t = np.arange(64, dtype=float)
        series = np.sin(2 * np.pi * t / 12) + 0.01 * t
        model = cls(seed=0, season_length=12)
        model.fit(series[:52], series[52:])
        model.predict(series, 3)

    # -- shared helpers -----------------------------------------------------------------------
    ENVELOPE_MARGIN: ClassVar[float] = 0.5

    def set_envelope(self, train: np.ndarray) -> None:
        """Remember the clipping envelope: the training range widened by half its width on each side."""
        lo, hi = float(np.min(train)), float(np.max(train))
        width = max(hi - lo, 1e-12)
        self._envelope = (lo - self.ENVELOPE_MARGIN * width, hi + self.ENVELOPE_MARGIN * width)

    def clip_value(self, value: float) -> tuple[float, bool]:
        """One recursive prediction clipped to the envelope (NaN -> 0 first), and whether it had to be."""
        if self._envelope is None:
            return value, False
        lo, hi = self._envelope
        if not np.isfinite(value):
            return float(np.clip(0.0 if np.isnan(value) else value, lo, hi)), True
        if value < lo or value > hi:
            return float(min(max(value, lo), hi)), True
        return float(value), False

    def clip_values(self, values: np.ndarray) -> Forecast:
        """A whole forecast (direct strategy) clipped to the envelope, as a :class:`Forecast`."""
        clipped_any = False
        out = np.empty(len(values))
        for i, v in enumerate(np.asarray(values, dtype=float)):
            out[i], clipped = self.clip_value(float(v))
            clipped_any = clipped_any or clipped
        return Forecast(out, clipped_any)
