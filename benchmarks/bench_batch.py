"""Throughput and scaling of ``python -m forecasting batch`` on synthetic series.

Run from the repository root: ``OMP_NUM_THREADS=1 python benchmarks/bench_batch.py --series 1000`` (use
``--series 100`` for a first check). Measures, on N synthetic 200-point monthly series:

1. throughput per model (series per second per core, default settings, in one warm process);
2. the batch as a user runs it (fresh ``python -m forecasting batch`` processes, ESN + baselines + classical
   references): wall time with 1 local worker, 2 local workers and a 2-worker Dask LocalCluster, interleaved
   over ``--repeats`` rounds; worker overhead = 1 - (series compute seconds) / (workers x wall time), which
   counts interpreter start, imports, warm-up, scheduling, writing and idle workers at the end; and the
   CPU overhead = 1 - (CPU seconds of the series) / (CPU seconds of all processes), which a loaded machine
   stretches far less (idle workers cost no CPU, so it counts start-up, warm-up and per-chunk costs only).

``--executors local1,local2,dask2`` picks the executor runs (all three by default); ``--throughput-models ''``
skips the per-model part. Appends a dated section to ``benchmarks/results_batch.md`` (older runs are kept;
``--replace`` rewrites the file and its section of ``benchmarks/RESULTS.md`` instead). Targets (issue 11):
overhead under 5% at 1,000 series, speed-up from 1 to 2 local workers at least 1.7x, Dask within 15% of
the local executor. The machine is shared: the speed-up measured here is depressed whenever other
processes use the second core.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_accuracy import splice_into_results  # noqa: E402
from machine import machine_description  # noqa: E402

from forecasting.batch import BatchSettings, ResultStore, find_input, run_batch  # noqa: E402
from forecasting.batch.inputs import first_series  # noqa: E402
from forecasting.comparison import CompareConfig  # noqa: E402
from forecasting.models import ModelKind, models_of_kind  # noqa: E402

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def synthetic_table(n_series: int, length: int, path: Path) -> None:
    """A long-format Parquet table of ``n_series`` monthly series: level, trend, yearly season, AR(1) noise."""
    rng = np.random.default_rng(2024)
    t = np.arange(length)
    frames = []
    times = pd.date_range("2000-01-01", periods=length, freq="MS")
    for k in range(n_series):
        noise = np.zeros(length)
        phi, scale = rng.uniform(0.0, 0.8), rng.uniform(0.2, 1.0)
        shocks = rng.normal(0, scale, length)
        for i in range(1, length):
            noise[i] = phi * noise[i - 1] + shocks[i]
        values = (rng.uniform(20, 100) + rng.uniform(-0.1, 0.3) * t
                  + rng.uniform(0, 10) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6.3)) + noise)
        frames.append(pd.DataFrame({"id": f"s{k:06d}", "time": times, "value": values}))
    pd.concat(frames, ignore_index=True).to_parquet(path, row_group_size=100 * length)


def throughput(table: Path, models: list[str], per_model: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Per model alone, in this (warm) process: (series per wall second, CPU seconds per series) on one core.

    CPU time is the figure to plan with on a shared machine: other processes stretch the wall time of a
    series, not the CPU time it needs.
    """
    out = {}
    for model in models:
        with tempfile.TemporaryDirectory() as tmp:
            batch = find_input(str(table))
            limited = first_series(batch, per_model.get(model, 50))
            settings = BatchSettings(config=CompareConfig(models=(model,), memory=False))
            run_batch(first_series(batch, 1), settings, ResultStore(Path(tmp) / "warm"))  # pays the warm-up
            cpu = time.process_time()
            progress = run_batch(limited, settings, ResultStore(Path(tmp) / "out"))
            out[model] = (progress.done / progress.compute_seconds, (time.process_time() - cpu) / progress.done)
            print(f"{model}: {out[model][0]:.2f} series/s, {1000 * out[model][1]:.0f} ms CPU per series "
                  f"over {progress.done} series", flush=True)
    return out


def cli_run(table: Path, out: Path, models: list[str], executor: list[str], chunk: int) -> dict[str, float]:
    """One fresh ``python -m forecasting batch`` process: wall time, CPU of all processes, summed series time and CPU."""
    command = [sys.executable, "-m", "forecasting", "batch", str(table), "--out", str(out), "--no-memory",
               "--models", ",".join(models), "--chunk-size", str(chunk), *executor]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=ENV, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    per_series = ResultStore(out).read_results().drop_duplicates("series_id")
    compute = float(per_series["series_seconds"].sum())
    series_cpu = float(per_series["series_cpu_seconds"].sum())
    return {"wall": wall, "cpu": cpu, "compute": compute, "series_cpu": series_cpu, "series": len(per_series),
            "failed": int((~per_series["ok"].astype(bool)).sum())}


LOCAL1, LOCAL2, DASK2 = "1 local worker", "2 local workers", "Dask LocalCluster, 2 workers"
EXECUTORS = {LOCAL1: (["--jobs", "1"], 1), LOCAL2: (["--jobs", "2"], 2), DASK2: (["--scheduler", "local:2"], 2)}
EXECUTOR_KEYS = {"local1": LOCAL1, "local2": LOCAL2, "dask2": DASK2}


def chosen_executors(text: str) -> list[str]:
    """The executor names of ``--executors local1,local2,dask2`` (in the order given); a clear error otherwise."""
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in EXECUTOR_KEYS]
    if unknown or not keys:
        raise SystemExit(f"--executors takes a comma-separated list of {', '.join(EXECUTOR_KEYS)}; got {text!r}.")
    return [EXECUTOR_KEYS[k] for k in dict.fromkeys(keys)]


def scaling(table: Path, models: list[str], repeats: int, chunk: int,
            names: list[str]) -> dict[str, list[dict[str, float]]]:
    """Each chosen executor ``repeats`` times, interleaved so that the load of the machine hits them alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_ in range(repeats):
        for name in names:
            flags, workers = EXECUTORS[name]
            with tempfile.TemporaryDirectory() as tmp:
                run = cli_run(table, Path(tmp) / "out", models, flags, chunk)
            run["workers"] = workers
            run["overhead"] = 1 - run["compute"] / (workers * run["wall"])
            run["cpu_overhead"] = 1 - run["series_cpu"] / run["cpu"]
            runs[name].append(run)
            print(f"round {round_ + 1} {name}: {run['wall']:.1f} s wall, {run['compute']:.1f} s compute, "
                  f"overhead {100 * run['overhead']:.1f}%; CPU {run['cpu']:.1f} s of which series "
                  f"{run['series_cpu']:.1f} s (CPU overhead {100 * run['cpu_overhead']:.1f}%), load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
    return runs


def _throughput_lines(rates: dict[str, tuple[float, float]], models: list[str]) -> list[str]:
    """The per-model throughput table (nothing when it was skipped with an empty --throughput-models)."""
    if not rates:
        return []
    return [
        "### Throughput per model (one core, warm process, compute time only)", "",
        "| model | series / s (wall) | CPU ms / series | series / s / core (CPU) |", "|---|---|---|---|",
        *[f"| {m} | {r:.2f} | {1000 * c:.0f} | {1 / c:.2f} |" for m, (r, c) in rates.items()], "",
        f"Sum over {', '.join(models)}: **{1000 * sum(rates[m][1] for m in models if m in rates):.0f} CPU ms per "
        "series** (the figure the plan in docs/scaling.md scales up).", "",
    ]


def _ratio(runs: dict[str, list[dict[str, float]]], top: str, bottom: str, key: str) -> float | None:
    """Median over rounds of ``top[key] / bottom[key]`` (rounds paired), None when either executor was not run."""
    if top not in runs or bottom not in runs:
        return None
    return statistics.median(a[key] / b[key] for a, b in zip(runs[top], runs[bottom], strict=True))


def _median(rs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in rs)


def _target_lines(runs: dict[str, list[dict[str, float]]]) -> list[str]:
    """The issue's three targets, and the CPU ratios that a loaded machine distorts less."""
    lines = []
    speedup = _ratio(runs, LOCAL1, LOCAL2, "wall")
    if speedup is not None:
        lines.append(f"- Speed-up from 1 to 2 local workers: **{speedup:.2f}x** (target >= 1.7x).")
    dask = _ratio(runs, DASK2, LOCAL2, "wall")
    if dask is not None:
        lines.append(f"- Dask LocalCluster (2 workers) / local executor (2 workers) wall time: **{dask:.2f}** "
                     "(target <= 1.15).")
    for name in (LOCAL2, DASK2):
        if name in runs:
            lines.append(f"- Overhead with {name}: **{100 * _median(runs[name], 'overhead'):.1f}%** of worker wall "
                         f"time, **{100 * _median(runs[name], 'cpu_overhead'):.1f}%** of CPU time (target < 5% "
                         "at 1,000 series).")
    for name in (LOCAL2, DASK2):
        cpu, series_cpu = _ratio(runs, name, LOCAL1, "cpu"), _ratio(runs, name, LOCAL1, "series_cpu")
        if cpu is not None and series_cpu is not None:
            bound = (f"on two idle cores the speed-up would be about 2 / {cpu:.2f} = {2 / cpu:.2f}x (derived from "
                     "CPU time, not a wall time measured here)" if cpu >= 1 else
                     "below 1, so the machine's load changed between the runs and no bound is derived")
            lines.append(f"- CPU seconds, {name} / 1 worker: all processes **{cpu:.2f}**, the series alone "
                         f"**{series_cpu:.2f}**; {bound}.")
    return lines


def report(args: argparse.Namespace, models: list[str], rates: dict[str, tuple[float, float]],
           runs: dict[str, list[dict[str, float]]], peak_mb: float) -> str:
    """The markdown section of one benchmark run (dated, with the machine, its load and the command)."""
    load = os.getloadavg()
    command = (f"OMP_NUM_THREADS=1 python benchmarks/bench_batch.py --series {args.series} --repeats {args.repeats} "
               f"--chunk {args.chunk} --executors {args.executors}")
    lines = [
        f"## Batch throughput and scaling ({datetime.datetime.now():%Y-%m-%d %H:%M})", "",
        f"Machine: {machine_description()}; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 "
        "min) at the end of the run (other processes share these cores, which depresses the speed-up).", "",
        f"Command: `{command}`; {args.series} synthetic monthly series of {args.length} points (level, trend, "
        "yearly season, AR(1) noise) in one long-format Parquet table; default settings, `--no-memory`.", "",
        *_throughput_lines(rates, models),
    ]
    if runs:
        lines += [
            f"### The batch as a user runs it: {', '.join(models)}", "",
            f"Fresh `python -m forecasting batch` processes, chunks of at most {args.chunk} (smaller at the end "
            f"with several workers); medians of {args.repeats} interleaved rounds. Overhead = 1 - (sum of "
            "per-series compute seconds) / (workers x wall time); CPU overhead = 1 - (CPU seconds of the series) "
            "/ (CPU seconds of all processes).", "",
            "| executor | wall s | series / s | overhead | CPU s of all processes | CPU s of the series | "
            "CPU overhead |", "|---|---|---|---|---|---|---|",
            *[f"| {name} | {_median(rs, 'wall'):.1f} | {args.series / _median(rs, 'wall'):.2f} | "
              f"{100 * _median(rs, 'overhead'):.1f}% | {_median(rs, 'cpu'):.0f} | {_median(rs, 'series_cpu'):.0f} | "
              f"{100 * _median(rs, 'cpu_overhead'):.1f}% |" for name, rs in runs.items()],
            "", *_target_lines(runs),
            f"- Peak resident memory of the largest batch or worker process: {peak_mb:.0f} MB.",
        ]
    return "\n".join(lines) + "\n"


def write_results(path: Path, text: str, replace: bool) -> None:
    """Append this run's section to ``path`` (older runs stay), or rewrite it and its RESULTS.md section."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if replace:
        path.write_text(text, encoding="utf-8")
        if path.resolve() == (ROOT / "benchmarks" / "results_batch.md").resolve():
            splice_into_results(old, text)
        return
    path.write_text((old.rstrip() + "\n\n" if old.strip() else "") + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=25)
    parser.add_argument("--throughput-models", default="esn,lstm,gru,naive,seasonal_naive,drift,"
                        + ",".join(models_of_kind(ModelKind.CLASSICAL)))
    parser.add_argument("--throughput-series", type=int, default=40, help="series per model (neural: a quarter)")
    parser.add_argument("--throughput-only", action="store_true", help="skip the executor runs")
    parser.add_argument("--executors", default="local1,local2,dask2",
                        help="executor runs, comma-separated: local1, local2, dask2 (default: all three)")
    parser.add_argument("--write", type=Path, default=ROOT / "benchmarks" / "results_batch.md")
    parser.add_argument("--replace", action="store_true", help="rewrite --write instead of appending this run")
    args = parser.parse_args()
    names = chosen_executors(args.executors)
    if args.series < 1 or args.chunk < 1 or args.repeats < 1:
        raise SystemExit("--series, --chunk and --repeats must be at least 1.")
    models = ["esn", "naive", "seasonal_naive", "drift", *models_of_kind(ModelKind.CLASSICAL)]
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "series.parquet"
        synthetic_table(args.series, args.length, table)
        tp_models = [m for m in args.throughput_models.split(",") if m]
        per_model = {m: max(4, args.throughput_series // 4) if m in ("lstm", "gru") else args.throughput_series
                     for m in tp_models}
        rates = throughput(table, tp_models, per_model)
        if args.throughput_only:
            return
        runs = scaling(table, models, args.repeats, args.chunk, names)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    text = report(args, models, rates, runs, peak_mb)
    write_results(args.write, text, args.replace)
    print(text)


if __name__ == "__main__":
    main()
