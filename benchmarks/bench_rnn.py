"""Benchmark the LSTM/GRU forecasters: epoch time, time to convergence, threads, chunking and airline MASE.

Run from the repository root: ``OMP_NUM_THREADS=1 python benchmarks/bench_rnn.py [--runs 3] [--out PATH]``.
Writes a markdown section to ``benchmarks/results_rnn.md`` (timings are medians of ``--runs`` runs).

``--accuracy VARIANT[,VARIANT...]`` instead scores settings variants on the benchmark series of
``../shared/benchmark-series`` (the comparison's protocol by hand: fit on everything before the last H
points with no validation series, so the model tunes on its own held-out tail; refit with the tuned
values fixed; forecast H) and prints the geometric-mean MASE per variant, as one markdown table.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecasting.models.rnn import GRUForecaster, LSTMForecaster, RNNParams  # noqa: E402
from forecasting.models.rnn_torch import RNNModule, stream_layout, torch_threads  # noqa: E402
from forecasting.preprocessing import Preprocessor  # noqa: E402

MODELS = (LSTMForecaster, GRUForecaster)
# file, column, season length
SERIES = {
    "airline": ("air_passengers.csv", "passengers", 12),
    "sunspots": ("sunspots_yearly.csv", "sunspots", 1),
    "gas": ("gas_australia_monthly.csv", "gas_production", 12),
}


def data_dir() -> Path:
    """The bundled data folder, or the shared one while the project's copy does not exist yet."""
    for candidate in (ROOT / "data", ROOT.parent / "shared" / "data"):
        if (candidate / "air_passengers.csv").exists():
            return candidate
    raise SystemExit("No data folder with air_passengers.csv found (looked in data/ and ../shared/data/).")


def load(name: str) -> tuple[np.ndarray, int]:
    file, column, season = SERIES[name]
    return pd.read_csv(data_dir() / file)[column].to_numpy(float), season


def mackey_glass(n: int, tau: int = 17, seed: int = 0) -> np.ndarray:
    """Mackey-Glass delay equation sampled once per time unit (Euler, 10 substeps), standardised."""
    rng = np.random.default_rng(seed)
    sub = 10
    hist = list(1.2 + 0.1 * rng.standard_normal(tau * sub))
    out = []
    for _ in range((n + 200) * sub):
        x, x_tau = hist[-1], hist[-tau * sub]
        hist.append(x + (0.2 * x_tau / (1 + x_tau ** 10) - 0.1 * x) / sub)
    out = np.array(hist[tau * sub:][::sub][200:200 + n])
    return (out - out.mean()) / out.std()


def noisy_sine(n: int, period: float = 50.0, noise: float = 0.2, seed: int = 0) -> np.ndarray:
    """A sine of period ``period`` plus Gaussian noise of standard deviation ``noise``."""
    rng = np.random.default_rng(seed)
    return np.sin(2 * np.pi * np.arange(n) / period) + noise * rng.standard_normal(n)


def model_space(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Preprocessed series split into a fitting part and the last 10% (at least 12) for validation."""
    if name == "mackey-glass 2000":
        z = mackey_glass(2000)
    elif name == "noisy sine 2000":
        z = noisy_sine(2000)
    else:
        y, season = load(name)
        z = Preprocessor.fit(y, season).transform(y)
    n_val = max(12, len(z) // 10)
    return z[:-n_val], z[-n_val:]


ALL_SERIES = (*SERIES, "noisy sine 2000", "mackey-glass 2000")


def epoch_time(cls: type, train: np.ndarray, val: np.ndarray, threads: int, runs: int, epochs: int = 5) -> float:
    """Median seconds per epoch over ``runs`` fits of exactly ``epochs`` epochs (validation included)."""
    times = []
    for seed in range(runs):
        params = RNNParams(num_threads=threads, device="cpu", max_epochs=epochs, early_stopping_patience=0)
        start = time.perf_counter()
        cls(params, seed=seed).fit(train, val)
        times.append((time.perf_counter() - start) / epochs)
    return statistics.median(times)


def threads_table(runs: int) -> list[str]:
    lines = ["| series | points (model space) | model | s/epoch, 1 thread | s/epoch, 2 threads |",
             "| --- | --- | --- | --- | --- |"]
    for name in ALL_SERIES:
        train, val = model_space(name)
        for cls in MODELS:
            one, two = (epoch_time(cls, train, val, threads, runs) for threads in (1, 2))
            lines.append(f"| {name} | {len(train) + len(val)} | {cls.label} | {one:.4f} | {two:.4f} |")
            print(lines[-1], flush=True)
    return lines


def convergence_table(runs: int) -> list[str]:
    """Default settings, one thread: how long early stopping takes to end training."""
    lines = ["| series | points (model space) | model | epochs run | best epoch | stop reason | s/epoch "
             "| s to convergence |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name in ALL_SERIES:
        train, val = model_space(name)
        for cls in MODELS:
            fits, epochs, best, reasons = [], [], [], []
            for seed in range(runs):
                model = cls(RNNParams(num_threads=1, device="cpu"), seed=seed)
                start = time.perf_counter()
                model.fit(train, val)
                fits.append(time.perf_counter() - start)
                epochs.append(len(model.history.train_loss))
                best.append(model.history.best_epoch)
                reasons.append(model.history.stop_reason)
            per_epoch = statistics.median(f / e for f, e in zip(fits, epochs, strict=True))
            lines.append(f"| {name} | {len(train) + len(val)} | {cls.label} | {statistics.median(epochs):.0f} "
                         f"| {statistics.median(best):.0f} | {max(set(reasons), key=reasons.count)} "
                         f"| {per_epoch:.4f} | {statistics.median(fits):.2f} |")
            print(lines[-1], flush=True)
    return lines


def epoch_chunked(module: RNNModule, z: np.ndarray, chunk: int, batch: int, opt: torch.optim.Optimizer) -> None:
    """One many-to-many epoch: contiguous streams, TBPTT chunks, state carried and detached."""
    streams, length, offset = stream_layout(len(z) - 1, batch, chunk)
    x = torch.as_tensor(z[:-1][offset:], dtype=torch.float32).view(streams, length, 1)
    y = torch.as_tensor(z[1:][offset:], dtype=torch.float32).view(streams, length, 1)
    state = None
    for s in range(0, length, chunk):
        pred, state = module(x[:, s:s + chunk], state)
        state = tuple(t.detach() for t in state)
        loss = torch.mean((pred - y[:, s:s + chunk]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()


def epoch_windows(module: RNNModule, z: np.ndarray, window: int, batch: int, opt: torch.optim.Optimizer) -> None:
    """One epoch of the usual alternative: every overlapping window, predicting only the value after it."""
    idx = np.arange(len(z) - window)
    windows = np.stack([z[i:i + window] for i in idx])
    x = torch.as_tensor(windows, dtype=torch.float32).unsqueeze(-1)
    y = torch.as_tensor(z[idx + window], dtype=torch.float32)
    for s in range(0, len(idx), batch):
        pred, _ = module(x[s:s + batch])
        loss = torch.mean((pred[:, -1, 0] - y[s:s + batch]) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()


def chunk_vs_windows(runs: int) -> list[str]:
    z = mackey_glass(2000)
    lines = ["| training layout (64-unit LSTM, 2,000 steps, 1 thread) | time steps computed per epoch "
             "| s/epoch |", "| --- | --- | --- |"]
    settings = [("many-to-many chunks (24 steps, 8 streams)", epoch_chunked, 24, 8, len(z) - 1),
                ("overlapping windows (24 steps, batch 32)", epoch_windows, 24, 32, (len(z) - 24) * 24)]
    with torch_threads(1):
        for label, fn, length, batch, steps in settings:
            torch.manual_seed(0)
            module = RNNModule("lstm", 64, 1, 0.0, 1)
            opt = torch.optim.Adam(module.parameters(), lr=1e-3)
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                fn(module, z, length, batch, opt)
                times.append(time.perf_counter() - start)
            lines.append(f"| {label} | {steps:,} | {statistics.median(times):.3f} |")
            print(lines[-1], flush=True)
    return lines


def airline_mase(seeds: int) -> list[str]:
    """The comparison's protocol by hand: early-stop on the last 12 training points, refit, forecast 12."""
    y, season = load("airline")
    h = 12
    train_part, test = y[:-h], y[-h:]
    scale = np.mean(np.abs(train_part[season:] - train_part[:-season]))
    pre = Preprocessor.fit(train_part, season)
    z = pre.transform(train_part)
    snaive = np.mean(np.abs(train_part[-season:] - test)) / scale
    lines = [f"Preprocessing: {pre.describe()}. Validation: last 12 model-space training points; refit on all "
             f"training points for the best epoch count; MASE scaled by the in-sample seasonal-naive MAE.", "",
             "| model | MASE per seed | mean MASE | best epochs |", "| --- | --- | --- | --- |",
             f"| seasonal naive | - | {snaive:.3f} | - |"]
    for cls in MODELS:
        scores, best = [], []
        for seed in range(seeds):
            tuner = cls(RNNParams(device="cpu"), seed=seed, season_length=season).fit(z[:-12], z[-12:])
            final = cls(RNNParams(device="cpu").replace(**tuner.tuned_params()), seed=seed,
                        season_length=season).fit(z)
            forecast = pre.inverse(final.forecast(z, h), train_part)
            scores.append(np.mean(np.abs(forecast - test)) / scale)
            best.append(tuner.history.best_epoch)
        lines.append(f"| {cls.label} | {', '.join(f'{s:.3f}' for s in scores)} | {np.mean(scores):.3f} | "
                     f"{', '.join(map(str, best))} |")
        print(lines[-1], flush=True)
    return lines


COLD_OPTIMIZER = """
import sys, time
start = time.perf_counter()
import torch
sys.path.insert(0, {root!r})
from forecasting.models.rnn_torch import FusedAdam, RNNModule
torch.set_num_threads(1)
module = RNNModule("lstm", 16, 1, 0.0, 1)
kind = {kind!r}
imported = time.perf_counter()
if kind == "FusedAdam (ours)":
    opt = FusedAdam(module.parameters(), lr=1e-3, weight_decay=1e-4)
else:
    opt = torch.optim.Adam(module.parameters(), lr=1e-3, weight_decay=1e-4, **{{kind.split()[-1]: True}})
pred, _ = module(torch.randn(8, 24, 1))
pred.pow(2).mean().backward()
opt.step()
print(imported - start, time.perf_counter() - imported, "torch._dynamo" in sys.modules)
"""
OPTIMIZERS = ("FusedAdam (ours)", "torch.optim.Adam fused", "torch.optim.Adam foreach")


def optimizer_table(runs: int) -> list[str]:
    """Cold first update in a fresh process, and warm seconds per update, for each Adam implementation."""
    lines = ["| optimizer | build + first forward/backward/step in a fresh process (torch imported), s "
             "| imports torch._dynamo "
             "| warm update step, us (LSTM 16) |", "| --- | --- | --- | --- |"]
    cold: dict[str, list[float]] = {k: [] for k in OPTIMIZERS}
    dynamo: dict[str, bool] = {}
    for _ in range(runs):
        for kind in OPTIMIZERS:  # interleaved so that background load hits every kind alike
            out = subprocess.run([sys.executable, "-c", COLD_OPTIMIZER.format(root=str(ROOT), kind=kind)],
                                 capture_output=True, text=True, check=True).stdout.split()
            cold[kind].append(float(out[1]))
            dynamo[kind] = out[2] == "True"
    warm = warm_step_times(runs)
    for kind in OPTIMIZERS:
        lines.append(f"| {kind} | {statistics.median(cold[kind]):.2f} | {'yes' if dynamo[kind] else 'no'} "
                     f"| {warm[kind]:.0f} |")
        print(lines[-1], flush=True)
    return lines


def warm_step_times(runs: int, steps: int = 300) -> dict[str, float]:
    """Median microseconds per optimizer step on a 16-unit LSTM, the kinds interleaved in every run."""
    from forecasting.models.rnn_torch import FusedAdam

    setups = {}
    for kind in OPTIMIZERS:
        torch.manual_seed(0)
        module = RNNModule("lstm", 16, 1, 0.0, 1)
        if kind == "FusedAdam (ours)":
            opt = FusedAdam(module.parameters(), lr=1e-3, weight_decay=1e-4)
        else:
            opt = torch.optim.Adam(module.parameters(), lr=1e-3, weight_decay=1e-4, **{kind.split()[-1]: True})
        pred, _ = module(torch.randn(8, 24, 1))
        pred.pow(2).mean().backward()
        setups[kind] = opt
    times: dict[str, list[float]] = {k: [] for k in OPTIMIZERS}
    with torch_threads(1):
        for _ in range(max(runs, 5)):
            for kind, opt in setups.items():
                start = time.perf_counter()
                for _ in range(steps):
                    opt.step()
                times[kind].append((time.perf_counter() - start) / steps * 1e6)
    return {k: statistics.median(v) for k, v in times.items()}


COLD_FIT = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from forecasting.models.rnn import LSTMForecaster, RNNParams
t = np.arange(144.0)
z = np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(t)
start = time.perf_counter()
if {warm}:
    LSTMForecaster.warm_up()
warmed = time.perf_counter()
LSTMForecaster(RNNParams(device="cpu", horizon=12), seed=0, season_length=12).fit(z)
fitted = time.perf_counter()
LSTMForecaster(RNNParams(device="cpu", horizon=12), seed=0, season_length=12).fit(z)
print(warmed - start, fitted - warmed, time.perf_counter() - fitted)
"""


def warm_up_table(runs: int) -> list[str]:
    """What ``warm_up`` takes off the first timed fit in a fresh process (torch already imported by it)."""
    lines = ["| in a fresh process | warm_up(), s | first fit, s | second fit, s |", "| --- | --- | --- | --- |"]
    results: dict[bool, list[list[float]]] = {False: [], True: []}
    for _ in range(runs):
        for warm in (False, True):
            out = subprocess.run([sys.executable, "-c", COLD_FIT.format(root=str(ROOT), warm=warm)],
                                 capture_output=True, text=True, check=True).stdout.split()
            results[warm].append([float(v) for v in out])
    for warm, label in ((False, "no warm_up (the first fit imports torch)"), (True, "LSTMForecaster.warm_up() first")):
        med = [statistics.median(r[i] for r in results[warm]) for i in range(3)]
        lines.append(f"| {label} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.2f} |")
        print(lines[-1], flush=True)
    return lines


def airline_time(runs: int) -> list[str]:
    """Seconds of the comparison's LSTM and GRU work on airline (H = 12): tuning fit, refit, forecast."""
    y, season = load("airline")
    lines = ["| model | strategy | tune + refit + forecast, s | MASE (last 12 points) |", "| --- | --- | --- | --- |"]
    for strategy in ("recursive", "auto"):
        for cls in MODELS:
            times, scores = [], []
            for seed in range(runs):
                start = time.perf_counter()
                mase, _ = holdout_mase(cls, {"strategy": strategy}, y, season, 12, seed)
                times.append(time.perf_counter() - start)
                scores.append(mase)
            lines.append(f"| {cls.label} | {strategy} | {statistics.median(times):.2f} | {np.mean(scores):.3f} |")
            print(lines[-1], flush=True)
    return lines


BENCHMARK_DIR = ROOT.parent / "shared" / "benchmark-series"
# settings variants measured on the benchmark series: name -> RNNParams overrides
VARIANTS: dict[str, dict] = {
    "one-step": {"validation_score": "one_step"},
    "closed-loop": {"validation_score": "closed_loop"},
    "closed-loop auto": {"validation_score": "closed_loop", "strategy": "auto"},
    "closed-loop direct": {"validation_score": "closed_loop", "strategy": "direct"},
}


def benchmark_series() -> list[tuple[str, np.ndarray, int, int]]:
    """(name, values, season length, horizon) of every series in the shared benchmark manifest."""
    import json

    manifest = json.loads((BENCHMARK_DIR / "manifest.json").read_text())
    out = []
    for name, info in manifest.items():
        frame = pd.read_csv(BENCHMARK_DIR / info["file"])
        out.append((name, frame.iloc[:, -1].to_numpy(float), int(info["season_length"]), int(info["horizon"])))
    return out


def holdout_mase(cls: type, overrides: dict, y: np.ndarray, season: int, h: int, seed: int) -> tuple[float, float]:
    """MASE on the last ``h`` points after the nested-tuning fit and the refit, and the seconds both took."""
    from forecasting.metrics import compute_metrics

    train_part, test = y[:-h], y[-h:]
    pre = Preprocessor.fit(train_part, season)
    z = pre.transform(train_part)
    params = RNNParams(device="cpu", horizon=h).replace(**overrides)
    start = time.perf_counter()
    tuner = cls(params, seed=seed, season_length=season).fit(z)
    final = cls(params.replace(**tuner.tuned_params()), seed=seed, season_length=season).fit(z)
    seconds = time.perf_counter() - start
    forecast = pre.inverse(final.forecast(z, h), train_part)
    return compute_metrics(test, forecast, train_part, season)["mase"], seconds


def accuracy_table(variants: list[str], seeds: int) -> list[str]:
    """Geometric-mean MASE (and total fit seconds) per model and variant over the benchmark series."""
    series = benchmark_series()
    lines = ["| variant | model | geomean MASE | series | fit seconds (tune + refit, all series) |",
             "| --- | --- | --- | --- | --- |"]
    for variant in variants:
        for cls in MODELS:
            scores, total = [], 0.0
            for name, y, season, h in series:
                runs = [holdout_mase(cls, VARIANTS[variant], y, season, h, seed) for seed in range(seeds)]
                score = float(np.exp(np.mean(np.log([r[0] for r in runs]))))
                total += sum(r[1] for r in runs)
                scores.append(score)
                print(f"{variant} {cls.label} {name} {score:.3f}", flush=True)
            geomean = float(np.exp(np.mean(np.log(scores))))
            lines.append(f"| {variant} | {cls.label} | {geomean:.3f} | {len(scores)} | {total:.1f} |")
            print(lines[-1], flush=True)
    return lines


def machine() -> str:
    try:
        info = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        model = fields.get("Model name", "?").strip()
        cpus = fields.get("CPU(s)", "?").strip()
    except (OSError, subprocess.CalledProcessError):
        model, cpus = platform.processor() or "?", "?"
    return f"{model}, {cpus} CPU(s); Python {platform.python_version()}, torch {torch.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs (seeds) per timing; the median is reported")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_rnn.md")
    parser.add_argument("--accuracy", default="", help=f"variants to score on the benchmark series: {', '.join(VARIANTS)}")
    parser.add_argument("--seeds", type=int, default=1, help="seeds per series for --accuracy (geomean over seeds)")
    parser.add_argument("--only", default="", help=f"print only these sections: {', '.join(SECTIONS)}")
    args = parser.parse_args()
    if args.accuracy:
        print("\n".join(accuracy_table(args.accuracy.split(","), args.seeds)))
        return
    if args.only:
        for name in args.only.split(","):
            print("\n".join(SECTIONS[name](args.runs)))
        return
    defaults = RNNParams()
    sections = [
        "## LSTM / GRU (benchmarks/bench_rnn.py)", "",
        f"Machine: {machine()}. Command: `OMP_NUM_THREADS=1 python benchmarks/bench_rnn.py --runs {args.runs}`. "
        f"Shared machine, other jobs running: medians of {args.runs} runs (seeds 0..{args.runs - 1}).", "",
        f"Defaults: hidden_size={defaults.hidden_size}, truncation_length={defaults.truncation_length}, "
        f"batch_size={defaults.batch_size}, learning_rate={defaults.learning_rate}, "
        f"weight_decay={defaults.weight_decay}, patience={defaults.early_stopping_patience}, "
        f"max_epochs={defaults.max_epochs}.", "",
        "Validation (early stopping) uses the last 10% of each model-space series (at least 12 points).", "",
        "### The GRU's recurrence: torch's CPU kernel vs the compiled one (forward + backward, 16 units, 1 thread)", "",
        "torch runs the LSTM on the CPU through oneDNN's fused kernel, but has none for the GRU: autograd records "
        "each step's small operations. Training GRUs run `forecasting/models/gru_kernels.py` instead (numba "
        "loops, the same equations and parameters; equal to `nn.GRU` within 1e-12 in float64, "
        "`tests/models/test_gru_kernels.py`).", "",
        *gru_recurrence_table(args.runs), "",
        "### Seconds per epoch, 1 vs 2 torch threads (5 epochs per fit)", "",
        *threads_table(args.runs), "",
        "### Time to convergence with default settings (1 thread)", "",
        *convergence_table(args.runs), "",
        "### Many-to-many chunks vs overlapping windows (one epoch)", "",
        *chunk_vs_windows(args.runs), "",
        "### Airline passengers, last 12 months held out", "",
        *airline_mase(3), "",
    ]
    args.out.write_text("\n".join(sections))
    print(f"wrote {args.out}")


def gru_recurrence_table(runs: int, reps: int = 50) -> list[str]:
    """One forward + backward pass of a 16-unit recurrent core: torch's GRU, the compiled GRU, torch's LSTM."""
    from forecasting.models.gru_kernels import gru_layers

    lines = ["| input (batch x steps) | torch `nn.GRU` (ms) | compiled GRU, `gru_kernels` (ms) | torch `nn.LSTM` "
             "(ms) | compiled GRU speed-up |", "| --- | --- | --- | --- | --- |"]
    with torch_threads(1):
        torch.manual_seed(0)
        gru, lstm = torch.nn.GRU(1, 16, batch_first=True), torch.nn.LSTM(1, 16, batch_first=True)
        cores = {"gru": lambda x: gru(x)[0], "compiled": lambda x: gru_layers(gru, x, None)[0],
                 "lstm": lambda x: lstm(x)[0]}
        for batch, steps in [(1, 96), (8, 24), (1, 480)]:
            x = torch.randn(batch, steps, 1)
            times: dict[str, list[float]] = {name: [] for name in cores}
            for run in cores.values():  # warm: first calls compile or load the kernels
                run(x).sum().backward()
            for _ in range(runs):
                for name, run in cores.items():  # interleaved, so that load on the machine hits all three
                    start = time.perf_counter()
                    for _ in range(reps):
                        run(x).sum().backward()
                    times[name].append((time.perf_counter() - start) / reps * 1000)
            med = {name: statistics.median(values) for name, values in times.items()}
            lines.append(f"| {batch} x {steps} | {med['gru']:.2f} | {med['compiled']:.2f} | {med['lstm']:.2f} | "
                         f"{med['gru'] / med['compiled']:.1f}x |")
            print(lines[-1], flush=True)
    return lines


SECTIONS = {"gru_recurrence": gru_recurrence_table, "threads": threads_table, "convergence": convergence_table, "chunks": chunk_vs_windows,
            "airline": airline_mase, "optimizer": optimizer_table, "warm_up": warm_up_table,
            "airline_time": airline_time}


if __name__ == "__main__":
    main()
