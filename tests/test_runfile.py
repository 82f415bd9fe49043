"""Run files are untrusted input: a schema (known keys, types, ranges, work caps) and only typed errors escape."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.comparison import CompareConfig
from forecasting.errors import ForecastingError, InputError, SettingsError
from forecasting.loading import series_from_values
from forecasting.runfile import (
    RUN_FILE_MAXIMA,
    check_fingerprint,
    make_run_file,
    read_run_file,
)

SERIES = series_from_values(np.sin(np.arange(60) / 4.0) + 2.0, name="wave")
VALID = make_run_file({"example": "air_passengers", "column": "passengers", "time_column": "month"}, SERIES,
                      CompareConfig(models=("esn", "naive"), params={"esn": {"units": 50}}, seeds=2))


def with_change(path: str, value: object) -> dict:
    """A copy of the valid run file with one key (``section.key`` or ``key``) set to ``value``."""
    document = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target = document
    for key in parents:
        target = target[key]
    target[last] = value
    return document


def test_a_run_file_written_by_the_app_reads_back_to_the_same_config():
    source, config = read_run_file(json.dumps(VALID))
    assert source["example"] == "air_passengers" and config.seeds == 2 and config.params == {"esn": {"units": 50}}
    check_fingerprint(source, SERIES)


@pytest.mark.parametrize(("path", "value", "message"), [
    ("config.seeds", "3", "config.seeds must be a whole number"),
    ("config.seeds", 2.5, "config.seeds must be a whole number"),
    ("config.seeds", True, "config.seeds must be a whole number"),
    ("config.seeds", 0, "at least 1"),
    ("config.seeds", RUN_FILE_MAXIMA["seeds"] + 1, "at most"),
    ("config.backtest", 10**9, "at most"),
    ("config.horizon", [12], "whole number"),
    ("config.time_budget_s", -1, "above 0"),
    ("config.memory", "yes", "true or false"),
    ("config.log", "maybe", "true, false or \"auto\""),
    ("config.models", "esn", "non-empty list"),
    ("config.models", ["esn", "esn"], "twice"),
    ("config.models", ["prophet"], "Unknown model"),
    ("config.colour", 1, "Unknown key"),
    ("config.params", {"esn": {"units": "500"}}, "esn.units must be a int"),
    ("config.params", {"esn": {"units": RUN_FILE_MAXIMA["units"] + 1}}, "at most|above the most"),
    ("config.params", {"lstm": {"max_epochs": RUN_FILE_MAXIMA["max_epochs"] + 1}}, "above the most"),
    ("config.params", {"esn": {"colour": 1}}, "Unknown hyperparameter"),
    ("config.params", {"esn": [1]}, "must be an object"),
    ("data.example", "/etc/passwd", "not bundled"),
    ("data.example", "../data/air_passengers.csv", "not bundled"),
    ("data.fingerprint", None, "fingerprint is missing"),
    ("data.fingerprint", "abc", "fingerprint is missing or malformed"),
    ("data.season_length", "12", "whole number"),
    ("data.secret", 1, "Unknown key"),
    ("extra", 1, "Unknown key"),
    ("version", "1", "not supported"),
])
def test_a_bad_value_is_refused_with_a_message_naming_it(path, value, message):
    with pytest.raises(ForecastingError, match=message):
        read_run_file(json.dumps(with_change(path, value)))


def test_the_data_must_be_one_of_an_example_or_a_bare_file_name():
    with pytest.raises(InputError, match="either a bundled"):
        read_run_file(json.dumps(with_change("data.filename", "mine.csv")))
    document = with_change("data.example", None)
    document["data"]["filename"] = "/home/someone/secret.csv"
    with pytest.raises(InputError, match="bare file name"):
        read_run_file(json.dumps(document))
    document["data"]["filename"] = "sales.csv"
    assert read_run_file(json.dumps(document))[0]["filename"] == "sales.csv"


def test_non_standard_json_and_oversize_files_are_refused():
    with pytest.raises(InputError, match="not valid JSON"):
        read_run_file(json.dumps(VALID).replace('"seeds": 2', '"seeds": NaN'))
    with pytest.raises(InputError, match="larger than"):
        read_run_file(b" " * 2_000_000)
    with pytest.raises(InputError, match="not valid JSON"):
        read_run_file("[" * 100_000)


def test_the_fingerprint_is_required_and_checked():
    with pytest.raises(InputError, match="no data fingerprint"):
        check_fingerprint({}, SERIES)
    other = series_from_values(np.cos(np.arange(60) / 4.0) + 2.0)
    with pytest.raises(InputError, match="fingerprint mismatch"):
        check_fingerprint({"fingerprint": SERIES.fingerprint()}, other)


def test_make_run_file_keeps_only_the_file_name_not_its_path():
    made = make_run_file({"filename": "/tmp/x/sales.csv"}, SERIES, CompareConfig())
    assert made["data"]["filename"] == "sales.csv"


JSON_SCALARS = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=12)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
PATHS = st.sampled_from([
    "format", "version", "data", "config", "data.example", "data.filename", "data.column", "data.time_column",
    "data.season_length", "data.frequency", "data.fingerprint", "data.length", "config.horizon",
    "config.validation_size", "config.models", "config.params", "config.seeds", "config.base_seed",
    "config.backtest", "config.season_length", "config.log", "config.difference", "config.seasonal_difference",
    "config.memory", "config.time_budget_s", "config.params.esn", "config.params.esn.units",
    "config.params.esn.leak_rate", "config.params.naive",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PATHS, JSON_VALUES), min_size=1, max_size=4))
def test_random_run_files_raise_only_typed_errors(changes):
    document = copy.deepcopy(VALID)
    for path, value in changes:
        *parents, last = path.split(".")
        target = document
        for key in parents:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[last] = value
    try:
        source, config = read_run_file(json.dumps(document))
    except (InputError, SettingsError):
        return
    config.validate()  # whatever is accepted is a usable, capped config
    assert 1 <= config.seeds <= RUN_FILE_MAXIMA["seeds"] and 1 <= config.backtest <= RUN_FILE_MAXIMA["backtest"]
    assert source.get("example") in (None, "air_passengers", "sunspots", "gas", "electricity", "treering",
                                     "mackey_glass")


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
def test_any_json_document_raises_only_typed_errors(value):
    try:
        read_run_file(json.dumps(value))
    except (InputError, SettingsError):
        pass
