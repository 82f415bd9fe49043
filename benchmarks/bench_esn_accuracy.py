"""Accuracy of the ESN variants on the 19 public benchmark series: plain, searched, ensemble, searched ensemble.

Each series is split as the comparison splits it (test = last H points, validation before it, training
before that); the model is fitted on the training part with no validation series (so every tuning step uses
its own inner tail), refitted on training + validation with ``tuned_params()`` fixed, and forecasts the
test part once. Preprocessing is the comparison's (fitted on the training part). The score is the test
MASE (scaled by the in-sample seasonal-naive MAE), the mean over seeds per series, summarised by the
geometric mean over the series.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_esn_accuracy.py [--seeds 3]``; writes
``benchmarks/results_esn_accuracy.md``. ``--variant NAME:key=value,key=value`` adds a variant of the
searched ESN's settings (for exploring defaults); ``--only`` restricts the run to the named variants.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_description  # noqa: E402

from forecasting.metrics import compute_metrics  # noqa: E402
from forecasting.models.esn import ESNForecaster  # noqa: E402
from forecasting.models.esn_search import SearchedESNForecaster  # noqa: E402
from forecasting.preprocessing import Preprocessor  # noqa: E402
from forecasting.splitting import chronological_split  # noqa: E402

SERIES_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmark-series"
ETS_GEOMEAN = 1.063  # ../shared/notes/accuracy-calibration.md (statsmodels ExponentialSmoothing, AICc)


@dataclass
class Variant:
    """One way of running the ESN: the class and the settings that differ from its defaults."""

    name: str
    what: str
    model_cls: type
    overrides: dict[str, object] = field(default_factory=dict)


# The searches get a budget they never reach here, so that the figures do not depend on the machine's load.
SEARCH = {"search": "random", "search_budget_s": 120.0}
VARIANTS = [
    Variant("plain", "one reservoir of 300 units at the plain ESN's defaults (`ESNForecaster`)", ESNForecaster),
    Variant("searched", "random search, one reservoir", SearchedESNForecaster, {**SEARCH, "reservoirs": 1}),
    Variant("ensemble", "no search, median of 5 reservoirs of 100 units", SearchedESNForecaster, {"search": "off"}),
    Variant("searched_ensemble", "random search (8 trials), then the median of 5 reservoirs of the chosen settings "
            "(the registered 'esn' at its defaults)", SearchedESNForecaster, SEARCH),
]
KEEP_MARKER = "## Exploration"  # a hand-written section after this heading survives a rerun


def load_benchmark() -> list[tuple[str, np.ndarray, int, int]]:
    """(name, values, season length, horizon) of every series in the manifest."""
    manifest = json.loads((SERIES_DIR / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for name, info in manifest.items():
        frame = pd.read_csv(SERIES_DIR / info["file"])
        out.append((name, frame.iloc[:, -1].to_numpy(dtype=float), int(info["season_length"]), int(info["horizon"])))
    return out


def test_mase(variant: Variant, y: np.ndarray, m: int, horizon: int, seed: int) -> tuple[float, float]:
    """Fit on train (val=None), refit on train + validation with the tuned settings, score the test part."""
    split = chronological_split(len(y), horizon, season_length=m)
    history = y[:split.val_end]
    prep = Preprocessor.fit(y[:split.train_end], m)
    params = variant.model_cls.Params().replace(horizon=horizon, **variant.overrides)
    start = time.perf_counter()
    model = variant.model_cls(params, seed=seed, season_length=m).fit(prep.transform(y[:split.train_end]))
    tuned = model.tuned_params()
    final = variant.model_cls(params.replace(**tuned), seed=seed, season_length=m)
    z_history = prep.transform(history)
    final.fit(z_history)
    seconds = time.perf_counter() - start
    forecast = prep.inverse(final.predict(z_history, horizon).values, history)
    return compute_metrics(y[split.val_end:], forecast, history, m)["mase"], seconds


def geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values))))


def run(variants: list[Variant], seeds: int) -> tuple[list[str], dict[str, float]]:
    """Per-series table and the geometric means of every variant."""
    series = load_benchmark()
    names = [v.name for v in variants]
    lines = ["| series | n | m | H | " + " | ".join(names) + " |", "|---|---|---|---|" + "---|" * len(names)]
    scores: dict[str, list[float]] = {n: [] for n in names}
    seconds: dict[str, list[float]] = {n: [] for n in names}
    for key, y, m, horizon in series:
        cells = []
        for variant in variants:
            runs = [test_mase(variant, y, m, horizon, seed) for seed in range(seeds)]
            mase = float(np.mean([r[0] for r in runs]))
            scores[variant.name].append(mase)
            seconds[variant.name].append(statistics.median(r[1] for r in runs))
            cells.append(f"{mase:.3f}")
        lines.append(f"| {key} | {len(y)} | {m} | {horizon} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    means = {n: geomean(scores[n]) for n in names}
    lines.append("| **geomean MASE** | | | | " + " | ".join(f"**{means[n]:.3f}**" for n in names) + " |")
    lines.append("| median fit + refit time per series (s) | | | | "
                 + " | ".join(f"{statistics.median(seconds[n]):.3f}" for n in names) + " |")
    return lines, means


def parse_variant(text: str) -> Variant:
    """``NAME:key=value,key=value`` -> a searched-ESN variant with those settings."""
    name, _, rest = text.partition(":")
    overrides = dict(item.split("=", 1) for item in rest.split(",") if item)
    return Variant(name, f"searched ESN with {rest}", SearchedESNForecaster, overrides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--variant", action="append", default=[], help="NAME:key=value,... (repeatable)")
    parser.add_argument("--only", default="", help="comma-separated variant names to run")
    parser.add_argument("--no-write", action="store_true", help="print only; do not rewrite the results file")
    args = parser.parse_args()
    variants = VARIANTS + [parse_variant(v) for v in args.variant]
    if args.only:
        keep = args.only.split(",")
        variants = [v for v in variants if v.name in keep]
    ESNForecaster.warm_up()
    lines, means = run(variants, args.seeds)
    out = ["## ESN accuracy on the 19 public benchmark series (test MASE, mean over seeds)", "",
           f"Machine: {machine_description()}", "",
           f"Command: `OMP_NUM_THREADS=1 python benchmarks/bench_esn_accuracy.py --seeds {args.seeds}`. "
           "Split as the comparison does (test = last H, validation before it); fit on the training part with "
           "val=None, refit on training + validation with `tuned_params()` fixed, forecast the test part once.",
           "", *[f"- `{v.name}`: {v.what}" + (f" ({v.overrides})" if v.overrides else "") for v in variants], "",
           *lines, "", f"ETS reference (statsmodels, `../shared/notes/accuracy-calibration.md`): {ETS_GEOMEAN}.", ""]
    print("\n".join(out))
    if not args.no_write:
        path = Path(__file__).resolve().parent / "results_esn_accuracy.md"
        kept = path.read_text(encoding="utf-8").partition(KEEP_MARKER) if path.exists() else ("", "", "")
        path.write_text("\n".join(out) + ("\n" + kept[1] + kept[2] if kept[1] else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
