"""Benchmark the hyperparameter sweep: a 10 x 10 ESN grid (N = 300) on a 2,000-point series, serial vs joblib.

Run from the repository root: ``OMP_NUM_THREADS=1 python benchmarks/bench_sweep.py [--runs 3] [--out PATH]``.
Target (issue 9): under 30 s on 2 cores, memory horizon and capacity included. Serial and parallel
runs are interleaved in one process (the machine is shared and noisy), the parallel cells are checked
equal to the serial ones, and the per-cell cost is split into fit, validation scoring and memory.
Writes ``benchmarks/results_sweep.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import machine_description  # noqa: E402

from forecasting.models.esn import ESNForecaster  # noqa: E402
from forecasting.sweep import (  # noqa: E402
    SweepSpec,
    _memory,
    cell_params,
    parse_axis,
    prepare,
    run_sweep,
    validation_scores,
)

POINTS, HORIZON, SEASON = 2000, 24, 1
X_AXIS, Y_AXIS = "spectral_radius=0.1:1.3:10", "leak_rate=0.05:1:10"


def series() -> np.ndarray:
    """The first 2,000 points of the bundled Mackey-Glass series (tau = 17)."""
    return pd.read_csv(ROOT / "data" / "mackey_glass.csv").iloc[:POINTS, -1].to_numpy(float)


def timed_sweep(y: np.ndarray, spec: SweepSpec, n_jobs: int) -> tuple[float, float, object]:
    """Wall and this process's CPU seconds of one sweep, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_sweep(y, spec, n_jobs=n_jobs, horizon=HORIZON, season_length=SEASON)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def same_cells(a: object, b: object) -> bool:
    """True when two sweeps measured exactly the same numbers in every cell."""
    key = [(c.x, c.y, c.validation, c.memory_horizon, c.memory_capacity) for c in a.cells]
    return key == [(c.x, c.y, c.validation, c.memory_horizon, c.memory_capacity) for c in b.cells]


def cell_parts(y: np.ndarray, spec: SweepSpec, cells: int = 12) -> dict[str, float]:
    """Median seconds of a cell's parts (fit, validation forecasts, memory report) over a few cells."""
    data = prepare(y, horizon=HORIZON, season_length=SEASON)
    parts: dict[str, list[float]] = {"fit": [], "validation": [], "memory": []}
    for x, z in spec.cells()[:: max(1, len(spec.cells()) // cells)]:
        params = cell_params(spec.model, spec.base_params, spec.changes(x, z), data.horizon)
        t0 = time.perf_counter()
        model = ESNForecaster(params, seed=spec.seed).fit(data.z_train)
        t1 = time.perf_counter()
        validation_scores(model, data)
        t2 = time.perf_counter()
        _memory(model, data)
        t3 = time.perf_counter()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            parts[name].append(seconds)
    return {name: statistics.median(v) for name, v in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_sweep.md")
    args = parser.parse_args()
    y = series()
    spec = SweepSpec("esn", parse_axis(X_AXIS), parse_axis(Y_AXIS), base_params={"units": 300})
    load_start = os.getloadavg()

    run_sweep(y, SweepSpec("esn", parse_axis("leak_rate=0.5,1")), n_jobs=1, horizon=HORIZON)  # numba cache, imports
    cold, _, _ = timed_sweep(y, SweepSpec("esn", parse_axis("leak_rate=0.5,1")), n_jobs=2)  # starts the workers
    rows: list[dict[str, float]] = []
    equal = True
    for run in range(args.runs):
        order = (1, 2) if run % 2 == 0 else (2, 1)
        row: dict[str, float] = {}
        results = {}
        for jobs in order:
            wall, cpu, results[jobs] = timed_sweep(y, spec, jobs)
            row[f"wall_{jobs}"], row[f"cpu_{jobs}"] = wall, cpu
            row[f"cells_cpu_{jobs}"] = sum(c.cpu_seconds for c in results[jobs].cells)
            print(f"run {run + 1}: n_jobs={jobs} {wall:.1f} s wall, {cpu:.1f} s CPU (this process)", flush=True)
        equal = equal and same_cells(results[1], results[2])
        rows.append(row)
    no_memory = SweepSpec("esn", spec.x, spec.y, base_params=spec.base_params, memory=False)
    wall_nomem, _, _ = timed_sweep(y, no_memory, 2)
    parts = cell_parts(y, spec)
    load_end = os.getloadavg()

    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    ratio = statistics.median(r["wall_1"] / r["wall_2"] for r in rows)
    best = results[1].best()
    lines = [
        "# Sweep benchmark (benchmarks/bench_sweep.py)",
        "",
        f"Machine: {machine_description()}. Load average at start {load_start[0]:.1f}, {load_start[1]:.1f}, "
        f"{load_start[2]:.1f}; at the end {load_end[0]:.1f}, {load_end[1]:.1f}, {load_end[2]:.1f} (shared machine: "
        "other jobs were running, so wall times are high and noisy).",
        "",
        f"Command: `OMP_NUM_THREADS=1 python benchmarks/bench_sweep.py --runs {args.runs}`",
        "",
        f"Grid: `--x {X_AXIS} --y {Y_AXIS}` (100 cells), ESN N = 300 (other settings default, ridge alpha tuned "
        f"per cell on the inner tail of train), seed 0, on the first {POINTS:,} points of the bundled Mackey-Glass "
        f"series, horizon {HORIZON}: train {results[1].split['train_size']}, validation "
        f"{results[1].split['validation_size']} ({results[1].windows} selection windows of {results[1].window}). "
        "Every cell: fit, validation forecasts, memory report (sensitivity profile + capacity). "
        f"Medians of {args.runs} runs, serial and parallel interleaved; ratios are per run, then the median.",
        "",
        "| mode | wall (s) | CPU of this process (s) | CPU of all cells, wherever they ran (s) |",
        "|---|---|---|---|",
        f"| serial (n_jobs=1) | {med['wall_1']:.1f} | {med['cpu_1']:.1f} | {med['cells_cpu_1']:.1f} |",
        f"| joblib, 2 processes (n_jobs=2) | {med['wall_2']:.1f} | {med['cpu_2']:.1f} | {med['cells_cpu_2']:.1f} |",
        f"| joblib, 2 processes, no memory figures | {wall_nomem:.1f} | - | - |",
        "",
        f"On an idle 2-core machine the sweep needs about the cells' CPU time over the cores it has: "
        f"{med['cells_cpu_1']:.1f} s serial, {med['cells_cpu_2'] / 2:.1f} s with 2 processes (plus the worker "
        "start-up below, once per session). The wall times above are several times that because the machine's "
        "load average was far above its 2 cores.",
        "",
        f"Speed-up of 2 processes over serial: {ratio:.2f}x (median of per-run ratios). Parallel cells equal to "
        f"serial cells in every number: {'yes' if equal else 'NO'}. Starting the two worker processes (first "
        f"parallel call of a session, 2 cells): {cold:.1f} s; later sweeps reuse them.",
        "",
        f"One cell, median of 12 cells (serial, wall): fit {parts['fit']:.3f} s, validation forecasts "
        f"{parts['validation']:.3f} s, memory report {parts['memory']:.3f} s.",
        "",
        f"Best cell: spectral_radius {best.x:g}, leak_rate {best.y:g}, validation NRMSE "
        f"{best.score('nrmse'):.4g}, memory horizon {best.memory_horizon:g}, memory capacity "
        f"{best.memory_capacity:.1f}.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
