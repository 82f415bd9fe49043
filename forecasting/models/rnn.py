"""LSTM and GRU forecasters (Deep Learning book, sections 10.10-10.11), trained on contiguous chunks.

This module declares the hyperparameters and the :class:`Forecaster` classes only; torch is
imported lazily inside ``fit``/``forecast`` (from :mod:`forecasting.models.rnn_torch`) so that the
dashboard can draw the settings without paying torch's import time.

How the forecast horizon ``H`` reaches the direct strategy: through the ``horizon`` hyperparameter
(the comparison sets it to the requested forecast horizon before fitting). The recursive strategy
ignores it. ``forecast`` under the direct strategy accepts any horizon up to ``horizon``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting.errors import SettingsError
from forecasting.models.base import STRATEGIES, FitCallbacks, Forecast, Forecaster, Params, as_series, param

if TYPE_CHECKING:  # pragma: no cover - typing only; torch stays out of module import
    from forecasting.models.rnn_torch import RNNModule

DEVICES = ("auto", "cpu", "cuda")
MIN_TRAIN_POINTS = 3


@dataclass
class RNNParams(Params):
    """Hyperparameters shared by the LSTM and the GRU forecasters."""

    hidden_size: int = param(
        16, "Number of memory units (the width of the hidden state). More units can store more of the "
            "past but need more data; small series want 8-32.", low=1, high=1024)
    num_layers: int = param(
        1, "Recurrent layers stacked on top of each other. One layer is enough for most short series; "
           "deeper stacks learn slower and overfit sooner.", low=1, high=4)
    dropout: float = param(
        0.0, "Fraction of hidden activations zeroed at random during training (between layers and before "
             "the output layer): a regulariser against overfitting. 0 turns it off.", low=0.0, high=0.9)
    truncation_length: int = param(
        24, "Truncated backpropagation through time: gradients flow back at most this many steps. The "
            "hidden state is still carried forward between chunks, so the model can remember longer, "
            "but it only learns dependencies up to about this length.", low=2, high=100_000)
    learning_rate: float = param(
        0.003, "Adam step size. Too large makes the loss jump around or blow up; too small makes training slow.",
        low=1e-6, high=1.0, log_scale=True)
    max_epochs: int = param(
        300, "Upper limit on passes over the training series. Early stopping usually ends training sooner.",
        low=1, high=100_000)
    batch_size: int = param(
        8, "Number of contiguous streams the training series is cut into and trained on in parallel. "
           "Capped so every stream holds at least one full truncation chunk; 1 keeps the series whole. "
           "A long series is cut into more streams so none exceeds 5 chunks (the learning rate then grows "
           "in proportion and validation runs every few epochs).",
        low=1, high=4096)
    gradient_clip_norm: float = param(
        1.0, "Gradient clipping: if the gradient's norm exceeds this value it is rescaled to it. Recurrent "
             "nets multiply by the same weights at every step, so gradients can explode; clipping keeps "
             "one bad step from wrecking the weights. 0 turns clipping off.", low=0.0, high=1e6)
    early_stopping_patience: int = param(
        20, "Stop when the validation loss has not improved for this many epochs and restore the best "
            "weights. 0 turns early stopping off (train for max_epochs).", low=0, high=100_000)
    weight_decay: float = param(
        1e-4, "L2 penalty on the weights (added to the gradient): pulls weights towards zero to reduce "
              "overfitting on short series. 0 turns it off.", low=0.0, high=1.0)
    strategy: str = param(
        "recursive", "recursive: learn one-step-ahead prediction and feed each forecast back as the next "
                     "input (errors can compound). direct: one output per step of the horizon, all emitted "
                     "at once after reading the history.", choices=STRATEGIES)
    horizon: int = param(
        12, "Direct strategy only: how many steps ahead the output layer predicts (the comparison sets it "
            "to the forecast horizon). Ignored by the recursive strategy.", low=1, high=10_000)
    device: str = param(
        "auto", "Where to train: auto uses a CUDA GPU when one is present, else the CPU. Results are "
                "reproducible for a seed on the CPU only.", choices=DEVICES)
    num_threads: int = param(
        1, "CPU threads torch may use. For small models one thread is usually fastest: the per-step work "
           "is too small to split, and extra threads only add synchronisation.", low=1, high=256)




class RNNForecaster(Forecaster):
    """Shared LSTM/GRU forecaster: many-to-many teacher-forced training with truncated BPTT."""

    Params: ClassVar[type[Params]] = RNNParams
    stochastic: ClassVar[bool] = True
    cell: ClassVar[str]

    def __init__(self, params: RNNParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.module: RNNModule | None = None
        self._used_validation = False

    @property
    def out_dim(self) -> int:
        """Size of the output layer: 1 for the recursive strategy, ``horizon`` for the direct one."""
        return self.params.horizon if self.params.strategy == "direct" else 1

    # -- the protocol ---------------------------------------------------------------------------
    min_train_points: ClassVar[int] = MIN_TRAIN_POINTS

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Train with Adam on contiguous TBPTT chunks; early-stop on ``val`` when given."""
        from forecasting.models import rnn_torch

        self.set_envelope(train)
        result = rnn_torch.train(self.cell, self.params, train, val, seed=self.seed,
                                 out_dim=self.out_dim, callbacks=callbacks)
        self.module = result.module
        self.history = result.history
        self.warnings.extend(result.warnings)
        self._used_validation = val is not None

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Read the whole ``history`` then run closed loop (recursive) or emit the direct outputs."""
        from forecasting.models import rnn_torch

        module = self._require_module()
        if self.params.strategy == "direct":
            if horizon > self.params.horizon:
                raise SettingsError(
                    f"This direct-strategy model was trained for {self.params.horizon} steps ahead; "
                    f"set its horizon hyperparameter to at least {horizon} and fit again.")
            outputs = rnn_torch.direct_forecast(module, history, self.params.num_threads)
            return self.clip_values(outputs[:horizon])
        flags: list[bool] = []

        def clip(value: float) -> float:
            clipped_value, clipped = self.clip_value(value)
            flags.append(clipped)
            return clipped_value

        values = rnn_torch.recursive_forecast(module, history, horizon, self.params.num_threads, clip)
        return Forecast(values, any(flags))

    @property
    def trainable_parameters(self) -> int:
        """All trainable weights: recurrent layers (gates, biases) plus the linear output layer."""
        return count_parameters(self.cell, self.params.hidden_size, self.params.num_layers, self.out_dim)

    def tuned_params(self) -> dict[str, Any]:
        """The epoch count chosen on validation, to retrain on train + validation without early stopping."""
        if not self._used_validation or not self.history.best_epoch:
            return {}
        return {"max_epochs": int(self.history.best_epoch), "early_stopping_patience": 0}

    # -- introspection for the memory-horizon analysis -------------------------------------------
    def hidden_states(self, u: np.ndarray) -> np.ndarray:
        """Last layer's hidden state after each input step, from a zero state: float64, ``T x hidden_size``;
        a ``B x T`` batch of independent input series gives ``B x T x hidden_size`` in one pass."""
        from forecasting.models import rnn_torch

        batch = np.asarray(u, dtype=float)
        if batch.ndim == 2:
            for row in batch:
                as_series(row, "input series")
        else:
            batch = as_series(batch, "input series")
        return rnn_torch.hidden_states(self._require_module(), batch, self.params.num_threads)

    def one_step_predictions(self, series: np.ndarray) -> np.ndarray:
        """Teacher-forced one-step forecasts: element ``t`` predicts ``series[t + 1]`` (length ``len(series)``)."""
        from forecasting.models import rnn_torch

        return rnn_torch.one_step_predictions(self._require_module(), as_series(series, "series"),
                                              self.params.num_threads)

    def _require_module(self) -> RNNModule:
        if self.module is None:
            raise SettingsError(f"The {self.label} model has not been fitted yet; call fit before using it.")
        return self.module


def count_parameters(cell: str, hidden_size: int, num_layers: int, out_dim: int) -> int:
    """Trainable weights of a ``cell`` stack with one input plus its linear head (torch's layout)."""
    gates = 4 if cell == "lstm" else 3
    total = 0
    for layer in range(num_layers):
        inputs = 1 if layer == 0 else hidden_size
        total += gates * hidden_size * (inputs + hidden_size + 2)
    return total + hidden_size * out_dim + out_dim


class LSTMForecaster(RNNForecaster):
    """Long short-term memory network: gated cell state that can keep information over many steps."""

    name: ClassVar[str] = "lstm"
    label: ClassVar[str] = "LSTM"
    cell: ClassVar[str] = "lstm"


class GRUForecaster(RNNForecaster):
    """Gated recurrent unit: a lighter LSTM variant with two gates and no separate cell state."""

    name: ClassVar[str] = "gru"
    label: ClassVar[str] = "GRU"
    cell: ClassVar[str] = "gru"


__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster", "RNNParams", "count_parameters"]
