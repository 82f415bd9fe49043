"""What "Fit & compare" costs on the default airline example, and whether cost figures depend on model order.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_costs.py`` (a few minutes on 2 busy cores). Writes
``benchmarks/results_costs.md``:

1. the default ``python -m forecasting compare air_passengers`` in fresh processes: wall time, the
   comparison's ``total_seconds``, the one-time setup and the fits, medians of several runs;
2. the same comparison run twice in one process (the dashboard's case: setup is paid once per process);
3. two model orders in fresh processes, interleaved: fit seconds and peak memory per model.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from machine import machine_description  # noqa: E402

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
COLD_RUNS = 3
ORDER_RUNS = 2
ORDER_MODELS = ["lstm", "gru", "esn", "ets", "naive"]
WARM_SCRIPT = """
import json, time
from forecasting.comparison import compare
from forecasting.examples import load_example
series = load_example("air_passengers")
runs = []
for _ in range(2):
    started, cpu = time.perf_counter(), time.process_time()
    result = compare(series)
    runs.append({"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                 "total": result.total_seconds, "setup": result.setup_seconds})
print(json.dumps(runs))
"""


def cli_compare(*args: str) -> tuple[dict, float, float]:
    """One fresh ``compare --json`` process: its JSON, wall seconds and CPU seconds (user + system)."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "forecasting", "compare", "air_passengers", *args, "--json"],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return json.loads(proc.stdout), wall, cpu


def cold_section() -> list[str]:
    rows = []
    for _ in range(COLD_RUNS):
        data, wall, cpu = cli_compare()
        models = data["models"].values()
        rows.append({"wall": wall, "cpu": cpu, "total": data["total_seconds"], "setup": data["setup_seconds"],
                     "fits": sum(m["fit_seconds"] for m in models),
                     "memory": sum(m["memory_seconds"] or 0.0 for m in models)})
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    setup = data["setup_breakdown"]
    return [
        f"Default models ({', '.join(data['models'])}), defaults otherwise; medians of {COLD_RUNS} fresh processes.",
        "",
        "| process wall (s) | process CPU (s) | total_seconds | of which setup (s) | fits (s) | memory analysis (s) |",
        "|---|---|---|---|---|---|",
        f"| {med['wall']:.1f} | {med['cpu']:.1f} | {med['total']:.1f} | {med['setup']:.1f} | {med['fits']:.1f} "
        f"| {med['memory']:.1f} |",
        "",
        "Setup per model in the last run (s): " + ", ".join(f"{n} {s:.2f}" for n, s in setup.items()) + ".",
    ]


def warm_section() -> list[str]:
    proc = subprocess.run([sys.executable, "-c", WARM_SCRIPT], cwd=ROOT, env=ENV, capture_output=True, text=True,
                          check=True)
    first, second = json.loads(proc.stdout.strip().splitlines()[-1])
    return [
        "Two comparisons in one process (the dashboard keeps its process, so only the first pays setup):",
        "",
        "| run | total_seconds | CPU seconds of the comparison | setup (s) |",
        "|---|---|---|---|",
        f"| first | {first['total']:.1f} | {first['cpu']:.1f} | {first['setup']:.1f} |",
        f"| second | {second['total']:.1f} | {second['cpu']:.1f} | {second['setup']:.2f} |",
    ]


def order_section() -> list[str]:
    orders = [ORDER_MODELS, ORDER_MODELS[::-1]]
    fits: dict[int, dict[str, list[float]]] = {0: {}, 1: {}}
    peaks: dict[int, dict[str, list[float]]] = {0: {}, 1: {}}
    for _ in range(ORDER_RUNS):
        for k, order in enumerate(orders):  # interleaved: order A, order B, order A, ...
            data, _, _ = cli_compare("--models", ",".join(order), "--no-memory")
            for name, model in data["models"].items():
                fits[k].setdefault(name, []).append(model["fit_seconds"])
                peak = model["peak_memory_mb"]
                peaks[k].setdefault(name, []).append(float("nan") if peak is None else peak)
    lines = [f"Orders A = {','.join(orders[0])} and B = the reverse, fresh processes, interleaved, medians of "
             f"{ORDER_RUNS} each:", "",
             "| model | fit A (s) | fit B (s) | B / A | peak A (MB) | peak B (MB) |", "|---|---|---|---|---|---|"]
    for name in ORDER_MODELS:
        fa, fb = statistics.median(fits[0][name]), statistics.median(fits[1][name])
        pa, pb = statistics.median(peaks[0][name]), statistics.median(peaks[1][name])
        ratio = f"{fb / fa:.2f}" if fa > 1e-3 else "-"
        lines.append(f"| {name} | {fa:.3f} | {fb:.3f} | {ratio} | {pa:.1f} | {pb:.1f} |")
    return lines


def main() -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    sections = [
        "## Cost of a comparison (benchmarks/bench_costs.py)",
        "",
        f"Machine: {machine_description()}; load average at start {load} (shared: wall times are noisy, "
        "process CPU time less so).",
        "",
        "Command: `OMP_NUM_THREADS=1 python benchmarks/bench_costs.py`",
        "",
        "### Fit & compare on the airline example, fresh process",
        "",
        *cold_section(),
        "",
        "### Same process, second run",
        "",
        *warm_section(),
        "",
        "### Model order does not change the cost figures",
        "",
        *order_section(),
        "",
        "Fit time is the wall time of the fits only (selection fit + one refit per test window); setup "
        "(imports, JIT, thread pools) is paid by each model's `warm_up()` before any timed fit. Peak memory is "
        "the kernel's resident high-water mark during one fit (reset through `/proc/self/clear_refs` after "
        "`malloc_trim`) minus the resident memory before it.",
    ]
    (HERE / "results_costs.md").write_text("\n".join(sections) + "\n", encoding="utf-8")
    print("\n".join(sections))


if __name__ == "__main__":
    main()
