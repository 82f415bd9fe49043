"""LSTM and GRU forecasters (Deep Learning book, sections 10.10-10.11), trained on contiguous chunks.

This module declares the hyperparameters and the :class:`Forecaster` classes only; torch is
imported lazily inside ``fit``/``forecast`` (from :mod:`forecasting.models.rnn_torch`) so that the
dashboard can draw the settings without paying torch's import time.

How the forecast horizon ``H`` reaches the model: through the ``horizon`` hyperparameter (the
comparison sets it to the requested forecast horizon before fitting). The direct strategy emits that
many outputs, and early stopping scores closed-loop forecasts of that many steps. ``forecast``
under the direct strategy accepts any horizon up to ``horizon``.

Nested tuning: when ``fit`` gets no validation series but something is tuned (the early-stopping
epoch, or the strategy when it is ``auto``), the model holds out the tail of its own training series
(``max(horizon, validation_fraction * n)`` values, at most half the series), trains on the rest and
tunes on that tail. ``tuned_params`` then fixes what was chosen (epochs, strategy, no early stopping)
so that the refit on all data trains exactly that long and touches no validation data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import (
    STRATEGIES,
    FitCallbacks,
    Forecast,
    Forecaster,
    Params,
    RecurrentModel,
    as_series,
    param,
)

if TYPE_CHECKING:  # pragma: no cover - typing only; torch stays out of module import
    from forecasting.models.rnn_torch import RNNModule

DEVICES = ("auto", "cpu", "cuda")
RNN_STRATEGIES = (*STRATEGIES, "auto")
VALIDATION_SCORES = ("closed_loop", "one_step")
MIN_TRAIN_POINTS = 3
MIN_TAIL = 2  # fewest held-out values worth tuning on; shorter series train without early stopping


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
        96, "Truncated backpropagation through time: gradients flow back at most this many steps. The "
            "hidden state is still carried forward between chunks, so the model can remember longer, "
            "but it only learns dependencies up to about this length. 96 covers eight monthly seasons "
            "and several forecast horizons; on the benchmark series it beat 24 by about 6% on average "
            "over three seeds (benchmarks/accuracy_levers.md).", low=2, high=100_000)
    learning_rate: float = param(
        0.01, "Adam step size. Too large makes the loss jump around or blow up; too small makes training slow "
              "(short series get only a few updates per epoch, so early stopping would end training too soon).",
        low=1e-6, high=1.0, log_scale=True)
    max_epochs: int = param(
        300, "Upper limit on passes over the training series. Early stopping usually ends training sooner. "
             "0 keeps the initial weights (a refit of a model whose validation score never improved).",
        low=0, high=100_000)
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
        20, "Stop when the validation score has not improved for this many epochs and restore the best "
            "weights. Without a validation series the model holds out the tail of its training series "
            "for this. 0 turns early stopping off (train for max_epochs).", low=0, high=100_000)
    validation_score: str = param(
        "closed_loop", "What early stopping watches. closed_loop: the error of real forecasts of the horizon "
                       "from a few origins in the validation part (recursive forecasts feed their own "
                       "predictions back, as at forecast time). one_step: the teacher-forced one-step loss, "
                       "cheaper but blind to errors that compound.", choices=VALIDATION_SCORES)
    validation_origins: int = param(
        4, "closed_loop only: forecast origins spread over the validation part; more origins give a "
           "steadier score at a little more cost per check.", low=1, high=100)
    validation_fraction: float = param(
        0.2, "When no validation series is given: the share of the training series held out at its end "
             "for early stopping (at least the horizon, at most half the series).", low=0.05, high=0.5)
    weight_decay: float = param(
        1e-4, "L2 penalty on the weights (added to the gradient): pulls weights towards zero to reduce "
              "overfitting on short series. 0 turns it off.", low=0.0, high=1.0)
    strategy: str = param(
        "recursive", "recursive: learn one-step-ahead prediction and feed each forecast back as the next "
                     "input (errors can compound). direct: one output per step of the horizon, all emitted "
                     "at once after reading the history. auto: train both and keep the one with the lower "
                     "validation score (twice the training time).", choices=RNN_STRATEGIES)
    horizon: int = param(
        12, "How many steps ahead the direct strategy's output layer predicts and closed-loop validation "
            "scores (the comparison sets it to the forecast horizon).", low=1, high=10_000)
    device: str = param(
        "auto", "Where to train: auto uses a CUDA GPU when one is present, else the CPU. Results are "
                "reproducible for a seed on the CPU only.", choices=DEVICES)
    num_threads: int = param(
        1, "CPU threads torch may use. For small models one thread is usually fastest: the per-step work "
           "is too small to split, and extra threads only add synchronisation.", low=1, high=256)




class RNNForecaster(Forecaster, RecurrentModel):
    """Shared LSTM/GRU forecaster: many-to-many teacher-forced training with truncated BPTT."""

    Params: ClassVar[type[Params]] = RNNParams
    stochastic: ClassVar[bool] = True
    batched_states: ClassVar[bool] = True
    cell: ClassVar[str]

    def __init__(self, params: RNNParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.module: RNNModule | None = None
        self.strategy_: str = "direct" if self.params.strategy == "direct" else "recursive"
        self._tuned = False

    @property
    def out_dim(self) -> int:
        """Size of the output layer: 1 for the recursive strategy, ``horizon`` for the direct one."""
        return self.params.horizon if self.strategy_ == "direct" else 1

    # -- the protocol ---------------------------------------------------------------------------
    min_train_points: ClassVar[int] = MIN_TRAIN_POINTS

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Train with Adam on contiguous TBPTT chunks; tune on ``val``, or on a held-out tail of ``train``."""
        from forecasting.models import rnn_torch

        callbacks = callbacks or FitCallbacks()
        fit_part, val = self._tuning_split(train, val)
        candidates = self._candidate_strategies(val is not None)
        budget = callbacks.time_budget_s
        share = FitCallbacks(callbacks.on_epoch, callbacks.should_stop,
                             None if budget is None else budget / len(candidates))
        self.set_envelope(fit_part)
        envelope, results = self._envelope, {}
        for strategy in candidates:
            setup = rnn_torch.TrainSetup(direct=strategy == "direct", horizon=self.params.horizon,
                                         validation_score=self.params.validation_score,
                                         validation_origins=self.params.validation_origins,
                                         envelope=envelope, callbacks=share)
            results[strategy] = rnn_torch.train(self.cell, self.params, fit_part, val, seed=self.seed, setup=setup)
        self.strategy_ = min(results, key=lambda k: results[k].best_score)
        chosen = results[self.strategy_]
        self.set_envelope(train)
        self.module, self.history = chosen.module, chosen.history
        self.warnings.extend(chosen.warnings)
        self._tuned = val is not None

    def _tuning_split(self, train: np.ndarray, val: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        """``(fit part, validation part)``: ``val`` as given, else a held-out tail when anything is tuned."""
        if val is not None or not self._tunes_anything():
            return train, val
        tail = inner_validation_size(len(train), self.params.horizon, self.params.validation_fraction)
        if tail == 0:
            self.warnings.append(f"The training series ({len(train)} values) is too short to hold out a "
                                 "validation tail; trained for max_epochs without early stopping.")
            return train, None
        return train[:-tail], train[-tail:]

    def _tunes_anything(self) -> bool:
        return self.params.early_stopping_patience > 0 or self.params.strategy == "auto"

    def _candidate_strategies(self, validated: bool) -> tuple[str, ...]:
        """Both strategies when ``auto`` can choose on validation data, else the one set (auto -> recursive)."""
        if self.params.strategy == "auto":
            return ("recursive", "direct") if validated else ("recursive",)
        return (self.params.strategy,)

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Read the whole ``history`` then run closed loop (recursive) or emit the direct outputs."""
        from forecasting.models import rnn_torch

        module = self._require_module()
        if self.strategy_ == "direct":
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
        """Epochs (and strategy) chosen on validation, with early stopping off, for the refit on all data.

        A refit with these values tunes nothing and returns them unchanged; a fit that tuned nothing
        and was not such a refit returns ``{}``. ``max_epochs`` may be 0 (validation never improved).
        """
        if self._tuned:
            epochs = int(self.history.best_epoch or 0)
        elif not self._tunes_anything():
            epochs = int(self.params.max_epochs)
        else:
            return {}
        return {"max_epochs": epochs, "early_stopping_patience": 0, "strategy": self.strategy_}

    @classmethod
    def warm_up(cls) -> None:
        """Pay torch's import, the first autograd pass, the fused Adam kernel and both validation paths."""
        t = np.arange(64, dtype=float)
        series = np.sin(2 * np.pi * t / 12) + 0.01 * t
        params = RNNParams(hidden_size=4, max_epochs=2, strategy="auto", horizon=3, device="cpu")
        model = cls(params, seed=0, season_length=12).fit(series)
        model.predict(series, 3)
        model.states(series[:8])
        model.input_gradients(series[:16], np.array([10, 15]), 4)

    # -- the recurrent-model interface for the memory analysis -------------------------------------
    def states(self, inputs: np.ndarray) -> np.ndarray:
        """Last layer's hidden state after each input from a zero state: float64, ``T x hidden_size``;
        a ``B x T`` batch of independent input series gives ``B x T x hidden_size`` in one pass."""
        from forecasting.models import rnn_torch

        batch = np.asarray(inputs, dtype=float)
        if batch.ndim == 2:
            for row in batch:
                as_series(row, "input series")
        else:
            batch = as_series(batch, "input series")
        return rnn_torch.hidden_states(self._require_module(), batch, self.params.num_threads)

    hidden_states = states  # the name memory.py used before the RecurrentModel interface

    def input_gradients(self, series: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
        """``d y_hat(ends[i] + 1) / d series[j]`` of the one-step forecast by autograd, all origins at once."""
        from forecasting.models import rnn_torch

        series = as_series(series, "series")
        ends = np.asarray(ends, dtype=int)
        if ends.size and (ends.min() < 0 or ends.max() >= len(series)):
            raise InputError(f"Gradient origins must lie inside the series (0 .. {len(series) - 1}).")
        return rnn_torch.input_gradients(self._require_module(), series, ends, self.params.num_threads)

    def one_step_predictions(self, series: np.ndarray) -> np.ndarray:
        """Teacher-forced one-step forecasts: element ``t`` predicts ``series[t + 1]`` (length ``len(series)``)."""
        from forecasting.models import rnn_torch

        return rnn_torch.one_step_predictions(self._require_module(), as_series(series, "series"),
                                              self.params.num_threads)

    def _require_module(self) -> RNNModule:
        if self.module is None:
            raise SettingsError(f"The {self.label} model has not been fitted yet; call fit before using it.")
        return self.module


def inner_validation_size(n: int, horizon: int, fraction: float) -> int:
    """Values held out at the end of an ``n``-value training series for nested tuning (0: too short).

    ``max(horizon, ceil(fraction * n))``, capped at half the series so that the model still trains on
    at least as much as it validates on.
    """
    tail = min(max(horizon, math.ceil(fraction * n)), n // 2)
    return tail if tail >= MIN_TAIL and n - tail >= MIN_TRAIN_POINTS else 0


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


__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster", "RNNParams", "count_parameters",
           "inner_validation_size"]
