"""Profile table columns: parse numbers (decimal commas, thousands), find footers, pick value and time columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.loading.cells import (
    _COMMA_MULTI,
    _DOT_MULTI,
    _EU_BOTH,
    _US_BOTH,
    MISSING_MARKERS,
    _cell_is_number,
    _clean_text,
)
from forecasting.loading.timeindex import _parse_datetimes

MAX_FOOTER_ROWS = 10
YEAR_NAME = re.compile(r"^(years?|yr|jahr|ann[ée]e|a[ñn]o|anio)$|year", re.IGNORECASE)
COUNTER_NAME = re.compile(
    r"^(index|idx|step|steps|t|time|n|no|id|#|obs|observation|period|time_?step|unnamed.*|column_1)$",
    re.IGNORECASE,
)
_COMMA_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")


def _parse_numbers(column: pd.Series, decimal_hint: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column as numbers; return (values with NaN, missing mask, unparseable mask)."""
    if pd.api.types.is_bool_dtype(column.dtype):
        values = column.astype(float).to_numpy()
        missing = np.isnan(values)
        return values, missing, np.zeros(len(column), bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = column.astype("float64").to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        return values, missing, np.zeros(len(column), bool)
    if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
        missing = column.isna().to_numpy()
        return np.full(len(column), np.nan), missing, ~missing
    text = _clean_text(column)
    missing = text.str.lower().isin(MISSING_MARKERS).to_numpy()
    head = text[~missing][:50]
    if len(head) and not head.map(_cell_is_number).mean() > 0.5:
        # Clearly not a number column (e.g. dates or labels): skip the costly cell-by-cell clean-up.
        return np.full(len(text), np.nan), missing, ~missing
    values = np.array(pd.to_numeric(text, errors="coerce"), dtype=float)
    bad = ~missing & np.isnan(values)
    compact = text
    if bad.any():
        compact = text.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
        values = np.array(pd.to_numeric(compact, errors="coerce"), dtype=float)
        bad = ~missing & np.isnan(values)
    if bad.any() and compact[bad].str.contains(r"[.,]", regex=True).any():
        converted = _convert_separators(compact, decimal_hint)
        if converted is not None:
            values = np.array(pd.to_numeric(converted, errors="coerce"), dtype=float)
            bad = ~missing & np.isnan(values)
    values[missing] = np.nan
    return values, missing, bad


def _convert_separators(text: pd.Series, decimal_hint: str | None) -> pd.Series | None:
    """Rewrite thousands separators and decimal commas to plain numbers when the column's convention is clear."""
    def count(pattern: re.Pattern[str]) -> int:
        return int(text.str.match(pattern).sum())

    comma_single = text.str.match(r"^[+-]?\d*,\d+$")
    ambiguous_comma = int((comma_single & text.str.match(_COMMA_THOUSANDS)).sum())
    definite_decimal_comma = int((comma_single & ~text.str.match(_COMMA_THOUSANDS)).sum())
    european = count(_EU_BOTH) + count(_DOT_MULTI) + definite_decimal_comma
    dot_decimal = text.str.match(_DOT_DECIMAL) & ~text.str.match(_DOT_THOUSANDS)
    american = count(_US_BOTH) + count(_COMMA_MULTI) + int(dot_decimal.sum())
    if european and american:
        return None
    if not european and not american:
        if not ambiguous_comma:
            return None
        european = 1 if decimal_hint == "," else 0
    if european:
        return text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return text.str.replace(",", "", regex=False)


@dataclass
class _Column:
    """What one column of the table can be read as."""

    name: str
    numbers: np.ndarray
    missing: np.ndarray
    not_number: np.ndarray
    times: pd.DatetimeIndex | None = None
    not_time: np.ndarray | None = None
    time_kind: str | None = None  # "datetime", "year", "counter"
    time_notes: list[str] = field(default_factory=list)

    @property
    def mostly_numeric(self) -> bool:
        present = (~self.missing).sum()
        return present > 0 and self.not_number.sum() <= 0.5 * present

    @property
    def mostly_time(self) -> bool:
        if self.not_time is None:
            return False
        present = (~self.missing).sum()
        return present > 0 and self.not_time.sum() <= 0.5 * present

    def cut(self, rows: int) -> None:
        self.numbers, self.missing, self.not_number = self.numbers[:rows], self.missing[:rows], self.not_number[:rows]
        if self.times is not None and self.not_time is not None:
            self.times, self.not_time = self.times[:rows], self.not_time[:rows]


def _profile(frame: pd.DataFrame, decimal_hint: str | None, notes: list[str]) -> list[_Column]:
    columns = []
    for name in frame.columns:
        series = frame[name]
        numbers, missing, not_number = _parse_numbers(series, decimal_hint)
        col = _Column(name, numbers, missing, not_number)
        if not col.mostly_numeric and (~missing).any():
            sample = series[~missing][:20]
            time_notes: list[str] = []
            _, _, sample_bad = _parse_datetimes(sample, [])
            if sample_bad.sum() <= 0.5 * len(sample):
                col.times, _, col.not_time = _parse_datetimes(series, time_notes)
                col.time_kind = "datetime"
                col.time_notes = time_notes
        columns.append(col)
    return columns


def _footer_rows(columns: list[_Column], n_rows: int) -> int:
    """Count trailing rows that do not fit the body: empty rows, or a text cell in a number/time column."""
    bad = np.zeros(n_rows, bool)
    empty = np.ones(n_rows, bool)
    for col in columns:
        empty &= col.missing
        if col.mostly_numeric:
            bad |= col.not_number
        elif col.mostly_time and col.not_time is not None:
            bad |= col.not_time
    trailing = 0
    for row in range(n_rows - 1, -1, -1):
        if not (bad[row] or empty[row]):
            break
        trailing += 1
    return trailing


def _integer_valued(values: np.ndarray) -> bool:
    return bool(len(values)) and not np.isnan(values).any() and bool(np.all(values == np.round(values))) \
        and bool(np.all(np.abs(values) < 1e15))


def _detect_time_kinds(columns: list[_Column]) -> None:
    """Mark whole-number columns named like years or like a row counter as possible time columns."""
    for col in columns:
        if col.time_kind or not col.mostly_numeric or col.not_number.any():
            continue
        if not _integer_valued(col.numbers):
            continue
        if YEAR_NAME.search(col.name) and np.all(np.abs(col.numbers) <= 100_000):
            col.time_kind = "year"
        elif COUNTER_NAME.match(col.name) and bool(np.all(np.diff(col.numbers) > 0)):
            col.time_kind = "counter"


def _first_bad(col: _Column, frame: pd.DataFrame, mask: np.ndarray) -> str:
    row = int(np.flatnonzero(mask)[0])
    return f"row {row + 1} holds {str(frame[col.name].iloc[row])!r}"


def _choose_time(columns: list[_Column], time_column: Any, frame: pd.DataFrame, notes: list[str]) -> _Column | None:
    names = [c.name for c in columns]
    if time_column is False:
        return None
    if time_column is not None and time_column != "":
        key = str(time_column)
        if key not in names:
            raise InputError(f"Time column {key!r} not found. Columns in this file: {', '.join(names)}.")
        col = columns[names.index(key)]
        if col.time_kind == "datetime":
            if col.not_time is not None and col.not_time.any():
                raise InputError(
                    f"Time column {key!r} cannot be read as dates: {_first_bad(col, frame, col.not_time)}. "
                    "Fix that cell or choose another time column."
                )
            return col
        if col.time_kind in ("year", "counter"):
            return col
        if col.mostly_numeric and not col.not_number.any() and _integer_valued(col.numbers):
            col.time_kind = "counter"
            return col
        raise InputError(
            f"Time column {key!r} holds neither dates nor whole-number steps. "
            "Choose a column of dates, years or step numbers, or none."
        )
    for kind in ("datetime", "year", "counter"):
        for col in columns:
            clean = col.not_time is None or not col.not_time.any()
            if col.time_kind == kind and clean and (~col.missing).sum() >= 0.9 * len(col.missing):
                notes.append(f"Using {col.name!r} as the time column.")
                return col
    for col in columns:
        if col.time_kind == "datetime" and col.mostly_time and col.not_time is not None and col.not_time.any():
            notes.append(
                f"Column {col.name!r} looks like dates but {_first_bad(col, frame, col.not_time)}, so the series "
                "has no time axis. Fix that cell to use it."
            )
            break
    return None


def _choose_value(columns: list[_Column], column: Any, time_col: _Column | None, frame: pd.DataFrame,
                  value_columns: list[str], notes: list[str]) -> _Column:
    names = [c.name for c in columns]
    if column is not None and column != "":
        key = str(column)
        if key not in names:
            valid = ", ".join(value_columns) or "none"
            raise InputError(
                f"Column {key!r} not found. Numeric columns you can pick: {valid} (all columns: {', '.join(names)})."
            )
        col = columns[names.index(key)]
        if time_col is not None and col.name == time_col.name:
            raise InputError(f"Column {key!r} is the time column; pick a value column: {', '.join(value_columns)}.")
        _require_numeric(col, frame, value_columns)
        return col
    dense = [c for c in columns if c.mostly_numeric and (~c.missing).sum() >= 0.5 * len(c.missing)
             and (time_col is None or c.name != time_col.name)]
    if dense and dense[0].name not in value_columns:
        _require_numeric(dense[0], frame, value_columns)  # a mostly numeric column with a bad cell: say which
    if value_columns:
        chosen = columns[names.index(dense[0].name if dense else value_columns[0])]
        if len(value_columns) > 1:
            others = [name for name in value_columns if name != chosen.name]
            notes.append(
                f"Using column {chosen.name!r}; other numeric columns: {', '.join(others)} "
                "(choose one with the column setting)."
            )
        return chosen
    for col in columns:
        if col.mostly_numeric and (time_col is None or col.name != time_col.name):
            _require_numeric(col, frame, value_columns)
    raise InputError(
        f"No numeric column found (columns: {', '.join(names)}). The series must be a column of numbers."
    )


def _require_numeric(col: _Column, frame: pd.DataFrame, value_columns: list[str]) -> None:
    if col.missing.all():
        raise InputError(f"Column {col.name!r} is empty. Pick a column of numbers.")
    if col.not_number.any():
        others = f" Numeric columns: {', '.join(value_columns)}." if value_columns else ""
        raise InputError(
            f"Column {col.name!r} is not numeric: {_first_bad(col, frame, col.not_number)}. "
            f"Fix or empty that cell (empty cells are interpolated), or pick another column.{others}"
        )


def _time_values(time_col: _Column, notes: list[str]) -> tuple[str, np.ndarray | pd.DatetimeIndex, np.ndarray]:
    """Return (kind, times, missing mask) for the chosen time column."""
    if time_col.time_kind == "datetime" and time_col.times is not None:
        notes.extend(time_col.time_notes)
        return "datetime", time_col.times, np.asarray(time_col.times.isna())
    return str(time_col.time_kind), time_col.numbers.astype(np.int64), np.zeros(len(time_col.numbers), bool)
