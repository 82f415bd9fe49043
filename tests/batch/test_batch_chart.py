"""The MASE-across-series chart: one point per (series, model), log axis, models in the given order."""

from __future__ import annotations

import json

import pandas as pd

from forecasting.charts.batch import MASE_FLOOR, mase_box_chart, mase_frame

RESULTS = pd.DataFrame({
    "series_id": ["a", "a", "b", "b", "c", "c"],
    "model": ["esn", "naive", "esn", "naive", "esn", None],
    "ok": [True, True, True, False, True, False],
    "mase": [0.5, 2.0, 0.0, None, float("inf"), None],
})


def test_frame_keeps_finite_successful_scores_and_floors_zero() -> None:
    frame = mase_frame(RESULTS)
    assert list(zip(frame["series"], frame["model"].astype(str), frame["mase"], strict=True)) == [
        ("a", "esn", 0.5), ("b", "esn", MASE_FLOOR), ("a", "naive", 2.0)]


def test_chart_spec_has_a_log_axis_points_with_the_series_and_the_order_given() -> None:
    spec = mase_box_chart(RESULTS, order=["naive", "esn"]).to_dict()
    text = json.dumps(spec)
    assert '"type": "log"' in text and '"boxplot"' in text and '"series"' in text
    layers = spec["layer"]
    assert layers[1]["encoding"]["y"]["sort"] == ["naive", "esn"]
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 3
