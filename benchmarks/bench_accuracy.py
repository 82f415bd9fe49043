"""Accuracy of every model on every bundled series next to the baselines, and the cost of the memory analysis.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_accuracy.py [--seeds 3] [--repeats 3]``; writes
``benchmarks/results_accuracy.md``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_description  # noqa: E402

from forecasting.comparison import CompareConfig, compare  # noqa: E402
from forecasting.examples import EXAMPLES, load_example  # noqa: E402

MODELS = ("esn", "lstm", "gru", "naive", "seasonal_naive", "drift")
# Long series are cut to their last points so that the whole table runs in minutes on 2 cores.
MAX_POINTS = {"electricity": 4000, "treering": 2000, "mackey_glass": 2000}


def accuracy_table(seeds: int) -> list[str]:
    lines = ["| series | points | H | " + " | ".join(MODELS) + " | recommended |",
             "|---|---|---|" + "---|" * len(MODELS) + "---|"]
    for key in EXAMPLES:
        series = load_example(key)
        if key in MAX_POINTS and len(series) > MAX_POINTS[key]:
            from forecasting.loading import series_from_values
            keep = MAX_POINTS[key]
            series = series_from_values(series.values[-keep:], index=series.index[-keep:], name=series.name,
                                        season_length=series.season_length, frequency=series.frequency)
        result = compare(series, CompareConfig(models=MODELS, seeds=seeds, memory=False))
        cells = []
        for name in MODELS:
            res = result.models[name]
            if not res.ok:
                cells.append("error")
                continue
            cell = f"{res.metrics['mase']:.3f}"
            if res.metrics_std:
                cell += f" ± {res.metrics_std['mase']:.3f}"
            cells.append(cell)
        lines.append(f"| {key} | {len(series)} | {result.horizon} | " + " | ".join(cells)
                     + f" | {result.recommended} |")
        print(lines[-1], flush=True)
    return lines


def memory_overhead(repeats: int) -> list[str]:
    """Wall time of the default comparison on the default example with and without the memory analysis."""
    series = load_example("air_passengers")
    times: dict[bool, list[float]] = {False: [], True: []}
    shares: list[float] = []
    for _ in range(repeats):
        for memory in (False, True):
            start = time.perf_counter()
            result = compare(series, CompareConfig(memory=memory))
            times[memory].append(time.perf_counter() - start)
            if memory:
                spent = sum(r.memory_seconds for r in result.models.values())
                shares.append(spent / (result.total_seconds - spent))
    off, on = statistics.median(times[False]), statistics.median(times[True])
    share = statistics.median(shares)
    cli: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        for memory in (False, True):
            command = [sys.executable, "-m", "forecasting", "compare", "--json"] + ([] if memory else ["--no-memory"])
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=Path(__file__).resolve().parent.parent)
            cli[memory].append(time.perf_counter() - start)
    cli_off, cli_on = statistics.median(cli[False]), statistics.median(cli[True])
    return [f"Default comparison on air_passengers (all six models, 1 seed), medians of {repeats} interleaved runs "
            "(target: the memory analysis adds at most 20%):", "",
            "| how | without memory analysis (s) | with it (s) | added |", "|---|---|---|---|",
            f"| `compare()` in a warm process (imports and numba compile already paid) | {off:.2f} | {on:.2f} | "
            f"**+{100 * (on / off - 1):.1f}%** |",
            f"| same, measured inside each run: memory-analysis seconds / the rest of the run (less noisy) | - | - | "
            f"**+{100 * share:.1f}%** |",
            f"| `python -m forecasting compare --json`, fresh process (what a user waits for) | {cli_off:.2f} | "
            f"{cli_on:.2f} | **+{100 * (cli_on / cli_off - 1):.1f}%** |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    out = ["## Accuracy on every bundled series (test MASE, mean ± std over seeds)", "",
           f"Machine: {machine_description()}", "",
           f"Command: `OMP_NUM_THREADS=1 python benchmarks/bench_accuracy.py --seeds {args.seeds} "
           f"--repeats {args.repeats}`; default settings, default horizon, last H points held out. "
           "Long series are cut to their last points: " + ", ".join(f"{k} {v}" for k, v in MAX_POINTS.items()) + ".",
           "", *accuracy_table(args.seeds), "", "## Cost of the memory analysis", "", *memory_overhead(args.repeats), ""]
    path = Path(__file__).resolve().parent / "results_accuracy.md"
    path.write_text("\n".join(out), encoding="utf-8")
    print("\n".join(out))


if __name__ == "__main__":
    main()
