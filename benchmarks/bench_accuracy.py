"""Accuracy of every model on the 19 benchmark series and the bundled series, through ``python -m forecasting batch``.

Run from the repository root (the whole benchmark; about 20 minutes on 2 cores)::

    OMP_NUM_THREADS=1 python benchmarks/bench_accuracy.py --jobs 2

A first check on a few series: ``--series goog200,austres --no-bundled``. It runs the batch command twice
on one input folder (the benchmark series with their manifest's horizons and season lengths, plus the
bundled examples, long ones cut to their last points): a single origin (the last H points), and 3 rolling
origins H apart (``--backtest 3``); then the single origin again for the neural models with first seeds 1
and 2 (``--seed-runs``), to show how much of their geomean is the draw of the seed. It writes per-series
test MASE of every model, geometric means and the issue-7 targets to ``benchmarks/results_accuracy.md``,
and puts that section into ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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

from machine import machine_description  # noqa: E402

from forecasting.batch.leaderboard import geometric_mean, leaderboard, paired_ratio, to_markdown  # noqa: E402
from forecasting.batch.store import ResultStore  # noqa: E402
from forecasting.comparison import SELECTABLE_MODELS  # noqa: E402
from forecasting.examples import EXAMPLES, load_example  # noqa: E402
from forecasting.models import MODEL_NAMES, ModelKind, kind_of  # noqa: E402

BENCHMARK_DIR = ROOT.parent / "shared" / "benchmark-series"
# Long bundled series are cut to their last points so that the whole benchmark runs in minutes on 2 cores.
MAX_POINTS = {"electricity": 4000, "treering": 2000, "mackey_glass": 2000}
RUNS = {"single": ("single origin (the last H points)", []), "rolling": ("3 rolling origins H apart", ["--backtest", "3"])}
TARGET_MINUTES = 20
BUNDLED_PREFIX = "bundled_"  # ids of the bundled examples, kept apart from the 19 benchmark series
NEURAL = ("esn", "lstm", "gru")


def build_input(folder: Path, series: list[str] | None, bundled: bool) -> int:
    """Copy the benchmark series (and write the bundled ones) into ``folder`` with one manifest; returns the count."""
    manifest = json.loads((BENCHMARK_DIR / "manifest.json").read_text(encoding="utf-8"))
    chosen = {key: entry for key, entry in manifest.items() if not series or key in series}
    missing = sorted(set(series or []) - set(manifest) - set(EXAMPLES))
    if missing:
        raise SystemExit(f"unknown series: {', '.join(missing)}")
    out: dict[str, dict] = {}
    for key, entry in chosen.items():
        shutil.copy(BENCHMARK_DIR / entry["file"], folder / f"{key}.csv")
        out[key] = {"horizon": entry["horizon"], "season_length": entry["season_length"]}
    for key in EXAMPLES if bundled else []:
        if series and key not in series:
            continue
        loaded = load_example(key)
        keep = MAX_POINTS.get(key, len(loaded))
        values, index = loaded.values[-keep:], loaded.index[-keep:]
        frame = (pd.DataFrame({"time": index, "value": values}) if isinstance(index, pd.DatetimeIndex)
                 else pd.DataFrame({"value": values}))
        frame.to_csv(folder / f"{BUNDLED_PREFIX}{key}.csv", index=False)
        out[f"{BUNDLED_PREFIX}{key}"] = {"season_length": int(loaded.season_length)}
    (folder / "manifest.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    return len(out)


def run_batch(input_dir: Path, out: Path, models: list[str], jobs: int, extra: list[str]) -> float:
    """One ``python -m forecasting batch`` run; returns its wall time in seconds."""
    command = [sys.executable, "-m", "forecasting", "batch", str(input_dir), "--out", str(out), "--no-memory",
               "--models", ",".join(models), "--jobs", str(jobs), "--chunk-size", "1", *extra]
    print("$", " ".join(command), flush=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, env=env)
    return time.perf_counter() - start


def mase_table(results: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """Series x model test MASE, plus the recommended model and its MASE on each series."""
    ok = results[results["ok"].fillna(False).astype(bool) & results["model"].notna()]
    table = ok.pivot_table(index="series_id", columns="model", values="mase", aggfunc="first")
    table = table.reindex(columns=[m for m in models if m in table.columns])
    recommended = results.drop_duplicates("series_id").set_index("series_id")["recommended_model"]
    table["recommended"] = recommended.reindex(table.index)
    table["recommended MASE"] = [table.loc[s, r] if isinstance(r, str) and r in table.columns else np.nan
                                 for s, r in table["recommended"].items()]
    return table


def _gm(table: pd.DataFrame, column: str) -> float:
    return geometric_mean(table[column].dropna()) if column in table else float("nan")


def _paired(table: pd.DataFrame, model: str, reference: str) -> str:
    """``ratio 1.115, 90% interval 0.98-1.30 over the series`` of ``model`` to ``reference`` (paired bootstrap)."""
    ratio, low, high = paired_ratio(table, model, reference)
    interval = "" if np.isnan(low) else f", 90% interval {low:.2f}-{high:.2f}"
    return f"ratio {ratio:.3f}{interval} over the series" if np.isfinite(ratio) else "no series in common"


def _line(ok: bool | None, text: str) -> str:
    return f"- {'n/a' if ok is None else 'PASS' if ok else 'MISS'}: {text}"


def _worse_than_naive(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every (run, model, series) whose MASE is more than 10x naive's on the same series."""
    worst = []
    for run, table in tables.items():
        if "naive" not in table:
            continue
        for model in [m for m in table.columns if m in SELECTABLE_MODELS]:
            ratio = table[model] / table["naive"]
            worst += [f"{model} on {s} ({run}, {r:.1f}x)" for s, r in ratio.items() if r > 10]
    return worst


def benchmark_only(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the public benchmark series: the issue's targets are defined on them, not on the bundled ones."""
    return table[~table.index.astype(str).str.startswith(BUNDLED_PREFIX)]


def targets(tables: dict[str, pd.DataFrame], minutes: float) -> list[str]:
    """The issue-7 targets on the benchmark series alone, each with the measured figure and PASS / MISS
    (n/a when a run or model is absent)."""
    tables = {run: benchmark_only(table) for run, table in tables.items()}
    single, rolling = tables.get("single"), tables.get("rolling")
    lines = []
    if single is not None:
        rec = _gm(single, "recommended MASE")
        versus = f"; against ETS: {_paired(single, 'recommended MASE', 'ets')}" if "ets" in single else ""
        lines.append(_line(rec <= 0.95, f"recommended model's geomean MASE at the single origin {rec:.3f} "
                                          f"(target <= 0.95{versus})"))
    if rolling is not None:
        classical = [m for m in rolling.columns if m in MODEL_NAMES and kind_of(m) is ModelKind.CLASSICAL]
        best = min(classical, key=lambda m: _gm(rolling, m), default=None)
        rec = _gm(rolling, "recommended MASE")
        text = (f"rolling run: recommended {rec:.3f} vs the best classical reference "
                + (f"{best} {_gm(rolling, best):.3f} ({_paired(rolling, 'recommended MASE', best)})" if best
                   else "(none in this run)") + " (target: below it)")
        lines.append(_line(None if best is None else rec < _gm(rolling, best), text))
    if single is not None:
        ets = _gm(single, "ets")
        for name in [n for n in NEURAL if n in single]:
            lines.append(_line(None if np.isnan(ets) else _gm(single, name) <= ets,
                               f"{name} geomean {_gm(single, name):.3f} vs ETS {ets:.3f} at the single origin "
                               f"({_paired(single, name, 'ets')}; target: at or below)"))
    if rolling is not None and "ets" in rolling:  # context for the single-origin targets: three times the windows
        for name in [n for n in NEURAL if n in rolling]:
            lines.append(f"- info: rolling run, {name} geomean {_gm(rolling, name):.3f} vs ETS {_gm(rolling, 'ets'):.3f} "
                         f"({_paired(rolling, name, 'ets')})")
    worst = _worse_than_naive(tables)
    lines.append(_line(not worst, "no model worse than 10x naive's MASE on any series"
                       + (f": {', '.join(worst)}" if worst else "")))
    lines.append(_line(minutes < TARGET_MINUTES, f"whole benchmark {minutes:.1f} min (target under "
                                                  f"{TARGET_MINUTES} min)"))
    return lines


def seed_spread(single: pd.DataFrame, seed_tables: dict[int, pd.DataFrame]) -> list[str]:
    """Each neural model's geomean MASE per first seed on the benchmark series, its mean and spread, and how
    often it is at or below ETS: how much of a single-seed figure is the draw of the seed."""
    single = benchmark_only(single)
    tables = {0: single, **{seed: benchmark_only(t) for seed, t in seed_tables.items()}}
    seeds = sorted(tables)
    ets = _gm(single, "ets")
    head = ["model", *[f"seed {s}" for s in seeds], "mean +- sd", "vs ETS per seed", "at or below ETS"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in [n for n in NEURAL if n in single]:
        values = np.array([_gm(tables[s].reindex(single.index), name) for s in seeds])
        ratios = values / ets
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in values)
                     + f" | {values.mean():.3f} +- {values.std(ddof=1):.3f} | "
                     + " / ".join(f"{r:.2f}" for r in ratios) + f" | {int((values <= ets).sum())} of {len(seeds)} |")
    return lines


def table_markdown(table: pd.DataFrame) -> list[str]:
    """The per-series table with a geomean row, as Markdown."""
    models = [c for c in table.columns if c not in ("recommended", "recommended MASE")]
    head = ["series", *models, "recommended", "rec. MASE"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def fmt(value: float) -> str:
        return "-" if pd.isna(value) else f"{value:.3f}"

    for series, row in table.iterrows():
        lines.append(f"| {series} | " + " | ".join(fmt(row[m]) for m in models)
                     + f" | {row['recommended']} | {fmt(row['recommended MASE'])} |")
    for label, rows in (("geomean, 19 benchmark series (the targets)", benchmark_only(table)),
                        ("geomean, all series", table)):
        means = [fmt(geometric_mean(rows[m].dropna())) for m in [*models, "recommended MASE"]]
        lines.append(f"| **{label}** | " + " | ".join(means[:-1]) + f" | | {means[-1]} |")
    return lines


def splice_into_results(old: str, new: str) -> None:
    """Replace the previous accuracy section of RESULTS.md with the new one (append when not found)."""
    path = ROOT / "benchmarks" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    text = text.replace(old.strip(), new.strip()) if old.strip() and old.strip() in text else text.rstrip() + "\n\n" + new
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes for the batch")
    parser.add_argument("--series", help="comma-separated subset (benchmark keys or bundled example keys)")
    parser.add_argument("--no-bundled", action="store_true", help="only the benchmark series")
    parser.add_argument("--models", default=",".join(SELECTABLE_MODELS),
                        help="default: every model, the ensemble included")
    parser.add_argument("--runs", default="single,rolling", help="single, rolling or both")
    parser.add_argument("--out", type=Path, help="keep the batch outputs here (a rerun resumes them)")
    parser.add_argument("--write", type=Path, default=ROOT / "benchmarks" / "results_accuracy.md")
    parser.add_argument("--seed-runs", type=int, default=3,
                        help="single-origin runs of the neural models with first seeds 0..K-1 on the benchmark "
                             "series, for the spread of their geomeans (1: none)")
    parser.add_argument("--wall-minutes", type=float,
                        help="when --out holds finished runs (a rerun resumes them and fits nothing), the wall "
                             "minutes the run that computed them took, for the time target")
    args = parser.parse_args()
    series = args.series.split(",") if args.series else None
    models = args.models.split(",")
    work = Path(tempfile.mkdtemp(prefix="bench-accuracy-"))
    out = args.out or work / "out"
    (work / "input").mkdir()
    count = build_input(work / "input", series, not args.no_bundled)
    tables: dict[str, pd.DataFrame] = {}
    sections: list[str] = []
    total = 0.0
    for run in args.runs.split(","):
        title, extra = RUNS[run]
        seconds = run_batch(work / "input", out / run, models, args.jobs, extra)
        total += seconds
        results = ResultStore(out / run).read_results()
        tables[run] = mase_table(results, models)
        board = to_markdown(leaderboard(results), results).split("\n\n")[1]  # the table alone
        sections += [f"### {title}: {seconds / 60:.1f} min", "", *table_markdown(tables[run]), "",
                     "Leaderboard:", "", board.strip(), ""]
    neural = [m for m in NEURAL if m in models]
    if "single" in tables and args.seed_runs > 1 and neural:
        (work / "input-benchmark").mkdir()
        build_input(work / "input-benchmark", series, False)
        seed_tables = {}
        for seed in range(1, args.seed_runs):
            total += run_batch(work / "input-benchmark", out / f"seed{seed}", neural, args.jobs, ["--base-seed", str(seed)])
            seed_tables[seed] = mase_table(ResultStore(out / f"seed{seed}").read_results(), neural)
        sections += [f"### Seed spread: the neural models with first seeds 0-{args.seed_runs - 1} (single origin, "
                     "benchmark series; seed 0 is the run above)", "",
                     "Geometric-mean MASE of each seed's run, and its ratio to ETS's (deterministic) geomean:", "",
                     *seed_spread(tables["single"], seed_tables), ""]
    command = ("OMP_NUM_THREADS=1 python benchmarks/bench_accuracy.py " + " ".join(sys.argv[1:])).strip()
    text = "\n".join([
        "## Accuracy on the benchmark and bundled series (through `python -m forecasting batch`)", "",
        f"Machine: {machine_description()}", "",
        f"Command: `{command}`; {count} series, every model at default settings, test MASE (scaled by the in-sample "
        "seasonal-naive MAE before the origin); horizons and season lengths of the benchmark series from "
        "`../shared/benchmark-series/manifest.json`; bundled series at the default horizon, long ones cut to "
        + ", ".join(f"{k} {v}" for k, v in MAX_POINTS.items()) + " points. Geometric means over the series.", "",
        "Targets (issue 7):", "",
        *targets(tables, args.wall_minutes if args.wall_minutes is not None else total / 60), "",
        *sections])
    old = args.write.read_text(encoding="utf-8") if args.write.exists() else ""
    args.write.write_text(text + "\n", encoding="utf-8")
    if args.write.resolve() == (ROOT / "benchmarks" / "results_accuracy.md").resolve():
        splice_into_results(old, text + "\n")
    print(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
