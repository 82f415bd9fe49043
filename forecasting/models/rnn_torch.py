"""Torch side of the LSTM/GRU forecasters: the module, the chunked TBPTT training loop and inference.

Training is a teacher-forced many-to-many pass: the training series is cut into ``B`` contiguous
streams, each read in chunks of ``truncation_length`` steps with the hidden state carried (detached)
from one chunk to the next, so every time step is computed once per epoch. The loop is split into
stages: lay the series out in chunks, run one epoch (recording the gradient norm before clipping),
score the validation tail, keep the best weights, and ask the stop rules of
:mod:`forecasting.models.stop_rules`. Imported lazily by :mod:`forecasting.models.rnn`; everything
here expects validated inputs.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from forecasting.errors import SettingsError
from forecasting.models.base import FitCallbacks, StopReason, TrainingHistory
from forecasting.models.stop_rules import (
    Divergence,
    EpochRecord,
    MaxEpochs,
    Patience,
    StopRule,
    TimeBudget,
    UserStop,
    first_stop,
)

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
        """Run the core over ``x`` from ``state`` (zeros when None) and map each hidden state to outputs.

        A GRU on the CPU runs its recurrence compiled (``gru_kernels``): torch has no fused CPU GRU, and
        its step-by-step autograd made a training pass about 28x slower than the LSTM's."""
        if isinstance(self.core, nn.GRU) and x.device.type == "cpu":
            from forecasting.models.gru_kernels import gru_layers  # numba: imported when a GRU first runs

            hidden, state = gru_layers(self.core, x, state)
        else:
            hidden, state = self.core(x, state)
        return self.head(self.drop(hidden)), state


@dataclass
class RNNTrainingHistory(TrainingHistory):
    """Loss curves plus the gradient-clipping record (Deep Learning book, 10.11.1), one entry per epoch.

    ``grad_norm`` is the mean norm of the whole gradient before clipping over the epoch's updates,
    ``clip_fraction`` the share of those updates that clipping rescaled, ``clip_threshold`` the norm
    they were clipped to (None when clipping is off). ``val_loss`` holds ``val_metric`` (the score the
    best weights are chosen by); ``val_one_step_loss`` the teacher-forced loss that also keeps
    closed-loop training going while it improves.
    """

    val_one_step_loss: list[float | None] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    clip_fraction: list[float] = field(default_factory=list)
    clip_threshold: float | None = None
    val_metric: str = ""


@dataclass
class TrainResult:
    """What one training run hands back to the forecaster."""

    module: RNNModule
    history: RNNTrainingHistory
    best_score: float  # validation score of the kept weights (inf without validation)
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


# -- stage 1: the training series laid out as streams of TBPTT chunks -----------------------------------
@dataclass
class ChunkedSeries:
    """Inputs ``x`` (streams, length, 1), targets ``y`` and their mask (streams, length, out_dim)."""

    x: torch.Tensor
    y: torch.Tensor
    mask: torch.Tensor
    chunk: int
    counts: list[float]  # targets present in each chunk

    @property
    def streams(self) -> int:
        return int(self.x.shape[0])

    def chunks(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]]:
        """``(x, y, mask, target count)`` of each chunk, oldest first."""
        for index, start in enumerate(range(0, self.x.shape[1], self.chunk)):
            stop = start + self.chunk
            yield self.x[:, start:stop], self.y[:, start:stop], self.mask[:, start:stop], self.counts[index]


def chunk_series(train_z: np.ndarray, out_dim: int, batch_size: int, chunk: int,
                 device: torch.device) -> ChunkedSeries:
    """Cut ``train_z`` into contiguous streams (more on long series) read in chunks of ``chunk`` steps."""
    streams, length, offset = stream_layout(len(train_z) - 1, batch_size, chunk, STREAM_CHUNKS * chunk)
    x = _tensor(train_z[:-1][offset:], device).view(streams, length, 1)
    y, mask = _masked(target_matrix(train_z, out_dim)[offset:].reshape(streams, length, out_dim), device)
    counts = [float(mask[:, s:s + chunk].sum().item()) for s in range(0, length, chunk)]
    return ChunkedSeries(x, y, mask, chunk, counts)


# -- stage 2: the optimiser and one epoch -----------------------------------------------------------------
class FusedAdam:
    """Adam with L2 weight decay through torch's fused kernel: the update of ``torch.optim.Adam(fused=True)``.

    Calls the kernel directly because the first use of any ``torch.optim`` optimizer imports
    ``torch._dynamo`` (seconds; benchmarks/results_rnn.md), which a dashboard's first fit would pay; the fused kernel is also
    faster than the multi-tensor update (figures in benchmarks/results_rnn.md).
    """

    def __init__(self, parameters: Iterator[nn.Parameter], lr: float, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        self.params = [p for p in parameters if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        active = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not active:
            return
        steps = [self.steps[i] for i in active]
        torch._foreach_add_(steps, 1)
        torch._fused_adam_([self.params[i] for i in active], [self.params[i].grad for i in active],
                           [self.exp_avg[i] for i in active], [self.exp_avg_sq[i] for i in active], [], steps,
                           lr=self.lr, beta1=self.beta1, beta2=self.beta2, weight_decay=self.weight_decay,
                           eps=self.eps, amsgrad=False, maximize=False)


@dataclass
class EpochStats:
    """One epoch's mean training loss and gradient record; ``out_of_time`` when the budget cut it short."""

    train_loss: float
    grad_norm: float
    clip_fraction: float
    out_of_time: bool


def clip_gradients(parameters: list[nn.Parameter], threshold: float) -> torch.Tensor:
    """The gradient's total norm before clipping; rescales it to ``threshold`` when above (0: never)."""
    grads = [p.grad for p in parameters if p.grad is not None]
    norm = nn.utils.get_total_norm(grads)
    if threshold > 0:
        nn.utils.clip_grads_with_norm_(parameters, threshold, norm)
    return norm


def run_epoch(module: RNNModule, optimizer: FusedAdam, data: ChunkedSeries, clip: float,
              budget: TimeBudget) -> EpochStats:
    """One teacher-forced pass over every chunk: forward, masked MSE, backward, clip, Adam step."""
    module.train()
    state, total, seen, norms, out_of_time = None, 0.0, 0.0, [], False
    for x, y, mask, count in data.chunks():
        pred, state = module(x, state)
        state = detach_state(state)
        if count == 0:
            continue
        loss = _masked_mse(pred, y, mask, count)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norms.append(clip_gradients(optimizer.params, clip))
        optimizer.step()
        total += float(loss.item()) * count
        seen += count
        if budget.expired():
            out_of_time = True
            break
    norm = torch.stack(norms).double().cpu().numpy() if norms else np.array([np.nan])
    clipped = float(np.mean(norm > clip)) if clip > 0 and norms else 0.0
    return EpochStats(total / seen if seen else float("nan"), float(np.mean(norm)), clipped, out_of_time)


# -- stage 3: scoring the validation tail ----------------------------------------------------------------
class OneStepValidator:
    """Teacher-forced loss on ``val``, the state carried in by first reading the end of ``train``.

    Only the last ``warmup`` training values are read (from a zero state): enough for the state to
    forget its start, and it keeps the per-epoch check cheap on long series.
    """

    metric = "one-step (teacher-forced) validation MSE"

    def __init__(self, train: np.ndarray, val: np.ndarray, out_dim: int, device: torch.device,
                 warmup: int) -> None:
        train = train[-warmup:]
        full = np.concatenate([train, val])
        start = len(train) - 1  # row t predicts z[t+1..]; rows from here on predict validation values
        self.x = _tensor(full[:-1], device).view(1, -1, 1)
        target, mask = _masked(target_matrix(full, out_dim)[start:], device)
        self.start, self.target, self.mask = start, target, mask
        self.count = float(mask.sum().item())

    def score(self, module: RNNModule) -> float:
        module.eval()
        with torch.no_grad():
            pred, _ = module(self.x)
            return float(_masked_mse(pred[0, self.start:], self.target, self.mask, self.count).item())


def origin_starts(n_train: int, n_val: int, window: int, origins: int) -> np.ndarray:
    """Forecast origins spread evenly over the validation tail, each leaving ``window`` values to score."""
    last = n_train + n_val - window
    return np.unique(np.linspace(n_train, last, max(1, origins)).round().astype(int))


class ClosedLoopValidator:
    """The error the forecast actually makes: ``window``-step forecasts from a few origins in ``val``.

    Every origin reads the same number of preceding values (at most ``warmup``), so all origins run as
    one batch; the recursive strategy then feeds its clipped predictions back step by step, exactly as
    ``recursive_forecast`` does, and the direct strategy reads its ``window`` outputs at once.
    """

    def __init__(self, train: np.ndarray, val: np.ndarray, horizon: int, origins: int, direct: bool,
                 envelope: tuple[float, float], device: torch.device, warmup: int) -> None:
        data = np.concatenate([train, val])
        self.window = max(1, min(horizon, len(val)))
        starts = origin_starts(len(train), len(val), self.window, origins)
        context = min(warmup, len(train))
        self.x = _tensor(np.stack([data[o - context:o] for o in starts]), device).unsqueeze(-1)
        self.target = _tensor(np.stack([data[o:o + self.window] for o in starts]), device)
        self.direct, self.envelope = direct, envelope
        self.metric = (f"closed-loop validation MSE ({len(starts)} origin(s), {self.window} step(s), "
                       f"{'direct' if direct else 'recursive'})")

    def score(self, module: RNNModule) -> float:
        module.eval()
        with torch.no_grad():
            forecast = self.forecast(module)
        return float(torch.mean((forecast - self.target) ** 2).item())

    def forecast(self, module: RNNModule) -> torch.Tensor:
        """(origins, window) forecasts of the validation values."""
        pred, state = module(self.x)
        if self.direct:
            return pred[:, -1, :self.window]
        lo, hi = self.envelope
        step = pred[:, -1, 0].clamp(lo, hi)
        steps, stepper = [step], CellStepper(module, state)
        for _ in range(self.window - 1):
            step = stepper.step(step).clamp(lo, hi)
            steps.append(step)
        return torch.stack(steps, dim=1)


class CellStepper:
    """One closed-loop step at a time through the module's fused cell kernels (``torch.lstm_cell`` /
    ``torch.gru_cell``): the same arithmetic as ``module(x[B, 1, 1], state)`` in eval mode, at about half
    the call overhead, which dominates a recursive forecast of a small model."""

    def __init__(self, module: RNNModule, state: State) -> None:
        core = module.core
        self.lstm = isinstance(core, nn.LSTM)
        self.head = module.head
        self.layers = [tuple(getattr(core, f"{name}_l{k}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
                       for k in range(core.num_layers)]
        if self.lstm:
            self.state = [(state[0][k], state[1][k]) for k in range(core.num_layers)]
        else:
            self.state = [state[k] for k in range(core.num_layers)]

    def step(self, value: torch.Tensor) -> torch.Tensor:
        """Feed ``value`` (B,) in as the next input; return the (B,) one-step forecasts after it."""
        inputs = value.view(-1, 1)
        for k, weights in enumerate(self.layers):
            if self.lstm:
                self.state[k] = torch.lstm_cell(inputs, self.state[k], *weights)
                inputs = self.state[k][0]
            else:
                self.state[k] = inputs = torch.gru_cell(inputs, self.state[k], *weights)
        return self.head(inputs)[:, 0]


Validator = OneStepValidator | ClosedLoopValidator


# -- stage 4: the best weights so far ------------------------------------------------------------------------
class BestWeights:
    """The weights of the best-scoring epoch (the latest epoch when nothing is validated)."""

    def __init__(self, module: nn.Module, initial_score: float = np.inf) -> None:
        self.module, self.score, self.epoch = module, initial_score, 0
        self.weights = _snapshot(module)

    def offer(self, epoch: int, score: float | None, validated: bool) -> None:
        """Keep the module's current weights if ``score`` beats the best (always, when not validated)."""
        if not validated or (score is not None and score < self.score):
            self.score = score if validated and score is not None else self.score
            self.epoch, self.weights = epoch, _snapshot(self.module)

    def restore(self) -> None:
        self.module.load_state_dict(self.weights)


class Improvement:
    """The last epoch a score improved on its best: a guide that keeps training going without choosing weights."""

    def __init__(self, initial: float) -> None:
        self.best, self.epoch = initial, 0

    def offer(self, epoch: int, score: float | None) -> None:
        if score is not None and score < self.best:
            self.best, self.epoch = score, epoch


# -- the loop ---------------------------------------------------------------------------------------------------
@dataclass
class TrainSetup:
    """What one training run needs besides the data: strategy, validation scoring and the callbacks."""

    direct: bool
    horizon: int
    validation_score: str = "closed_loop"
    validation_origins: int = 4
    envelope: tuple[float, float] = (-np.inf, np.inf)
    callbacks: FitCallbacks = field(default_factory=FitCallbacks)


def train(cell: str, params: Any, train_z: np.ndarray, val_z: np.ndarray | None, *, seed: int,
          setup: TrainSetup) -> TrainResult:
    """Fit a fresh module on ``train_z`` (early-stopping on ``val_z`` when given); deterministic on CPU."""
    device = resolve_device(params.device)
    forked = [device.index or 0] if device.type == "cuda" else []
    out_dim = setup.horizon if setup.direct else 1
    with torch_threads(params.num_threads), torch.random.fork_rng(devices=forked):
        torch.manual_seed(seed)
        module = RNNModule(cell, params.hidden_size, params.num_layers, params.dropout, out_dim).to(device)
        data = chunk_series(train_z, out_dim, params.batch_size, params.truncation_length, device)
        validator = guide = None
        if val_z is not None:
            validator = make_validator(params, train_z, val_z, setup, device)
            if setup.validation_score != "one_step":
                guide = make_validator(params, train_z, val_z, dataclasses.replace(setup, validation_score="one_step"),
                                       device)
        return _train_loop(module, params, data, validator, guide, setup.callbacks)


def make_validator(params: Any, train_z: np.ndarray, val_z: np.ndarray, setup: TrainSetup,
                   device: torch.device) -> Validator:
    """The validation scorer the settings ask for: closed-loop forecasts (default) or one-step loss."""
    warmup = max(VALIDATION_WARMUP_CHUNKS * params.truncation_length, VALIDATION_WARMUP_MIN)
    if setup.validation_score == "one_step":
        return OneStepValidator(train_z, val_z, setup.horizon if setup.direct else 1, device, warmup)
    return ClosedLoopValidator(train_z, val_z, setup.horizon, setup.validation_origins, setup.direct,
                               setup.envelope, device, warmup)


def stop_rules(params: Any, callbacks: FitCallbacks, budget: TimeBudget, validated: bool) -> list[StopRule]:
    """The reasons to end training, in the order they are asked after each epoch."""
    patience = params.early_stopping_patience if validated else 0
    return [Divergence(), budget, UserStop(callbacks.should_stop), Patience(patience),
            MaxEpochs(params.max_epochs)]


def _train_loop(module: RNNModule, params: Any, data: ChunkedSeries, validator: Validator | None,
                guide: OneStepValidator | None, callbacks: FitCallbacks) -> TrainResult:
    """Epochs until a stop rule fires; the kept weights are the best by ``validator``, and training goes on
    while either ``validator`` or the cheaper, smoother ``guide`` (the one-step loss) still improves."""
    optimizer = FusedAdam(module.parameters(), lr=scaled_learning_rate(params.learning_rate, data.streams,
                                                                       params.batch_size),
                          weight_decay=params.weight_decay)
    clip = params.gradient_clip_norm
    budget = TimeBudget(callbacks.time_budget_s)
    rules = stop_rules(params, callbacks, budget, validator is not None)
    interval = validation_interval(data.streams, params.batch_size, params.early_stopping_patience)
    history = RNNTrainingHistory(clip_threshold=clip if clip > 0 else None,
                                 val_metric=validator.metric if validator is not None else "")
    best = BestWeights(module, validator.score(module) if validator is not None else np.inf)
    guided = Improvement(guide.score(module) if guide is not None else np.inf)
    reason, epoch = StopReason.MAX_EPOCHS, 0
    while epoch < params.max_epochs:
        epoch += 1
        stats = run_epoch(module, optimizer, data, clip, budget)
        checked = validator is not None and (epoch % interval == 0 or epoch == params.max_epochs
                                             or stats.out_of_time)
        val_score = validator.score(module) if checked else None
        guide_score = guide.score(module) if checked and guide is not None else None
        _record(history, stats, val_score, guide_score, validator is not None, guide is not None)
        if callbacks.on_epoch is not None:
            callbacks.on_epoch(epoch, params.max_epochs, stats.train_loss, val_score)
        record = EpochRecord(epoch, stats.train_loss, val_score, best.epoch, budget.clock() - budget.started,
                             stats.out_of_time)
        if not Divergence().fires(record):
            best.offer(epoch, val_score, validated=validator is not None)
            guided.offer(epoch, guide_score)
            record = dataclasses.replace(record, best_epoch=best.epoch,
                                         improved_epoch=max(best.epoch, guided.epoch))
        stop = first_stop(rules, record)
        if stop is not None:
            reason = stop
            break
    best.restore()
    history.best_epoch, history.stop_reason = best.epoch, reason
    return TrainResult(module=module.cpu().eval(), history=history, best_score=float(best.score),
                       warnings=_stop_warnings(reason, epoch, best.epoch, budget.budget_s))


def _record(history: RNNTrainingHistory, stats: EpochStats, val_score: float | None, guide_score: float | None,
            validated: bool, guided: bool) -> None:
    """Append one epoch to the history (validation entries are None on epochs without a check)."""
    history.train_loss.append(stats.train_loss)
    history.grad_norm.append(stats.grad_norm)
    history.clip_fraction.append(stats.clip_fraction)
    if validated:
        history.val_loss.append(val_score)
    if guided:
        history.val_one_step_loss.append(guide_score)


def _stop_warnings(reason: StopReason, epoch: int, best_epoch: int, budget_s: float | None) -> list[str]:
    """The user-facing note for a stop that leaves the model short of what was asked."""
    if reason is StopReason.DIVERGED:
        return [f"Training diverged at epoch {epoch} (the loss is not finite); kept the weights of epoch "
                f"{best_epoch}. Lower the learning rate or the gradient clip norm."]
    if reason is StopReason.TIME_BUDGET:
        return [f"Training stopped at the time budget of {budget_s:g} s after {epoch} epoch(s); kept the "
                f"weights of epoch {best_epoch}."]
    return []


def _snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


# -- inference and introspection ------------------------------------------------------------------------------
def _run(module: RNNModule, series: np.ndarray) -> tuple[torch.Tensor, State]:
    module.eval()
    return module(_tensor(series, torch.device("cpu")).view(1, -1, 1))


def recursive_forecast(module: RNNModule, history: np.ndarray, horizon: int, num_threads: int,
                       clip: Callable[[float], float]) -> np.ndarray:
    """Read the whole history, then feed each (clipped) one-step forecast back as the next input."""
    out = np.empty(horizon)
    with torch_threads(num_threads), torch.no_grad():
        pred, state = _run(module, history)
        out[0] = clip(float(pred[0, -1, 0]))
        stepper = CellStepper(module, state)
        for step in range(1, horizon):
            out[step] = clip(float(stepper.step(torch.tensor([out[step - 1]], dtype=torch.float32))[0]))
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


def input_gradients(module: RNNModule, series: np.ndarray, ends: np.ndarray, num_threads: int) -> np.ndarray:
    """``g[i, j] = d y_hat(ends[i] + 1) / d series[j]`` in one batched forward and backward pass.

    Batch row ``i`` reads the series and is read out at ``ends[i]``; the module is causal, so the
    gradient of the sum of the selected outputs holds every origin's gradients at once. Columns
    after ``max(ends)`` are zero (the series is only read that far).
    """
    ends = np.asarray(ends, dtype=int)
    grads = np.zeros((len(ends), len(series)))
    if len(ends) == 0:
        return grads
    length = int(ends.max()) + 1
    with torch_threads(num_threads), torch.enable_grad():
        module.eval()
        x = _tensor(series[:length], torch.device("cpu")).view(1, -1, 1).repeat(len(ends), 1, 1)
        x.requires_grad_(True)
        y, _ = module(x)
        picked = y[torch.arange(len(ends)), torch.as_tensor(ends), 0]
        (grad,) = torch.autograd.grad(picked.sum(), x)
    grads[:, :length] = grad[:, :, 0].double().numpy()
    return grads
