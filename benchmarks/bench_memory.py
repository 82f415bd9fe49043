"""Benchmark the memory-horizon analysis: cost of ``memory_report`` per model next to its fit, and its parts.

Run from the repository root: ``OMP_NUM_THREADS=1 python benchmarks/bench_memory.py [--runs 5] [--out PATH]``.
Fits every default model on the airline series (model space, as the comparison does), then times the
whole report and its parts (sensitivity profile, memory capacity, eigenvalues). Writes a markdown
section to ``benchmarks/results_memory.md``; timings are medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from machine import machine_description  # noqa: E402

from forecasting.memory import memory_report, model_memory_capacity, sensitivity_profile  # noqa: E402
from forecasting.models import get_model_class  # noqa: E402
from forecasting.preprocessing import Preprocessor  # noqa: E402

MODELS = ("esn", "lstm", "gru", "naive", "seasonal_naive", "drift")
SEASON, TEST, VAL = 12, 12, 12


def data_dir() -> Path:
    """The bundled data folder, or the shared one while the project's copy does not exist yet."""
    for candidate in (ROOT / "data", ROOT.parent / "shared" / "data"):
        if (candidate / "air_passengers.csv").exists():
            return candidate
    raise SystemExit("No data folder with air_passengers.csv found (looked in data/ and ../shared/data/).")


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results_memory.md")
    args = parser.parse_args()
    torch.set_num_threads(1)

    y = pd.read_csv(data_dir() / "air_passengers.csv")["passengers"].to_numpy(float)
    fit_end = len(y) - TEST
    rows = []
    for name in MODELS:
        cls = get_model_class(name)
        if cls.uses_preprocessing:
            prep = Preprocessor.fit(y[:fit_end], SEASON)
            z, lost = prep.transform(y), prep.lost_points
        else:
            z, lost = y, 0
        heldout = fit_end - lost
        train, val = z[: heldout - VAL], z[heldout - VAL: heldout]
        model = cls(seed=0, season_length=SEASON)
        fit_s = median_time(lambda m=model, tr=train, va=val: m.fit(tr, va), max(1, min(args.runs, 3)))
        report_s = median_time(lambda m=model, zz=z, h=heldout: memory_report(m, zz, heldout_start=h), args.runs)
        sens_s = median_time(lambda m=model, zz=z, h=heldout: sensitivity_profile(m, zz, heldout_start=h), args.runs)
        mc_s = median_time(lambda m=model: model_memory_capacity(m), args.runs)
        reservoir = getattr(model, "reservoir", None)
        eig_s = median_time(reservoir.eigenvalues, args.runs) if reservoir is not None else None
        report = memory_report(model, z, heldout_start=heldout)
        mc = report["memory_capacity"]
        rows.append((name, fit_s, report_s, sens_s, mc_s, eig_s, report["memory_horizon"],
                     "-" if mc is None else f"{mc:.1f}", report["memory_max_lag"]))
        print(name, f"fit {fit_s:.3f}s report {report_s:.3f}s", flush=True)

    fit_total = sum(r[1] for r in rows)
    report_total = sum(r[2] for r in rows)
    lines = [
        "## Memory horizon (`benchmarks/bench_memory.py`)",
        "",
        f"Machine: {machine_description()}.",
        f"Command: `OMP_NUM_THREADS=1 python benchmarks/bench_memory.py --runs {args.runs}`; airline series "
        f"(model space), default hyperparameters, origins over the last {TEST} points; medians of {args.runs} runs.",
        "",
        "| model | fit (s) | memory_report (s) | sensitivity (s) | capacity (s) | eigenvalues (s) | h | MC | K |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, fit_s, report_s, sens_s, mc_s, eig_s, h, mc, k in rows:
        eig = "-" if eig_s is None else f"{eig_s:.3f}"
        lines.append(f"| {name} | {fit_s:.3f} | {report_s:.3f} | {sens_s:.3f} | {mc_s:.3f} | {eig} | {h:g} | {mc} | {k} |")
    lines += ["", f"All six reports together: {report_total:.2f} s against {fit_total:.2f} s of single fits "
              f"({100 * report_total / max(fit_total, 1e-9):.0f}%). A comparison also refits on train + "
              "validation and forecasts, so the share of its wall time is smaller."]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
