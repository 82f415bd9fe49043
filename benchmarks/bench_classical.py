"""Accuracy and fit time of the classical references (ETS, Theta, auto-ARIMA) on the 19 benchmark series.

Protocol (../shared/benchmark-series/README.md): the last H points of each series are held out, the
model (the product's class from the registry) is fitted on the rest and forecasts H steps; MASE is
scaled by the in-sample seasonal-naive MAE; the summary is the geometric mean over the series. Fit
times are medians of ``--repeats`` fits after ``warm_up()``. Also measured: auto-ARIMA's cost on a
500-point monthly series, ETS with multiplicative seasonality allowed, and the frequency-to-season
rule against statsmodels' ``freq_to_period``.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_classical.py [--repeats 3]``; writes
``benchmarks/results_classical.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import machine_description  # noqa: E402

from forecasting.loading import season_length_for  # noqa: E402
from forecasting.metrics import compute_metrics  # noqa: E402
from forecasting.models import Forecaster, get_model_class  # noqa: E402

SERIES_DIR = ROOT.parent / "shared" / "benchmark-series"
MODELS = ("ets", "theta", "arima", "naive", "seasonal_naive")
REFERENCE = {"ets": 1.063, "arima": 1.032, "theta": 1.410}  # the figures
OUT = Path(__file__).resolve().parent / "results_classical.md"
NOTES_MARKER = "<!-- notes: written by hand, kept when the benchmark rewrites the tables above -->"


def load_series() -> list[tuple[str, np.ndarray, int, int]]:
    """(name, values, season length, horizon) of every series in the manifest."""
    manifest = json.loads((SERIES_DIR / "manifest.json").read_text())
    out = []
    for name, info in manifest.items():
        values = pd.read_csv(SERIES_DIR / info["file"]).iloc[:, -1].to_numpy(dtype=float)
        out.append((name, values, int(info["season_length"]), int(info["horizon"])))
    return out


def geomean(values: list[float]) -> float:
    return float(np.exp(np.mean(np.log(values))))


def timed_fit(make: Callable[[], Forecaster], train: np.ndarray, repeats: int) -> tuple[Forecaster, float]:
    """The last fitted model and the median fit time over ``repeats`` fits."""
    times, model = [], None
    for _ in range(repeats):
        model = make()
        start = time.perf_counter()
        model.fit(train)
        times.append(time.perf_counter() - start)
    return model, statistics.median(times)


def score(model: Forecaster, y: np.ndarray, m: int, horizon: int) -> float:
    forecast = model.forecast(y[:-horizon], horizon)
    return compute_metrics(y[-horizon:], forecast, y[:-horizon], m)["mase"]


def accuracy(series: list, models: tuple[str, ...], repeats: int) -> tuple[list[str], dict[str, list]]:
    """Per-series MASE / fit time / chosen configuration, and the per-model lists for the summary."""
    per_model: dict[str, list] = {name: [] for name in models}
    rows = ["| series | m | H | " + " | ".join(models) + " | ETS form | ARIMA |",
            "|---|---|---|" + "---|" * len(models) + "---|---|"]
    for cls in (get_model_class(n) for n in models):
        cls.warm_up()
    for name, y, m, horizon in series:
        cells, configs = [], {}
        for model_name in models:
            cls = get_model_class(model_name)
            model, seconds = timed_fit(lambda cls=cls, m=m: cls(season_length=m), y[:-horizon], repeats)
            mase = score(model, y, m, horizon)
            per_model[model_name].append((mase, seconds))
            cells.append(f"{mase:.3f} ({seconds:.2f} s)")
            configs[model_name] = model
        ets_form = "/".join(configs["ets"].form) if "ets" in configs and configs["ets"].form else "-"
        arima = configs["arima"].describe() if "arima" in configs else "-"
        rows.append(f"| {name} | {m} | {horizon} | " + " | ".join(cells) + f" | {ets_form} | {arima} |")
        print(rows[-1], flush=True)
    return rows, per_model


def summary(per_model: dict[str, list]) -> list[str]:
    rows = ["| model | geomean MASE | issue's figure | mean fit s | median fit s | max fit s |",
            "|---|---|---|---|---|---|"]
    for name, pairs in per_model.items():
        mases, secs = [p[0] for p in pairs], [p[1] for p in pairs]
        ref = REFERENCE.get(name)
        rows.append(f"| {name} | {geomean(mases):.3f} | {ref if ref else '-'} | {np.mean(secs):.3f} | "
                    f"{np.median(secs):.3f} | {max(secs):.2f} |")
    return rows


def ets_with_multiplicative(series: list) -> list[str]:
    """Geomean MASE when multiplicative seasonality joins the AICc choice (strictly positive seasonal series)."""
    ets = get_model_class("ets")
    mases_auto, mases_mul = [], []
    for _, y, m, horizon in series:
        train = y[:-horizon]
        auto = ets(season_length=m).fit(train)
        best = auto
        if m > 1 and np.min(train) > 0 and len(train) >= 2 * m + 1:
            mul = ets(ets.Params().replace(seasonal="mul"), season_length=m).fit(train)
            if min(mul.aicc.values()) < min(auto.aicc.values()):
                best = mul
        mases_auto.append(score(auto, y, m, horizon))
        mases_mul.append(score(best, y, m, horizon))
    return ["| ETS candidates | geomean MASE |", "|---|---|",
            f"| trend x seasonal none/add (default) | {geomean(mases_auto):.3f} |",
            f"| ... plus seasonal mul when strictly positive | {geomean(mases_mul):.3f} |"]


def arima_cost_500(series: list, repeats: int) -> list[str]:
    """Median auto-ARIMA fit time on the last 500 points of a long monthly series (usmelec), and its search."""
    arima = get_model_class("arima")
    by_name = {name: (y, m) for name, y, m, _ in series}
    y, m = by_name["usmelec"]
    train = y[-500:]
    rows = ["| max_fits | fits run | chosen | median fit s |", "|---|---|---|---|"]
    for max_fits in (6, 12, 24):
        params = arima.Params().replace(max_fits=max_fits)
        model, seconds = timed_fit(lambda params=params: arima(params, season_length=m), train, repeats)
        rows.append(f"| {max_fits} | {model.fits} | {model.describe()} | {seconds:.2f} |")
        print(rows[-1], flush=True)
    return rows


def season_rule_vs_statsmodels() -> list[str]:
    """Season length from our frequency rule and from statsmodels' ``freq_to_period`` for common aliases."""
    from statsmodels.tsa.tsatools import freq_to_period

    rows = ["| frequency | ours | statsmodels freq_to_period |", "|---|---|---|"]
    for alias in ("MS", "ME", "2MS", "QS", "QE", "W", "D", "B", "h", "30min", "15min", "YS", "SMS"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = str(freq_to_period(alias))
        except (ValueError, AttributeError, KeyError) as exc:
            theirs = f"error ({type(exc).__name__})"
        rows.append(f"| {alias} | {season_length_for(alias)} | {theirs} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    series = load_series()
    models = tuple(args.models.split(","))
    per_series, per_model = accuracy(series, models, args.repeats)
    sections = [
        "# Classical references on the 19 benchmark series", "",
        f"Machine: {machine_description()}", "",
        "Last H points held out; MASE scaled by the in-sample seasonal-naive MAE; geometric mean over the 19 "
        f"series; fit time = median of {args.repeats} fits after `warm_up()` (this machine is shared, so "
        "times are noisy). Produced by `python benchmarks/bench_classical.py`.", "",
        "## Summary", "", *summary(per_model), "",
        "## Auto-ARIMA cost on 500 monthly points (usmelec, last 500 values)", "", *arima_cost_500(series, args.repeats), "",
        "## Multiplicative seasonality in the ETS choice", "", *ets_with_multiplicative(series), "",
        "## Season length from the frequency", "", *season_rule_vs_statsmodels(), "",
        "## Per series: MASE (median fit time)", "", *per_series, "",
    ]
    notes = OUT.read_text().split(NOTES_MARKER, 1)[1] if OUT.exists() and NOTES_MARKER in OUT.read_text() else "\n"
    OUT.write_text("\n".join(sections) + "\n" + NOTES_MARKER + notes)
    print("\n".join(sections))


if __name__ == "__main__":
    main()
