"""Tests for forecasting.loading: formats, encodings, quirks, typed errors, inference and overrides."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.errors import InputError, SettingsError
from forecasting.loading import (
    LoadedSeries,
    load_series,
    read_table,
    season_length_for,
    series_from_frame,
    series_from_values,
)

DATA = Path(__file__).resolve().parents[2] / "data"
MONTHS = pd.date_range("2000-01-01", periods=24, freq="MS")
VALUES = [float(10 + i + (i % 12) * 3) for i in range(24)]


def monthly_csv(sep: str = ",", decimal: str = ".") -> str:
    """A 24-month CSV text with a header."""
    rows = [f"month{sep}sales"]
    rows += [f"{d:%Y-%m}{sep}{str(v).replace('.', decimal)}" for d, v in zip(MONTHS, VALUES, strict=True)]
    return "\n".join(rows) + "\n"


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def assert_monthly(series: LoadedSeries, name: str = "sales") -> None:
    assert isinstance(series, LoadedSeries)
    assert series.name == name
    assert len(series) == 24
    np.testing.assert_allclose(series.values, VALUES)
    assert series.values.dtype == np.float64
    assert isinstance(series.index, pd.DatetimeIndex) and series.index.tz is None
    assert list(series.index) == list(MONTHS)
    assert series.frequency == "MS"
    assert series.season_length == 12


# --------------------------------------------------------------------------- formats and sources


def test_csv_with_header(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv()))
    assert_monthly(series)
    assert series.time_column == "month"
    assert series.value_columns == ["sales"] and series.time_columns == ["month"]
    assert series.filled_missing == 0


def test_tsv(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.tsv", monthly_csv("\t")))
    assert_monthly(series)
    assert any("tab" in note for note in series.notes)


def test_sources_path_str_bytes_and_file_like(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", monthly_csv())
    expected = load_series(path).fingerprint()
    assert load_series(str(path)).fingerprint() == expected
    assert load_series(path.read_bytes()).fingerprint() == expected
    assert load_series(io.BytesIO(path.read_bytes()), filename="s.csv").fingerprint() == expected
    with open(path, "rb") as handle:
        assert load_series(handle).fingerprint() == expected


def test_plain_text_one_number_per_line(tmp_path: Path) -> None:
    numbers = [1.5, 2.25, 3.0, 2.0, 5.5, 4.0, 7.0, 6.0, 8.0, 9.5, 11.0, 10.0]
    series = load_series(write(tmp_path, "s.txt", "\n".join(map(str, numbers)) + "\n"))
    np.testing.assert_allclose(series.values, numbers)
    assert series.name == "value"
    assert series.time_column is None and series.frequency is None and series.season_length == 1
    assert list(series.index) == list(range(12))
    assert any("no header" in note for note in series.notes)


def test_headerless_date_value_csv(tmp_path: Path) -> None:
    text = "\n".join(f"{d:%Y-%m-%d},{v}" for d, v in zip(MONTHS, VALUES, strict=True))
    series = load_series(write(tmp_path, "s.csv", text))
    assert_monthly(series, name="column_2")
    assert series.time_column == "column_1"


def test_excel_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"month": MONTHS, "sales": VALUES}).to_excel(writer, sheet_name="data", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="other", index=False)
    series = load_series(path)
    assert_monthly(series)
    assert any("first sheet 'data' of 2" in note for note in series.notes)


def test_excel_without_header(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    pd.DataFrame({"a": VALUES}).to_excel(path, header=False, index=False, engine="openpyxl")
    series = load_series(path.read_bytes())
    np.testing.assert_allclose(series.values, VALUES)


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pd.DataFrame({"month": MONTHS, "sales": VALUES}).to_parquet(path)
    series = load_series(path)
    assert_monthly(series)
    assert series.fingerprint() == load_series(write(tmp_path, "s.csv", monthly_csv())).fingerprint()


def test_parquet_with_datetime_index(tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pd.DataFrame({"sales": VALUES}, index=pd.DatetimeIndex(MONTHS, name="month")).to_parquet(path)
    assert_monthly(load_series(path))


def test_read_table_returns_named_frame(tmp_path: Path) -> None:
    frame = read_table(write(tmp_path, "s.csv", monthly_csv(";", ",")))
    assert list(frame.columns) == ["month", "sales"]
    assert len(frame) == 24


# --------------------------------------------------------------------------- separators, decimals, encodings


def test_semicolon_with_decimal_commas(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv(";", ",")))
    assert_monthly(series)


def test_single_column_decimal_commas(tmp_path: Path) -> None:
    numbers = [1.5, 2.25, 3.125, 2.0, 5.5, 4.75, 7.0, 6.5, 8.0, 9.5, 11.0, 10.25]
    text = "value\n" + "\n".join(str(v).replace(".", ",") for v in numbers)
    np.testing.assert_allclose(load_series(write(tmp_path, "s.txt", text)).values, numbers)


def test_quoted_numbers_with_thousands_separators(tmp_path: Path) -> None:
    big = [1234.5, 2345678.0, 1500.0, 987.25, 12000.0, 13250.0, 14000.0, 1999.0, 2500.0, 3100.0, 4000.5, 5000.0]
    text = "day,amount\n" + "\n".join(
        f'2021-01-{i + 1:02d},"{v:,}"' for i, v in enumerate(big)
    )
    series = load_series(write(tmp_path, "s.csv", text))
    np.testing.assert_allclose(series.values, big)
    assert series.frequency == "D" and series.season_length == 7


def test_european_thousands_in_semicolon_file(tmp_path: Path) -> None:
    big = [1234.5, 2345678.0, 1500.0, 987.25, 12000.0, 13250.0, 14000.0, 1999.0, 2500.0, 3100.0]
    cells = [f"{v:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") for v in big]
    text = "amount\n" + "\n".join(cells)
    np.testing.assert_allclose(load_series(write(tmp_path, "s.csv", text)).values, big)


def test_ambiguous_comma_thousands_follows_separator(tmp_path: Path) -> None:
    cells = ["1,250", "2,500", "3,125", "4,500", "5,750", "6,125", "7,250", "8,500", "9,750", "1,125"]
    comma = "x\n" + "\n".join(f'"{c}"' for c in cells)
    semicolon = "t;x\n" + "\n".join(f"{i};{c}" for i, c in enumerate(cells))
    assert load_series(write(tmp_path, "a.csv", comma)).values[0] == 1250.0
    assert load_series(write(tmp_path, "b.csv", semicolon)).values[0] == 1.25


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-le", b""), ("latin-1", b"")],
)
def test_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = monthly_csv().replace("sales", "température")
    series = load_series(write(tmp_path, "s.csv", prefix + text.encode(encoding)))
    assert_monthly(series, name="température")


def test_utf16_tab_separated_excel_export(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.txt", monthly_csv("\t"), encoding="utf-16"))
    assert_monthly(series)
    assert any("UTF-16" in note for note in series.notes)


def test_windows_line_endings(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv().replace("\n", "\r\n")))
    assert_monthly(series)
    assert any("line endings" in note for note in series.notes)


def test_comment_lines_are_skipped(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", "# exported by a tool\n" + monthly_csv()))
    assert_monthly(series)
    assert any("comment" in note for note in series.notes)


# --------------------------------------------------------------------------- row quirks


def test_shuffled_rows_are_sorted(tmp_path: Path) -> None:
    lines = monthly_csv().strip().split("\n")
    body = lines[1:]
    order = np.random.default_rng(0).permutation(len(body))
    series = load_series(write(tmp_path, "s.csv", "\n".join([lines[0]] + [body[i] for i in order])))
    assert_monthly(series)
    assert any("sorted" in note for note in series.notes)


def test_footer_rows_are_dropped(tmp_path: Path) -> None:
    text = monthly_csv() + f"Total,{sum(VALUES)}\nSource: made up for a test\n"
    series = load_series(write(tmp_path, "s.csv", text))
    assert_monthly(series)
    note = next(n for n in series.notes if "footer" in n)
    assert "2 trailing" in note and "Total" in note


def test_footer_in_single_column_file(tmp_path: Path) -> None:
    text = "\n".join(map(str, VALUES)) + "\nTotal: 1234\n"
    series = load_series(write(tmp_path, "s.txt", text))
    np.testing.assert_allclose(series.values, VALUES)


def test_unbalanced_quote_only_affects_its_line(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv().replace("2000-03,", '2000-03,"')))
    assert_monthly(series)
    assert any("unbalanced" in note for note in series.notes)


def test_ragged_row_does_not_change_the_default_column(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv().replace("2000-03,18.0", "2000-03,18.0,7")))
    assert_monthly(series)
    assert series.value_columns == ["sales", "unnamed_3"]


def test_bad_date_cell_leaves_a_note(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", monthly_csv().replace("2000-03,", "2000-3x,")))
    assert series.time_column is None and len(series) == 24
    assert any("looks like dates" in note and "2000-3x" in note for note in series.notes)


def test_text_in_the_middle_is_an_error(tmp_path: Path) -> None:
    lines = monthly_csv().split("\n")
    lines[5] = "2000-05,oops"
    with pytest.raises(InputError, match=r"not numeric.*'oops'"):
        load_series(write(tmp_path, "s.csv", "\n".join(lines)))


def test_missing_values_are_interpolated_and_counted(tmp_path: Path) -> None:
    days = pd.date_range("2021-01-01", periods=12, freq="D")
    cells = ["1", "2", "", "4", "NA", "6", "7", "n/a", "", "10", "11", "12"]
    text = "date,v\n" + "\n".join(f"{d:%Y-%m-%d},{c}" for d, c in zip(days, cells, strict=True))
    series = load_series(write(tmp_path, "s.csv", text))
    assert series.filled_missing == 4
    np.testing.assert_allclose(series.values, np.arange(1, 13))
    assert any("Filled 4 missing" in note for note in series.notes)


def test_interpolation_is_in_time_not_by_position() -> None:
    days = [1, 2, 4, 10] + list(range(11, 19))
    index = pd.DatetimeIndex([f"2021-01-{d:02d}" for d in days])
    values = np.array(days, dtype=float)
    values[2] = np.nan  # 2021-01-04 lies 2 of the 8 days from the 2nd to the 10th: time gives 4, position 6
    series = series_from_values(values, index)
    assert series.frequency is None and series.filled_missing == 1
    assert series.values[2] == pytest.approx(4.0)


def test_inserted_gaps_are_interpolated() -> None:
    index = pd.DatetimeIndex(["2021-01-01", "2021-01-02", "2021-01-04"] + [f"2021-01-{d:02d}" for d in range(5, 14)])
    values = np.arange(12, dtype=float) * 2.0
    values[2] = np.nan
    series = series_from_values(values, index)
    # 2021-01-03 is inserted (a regular daily series with one day absent); it and 01-04 are interpolated.
    assert series.frequency == "D" and len(series) == 13 and series.filled_missing == 2
    np.testing.assert_allclose(series.values[:5], [0.0, 2.0, 10 / 3, 14 / 3, 6.0])


def test_leading_and_trailing_missing_values_are_dropped(tmp_path: Path) -> None:
    text = "v\nNA\n" + "\n".join(map(str, VALUES)) + "\n\"\"\nNA\n"
    series = load_series(write(tmp_path, "s.csv", text))
    np.testing.assert_allclose(series.values, VALUES)
    assert series.filled_missing == 0
    assert any("leading" in note for note in series.notes)


def test_gaps_in_regular_monthly_series_are_filled(tmp_path: Path) -> None:
    lines = monthly_csv().strip().split("\n")
    del lines[5], lines[10]
    series = load_series(write(tmp_path, "s.csv", "\n".join(lines)))
    assert len(series) == 24 and series.frequency == "MS" and series.filled_missing == 2
    assert any("2 timestamp(s) were missing" in note for note in series.notes)


def test_irregular_spacing_has_no_frequency(tmp_path: Path) -> None:
    stamps = pd.to_datetime("2021-01-01") + pd.to_timedelta(np.cumsum([0, 1, 3, 7, 2, 9, 4, 1, 13, 5, 2, 8]), "D")
    text = "when,v\n" + "\n".join(f"{t:%Y-%m-%d},{i * 1.5}" for i, t in enumerate(stamps))
    series = load_series(write(tmp_path, "s.csv", text))
    assert series.frequency is None and series.season_length == 1
    assert any("irregular" in note for note in series.notes)


def test_mixed_time_zones_normalised_to_utc(tmp_path: Path) -> None:
    utc = pd.date_range("2021-03-27 20:00", periods=12, freq="h", tz="UTC")
    local = utc.tz_convert("Europe/Berlin")  # crosses the switch from +01:00 to +02:00
    text = "time,v\n" + "\n".join(f"{t.isoformat()},{i}" for i, t in enumerate(local))
    series = load_series(write(tmp_path, "s.csv", text))
    assert series.index.tz is None
    assert list(series.index) == list(utc.tz_localize(None))
    assert series.frequency == "h" and series.season_length == 24
    assert any("UTC" in note for note in series.notes)


def test_uniform_offset_keeps_local_times(tmp_path: Path) -> None:
    text = "month,v\n" + "\n".join(f"{d:%Y-%m-%d}T00:00:00+01:00,{v}" for d, v in zip(MONTHS, VALUES, strict=True))
    series = load_series(write(tmp_path, "s.csv", text))
    assert list(series.index) == list(MONTHS) and series.frequency == "MS"
    assert any("+0100" in note for note in series.notes)


def test_day_first_dates(tmp_path: Path) -> None:
    days = pd.date_range("2021-01-01", periods=20, freq="D")
    text = "date,v\n" + "\n".join(f"{d:%d/%m/%Y},{i}" for i, d in enumerate(days))
    series = load_series(write(tmp_path, "s.csv", text))
    assert list(series.index) == list(days) and series.frequency == "D"
    assert any("day/month/year" in note for note in series.notes)


def test_treering_negative_years(tmp_path: Path) -> None:
    text = "year,width\n" + "\n".join(f"{y},{1 + 0.1 * (y % 7)}" for y in range(-6000, -5980))
    series = load_series(write(tmp_path, "s.csv", text))
    assert list(series.index) == list(range(-6000, -5980))
    assert series.index.dtype == np.int64
    assert series.frequency == "year" and series.season_length == 1 and series.time_column == "year"
    assert any("integer years" in note for note in series.notes)


def test_representable_years_become_timestamps(tmp_path: Path) -> None:
    text = "Year,count\n" + "\n".join(f"{y},{(y * 37) % 11}" for y in range(1900, 1930))
    series = load_series(write(tmp_path, "s.csv", text))
    assert isinstance(series.index, pd.DatetimeIndex)
    assert series.index[0] == pd.Timestamp("1900-01-01") and series.frequency == "YS"


def test_step_counter_column_is_the_index(tmp_path: Path) -> None:
    text = "step,value\n" + "\n".join(f"{i},{np.sin(i)}" for i in range(30))
    series = load_series(write(tmp_path, "s.csv", text))
    assert series.name == "value" and series.time_column == "step"
    assert list(series.index) == list(range(30))


# --------------------------------------------------------------------------- column choice and overrides


def multi_column_csv() -> str:
    days = pd.date_range("2021-01-01", periods=14, freq="D")
    rows = ["label,date,load,temp"]
    rows += [f"x{i},{d:%Y-%m-%d},{100 + i * (i % 3)},{20 - i * 0.5}" for i, d in enumerate(days)]
    return "\n".join(rows)


def test_default_column_is_first_numeric_not_time(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", multi_column_csv()))
    assert series.name == "load" and series.time_column == "date"
    assert series.value_columns == ["load", "temp"] and series.time_columns == ["date"]


def test_explicit_column(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", multi_column_csv()), column="temp")
    assert series.name == "temp" and series.values[0] == 20.0


def test_time_column_false_gives_integer_index(tmp_path: Path) -> None:
    series = load_series(write(tmp_path, "s.csv", multi_column_csv()), time_column=False)
    assert series.time_column is None and list(series.index) == list(range(14))


def test_unknown_column_lists_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'nope' not found.*load, temp"):
        load_series(write(tmp_path, "s.csv", multi_column_csv()), column="nope")


def test_unknown_time_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"Time column 'when' not found"):
        load_series(write(tmp_path, "s.csv", multi_column_csv()), time_column="when")


def test_non_numeric_chosen_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'label' is not numeric"):
        load_series(write(tmp_path, "s.csv", multi_column_csv()), column="label")


def test_time_column_as_value_column(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is the time column"):
        load_series(write(tmp_path, "s.csv", multi_column_csv()), column="date")


def test_frequency_and_season_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "s.txt", "\n".join(str(v) for v in VALUES))
    daily = load_series(path, frequency="D")
    assert daily.frequency == "D" and daily.season_length == 7
    custom = load_series(path, season_length=5)
    assert custom.season_length == 5 and custom.frequency is None
    assert any("Season length set to 5" in note for note in custom.notes)
    monthly = load_series(write(tmp_path, "m.csv", monthly_csv()), frequency="QS")
    assert monthly.frequency == "QS" and monthly.season_length == 4
    assert any("suggest MS" in note for note in monthly.notes)


@pytest.mark.parametrize("kwargs", [{"frequency": "fortnightly"}, {"season_length": 0},
                                    {"season_length": 2.5}, {"max_points": 3}])
def test_bad_settings_raise_settings_error(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(SettingsError):
        load_series(write(tmp_path, "s.csv", monthly_csv()), **kwargs)


def test_season_longer_than_series_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="shorter than the series"):
        load_series(write(tmp_path, "s.csv", monthly_csv()), season_length=24)


@pytest.mark.parametrize(
    ("freq", "expected_alias", "season"),
    [("MS", "MS", 12), ("ME", "ME", 12), ("D", "D", 7), ("h", "h", 24), ("30min", "30min", 48),
     ("15min", "15min", 96), ("W", "W", 52), ("QS", "QS", 4), ("YS", "YS", 1), ("B", "B", 5), ("2h", "2h", 12)],
)
def test_season_inferred_from_frequency(freq: str, expected_alias: str, season: int) -> None:
    index = pd.date_range("2001-01-01", periods=40, freq=freq)
    series = series_from_values(np.sin(np.arange(40.0)), index)
    assert series.frequency == expected_alias
    assert series.season_length == season
    assert season_length_for(expected_alias) == season


def test_season_inferred_from_csv_weekly_and_quarterly(tmp_path: Path) -> None:
    for freq, season in (("W-SUN", 52), ("QS", 4)):
        index = pd.date_range("2001-01-01", periods=20, freq=freq)
        text = "t,v\n" + "\n".join(f"{d:%Y-%m-%d},{i % 5}" for i, d in enumerate(index))
        assert load_series(write(tmp_path, "s.csv", text)).season_length == season


# --------------------------------------------------------------------------- typed errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"month,sales\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4, "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
        (b"PK\x03\x04garbage", "Excel"),
        (b"PAR1garbage", "Parquet"),
        ("\n".join(["v"] + ["5"] * 20).encode(), "constant"),
        ("\n".join(["v"] + [str(i) for i in range(9)]).encode(), "at least 10"),
        ("\n".join(["v", "1", "2", "inf"] + [str(i) for i in range(20)]).encode(), "infinite"),
        ("\n".join(["name"] + ["abc", "def"] * 10).encode(), "No numeric column"),
    ],
)
def test_typed_errors(content: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_series(content)


def test_duplicated_timestamps(tmp_path: Path) -> None:
    lines = monthly_csv().strip().split("\n")
    lines.insert(4, lines[3])
    with pytest.raises(InputError, match=r"Duplicated timestamps.*2000-03-01"):
        load_series(write(tmp_path, "s.csv", "\n".join(lines)))


def test_too_many_points_message_names_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, "s.txt", "\n".join(str(i % 7) for i in range(500)))
    with pytest.raises(InputError, match=r"500 (rows|points).*limit of 100.*max_points"):
        load_series(path, max_points=100)
    assert len(load_series(path, max_points=500)) == 500


def test_missing_file() -> None:
    with pytest.raises(InputError, match="not found"):
        load_series("/no/such/file.csv")


def test_unsupported_source_type() -> None:
    with pytest.raises(InputError):
        load_series(12345)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- frames, values, fingerprint


def test_series_from_frame_with_datetime_index() -> None:
    frame = pd.DataFrame({"sales": VALUES}, index=pd.DatetimeIndex(MONTHS, name="month"))
    assert_monthly(series_from_frame(frame))


def test_series_from_frame_with_tz_aware_column() -> None:
    frame = pd.DataFrame({"t": pd.date_range("2021-01-01", periods=12, freq="h", tz="Asia/Tokyo"), "v": range(12)})
    series = series_from_frame(frame)
    assert series.index.tz is None and series.index[0] == pd.Timestamp("2020-12-31 15:00")


def test_series_from_values_defaults_and_errors() -> None:
    series = series_from_values(np.arange(12.0))
    assert series.name == "value" and series.frequency is None and list(series.index) == list(range(12))
    with pytest.raises(InputError, match="1-D"):
        series_from_values(np.ones((4, 4)))
    with pytest.raises(InputError, match="at least 10"):
        series_from_values([1.0, 2.0, 3.0])


def test_fingerprint_stable_and_sensitive(tmp_path: Path) -> None:
    a = load_series(write(tmp_path, "a.csv", monthly_csv()))
    b = load_series(write(tmp_path, "b.csv", monthly_csv(";", ",")))
    assert a.fingerprint() == b.fingerprint()
    assert len(a.fingerprint()) == 64
    changed = series_from_values(a.values + np.r_[1.0, np.zeros(23)], a.index)
    assert changed.fingerprint() != a.fingerprint()
    shifted = series_from_values(a.values, a.index + pd.DateOffset(months=1))
    assert shifted.fingerprint() != a.fingerprint()


# --------------------------------------------------------------------------- robustness and speed


def _only_input_errors(data: bytes) -> None:
    try:
        series = load_series(data, filename="upload.csv")
    except InputError as exc:
        assert str(exc)
        return
    assert len(series) >= 10 and np.all(np.isfinite(series.values))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_input_error(data: bytes) -> None:
    _only_input_errors(data)


CSVISH = st.text(alphabet=list("0123456789,;.-:/ \t\n\r\"'abcxeE+NAT#é%"), max_size=400)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CSVISH, st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_csvish_text_raises_only_input_error(text: str, encoding: str) -> None:
    _only_input_errors(text.encode(encoding, errors="replace"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["2021-01-01", "2021-13-40", "x", "", "1,5", "3", "inf", "NA", "-1e3", "1.234,5",
                                 '"7"', "2021-02-01T00:00+05:00", "1999", "-6000"]), min_size=1, max_size=60),
       st.sampled_from([",", ";", "\t"]))
def test_malformed_two_column_tables_raise_only_input_error(cells: list[str], sep: str) -> None:
    rows = [sep.join(cells[i:i + 2]) for i in range(0, len(cells), 2)]
    _only_input_errors(("time" + sep + "value\n" + "\n".join(rows)).encode())


AIR = (DATA / "air_passengers.csv").read_text(encoding="utf-8")
EDITS = st.lists(st.tuples(st.integers(0, len(AIR)), st.integers(0, 6),
                           st.text(alphabet=list("0123456789,;.-:/ \n\"abNA+e"), max_size=6)), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS, st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"]))
def test_mutated_real_file_raises_only_input_error(edits: list[tuple[int, int, str]], encoding: str) -> None:
    text = AIR
    for position, cut, insert in edits:
        text = text[:position] + insert + text[position + cut:]
    _only_input_errors(text.encode(encoding, errors="replace"))


def test_electricity_half_hourly_file_loads_with_its_daily_season() -> None:
    # Its load time is measured in benchmarks/bench_loading.py, not here.
    series = load_series(DATA / "electricity_victoria_halfhourly.csv")
    assert len(series) == 17_520 and series.frequency == "30min" and series.season_length == 48


def test_file_above_the_size_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    import forecasting.loading as loading
    import forecasting.loading.reading as reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_text("value\n" + "\n".join(str(i % 7) for i in range(500)))
    with pytest.raises(InputError, match="largest file accepted is 0 MB"):
        loading.load_series(big)
    with pytest.raises(InputError, match="largest file"):
        loading.load_series(big.read_bytes())
