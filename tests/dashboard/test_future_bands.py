"""Bands on the future forecast: the comparison's calibrated per-step widths of the same model, or a reason."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.summary import future_table
from forecasting import charts
from forecasting.future import FutureForecast, band_columns, future_intervals, with_band_columns
from forecasting.results import ModelResult

ROOT = Path(__file__).resolve().parents[2]


def _entry(level: float, widths: list[float]) -> dict:
    """A stored band around a flat forecast of 10 (the comparison's test forecast), as the comparison keeps it."""
    forecast, width = np.full(len(widths), 10.0), np.asarray(widths)
    return {"level": level, "windows": 25, "lower": (forecast - width).tolist(),
            "upper": (forecast + width).tolist(), "half_width": list(widths)}


def _calibrated(widths80: list[float], reason95: str | None = None) -> ModelResult:
    """A model result whose comparison stored an 80% band of ``widths80`` and a 95% band (twice as wide) or
    the reason it has none."""
    intervals = {"80": _entry(0.8, widths80),
                 "95": ({"level": 0.95, "windows": 5, "reason": reason95} if reason95
                        else _entry(0.95, [2 * w for w in widths80]))}
    return ModelResult(name="drift", label="Drift", extras={"intervals": intervals})


def test_each_future_step_gets_the_width_calibrated_for_that_step():
    bands, note = future_intervals([100.0, 101.0, 102.0], _calibrated([1.0, 2.0, 3.0, 4.0]))
    assert note == ""
    assert bands["80"]["lower"] == [99.0, 99.0, 99.0] and bands["80"]["upper"] == [101.0, 103.0, 105.0]
    assert bands["95"]["half_width"] == [2.0, 4.0, 6.0] and bands["80"]["windows"] == 25


def test_steps_past_the_calibrated_horizon_get_no_band_and_a_note():
    bands, note = future_intervals([5.0] * 6, _calibrated([1.0, 1.5, 2.0, 2.5]))
    assert len(bands["80"]["lower"]) == 4 and len(bands["95"]["upper"]) == 4
    assert "calibrated for 4 steps ahead" in note and "steps 5-6 have no band" in note


def test_a_level_with_too_few_windows_and_an_uncalibrated_model_say_why():
    reason = "Only 5 calibration windows: a 95% band needs at least 19."
    bands, note = future_intervals([1.0, 2.0], _calibrated([0.5, 0.5], reason95=reason))
    assert "lower" in bands["80"] and "lower" not in bands["95"] and bands["95"]["reason"] == reason
    assert note == f"no 95% band: {reason}"
    ensemble = ModelResult(name="ensemble", label="Ensemble")
    bands, note = future_intervals([1.0, 2.0], ensemble)
    assert bands == {} and "Ensemble has no calibrated interval" in note
    assert future_intervals([1.0], None)[0] == {}


def _future(name: str, values: list[float], intervals: dict | None = None) -> FutureForecast:
    return FutureForecast(model_name=name, values=values, index=[10 + i for i in range(len(values))], seeds=[0],
                          intervals=intervals or {})


def test_csv_columns_carry_every_band_and_leave_uncalibrated_steps_empty():
    bands, _ = future_intervals([5.0, 6.0, 7.0], _calibrated([1.0, 2.0]))
    forecasts = [_future("drift", [5.0, 6.0, 7.0], bands), _future("ensemble", [4.0, 4.0, 4.0])]
    table = with_band_columns(future_table(forecasts), forecasts)
    assert list(table.columns) == ["time", "drift", "ensemble", "drift_lower_80", "drift_upper_80",
                                   "drift_lower_95", "drift_upper_95"]
    assert table["drift_lower_80"].tolist()[:2] == [4.0, 4.0] and np.isnan(table["drift_lower_80"].iloc[2])
    assert "drift_upper_95,drift" not in table.to_csv(index=False)
    plain = [_future("ensemble", [4.0, 4.0])]
    assert band_columns(plain).empty and list(with_band_columns(future_table(plain), plain).columns) == [
        "time", "ensemble"]


def test_future_chart_shades_the_bands_and_says_where_they_come_from():
    bands, _ = future_intervals([5.0, 6.0], _calibrated([1.0, 2.0]))
    banded = charts.future_chart([1.0, 2.0, 3.0], [7, 8, 9], [_future("drift", [5.0, 6.0], bands)],
                                 {"drift": "Drift"})
    s = json.loads(banded.to_json())
    assert [layer["mark"]["type"] for layer in s["layer"]] == ["area", "line"]
    area = [row for data in s["datasets"].values() for row in data if "lower" in row]
    assert sorted((r["level"], r["x"], r["lower"], r["upper"]) for r in area) == [
        ("80%", 10, 4.0, 6.0), ("80%", 11, 4.0, 8.0), ("95%", 10, 3.0, 7.0), ("95%", 11, 2.0, 10.0)]
    assert any("Bands: conformal intervals (80%, 95%)" in line for line in s["title"]["subtitle"])
    plain = json.loads(charts.future_chart([1.0], [0], [SimpleNamespace(model_name="x", values=[2.0],
                                                                        index=[1])]).to_json())
    assert [layer["mark"]["type"] for layer in plain["layer"]] == ["line"]


@pytest.fixture(scope="module")
def future_app() -> AppTest:
    """The default example compared with naive, drift and the ensemble, then Drift and the ensemble forecast
    6 steps past the end (the comparison's horizon is 12)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.multiselect(key="models").set_value(["naive", "drift", "ensemble"]).run()
    at.button(key="fit").click().run()
    assert at.session_state[state.JOB].wait(300)
    at.run()
    at.multiselect(key="future_models").set_value(["drift", "ensemble"]).run()
    at.number_input(key="future_horizon").set_value(6).run()
    at.button(key="future_run").click().run()
    assert not at.exception, at.exception
    return at


def test_future_view_draws_the_calibrated_bands_of_each_model_the_ensemble_too(future_app):
    at = future_app
    forecasts = at.session_state[state.FUTURE]["forecasts"]
    models = at.session_state[state.RECORD].result.models
    for future in forecasts:  # the comparison's per-step widths, first 6 steps, around the future values
        stored = models[future.model_name].extras["intervals"]
        for key in ("80", "95"):
            width = np.asarray(stored[key]["half_width"][:6])
            assert np.allclose(future.intervals[key]["lower"], np.asarray(future.values) - width)
            assert np.allclose(future.intervals[key]["upper"], np.asarray(future.values) + width)
        assert future.interval_note == ""
    spec = next(json.loads(c.proto.spec) for c in at.get("vega_lite_chart")
                if json.loads(c.proto.spec).get("title", {}).get("text") == "Forecast beyond the data")
    assert spec["layer"][0]["mark"]["type"] == "area"
    assert any("Bands: conformal intervals (80%, 95%)" in line for line in spec["title"]["subtitle"])
    record = at.session_state[state.RECORD]
    area = charts.future.future_band_frame(record.series.values, record.result.index, forecasts,
                                           {"drift": "Drift", "ensemble": "Ensemble"})
    assert set(area["series"]) == {"Drift", "Ensemble"} and len(area) == 24  # 6 steps x 2 levels x 2 models
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Bands (Drift") and "same model with the same settings" in c for c in captions)


def test_future_view_says_which_steps_have_no_band_past_the_calibrated_horizon(future_app):
    at = future_app
    at.multiselect(key="future_models").set_value(["drift"]).run()
    at.number_input(key="future_horizon").set_value(15).run()
    at.button(key="future_run").click().run()
    assert not at.exception
    (drift,) = at.session_state[state.FUTURE]["forecasts"]
    assert len(drift.values) == 15 and len(drift.intervals["80"]["lower"]) == 12
    assert any("calibrated for 12 steps ahead" in c.value and "steps 13-15 have no band" in c.value
               for c in at.caption)
