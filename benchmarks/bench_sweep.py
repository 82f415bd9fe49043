"""Benchmark the hyperparameter sweep: a 10 x 10 ESN grid (N = 300) on a 2,000-point series, serial vs joblib.

Run from the repository root: ``OMP_NUM_THREADS=1 python benchmarks/bench_sweep.py [--runs 3] [--out PATH]``.
Target (issue 9): under 30 s on 2 cores, memory horizon and capacity included. Serial and parallel
runs are interleaved in one process (the machine is shared and noisy), the parallel cells are checked
equal to the serial ones, and the per-cell cost is split into fit, validation scoring and memory.
Writes ``benchmarks/results_sweep.md``.

``--alpha-axis``: a 10 x 10 grid of spectral_radius x ridge_alpha instead, serial, each cell fitted on
its own (as before harvest sharing) and with one harvest per spectral_radius (the sweep's own path),
interleaved; the cells are checked equal and a section is appended to the results file.
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
    cell_groups,
    cell_params,
    evaluate_cell,
    parse_axis,
    prepare,
    run_sweep,
    validation_scores,
)

POINTS, HORIZON, SEASON = 2000, 24, 1
X_AXIS, Y_AXIS = "spectral_radius=0.1:1.3:10", "leak_rate=0.05:1:10"
ALPHA_AXIS = "ridge_alpha=1e-8:1:10:log"


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


def cell_parts(y: np.ndarray, spec: SweepSpec, cells: int = 12, clock: object = time.perf_counter) -> dict[str, float]:
    """Median seconds of a cell's parts (fit, validation forecasts, memory report) over a few cells, by ``clock``."""
    data = prepare(y, horizon=HORIZON, season_length=SEASON)
    parts: dict[str, list[float]] = {"fit": [], "validation": [], "memory": []}
    for x, z in spec.cells()[:: max(1, len(spec.cells()) // cells)]:
        params = cell_params(spec.model, spec.base_params, spec.changes(x, z), data.horizon)
        t0 = clock()
        model = ESNForecaster(params, seed=spec.seed).fit(data.z_train)
        t1 = clock()
        validation_scores(model, data)
        t2 = clock()
        _memory(model, data)
        t3 = clock()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            parts[name].append(seconds)
    return {name: statistics.median(v) for name, v in parts.items()}


def unshared_sweep(y: np.ndarray, spec: SweepSpec) -> list:
    """Every cell fitted on its own, serially: the sweep's path before cells shared a harvest."""
    data = prepare(y, horizon=HORIZON, season_length=SEASON)
    return [evaluate_cell(spec.model, cell_params(spec.model, spec.base_params, spec.changes(x, z), data.horizon),
                          spec.seed, data, memory=spec.memory, x=x, y=z, changes=spec.changes(x, z))
            for x, z in spec.cells()]


def timed_cpu(run: object) -> tuple[float, float, object]:
    """CPU and wall seconds of ``run()`` in this process, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = run()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def alpha_axis_benchmark(y: np.ndarray, runs: int, out: Path) -> None:
    """Serial CPU seconds of the spectral_radius x ridge_alpha grid, unshared vs shared harvest; appends to ``out``."""
    spec = SweepSpec("esn", parse_axis(X_AXIS), parse_axis(ALPHA_AXIS), base_params={"units": 300})
    load_start = os.getloadavg()
    run_sweep(y, SweepSpec("esn", parse_axis("leak_rate=0.5,1")), n_jobs=1, horizon=HORIZON)  # numba cache, imports
    rows: list[dict[str, float]] = []
    equal = True
    for run in range(runs):
        order = ("before", "after") if run % 2 == 0 else ("after", "before")
        row: dict[str, float] = {}
        cells = {}
        for mode in order:
            job = ((lambda: unshared_sweep(y, spec)) if mode == "before"
                   else (lambda: run_sweep(y, spec, n_jobs=1, horizon=HORIZON, season_length=SEASON).cells))
            row[f"cpu_{mode}"], row[f"wall_{mode}"], cells[mode] = timed_cpu(job)
            print(f"run {run + 1}: {mode} {row[f'cpu_{mode}']:.1f} s CPU, {row[f'wall_{mode}']:.1f} s wall", flush=True)
        key = [[(c.x, c.y, c.validation, c.memory_horizon, c.memory_capacity) for c in cells[m]] for m in order]
        equal = equal and key[0] == key[1]
        rows.append(row)
    parts = cell_parts(y, spec, clock=time.process_time)
    load_end = os.getloadavg()
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    per_cell = sum(parts.values())
    lines = [
        "",
        "## Along ridge_alpha: one harvest per spectral_radius (`--alpha-axis`)",
        "",
        f"Machine: {machine_description()}. Load average at start {load_start[0]:.1f}, {load_start[1]:.1f}, "
        f"{load_start[2]:.1f}; at the end {load_end[0]:.1f}, {load_end[1]:.1f}, {load_end[2]:.1f} (shared machine).",
        "",
        f"Command: `OMP_NUM_THREADS=1 python benchmarks/bench_sweep.py --alpha-axis --runs {runs}`",
        "",
        f"Grid: `--x {X_AXIS} --y {ALPHA_AXIS}` (100 cells, {len(cell_groups(spec))} reservoirs), ESN N = 300, "
        f"seed 0, the same {POINTS:,}-point series and horizon {HORIZON}; serial, memory figures included. "
        "Before: every cell fitted on its own (reservoir, echo state check, harvest, readout). After: the sweep's "
        "path, one fit per spectral_radius and the readout refitted per ridge_alpha from its Gram matrix. "
        f"Medians of {runs} runs, before and after interleaved. CPU seconds of this process.",
        "",
        "| path | CPU (s) | wall (s) |",
        "|---|---|---|",
        f"| before: one harvest per cell | {med['cpu_before']:.1f} | {med['wall_before']:.1f} |",
        f"| after: one harvest per spectral_radius | {med['cpu_after']:.1f} | {med['wall_after']:.1f} |",
        "",
        f"CPU saved: {med['cpu_before'] - med['cpu_after']:.1f} s ({med['cpu_before'] / med['cpu_after']:.2f}x). "
        f"Cells equal in every number (validation, memory horizon and capacity): {'yes' if equal else 'NO'}.",
        "",
        f"One cell fitted on its own, median CPU seconds of 12 cells: fit {parts['fit']:.3f} s, validation "
        f"forecasts {parts['validation']:.3f} s, memory report {parts['memory']:.3f} s (of {per_cell:.3f} s). "
        "Sharing the harvest removes at most the fit of 9 cells in 10; the validation forecasts and the memory "
        f"figures ({(parts['validation'] + parts['memory']) / per_cell:.0%} of a cell) are still computed per alpha.",
        "",
    ]
    with out.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_sweep.md")
    parser.add_argument("--alpha-axis", action="store_true",
                        help="spectral_radius x ridge_alpha grid, serial, before/after harvest sharing (appends)")
    args = parser.parse_args()
    y = series()
    if args.alpha_axis:
        alpha_axis_benchmark(y, args.runs, args.out)
        return
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
