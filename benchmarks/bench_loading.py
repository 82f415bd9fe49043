"""Load time of every bundled file through the full loader (parsing, checks, inference).

Run: ``python benchmarks/bench_loading.py [--repeats 7]``; writes ``benchmarks/results_loading.md``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_description  # noqa: E402

from forecasting.examples import EXAMPLES, example_path  # noqa: E402
from forecasting.loading import load_series  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = ["| file | points | median load (s) | range (s) |", "|---|---|---|---|"]
    for key in EXAMPLES:
        path = example_path(key)
        timings = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            series = load_series(path)
            timings.append(time.perf_counter() - start)
        rows.append(f"| {path.name} | {len(series):,} | {statistics.median(timings):.3f} | "
                    f"{min(timings):.3f}-{max(timings):.3f} |")
        print(rows[-1], flush=True)
    out = ["## Loading the bundled files", "", f"Machine: {machine_description()}", "",
           f"Command: `python benchmarks/bench_loading.py --repeats {args.repeats}` (medians).", "", *rows, ""]
    (Path(__file__).resolve().parent / "results_loading.md").write_text("\n".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
