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

ORDER_SCRIPT = """
import json, sys, time
from forecasting.comparison import CompareCallbacks, CompareConfig, compare
from forecasting.examples import load_example
cpu = {}
def start(name, run, total):
    if run == 1:
        cpu[name] = time.process_time()
def done(name, result):
    cpu[name] = time.process_time() - cpu[name]
result = compare(load_example("air_passengers"), CompareConfig(models=tuple(sys.argv[1].split(",")), memory=False),
                 CompareCallbacks(on_model_start=start, on_model_done=done))
print(json.dumps({n: [cpu[n], m.fit_seconds, m.peak_memory_mb] for n, m in result.models.items()}))
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


def order_run(models: list[str]) -> dict[str, list]:
    """One fresh process: per model [CPU seconds of its whole stage, fit wall seconds, peak MB]."""
    proc = subprocess.run([sys.executable, "-c", ORDER_SCRIPT, ",".join(models)], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def order_section() -> list[str]:
    orders = [ORDER_MODELS, ORDER_MODELS[::-1]]
    runs: dict[int, list[dict[str, list]]] = {0: [], 1: []}
    for _ in range(ORDER_RUNS):
        for k, order in enumerate(orders):  # interleaved: order A, order B, order A, ...
            runs[k].append(order_run(order))

    def med(k: int, name: str, i: int) -> float:
        values = [run[name][i] for run in runs[k]]
        return statistics.median(float("nan") if v is None else v for v in values)

    lines = [f"Orders A = {','.join(orders[0])} and B = the reverse, fresh processes, interleaved, medians of "
             f"{ORDER_RUNS} each. CPU = process CPU seconds of the model's whole stage (fits and forecasts), "
             "which the machine's load does not inflate; fit = wall seconds of its fits.", "",
             "| model | CPU A (s) | CPU B (s) | B / A | fit A (s) | fit B (s) | peak A (MB) | peak B (MB) |",
             "|---|---|---|---|---|---|---|---|"]
    for name in ORDER_MODELS:
        ca, cb = med(0, name, 0), med(1, name, 0)
        ratio = f"{cb / ca:.2f}" if ca > 0.01 else "-"
        lines.append(f"| {name} | {ca:.3f} | {cb:.3f} | {ratio} | {med(0, name, 1):.3f} | {med(1, name, 1):.3f} "
                     f"| {med(0, name, 2):.1f} | {med(1, name, 2):.1f} |")
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
