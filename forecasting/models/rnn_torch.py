"""Torch side of the LSTM/GRU forecasters: the module, the chunked TBPTT training loop and inference.

Training is a teacher-forced many-to-many pass: the training series is cut into ``B`` contiguous
streams, each read in chunks of ``truncation_length`` steps with the hidden state carried (detached)
from one chunk to the next, so every time step is computed once per epoch. Imported lazily by
:mod:`forecasting.models.rnn`; everything here expects validated inputs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from forecasting.errors import SettingsError
from forecasting.models.base import FitCallbacks, StopReason, TrainingHistory

State = Any  # torch.Tensor for the GRU, (h, c) for the LSTM
VALIDATION_WARMUP_CHUNKS = 10  # validation reads the last 10 truncation lengths of train first ...
VALIDATION_WARMUP_MIN = 200  # ... and at least the last 200 values
STREAM_CHUNKS = 5  # a long series is cut into more streams so that none holds more than 5 chunks


def validation_interval(streams: int, batch_size: int, patience: int) -> int:
    """Epochs between validation checks: 1, or about ``streams / batch_size`` when a long series was cut into
    more streams than ``batch_size`` (each epoch is then cheap and a check per epoch would dominate)."""
    if streams <= batch_size:
        return 1
    return max(1, min(-(-streams // batch_size), patience // 5))


def scaled_learning_rate(lr: float, streams: int, batch_size: int) -> float:
    """Learning rate for ``streams`` parallel streams when ``lr`` was set for ``batch_size`` of them.

    Linear scaling: ``k`` times the streams average ``k`` times the targets per update and make ``k``
    times fewer updates per epoch, so the step grows by ``k``. Never lowered below the setting.
    """
    return lr * max(1.0, streams / batch_size)


class RNNModule(nn.Module):
    """Recurrent core (``self.core``: nn.LSTM or nn.GRU) + dropout + linear head, batch first.

    ``forward(x[B, T, 1], state) -> (y[B, T, out_dim], state)``; ``y[:, t, h]`` forecasts the value
    ``h + 1`` steps after ``x[:, t]``, so ``y[:, t, 0]`` is the one-step forecast.
    """

    def __init__(self, cell: str, hidden_size: int, num_layers: int, dropout: float, out_dim: int) -> None:
        super().__init__()
        core_class = nn.LSTM if cell == "lstm" else nn.GRU
        self.core = core_class(1, hidden_size, num_layers, batch_first=True,
                               dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, out_dim)

    def forward(self, x: torch.Tensor, state: State = None) -> tuple[torch.Tensor, State]:
        """Run the core over ``x`` from ``state`` (zeros when None) and map each hidden state to outputs."""
        hidden, state = self.core(x, state)
        return self.head(self.drop(hidden)), state


@dataclass
class TrainResult:
    """What one training run hands back to the forecaster."""

    module: RNNModule
    history: TrainingHistory
    warnings: list[str] = field(default_factory=list)


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Let torch use ``n`` CPU threads inside the block and restore the previous setting after it."""
    previous = torch.get_num_threads()
    if previous != n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


def resolve_device(name: str) -> torch.device:
    """Map the ``device`` setting to a torch device; ``cuda`` without a GPU is a settings error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise SettingsError("device is set to cuda but no CUDA GPU is available; choose auto or cpu.")
    return torch.device(name)


def detach_state(state: State) -> State:
    """Cut the graph behind a carried hidden state (truncated backpropagation through time)."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def target_matrix(z: np.ndarray, out_dim: int) -> np.ndarray:
    """Targets for inputs ``z[:-1]``: row ``t`` holds ``z[t+1 .. t+out_dim]``, NaN past the end."""
    rows = len(z) - 1
    targets = np.full((rows, out_dim), np.nan)
    for h in range(min(out_dim, rows)):
        targets[: rows - h, h] = z[1 + h:]
    return targets


def stream_layout(n_steps: int, batch_size: int, chunk: int,
                  max_stream_steps: int | None = None) -> tuple[int, int, int]:
    """Streams ``B`` (each at least one chunk long), steps per stream and the oldest steps dropped.

    ``batch_size`` streams at least; more when a stream would otherwise exceed ``max_stream_steps``
    (except for ``batch_size`` 1, which keeps the series whole).
    """
    streams = batch_size
    if max_stream_steps and batch_size > 1:
        streams = max(streams, -(-n_steps // max_stream_steps))
    streams = max(1, min(streams, n_steps // chunk))
    length = n_steps // streams
    return streams, length, n_steps - streams * length


def _tensor(values: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.ascontiguousarray(values), dtype=torch.float32, device=device)


def _masked(targets: np.ndarray, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    mask = ~np.isnan(targets)
    return _tensor(np.where(mask, targets, 0.0), device), _tensor(mask, device)


def _masked_mse(pred: torch.Tensor, target: torch.Tensor, mask: torch.Tensor, count: float) -> torch.Tensor:
    return ((pred - target) ** 2 * mask).sum() / count


class _Validator:
    """Teacher-forced loss on ``val``, the state carried in by first reading the end of ``train``.

    Only the last ``warmup`` training values are read (from a zero state): enough for the state to
    forget its start, and it keeps the per-epoch check cheap on long series.
    """

    def __init__(self, train: np.ndarray, val: np.ndarray, out_dim: int, device: torch.device,
                 warmup: int) -> None:
        train = train[-warmup:]
        full = np.concatenate([train, val])
        start = len(train) - 1  # row t predicts z[t+1..]; rows from here on predict validation values
        self.x = _tensor(full[:-1], device).view(1, -1, 1)
        target, mask = _masked(target_matrix(full, out_dim)[start:], device)
        self.start, self.target, self.mask = start, target, mask
        self.count = float(mask.sum().item())

    def loss(self, module: RNNModule) -> float:
        module.eval()
        with torch.no_grad():
            pred, _ = module(self.x)
            return float(_masked_mse(pred[0, self.start:], self.target, self.mask, self.count).item())


def train(cell: str, params: Any, train_z: np.ndarray, val_z: np.ndarray | None, *, seed: int,
          out_dim: int, callbacks: FitCallbacks | None = None) -> TrainResult:
    """Fit a fresh module on ``train_z`` (early-stopping on ``val_z`` when given); deterministic on CPU."""
    device = resolve_device(params.device)
    forked = [device.index or 0] if device.type == "cuda" else []
    with torch_threads(params.num_threads), torch.random.fork_rng(devices=forked):
        torch.manual_seed(seed)
        module = RNNModule(cell, params.hidden_size, params.num_layers, params.dropout, out_dim).to(device)
        return _train_loop(module, params, train_z, val_z, out_dim, device, callbacks or FitCallbacks())


class ForeachAdam:
    """Adam with L2 weight decay, the same update as ``torch.optim.Adam(weight_decay=...)``.

    Written out with multi-tensor ``_foreach`` ops because the first use of any ``torch.optim``
    optimizer imports ``torch._dynamo`` (about 2 s here), which the dashboard's first fit would pay.
    """

    def __init__(self, parameters: Iterator[nn.Parameter], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        self.params = [p for p in parameters if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.steps = 0

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        active = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not active:
            return
        self.steps += 1
        params = [self.params[i] for i in active]
        grads = [self.params[i].grad for i in active]
        exp_avg = [self.exp_avg[i] for i in active]
        exp_avg_sq = [self.exp_avg_sq[i] for i in active]
        if self.weight_decay:
            grads = torch._foreach_add(grads, params, alpha=self.weight_decay)
        torch._foreach_lerp_(exp_avg, grads, 1 - self.beta1)
        torch._foreach_mul_(exp_avg_sq, self.beta2)
        torch._foreach_addcmul_(exp_avg_sq, grads, grads, value=1 - self.beta2)
        bias1 = 1 - self.beta1 ** self.steps
        bias2_sqrt = (1 - self.beta2 ** self.steps) ** 0.5
        denom = torch._foreach_sqrt(exp_avg_sq)
        torch._foreach_div_(denom, bias2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, exp_avg, denom, value=-self.lr / bias1)


def _train_loop(module: RNNModule, params: Any, train_z: np.ndarray, val_z: np.ndarray | None, out_dim: int,
                device: torch.device, callbacks: FitCallbacks) -> TrainResult:
    started = time.perf_counter()
    chunk = params.truncation_length
    streams, length, offset = stream_layout(len(train_z) - 1, params.batch_size, chunk, STREAM_CHUNKS * chunk)
    x = _tensor(train_z[:-1][offset:], device).view(streams, length, 1)
    y, mask = _masked(target_matrix(train_z, out_dim)[offset:].reshape(streams, length, out_dim), device)
    chunk_counts = [float(mask[:, s:s + chunk].sum().item()) for s in range(0, length, chunk)]
    warmup = max(VALIDATION_WARMUP_CHUNKS * chunk, VALIDATION_WARMUP_MIN)
    validator = _Validator(train_z, val_z, out_dim, device, warmup) if val_z is not None else None
    lr = scaled_learning_rate(params.learning_rate, streams, params.batch_size)
    optimizer = ForeachAdam(module.parameters(), lr=lr, weight_decay=params.weight_decay)
    clip = params.gradient_clip_norm
    patience = params.early_stopping_patience if validator is not None else 0
    interval = validation_interval(streams, params.batch_size, patience)
    budget = callbacks.time_budget_s

    history = TrainingHistory()
    warnings: list[str] = []
    best_score, best_epoch, best_weights = np.inf, 0, _snapshot(module)
    stop_reason = StopReason.MAX_EPOCHS
    for epoch in range(1, params.max_epochs + 1):
        module.train()
        state, total, seen, out_of_time = None, 0.0, 0.0, False
        for index, start in enumerate(range(0, length, chunk)):
            pred, state = module(x[:, start:start + chunk], state)
            state = detach_state(state)
            count = chunk_counts[index]
            if count == 0:
                continue
            loss = _masked_mse(pred, y[:, start:start + chunk], mask[:, start:start + chunk], count)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip > 0:
                nn.utils.clip_grad_norm_(module.parameters(), clip)
            optimizer.step()
            total += float(loss.item()) * count
            seen += count
            if budget is not None and time.perf_counter() - started > budget:
                out_of_time = True
                break
        train_loss = total / seen if seen else float("nan")
        checked = validator is not None and (epoch % interval == 0 or epoch == params.max_epochs or out_of_time)
        val_loss = validator.loss(module) if checked else None
        history.train_loss.append(train_loss)
        if validator is not None:
            history.val_loss.append(val_loss)  # None on the epochs between validation checks
        if callbacks.on_epoch is not None:
            callbacks.on_epoch(epoch, params.max_epochs, train_loss, val_loss)

        if not np.isfinite(train_loss) or (val_loss is not None and not np.isfinite(val_loss)):
            stop_reason = StopReason.DIVERGED
            warnings.append(f"Training diverged at epoch {epoch} (the loss is not finite); kept the weights "
                            f"of epoch {best_epoch}. Lower the learning rate or the gradient clip norm.")
            break
        if validator is None or (val_loss is not None and val_loss < best_score):
            best_score, best_epoch, best_weights = val_loss or 0.0, epoch, _snapshot(module)
        if out_of_time or (budget is not None and time.perf_counter() - started > budget):
            stop_reason = StopReason.TIME_BUDGET
            warnings.append(f"Training stopped at the time budget of {budget:g} s after {epoch} epoch(s); "
                            f"kept the weights of epoch {best_epoch}.")
            break
        if callbacks.should_stop is not None and callbacks.should_stop():
            stop_reason = StopReason.STOPPED_BY_USER
            break
        if patience > 0 and epoch - best_epoch >= patience:
            stop_reason = StopReason.EARLY_STOPPING
            break

    module.load_state_dict(best_weights)
    history.best_epoch = best_epoch
    history.stop_reason = stop_reason
    return TrainResult(module=module.cpu().eval(), history=history, warnings=warnings)


def _snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _run(module: RNNModule, series: np.ndarray) -> tuple[torch.Tensor, State]:
    module.eval()
    return module(_tensor(series, torch.device("cpu")).view(1, -1, 1))


def recursive_forecast(module: RNNModule, history: np.ndarray, horizon: int, num_threads: int,
                       clip: Callable[[float], float]) -> np.ndarray:
    """Read the whole history, then feed each (clipped) one-step forecast back as the next input."""
    out = np.empty(horizon)
    with torch_threads(num_threads), torch.no_grad():
        pred, state = _run(module, history)
        for step in range(horizon):
            out[step] = clip(float(pred[0, -1, 0]))
            if step + 1 < horizon:
                pred, state = module(torch.tensor([[[out[step]]]], dtype=torch.float32), state)
    return out


def direct_forecast(module: RNNModule, history: np.ndarray, num_threads: int) -> np.ndarray:
    """Read the whole history and return the output layer's ``H`` forecasts after its last value."""
    with torch_threads(num_threads), torch.no_grad():
        pred, _ = _run(module, history)
    return pred[0, -1].double().numpy()


def one_step_predictions(module: RNNModule, series: np.ndarray, num_threads: int) -> np.ndarray:
    """Teacher-forced one-step forecasts; element ``t`` predicts ``series[t + 1]``."""
    with torch_threads(num_threads), torch.no_grad():
        pred, _ = _run(module, series)
    return pred[0, :, 0].double().numpy()


def hidden_states(module: RNNModule, u: np.ndarray, num_threads: int) -> np.ndarray:
    """Last layer's hidden state after each step of ``u`` (zero initial state), as float64: ``T x hidden``
    for one series, ``B x T x hidden`` for a batch of independent series ``u`` of shape ``B x T``."""
    batch = np.atleast_2d(u)
    with torch_threads(num_threads), torch.no_grad():
        module.eval()
        hidden, _ = module.core(_tensor(batch, torch.device("cpu")).view(batch.shape[0], -1, 1))
    states = hidden.double().numpy()
    return states[0] if np.ndim(u) == 1 else states
