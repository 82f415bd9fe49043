"""Chart builders are pure functions: build each from a small hand-made result and inspect its Vega-Lite spec."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import altair as alt
import numpy as np
import pytest

from forecasting import charts
from forecasting.charts._common import axis_values
from forecasting.charts.forecast import error_frame, forecast_frame
from forecasting.charts.memory import capacity_frame, horizon_frame, horizon_label, sensitivity_frame
from forecasting.charts.series import part_regions
from forecasting.charts.training import loss_frame
from forecasting.results import ComparisonResult, ModelResult, SeriesInfo

N, H = 60, 6


def make_result(dates: bool = True) -> ComparisonResult:
    """A 60-point result with one trained RNN, one ESN and two baselines (one failed model)."""
    t = np.arange(N)
    actual = (10 + np.sin(t / 3.0) * 3).tolist()
    index = [f"2020-{1 + i // 28:02d}-{1 + i % 28:02d}T00:00:00" for i in range(N)] if dates else list(range(N))
    test = np.asarray(actual[-H:])
    lstm = ModelResult(
        name="lstm", label="LSTM", metrics={"mae": 0.5, "rmse": 0.6, "smape": 4.0, "mase": 0.7, "nrmse": 0.4},
        fit_seconds=1.5, trainable_parameters=1233, forecast=(test + 0.5).tolist(),
        training_history={"train_loss": [1.0, 0.5, 0.25, 0.2], "val_loss": [1.1, 0.6, 0.4, 0.45],
                          "best_epoch": 3, "stop_reason": "early stopping"},
        memory_horizon=7.0, memory_epsilon=0.01, memory_max_lag=20,
        sensitivity_profile=[0.5 ** k for k in range(20)], memory_capacity=2.5,
        memory_capacity_profile=[0.9, 0.7, 0.5, 0.3, 0.1])
    esn = ModelResult(
        name="esn", label="ESN", metrics={"mae": 0.3, "rmse": 0.4, "smape": 3.0, "mase": 0.5, "nrmse": 0.3},
        fit_seconds=0.2, trainable_parameters=52, forecast=(test - 0.3).tolist(),
        memory_horizon=math.inf, memory_epsilon=0.01, memory_max_lag=20, sensitivity_profile=[1.0] * 20,
        memory_capacity=4.0, memory_capacity_profile=[1.0, 1.0, 1.0, 0.5, 0.5],
        params={"spectral_radius": 0.9},
        training_history={"train_loss": [0.3], "val_loss": [], "best_epoch": None, "stop_reason": "closed form"},
        extras={"eigenvalues": [[0.9, 0.0], [0.1, 0.5], [0.1, -0.5], [-0.4, 0.0]]})
    snaive = ModelResult(name="seasonal_naive", label="Seasonal naive",
                         metrics={"mae": 1.0, "rmse": 1.2, "smape": 8.0, "mase": 1.0, "nrmse": 0.9},
                         forecast=(test + 1.0).tolist(), memory_horizon=12.0, memory_epsilon=0.01,
                         memory_max_lag=20, sensitivity_profile=[0.0] * 11 + [1.0] + [0.0] * 8)
    failed = ModelResult(name="gru", label="GRU", error="GRU failed: boom")
    return ComparisonResult(
        series=SeriesInfo(name="demo", length=N, frequency="D", season_length=12, start=str(index[0]),
                          end=str(index[-1]), filled_missing=0, notes=[], fingerprint="abc"),
        horizon=H, split={"n": N, "train_end": N - 2 * H, "val_end": N - H}, season_length=12,
        preprocessing={}, models={"lstm": lstm, "esn": esn, "seasonal_naive": snaive, "gru": failed},
        recommended="esn", actual=actual, index=index, config={})


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec as plain JSON (fails if the chart cannot be serialised)."""
    return json.loads(chart.to_json())


def dataset_rows(chart_spec: dict) -> list[dict]:
    """Every inline data row of a spec (Altair moves them into top-level ``datasets``)."""
    return [row for rows in chart_spec.get("datasets", {}).values() for row in rows]


def all_params(chart_spec: dict) -> list[dict]:
    """Selection parameters wherever Altair put them (top level for layered charts, or per layer)."""
    found = list(chart_spec.get("params", []))
    for layer in chart_spec.get("layer", []):
        found += layer.get("params", [])
    return found


def test_axis_values_types():
    assert axis_values([1, 2, 3]) == ([1, 2, 3], "Q")
    values, kind = axis_values(["2020-01-01", "2020-02-01"])
    assert kind == "T" and values[1].month == 2
    assert axis_values(["a", "b"]) == (["a", "b"], "O")


def test_part_regions_cover_the_series_without_gaps():
    regions = part_regions(list(range(10)), {"train_end": 6, "val_end": 8})
    assert regions.to_dict("records") == [
        {"part": "train", "start": 0, "end": 6}, {"part": "validation", "start": 6, "end": 8},
        {"part": "test", "start": 8, "end": 9}]
    assert part_regions([], None).empty


def test_series_chart_zooms_and_shades_parts():
    chart = charts.series_chart([1.0, 2.0, 3.0] * 10, list(range(30)), "y", split={"train_end": 20, "val_end": 25})
    s = spec(chart)
    assert len(s["layer"]) == 2
    assert any(p.get("bind") == "scales" for p in all_params(s))
    assert {row["part"] for row in dataset_rows(s) if "part" in row} == {"train", "validation", "test"}


@pytest.mark.parametrize("dates", [True, False])
def test_forecast_chart_has_every_ok_model_and_a_legend_toggle(dates):
    result = make_result(dates)
    frame, kind, first = forecast_frame(result)
    assert kind == ("T" if dates else "Q") and first == 0
    assert set(frame["series"]) == {"Actual", "LSTM", "ESN", "Seasonal naive"}  # the failed GRU is left out
    assert (frame["series"] == "LSTM").sum() == H
    s = spec(charts.forecast_chart(result))
    assert any(p.get("bind") == "legend" for p in all_params(s))
    assert s["resolve"]["scale"]["color"] == "independent"


def test_forecast_chart_context_and_model_filter():
    result = make_result()
    frame, _, first = forecast_frame(result, models=["esn"], context=10)
    assert first == N - H - 10
    assert set(frame["series"]) == {"Actual", "ESN"}
    assert (frame["series"] == "Actual").sum() == 10 + H
    spec(charts.forecast_chart(result, ["esn"], context=10))


def test_error_frame_absolute_and_residual():
    result = make_result()
    absolute = error_frame(result, kind="absolute")
    residual = error_frame(result, kind="residual")
    lstm_abs = absolute[absolute["model"] == "LSTM"]["error"].to_numpy()
    lstm_res = residual[residual["model"] == "LSTM"]["error"].to_numpy()
    np.testing.assert_allclose(lstm_abs, 0.5)
    np.testing.assert_allclose(lstm_res, -0.5)  # actual - forecast, forecast was actual + 0.5
    assert list(absolute[absolute["model"] == "ESN"]["step"]) == list(range(1, H + 1))
    with pytest.raises(ValueError):
        error_frame(result, kind="squared")
    assert len(spec(charts.error_chart(result, kind="residual"))["layer"]) == 2


def test_loss_chart_only_trained_models_and_best_epoch():
    result = make_result()
    frame = loss_frame(result)
    assert set(frame["model"]) == {"LSTM"}  # the ESN's one-value closed-form "curve" is left out
    assert set(frame["curve"]) == {"train", "validation"}
    s = spec(charts.loss_chart(result))
    assert s["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert any(row.get("epoch") == 3 and row.get("why") == "early stopping" for row in dataset_rows(s))
    linear = spec(charts.loss_chart(result, log_scale=False))["layer"][0]["encoding"]["y"]["scale"]
    assert linear.get("type") != "log"


def test_fit_time_chart_has_a_bar_per_ok_model():
    s = spec(charts.fit_time_chart(make_result()))
    rows = dataset_rows(s)
    assert sorted(r["model"] for r in rows) == ["ESN", "LSTM", "Seasonal naive"]
    assert s["mark"]["type"] == "bar"


def test_sensitivity_profile_normalised_log_scale_with_horizons():
    result = make_result()
    frame = sensitivity_frame(result)
    lstm = frame[frame["model"] == "LSTM"]
    assert lstm["sensitivity"].max() == pytest.approx(1.0) and lstm["lag"].min() == 1
    raw = sensitivity_frame(result, normalise=False)
    assert raw[raw["model"] == "LSTM"]["sensitivity"].iloc[1] == pytest.approx(0.5)
    marks = horizon_frame(result).set_index("model")
    assert marks.loc["LSTM", "lag"] == 7 and not marks.loc["LSTM", "beyond"]
    assert marks.loc["ESN", "lag"] == 20 and marks.loc["ESN", "beyond"]  # inf: marked at the last lag measured
    assert horizon_label(result.models["esn"]) == "> 20 steps"
    assert horizon_label(result.models["lstm"]) == "7 steps"
    s = spec(charts.sensitivity_chart(result))
    line = next(layer for layer in s["layer"] if layer["mark"]["type"] == "line")
    assert line["encoding"]["y"]["scale"]["type"] == "log"
    # the seasonal-naive zeros cannot sit on a log axis: only its lag-12 point is drawn
    assert [r["lag"] for r in dataset_rows(s) if r.get("model") == "Seasonal naive" and "sensitivity" in r] == [12]


def test_capacity_chart_and_cumulative():
    result = make_result()
    frame = capacity_frame(result)
    assert set(frame["model"]) == {"LSTM", "ESN"}  # baselines have no recurrent state
    cumulative = capacity_frame(result, cumulative=True)
    assert cumulative[cumulative["model"] == "ESN"]["capacity"].iloc[-1] == pytest.approx(4.0)
    spec(charts.capacity_chart(result, cumulative=True))


def test_eigenvalue_chart_draws_unit_circle_and_spectral_radius():
    esn = make_result().models["esn"]
    s = spec(charts.eigenvalue_chart(esn))
    rows = dataset_rows(s)
    circles = {r["circle"] for r in rows if "circle" in r}
    assert circles == {"unit circle |z| = 1", "spectral radius 0.9"}
    radii = {round(math.hypot(r["re"], r["im"]), 6) for r in rows if r.get("circle", "").startswith("spectral")}
    assert radii == {0.9}
    assert sum(1 for r in rows if "abs" in r) == 4


def test_future_chart_joins_history_and_forecast():
    future = SimpleNamespace(model_name="esn", values=[5.0, 6.0], index=["2020-03-01", "2020-03-02"])
    frame, kind = charts.future.future_frame([1.0, 2.0, 3.0], ["2020-02-27", "2020-02-28", "2020-02-29"],
                                             [future], {"esn": "ESN"})
    assert kind == "T"
    esn = frame[frame["series"] == "ESN"]
    assert list(esn["value"]) == [3.0, 5.0, 6.0]  # starts at the last observation
    spec(charts.future_chart([1.0, 2.0, 3.0], [0, 1, 2], [SimpleNamespace(model_name="x", values=[1.0],
                                                                          index=[3])]))


def test_chart_modules_do_not_import_streamlit():
    import ast
    import pathlib

    for path in pathlib.Path(charts.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        names = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names]
        names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_eigenvalue_chart_is_square_with_equal_fixed_axes():
    s = spec(charts.eigenvalue_chart(make_result().models["esn"]))
    assert s["width"] == s["height"] and s["autosize"]["type"] == "pad"  # Streamlit's "fit" squeezed it
    scales = [layer["encoding"][axis]["scale"] for layer in s["layer"] for axis in ("x", "y")]
    assert all(sc == scales[0] for sc in scales) and scales[0]["nice"] is False
    assert scales[0]["domain"][0] == -scales[0]["domain"][1]
    assert s["layer"][0]["encoding"]["color"]["legend"]["orient"] == "bottom"


def test_charts_shown_at_container_width_fit_the_width_only():
    result = make_result()
    built = [charts.forecast_chart(result), charts.error_chart(result), charts.loss_chart(result),
             charts.fit_time_chart(result), charts.sensitivity_chart(result), charts.capacity_chart(result),
             charts.series_chart([1.0, 2.0], [0, 1]),
             charts.future_chart([1.0, 2.0], [0, 1], [SimpleNamespace(model_name="x", values=[1.0], index=[2])])]
    assert all(spec(c)["autosize"]["type"] == "fit-x" for c in built)


def test_fit_time_chart_log_scale_bars_are_not_stacked_from_zero():
    x = spec(charts.fit_time_chart(make_result(), log_scale=True))["encoding"]["x"]
    assert x["scale"]["type"] == "log" and x["stack"] is None


def test_long_series_are_thinned_for_display_and_say_so():
    from forecasting.charts.series import display_indices

    rng = np.random.default_rng(0)
    values = np.cumsum(rng.standard_normal(17520))
    keep = display_indices(len(values), values)
    assert len(keep) <= 2000 and keep[0] == 0 and keep[-1] == len(values) - 1
    assert np.all(np.diff(keep) > 0)  # time order, no repeats
    assert np.argmax(values) in keep and np.argmin(values) in keep  # peaks survive
    s = spec(charts.series_chart(values, list(range(len(values))), "demand"))
    assert len(dataset_rows(s)) <= 2000 and "Showing" in " ".join(s["title"]["subtitle"])
    assert list(display_indices(5, values[:5])) == [0, 1, 2, 3, 4]


def test_forecast_chart_thins_the_history_but_never_the_test_part():
    result = make_result(dates=False)
    n = 6000
    result.actual = list(np.sin(np.arange(n) / 7.0))
    result.index = list(range(n))
    result.split = {"n": n, "train_end": n - 2 * H, "val_end": n - H}
    frame, _, first = forecast_frame(result)
    actual = frame[frame["series"] == "Actual"]
    assert first == 0 and len(actual) <= 2000 + H
    assert list(actual["x"])[-H:] == list(range(n - H, n))
    s = spec(charts.forecast_chart(result))
    assert "Showing" in " ".join(s["title"]["subtitle"])


def test_forecast_chart_draws_interval_bands_when_a_result_carries_them():
    from forecasting.charts.forecast import interval_frame
    from forecasting.intervals import calibrate

    result = make_result()
    esn = result.models["esn"]
    esn.extras["intervals"] = calibrate(np.tile(np.arange(1.0, 21.0)[:, None], (1, H))).bands(np.asarray(esn.forecast))
    assert set(esn.extras["intervals"]) == {"80", "95"}
    bands = interval_frame(result)
    assert set(bands["series"]) == {"ESN"} and set(bands["level"]) == {"80%", "95%"} and len(bands) == 2 * H
    wide, narrow = bands[bands["level"] == "95%"], bands[bands["level"] == "80%"]
    assert np.all(wide["upper"].to_numpy() >= narrow["upper"].to_numpy())
    assert wide["shade"].iloc[0] < narrow["shade"].iloc[0]  # the wider band is lighter
    s = spec(charts.forecast_chart(result))
    assert any(layer["mark"]["type"] == "area" for layer in s["layer"])
    assert "conformal prediction intervals" in " ".join(s["title"]["subtitle"])
    assert interval_frame(make_result()).empty
    assert not any(layer["mark"]["type"] == "area" for layer in spec(charts.forecast_chart(make_result()))["layer"])


def test_overview_chart_places_models_by_cost_and_error_with_memory_and_spread():
    from forecasting.charts.overview import MIN_SECONDS, overview_chart, overview_frame

    result = make_result()
    result.models["lstm"].metrics_std = {"mase": 0.1}
    result.models["seasonal_naive"].fit_seconds = 0.0
    frame = overview_frame(result).set_index("name")
    assert set(frame.index) == {"lstm", "esn", "seasonal_naive"}  # the failed GRU has no point
    assert frame.loc["lstm", "low"] == pytest.approx(0.6) and frame.loc["lstm", "high"] == pytest.approx(0.8)
    assert frame.loc["esn", "spread"] == 0.0 and frame.loc["esn", "memory"] == 20  # inf: the last lag measured
    assert frame.loc["seasonal_naive", "seconds"] == MIN_SECONDS  # a log axis cannot show 0 s
    assert "h > 20 steps" in frame.loc["esn", "text"]
    s = spec(overview_chart(result))
    points = next(layer for layer in s["layer"] if layer["mark"]["type"] == "circle")
    assert points["encoding"]["x"]["scale"]["type"] == "log" and points["encoding"]["size"]["field"] == "memory"
    assert [layer["mark"]["type"] for layer in s["layer"]] == ["rule", "circle", "text"]


def _sweep_result(two_axes: bool = True):
    from forecasting.sweep import SweepCell, SweepResult, SweepSpec, parse_axis

    spec = SweepSpec("esn", parse_axis("spectral_radius=0.5,0.9"), parse_axis("leak_rate=0.2,1") if two_axes else None)
    cells = []
    for i, (x, y) in enumerate(spec.cells()):
        cells.append(SweepCell(x=x, y=y, params=spec.changes(x, y), validation={"nrmse": 1.0 - 0.1 * i},
                               memory_horizon=math.inf if i == 0 else 5.0 * (i + 1), memory_capacity=2.0 + i,
                               sensitivity_profile=[0.5 ** k for k in range(30)]))
    cells[-1].error, cells[-1].validation = "boom", {}
    split = {"n": 100, "train_end": 60, "val_end": 90, "train_size": 60, "validation_size": 30, "test_size": 10}
    return SweepResult(spec=spec, cells=cells, split=split, horizon=10, window=10, windows=3,
                       preprocessing="standardise")


def test_sweep_heatmaps_ring_the_best_cell_and_click_select_cells():
    from forecasting.charts.sweep import sweep_charts, sweep_frame

    result = _sweep_result()
    frame = sweep_frame(result)
    best = frame[frame["best"]]
    assert len(best) == 1 and best["score"].iloc[0] == pytest.approx(0.8)  # the failed cell never wins
    assert frame["memory_horizon"].iloc[0] == 30 and frame["beyond"].iloc[0]  # inf: the last lag measured
    figures = [spec(c) for c in sweep_charts(result)]
    assert len(figures) == 3 and all(f["autosize"]["type"] == "pad" for f in figures)
    assert all(any(p["name"] == "cell" for p in all_params(f)) for f in figures)
    assert [layer["mark"]["type"] for layer in figures[0]["layer"]] == ["rect", "point"]


def test_one_axis_sweeps_draw_curves_and_each_cells_sensitivity_profile():
    from forecasting.charts.sweep import profile_frame, sweep_charts

    result = _sweep_result(two_axes=False)
    figures = sweep_charts(result)
    assert len(figures) == 4 and spec(figures[-1])["encoding"]["y"]["scale"]["type"] == "log"
    assert set(profile_frame(result)["value"]) == {0.5, 0.9}
    assert spec(figures[0])["layer"][0]["mark"]["type"] == "line"
