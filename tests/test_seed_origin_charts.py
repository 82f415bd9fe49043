"""Seed spread and error per backtest origin: kept by the comparison, tidied into long rows, drawn as charts."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from forecasting import charts
from forecasting.charts.origins import origin_rows
from forecasting.charts.seeds import seed_rows, seed_summary
from forecasting.comparison import CompareConfig, compare
from forecasting.loading import series_from_values
from forecasting.metrics import METRIC_NAMES
from forecasting.results import ComparisonResult, ModelResult, SeriesInfo

N = 40


def _metrics(mase: float) -> dict[str, float]:
    return {"mae": 2 * mase, "rmse": 3 * mase, "smape": 10 * mase, "mase": mase, "nrmse": mase / 2}


def _result() -> ComparisonResult:
    """Hand-made: a 3-seed ESN (one seed NaN), a deterministic baseline, the ensemble and a failed model."""
    esn = ModelResult(name="esn", label="ESN", metrics=_metrics(0.5), seeds=[0, 1, 2],
                      seed_metrics=[{"seed": 0, **_metrics(0.4)}, {"seed": 1, **_metrics(0.6)},
                                    {"seed": 2, **_metrics(float("nan"))}],
                      origin_metrics=[_metrics(0.45), _metrics(0.55)])
    naive = ModelResult(name="naive", label="Naive", metrics=_metrics(1.2), seeds=[0],
                        seed_metrics=[{"seed": 0, **_metrics(1.2)}], origin_metrics=[_metrics(1.0), _metrics(1.4)])
    ensemble = ModelResult(name="ensemble", label="Ensemble", metrics=_metrics(0.7),
                           origin_metrics=[_metrics(0.8), _metrics(0.6)])
    failed = ModelResult(name="gru", label="GRU", error="GRU failed: boom")
    index = [f"2020-01-{d:02d}T00:00:00" for d in range(1, N + 1)]
    return ComparisonResult(
        series=SeriesInfo(name="demo", length=N, frequency="D", season_length=1, start=index[0], end=index[-1],
                          filled_missing=0, notes=[], fingerprint="abc"),
        horizon=4, split={"n": N, "train_end": 24, "val_end": 32}, season_length=1, preprocessing={},
        models={"esn": esn, "naive": naive, "ensemble": ensemble, "gru": failed}, recommended="esn",
        actual=list(np.linspace(1, 2, N)), index=index, config={"seeds": 3, "backtest": 2}, backtest_origins=2,
        selection={"windows": [[24, 28], [28, 32]], "test_starts": [32, 36]})


def spec(chart: alt.TopLevelMixin) -> dict:
    return json.loads(chart.to_json())


def test_seed_rows_one_per_kept_seed_and_one_for_models_without_seeds():
    rows = seed_rows(_result())
    assert list(rows.columns) == ["model", "name", "seed", "value", "runs"]
    esn = rows[rows["name"] == "esn"]
    assert list(esn["seed"]) == [0, 1] and list(esn["value"]) == [0.4, 0.6]  # the NaN seed is left out
    assert list(rows[rows["name"] == "naive"]["value"]) == [1.2]
    ensemble = rows[rows["name"] == "ensemble"]
    assert len(ensemble) == 1 and ensemble["seed"].isna().all() and ensemble["value"].iloc[0] == 0.7
    assert "gru" not in set(rows["name"])
    assert list(seed_rows(_result(), "mae")[lambda r: r["name"] == "esn"]["value"]) == [0.8, 1.2]


def test_seed_summary_gives_zero_spread_to_a_single_run():
    summary = seed_summary(seed_rows(_result())).set_index("model")
    assert list(summary.index) == ["ESN", "Naive", "Ensemble"]  # run order, not alphabetical
    assert summary.loc["ESN", "mean"] == pytest.approx(0.5) and summary.loc["ESN", "spread"] == pytest.approx(0.2)
    assert summary.loc["ESN", "std"] == pytest.approx(0.1)
    assert summary.loc["Naive", "spread"] == 0 and summary.loc["Naive", "std"] == 0


def test_origin_rows_number_origins_from_the_earliest_and_name_their_start():
    rows = origin_rows(_result())
    assert list(rows.columns) == ["model", "name", "origin", "start", "value"]
    naive = rows[rows["name"] == "naive"]
    assert list(naive["origin"]) == [1, 2] and list(naive["value"]) == [1.0, 1.4]
    index = _result().index
    assert list(naive["start"]) == [index[32], index[36]]
    assert set(rows["name"]) == {"esn", "naive", "ensemble"}


def test_an_unknown_metric_is_a_clear_error():
    for build in (seed_rows, origin_rows):
        with pytest.raises(ValueError, match="choose one of mae"):
            build(_result(), "r2")


def test_seed_spread_chart_draws_points_per_seed_and_the_mean():
    s = spec(charts.seed_spread_chart(_result()))
    assert s["autosize"]["type"] == "fit-x" and s["title"]["text"] == "Spread over seeds (test MASE)"
    marks = [layer["mark"]["type"] for layer in s["layer"]]
    assert marks == ["circle", "tick"]
    rows = [row for data in s["datasets"].values() for row in data]
    assert sum(1 for row in rows if "seed" in row and row["model"] == "ESN") == 2
    assert any(row.get("model") == "ESN" and row.get("mean") == pytest.approx(0.5) for row in rows)
    assert s["layer"][0]["encoding"]["x"]["sort"] == ["ESN", "Naive", "Ensemble"]


def test_origin_error_chart_puts_the_origin_on_x_with_one_line_per_model():
    s = spec(charts.origin_error_chart(_result(), "rmse"))
    assert s["autosize"]["type"] == "fit-x" and s["title"]["text"] == "Error per backtest origin (test RMSE)"
    assert s["mark"]["type"] == "line" and s["encoding"]["x"]["field"] == "origin"
    assert s["encoding"]["x"]["axis"]["values"] == [1, 2]
    assert s["encoding"]["color"]["scale"]["domain"] == ["ESN", "Naive", "Ensemble"]
    rows = [row for data in s["datasets"].values() for row in data]
    assert sorted(r["value"] for r in rows if r["model"] == "Naive") == [3.0, pytest.approx(4.2)]


def test_chart_builders_are_resolved_lazily_by_name():
    assert charts.seed_spread_chart.__module__ == "forecasting.charts.seeds"
    assert charts.origin_error_chart.__module__ == "forecasting.charts.origins"
    assert {"seed_spread_chart", "origin_error_chart"} <= set(charts.__all__)


def _series(n: int = 120):
    t = np.arange(n)
    y = 20 + 0.1 * t + 4 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(3).standard_normal(n)
    return series_from_values(y, index=pd.date_range("2000-01-01", periods=n, freq="MS"), name="demo")


@pytest.fixture(scope="module")
def two_by_two():
    """A small comparison with 2 seeds and 2 backtest origins (ESN stochastic, two deterministic baselines)."""
    config = CompareConfig(horizon=6, models=("esn", "naive", "seasonal_naive", "ensemble"), seeds=2, backtest=2,
                           memory=False, params={"esn": {"units": 30}})
    return compare(_series(), config)


def test_comparison_keeps_metrics_per_seed_and_per_origin(two_by_two):
    for name, model in two_by_two.models.items():
        assert model.ok, model.error
        assert len(model.origin_metrics) == 2 and set(model.origin_metrics[0]) == set(METRIC_NAMES)
        for metric in METRIC_NAMES:  # the table's value is the mean of both
            assert np.mean([r[metric] for r in model.origin_metrics]) == pytest.approx(model.metrics[metric])
            if name != "ensemble":
                assert np.mean([r[metric] for r in model.seed_metrics]) == pytest.approx(model.metrics[metric])
    esn = two_by_two.models["esn"]
    assert [r["seed"] for r in esn.seed_metrics] == [0, 1]
    assert np.std([r["mase"] for r in esn.seed_metrics]) == pytest.approx(esn.metrics_std["mase"])
    assert two_by_two.models["ensemble"].seed_metrics == []
    data = json.loads(json.dumps(two_by_two.to_dict(), allow_nan=False))
    assert len(data["models"]["esn"]["seed_metrics"]) == 2 and len(data["models"]["naive"]["origin_metrics"]) == 2


def test_deterministic_models_have_zero_seed_spread(two_by_two):
    summary = seed_summary(seed_rows(two_by_two)).set_index("model")
    for label in ("Naive", "Seasonal naive"):
        assert summary.loc[label, "spread"] == 0.0
    assert summary.loc[two_by_two.models["esn"].label, "spread"] > 0  # two different reservoirs
    # The baselines give identical values whatever the seed: another base seed changes nothing.
    other = compare(_series(), CompareConfig(horizon=6, models=("naive", "seasonal_naive"), seeds=2, backtest=2,
                                             base_seed=7, memory=False))
    for name in ("naive", "seasonal_naive"):
        assert two_by_two.models[name].seeds == [0] and other.models[name].seeds == [7]
        assert other.models[name].metrics == two_by_two.models[name].metrics
        assert other.models[name].origin_metrics == two_by_two.models[name].origin_metrics


ROOT = Path(__file__).resolve().parent.parent


def _new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _fit(at: AppTest, models: list[str]) -> None:
    """Choose ``models``, click Fit & compare, wait for the background run and draw its results."""
    at.multiselect(key="models").set_value(models).run()
    at.button(key="fit").click().run()
    assert at.session_state[state.JOB].wait(300), "the comparison did not finish in time"
    at.run()
    assert not at.exception, at.exception


def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec).get("title", {}).get("text", "") for c in at.get("vega_lite_chart")]


def test_dashboard_draws_the_seed_and_origin_charts_only_when_asked_for():
    at = _new_app()
    at.number_input(key="seeds").set_value(2).run()
    at.number_input(key="backtest").set_value(2).run()
    _fit(at, ["esn", "naive", "drift"])
    titles = _chart_titles(at)
    assert "Spread over seeds (test MASE)" in titles and "Error per backtest origin (test MASE)" in titles
    assert any("mean over the 2 seeds" in c.value for c in at.caption)
    assert any("each of the 2 backtest windows" in c.value for c in at.caption)
    at.selectbox(key="spread_metric").set_value("rmse").run()
    assert "Error per backtest origin (test RMSE)" in _chart_titles(at) and not at.exception
    # One seed, one origin: neither chart, one line saying how to get them.
    at.number_input(key="seeds").set_value(1).run()
    at.number_input(key="backtest").set_value(1).run()
    _fit(at, ["naive", "drift"])
    titles = _chart_titles(at)
    assert not any(t.startswith(("Spread over seeds", "Error per backtest origin")) for t in titles)
    assert any("set **Seeds** or **Backtest origins** above 1" in c.value for c in at.caption)
