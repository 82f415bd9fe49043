"""Benchmark the Echo State Network: fit time and harvest speed over units N x series length T.

Reports, per (N, T): the median wall-clock fit time (fixed ridge_alpha), its CPU time, the split
into reservoir construction / state harvest / ridge readout (Gram accumulation + solve), harvest
steps per second, and -- when ``reservoirpy`` is importable -- its ESN fit (harvest + ridge) on the
same data with the same settings, measured in the same run, alternating with ours. Also: the numba
import cost, the cold compile cost of the kernels and their load time from the on-disk cache.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_esn.py`` (``--quick`` for a smoke run). The markdown
section is written to ``benchmarks/results_esn.md`` (``--output``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from forecasting.mackey_glass import mackey_glass  # noqa: E402
from forecasting.models.esn import ESNForecaster, ESNParams  # noqa: E402

IN_DEGREE = 10  # recurrent connections per neuron: connectivity = 10 / N for both libraries
SETTINGS = dict(spectral_radius=0.95, leak_rate=0.8, input_scaling=0.2, bias_scaling=0.2, washout=100,
                ridge_alpha=1e-8)

COMPILE_PROBE = """
import time
import warnings
t0 = time.perf_counter()
import numpy as np
from forecasting.models.reservoir import Reservoir
t1 = time.perf_counter()
u = np.sin(np.arange(50) * 0.1)
for connectivity in (0.1, 1.0):  # CSR and dense kernels
    r = Reservoir.random(40, connectivity=connectivity, seed=0)
    states = r.run(u)
    r.step(0.5, states[-1].copy(), np.empty(40))
    r.closed_loop(states[-1], u[-1], np.zeros(42), 5)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def machine() -> str:
    """CPU model and core count (lscpu), for the results header."""
    model, cpus = platform.processor() or "unknown", str(os.cpu_count())
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Model name":
                model = value.strip()
            if key.strip() == "CPU(s)":
                cpus = value.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return f"{model}, {cpus} CPU cores"


def numba_costs(repeats: int) -> dict[str, float]:
    """Median seconds: ``import numba``, first call with an empty cache (compile), first call with a warm cache."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    imports = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", "import time; t = time.perf_counter(); import numba; "
                              "print(time.perf_counter() - t)"], capture_output=True, text=True, check=True, env=env)
        imports.append(float(out.stdout))
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            env_cache = {**env, "NUMBA_CACHE_DIR": cache}
            for bucket in (cold, warm):  # first run compiles and writes the cache, second loads it
                out = subprocess.run([sys.executable, "-c", COMPILE_PROBE], capture_output=True, text=True,
                                     check=True, env=env_cache, cwd=ROOT)
                bucket.append(float(out.stdout.split()[1]))
    return {"import_numba": statistics.median(imports), "compile_cold": statistics.median(cold),
            "load_cached": statistics.median(warm)}


def reservoirpy_fit(series: np.ndarray, units: int, seed: int) -> tuple[float, float]:
    """Wall and CPU seconds of a reservoirpy ESN fit (reservoir init + harvest + ridge), matching settings."""
    from reservoirpy.nodes import Reservoir, Ridge

    start, cpu = time.perf_counter(), time.process_time()
    reservoir = Reservoir(units=units, lr=SETTINGS["leak_rate"], sr=SETTINGS["spectral_radius"],
                          input_scaling=SETTINGS["input_scaling"], rc_connectivity=min(1.0, IN_DEGREE / units),
                          input_connectivity=1.0, bias=0.0, seed=seed)
    model = reservoir >> Ridge(ridge=SETTINGS["ridge_alpha"])
    with warnings.catch_warnings():  # its solve warns on the tiny ridge; the result is still usable
        warnings.simplefilter("ignore")
        model.fit(series[:-1, None], series[1:, None], warmup=SETTINGS["washout"])
    return time.perf_counter() - start, time.process_time() - cpu


def ours_fit(series: np.ndarray, units: int, seed: int) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, CPU seconds and the fit_timings split of one ESNForecaster fit."""
    params = ESNParams(units=units, connectivity=min(1.0, IN_DEGREE / units), **SETTINGS)
    wall, cpu = time.perf_counter(), time.process_time()
    model = ESNForecaster(params, seed=seed).fit(series)
    return time.perf_counter() - wall, time.process_time() - cpu, model.fit_timings


def bench_grid(series: np.ndarray, units_list: list[int], lengths: list[int], repeats: int,
               with_rpy: bool) -> list[dict[str, float]]:
    """Median timings for every (N, T), ours and reservoirpy alternating run by run."""
    rows = []
    for units in units_list:
        ours_fit(series[:300], units, 0)  # warm the kernels (cached compile) outside the timings
        for length in lengths:
            data = series[:length]
            reps = repeats if length <= 10_000 else max(1, repeats // 2)
            walls, cpus, splits, rpy = [], [], [], []
            for seed in range(reps):
                wall, cpu, split = ours_fit(data, units, seed)
                walls.append(wall)
                cpus.append(cpu)
                splits.append(split)
                if with_rpy:
                    rpy.append(reservoirpy_fit(data, units, seed))
            med = {key: statistics.median(s[key] for s in splits) for key in splits[0]}
            row = {"N": units, "T": length, "fit": statistics.median(walls), "cpu": statistics.median(cpus),
                   "reservoir": med["reservoir"], "harvest": med["harvest"], "ridge": med["gram"] + med["solve"],
                   "steps_per_s": length / med["harvest"], "repeats": reps}
            if with_rpy:
                row["rpy"] = statistics.median(r[0] for r in rpy)
                row["rpy_cpu"] = statistics.median(r[1] for r in rpy)
            rows.append(row)
            print(_format_row(row, with_rpy), flush=True)
    return rows


def tuned_fit(series: np.ndarray, repeats: int) -> float:
    """Median wall seconds of a fit that also chooses ridge_alpha on a 1000-point validation series."""
    params = ESNParams(units=500, connectivity=IN_DEGREE / 500, horizon=84,
                       **{**SETTINGS, "ridge_alpha": None})
    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        ESNForecaster(params, seed=seed).fit(series[:10_000], series[10_000:11_000])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _format_row(row: dict[str, float], with_rpy: bool) -> str:
    cells = [f"{row['N']}", f"{row['T']:,}", f"{row['fit']:.3f}", f"{row['cpu']:.3f}", f"{row['reservoir']:.3f}",
             f"{row['harvest']:.3f}", f"{row['ridge']:.3f}", f"{row['steps_per_s']:,.0f}"]
    if with_rpy:
        cells += [f"{row['rpy']:.3f}", f"{row['rpy_cpu']:.3f}", f"{row['rpy'] / row['fit']:.1f}x",
                  f"{row['rpy_cpu'] / row['cpu']:.1f}x"]
    return "| " + " | ".join(cells) + " |"


def markdown(rows: list[dict[str, float]], costs: dict[str, float], tuned: float, with_rpy: bool,
             command: str, load: str) -> str:
    """The results section for benchmarks/RESULTS.md."""
    import numba
    import scipy

    header = ["N", "T", "fit wall (s)", "fit CPU (s)", "reservoir (s)", "harvest (s)", "ridge (s)", "harvest steps/s"]
    if with_rpy:
        header += ["reservoirpy fit wall (s)", "reservoirpy fit CPU (s)", "speed-up wall", "speed-up CPU"]
    lines = [
        "## Echo State Network",
        "",
        f"Machine: {machine()}; load average at start {load} (shared with other jobs: wall times are noisy, "
        "CPU time is the process's own). "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__}" + (f", reservoirpy {_rpy_version()}" if with_rpy else "") + ".",
        "",
        f"Command: `{command}`",
        "",
        f"Settings: Mackey-Glass (tau = 17, standardised), {IN_DEGREE} recurrent connections per neuron "
        "(connectivity 10/N, CSR), spectral radius 0.95, leak 0.8, input scaling 0.2, washout 100, fixed "
        "ridge_alpha 1e-8. Medians of 5 runs (2 for T = 100,000). *fit* is the whole `ESNForecaster.fit` "
        "(reservoir draw + spectral radius, echo-state check, harvest, Gram accumulation, solve); *ridge* is "
        "the Gram accumulation (`x.T @ x` per chunk: BLAS syrk via numpy) plus the solve. reservoirpy: same "
        "N, connectivity, leak, spectral radius, input scaling, warmup and ridge; `reservoir >> Ridge` fit.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += [_format_row(r, with_rpy) for r in rows]
    lines += [
        "",
        f"Fit with ridge_alpha tuned on a 1,000-point validation series (15 alphas, closed-loop windows of 84 "
        f"steps), N = 500, T = 10,000: {tuned:.3f} s (median).",
        "",
        f"numba: `import numba` {costs['import_numba']:.2f} s; first call of all reservoir kernels with an "
        f"empty cache (compile) {costs['compile_cold']:.2f} s; the same with the on-disk cache (`cache=True`) "
        f"{costs['load_cached']:.2f} s (medians of 3 fresh processes).",
        "",
    ]
    return "\n".join(lines)


def _rpy_version() -> str:
    import reservoirpy

    return reservoirpy.__version__


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write the markdown section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny grid, one repeat (smoke test)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results_esn.md")
    args = parser.parse_args(argv)
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: set OMP_NUM_THREADS=1 for comparable single-thread numbers", file=sys.stderr)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    units_list, lengths = ([100, 500], [1_000, 10_000]) if args.quick else ([100, 500, 1000], [1_000, 10_000, 100_000])
    repeats = 1 if args.quick else args.repeats
    try:
        import reservoirpy  # noqa: F401
        with_rpy = True
    except ImportError:
        with_rpy = False
        print("reservoirpy not importable: skipping the comparison", file=sys.stderr)
    series = mackey_glass(max(lengths) + 1_000)
    series = (series - series.mean()) / series.std()
    costs = numba_costs(1 if args.quick else 3)
    print(costs, flush=True)
    rows = bench_grid(series, units_list, lengths, repeats, with_rpy)
    tuned = tuned_fit(series, repeats)
    command = "OMP_NUM_THREADS=1 python benchmarks/bench_esn.py" + (" --quick" if args.quick else "")
    text = markdown(rows, costs, tuned, with_rpy, command, load)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
