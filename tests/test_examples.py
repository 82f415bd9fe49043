"""Tests for the bundled examples, their data files and the Mackey-Glass generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError, SettingsError
from forecasting.examples import DATA_DIR, DEFAULT_EXAMPLE, EXAMPLES, example_path, load_example
from forecasting.mackey_glass import DATA_FILE, mackey_glass, main, write_csv

EXPECTED = {
    "air_passengers": (144, "MS", 12, "1949-01-01"),
    "sunspots": (289, "YS", 1, "1700-01-01"),
    "gas": (476, "MS", 12, "1956-01-01"),
    "electricity": (17_520, "30min", 48, "2014-01-01 00:00"),
    "treering": (7_980, "year", 1, -6000),
    "mackey_glass": (5_000, None, 1, 0),
}


def test_every_example_is_expected() -> None:
    assert set(EXAMPLES) == set(EXPECTED)
    assert DEFAULT_EXAMPLE in EXAMPLES
    for key, example in EXAMPLES.items():
        assert example.key == key and example.title and example.description
        assert "\n" not in example.description


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_examples_load_with_the_right_length(key: str) -> None:
    length, frequency, season, first = EXPECTED[key]
    series = load_example(key)
    assert len(series) == length
    assert series.frequency == frequency and series.season_length == season
    assert series.name == EXAMPLES[key].column and series.time_column == EXAMPLES[key].time_column
    assert series.filled_missing == 0 and np.all(np.isfinite(series.values))
    expected_first = pd.Timestamp(first) if isinstance(first, str) else first
    assert series.index[0] == expected_first


def test_example_path_is_inside_the_repository_data_folder() -> None:
    for key in EXAMPLES:
        path = example_path(key)
        assert path.is_file() and path.parent == DATA_DIR
    assert DATA_DIR == Path(__file__).resolve().parent.parent / "data"


def test_overrides_reach_the_loader() -> None:
    series = load_example("electricity", column="temperature_c", season_length=336)
    assert series.name == "temperature_c" and series.season_length == 336
    assert load_example("air_passengers", frequency="D").season_length == 7


def test_unknown_example() -> None:
    with pytest.raises(InputError, match="air_passengers"):
        load_example("nope")
    with pytest.raises(InputError):
        example_path("nope")


def test_data_readme_documents_every_file() -> None:
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    for path in DATA_DIR.glob("*.csv"):
        assert path.name in readme
    for phrase in ("Box", "Tong", "Australian Bureau of Statistics", "Australian Energy Market Operator",
                   "Graybill", "tau = 17", "GPL"):
        assert phrase in readme


def test_mackey_glass_is_deterministic_and_matches_the_bundled_file() -> None:
    first, second = mackey_glass(5000), mackey_glass(5000)
    assert np.array_equal(first, second)
    bundled = pd.read_csv(DATA_FILE)
    assert list(bundled.columns) == ["step", "value"]
    assert np.array_equal(bundled["step"].to_numpy(), np.arange(5000))
    assert np.array_equal(bundled["value"].to_numpy(), first)


def test_mackey_glass_looks_like_the_benchmark() -> None:
    x = mackey_glass(3000)
    assert 0.3 < x.min() < 0.6 and 1.2 < x.max() < 1.45  # the tau=17 attractor range
    assert not np.allclose(x[:1000], x[1000:2000])  # chaotic, not periodic with period 1000
    assert mackey_glass(10, discard=5)[0] == mackey_glass(15, discard=0)[5]


@pytest.mark.parametrize(
    "kwargs",
    [{"n_points": 0}, {"n_points": 10, "tau": 1.05}, {"n_points": 10, "integration_step": 0},
     {"n_points": 10, "discard": -1}, {"n_points": 10, "sample_step": 0.25}],
)
def test_mackey_glass_rejects_bad_settings(kwargs: dict) -> None:
    with pytest.raises(SettingsError):
        mackey_glass(**kwargs)


def test_write_csv_and_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "mg.csv", n_points=50)
    assert np.array_equal(pd.read_csv(path)["value"].to_numpy(), mackey_glass(50))
    main(["--points", "20", "--output", str(tmp_path / "cli.csv")])
    assert "wrote 20 points" in capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "cli.csv")) == 20
