"""The data overview's chart as a plain Vega-Lite dict (forecasting/charts/series_spec.py): the same picture as
the Altair builder it replaces on the first page, built without pandas, numpy or Altair."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from forecasting import charts
from forecasting.charts._common import PART_COLORS
from forecasting.charts.series_spec import PART_COLORS as SPEC_PART_COLORS
from forecasting.charts.series_spec import axis_kind, series_spec, thin_positions
from forecasting.comparison import index_labels
from forecasting.examples import load_example

ROOT = Path(__file__).resolve().parents[2]


def altair_spec(values, labels, name, split) -> dict:
    return json.loads(charts.series_chart(values, labels, name, split=split).to_json())


def without_data(layer: dict) -> dict:
    return {k: v for k, v in layer.items() if k not in ("data", "name")}


def altair_rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


@pytest.mark.parametrize("example", ["air_passengers", "sunspots", "electricity"])
def test_the_dict_spec_draws_what_the_altair_chart_draws(example):
    series = load_example(example)
    labels = index_labels(series.index)
    split = {"train_end": len(series) - 40, "val_end": len(series) - 12}
    ours = json.loads(json.dumps(series_spec(series.values, labels, series.name, split=split)))
    theirs = altair_spec(series.values, labels, series.name, split)
    assert [without_data(layer) for layer in ours["layer"]] == [without_data(layer) for layer in theirs["layer"]]
    for mine, other in zip(ours["layer"], theirs["layer"], strict=True):
        assert mine["data"]["values"] == altair_rows(theirs, other)
    for key in ("height", "autosize", "title"):
        assert ours[key] == theirs[key], key
    zoom, = ours["params"]
    assert zoom["bind"] == "scales" and zoom["select"] == theirs["params"][0]["select"]
    assert zoom["views"] == [ours["layer"][1]["name"]]


def test_a_long_series_is_thinned_keeping_every_bucket_extreme_and_says_so():
    values = np.cumsum(np.random.default_rng(0).standard_normal(17_520))
    for n in (5, 2000, 2001, 2003, 4097, 17_520):
        keep = thin_positions(list(values[:n]))
        assert keep == sorted(set(keep)) and keep[0] == 0 and keep[-1] == n - 1 and len(keep) <= 2000, n
        edges = np.linspace(1, n - 1, 2000 // 2).astype(int) if n > 2000 else []
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):  # the low and the high of each bucket drawn
            if hi > lo:
                assert lo + int(np.argmin(values[lo:hi])) in keep and lo + int(np.argmax(values[lo:hi])) in keep
    spec = series_spec(list(values), list(range(len(values))), "demand")
    assert len(spec["layer"][0]["data"]["values"]) <= 2000
    assert spec["title"]["subtitle"][1].startswith("Showing")


def test_axis_types_and_mismatched_input():
    assert axis_kind([1, 2, 3]) == "Q"
    assert axis_kind(["1949-01-01T00:00:00", "1949-02-01T00:00:00"]) == "T"
    assert axis_kind(["a", "b"]) == "O"
    with pytest.raises(ValueError, match="2 values but 3 labels"):
        series_spec([1.0, 2.0], [0, 1, 2])


def test_without_a_split_there_is_one_layer_and_the_colours_match_the_other_charts():
    spec = series_spec([1.0, 2.0, 3.0], [0, 1, 2], "y")
    assert len(spec["layer"]) == 1 and spec["layer"][0]["mark"]["type"] == "line"
    assert SPEC_PART_COLORS == PART_COLORS


def test_the_spec_module_imports_nothing_heavy():
    code = ("import sys\nimport forecasting.charts.series_spec\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'altair', 'pyarrow')))")
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
