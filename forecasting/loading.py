"""Load one 1-D series from CSV, TSV, plain text, Excel or Parquet into a clean, validated float array.

The loader is forgiving about form (encodings, separators, decimal commas, headers, shuffled rows,
footer lines, gaps, time zones) and strict about substance: every repair is written in plain words
to ``LoadedSeries.notes`` and every refusal is a single :class:`InputError` saying what to do.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecasting.errors import ForecastingError, InputError, SettingsError

DEFAULT_MAX_POINTS = 1_000_000
MIN_POINTS = 10
MAX_FOOTER_ROWS = 10
MAX_GAP_FRACTION = 0.2  # at most this share of inserted timestamps when filling gaps in a regular series
SEPARATORS = ("\t", ";", ",", "|")
SEPARATOR_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "pipe", " ": "whitespace"}
MISSING_MARKERS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", ".", "?", "#n/a", "missing", "<na>", "nat"}
)
YEAR_NAME = re.compile(r"^(years?|yr|jahr|ann[ée]e|a[ñn]o|anio)$|year", re.IGNORECASE)
COUNTER_NAME = re.compile(
    r"^(index|idx|step|steps|t|time|n|no|id|#|obs|observation|period|time_?step|unnamed.*|column_1)$",
    re.IGNORECASE,
)
# Datetime64 nanoseconds hold years 1678..2261; other integer years stay integers.
FIRST_TIMESTAMP_YEAR, LAST_TIMESTAMP_YEAR = 1678, 2261

_TZ_SUFFIX = r"(Z|[+-]\d{2}:?\d{2})$"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_EU_BOTH = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")
_US_BOTH = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d*$")
_COMMA_MULTI = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")
_DOT_MULTI = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+([eE][+-]?\d+)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")
_DECIMAL_COMMA_LINE = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
_DAY_MONTH = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")

FREQUENCY_SHORT_NAMES = {"W-SUN": "W", "QS-JAN": "QS", "YS-JAN": "YS", "QE-DEC": "QE", "YE-DEC": "YE"}


@dataclass
class LoadedSeries:
    """A validated series ready for modelling, plus a record of everything done to get it."""

    values: np.ndarray
    index: pd.Index
    name: str
    time_column: str | None
    frequency: str | None
    season_length: int
    filled_missing: int
    notes: list[str] = field(default_factory=list)
    value_columns: list[str] = field(default_factory=list)
    time_columns: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """sha256 of the values and the index: the same data gives the same hex digest in every run."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.values, dtype="<f8").tobytes())
        if isinstance(self.index, pd.DatetimeIndex):
            digest.update(b"datetime-us")
            digest.update(self.index.as_unit("us").asi8.astype("<i8").tobytes())
        else:
            digest.update(b"integer")
            digest.update(np.asarray(self.index, dtype="<i8").tobytes())
        return digest.hexdigest()

    def __len__(self) -> int:
        return int(len(self.values))


# --------------------------------------------------------------------------- settings


def _check_settings(season_length: Any, frequency: Any, max_points: Any) -> str | None:
    """Validate the overrides; return the normalised frequency alias (or None)."""
    if season_length is not None and (
        isinstance(season_length, bool) or not isinstance(season_length, (int, np.integer)) or season_length < 1
    ):
        raise SettingsError(f"season_length must be a whole number of at least 1; got {season_length!r}.")
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < MIN_POINTS:
        raise SettingsError(f"max_points must be a whole number of at least {MIN_POINTS}; got {max_points!r}.")
    if frequency is None:
        return None
    text = str(frequency).strip()
    if text.lower() == "year":
        return "year"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.tseries.frequencies.to_offset(text)
    except (ValueError, TypeError) as exc:
        raise SettingsError(
            f"Unknown frequency {frequency!r}: use a pandas offset alias such as MS, D, h, 30min, W, QS, YS, "
            "or 'year' for integer years."
        ) from exc
    return FREQUENCY_SHORT_NAMES.get(text, text)


def season_length_for(frequency: str | None) -> int:
    """Season length m implied by a frequency alias: 12 monthly, 7 daily, 24 hourly, 48 half-hourly, 1 otherwise."""
    if not frequency or frequency == "year":
        return 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            offset = pd.tseries.frequencies.to_offset(frequency)
    except (ValueError, TypeError):
        return 1
    n = abs(int(offset.n)) or 1
    offsets = pd.offsets

    def per(cycle: int) -> int:
        return cycle // n if cycle % n == 0 and cycle // n > 1 else 1

    if isinstance(offset, (offsets.MonthBegin, offsets.MonthEnd, offsets.BusinessMonthBegin, offsets.BusinessMonthEnd)):
        return per(12)
    if isinstance(offset, (offsets.SemiMonthBegin, offsets.SemiMonthEnd)):
        return per(24)
    if isinstance(offset, (offsets.QuarterBegin, offsets.QuarterEnd)):
        return per(4)
    if isinstance(offset, (offsets.YearBegin, offsets.YearEnd)):
        return 1
    if isinstance(offset, offsets.Week):
        return per(52)
    if isinstance(offset, offsets.BusinessDay):
        return per(5)
    if isinstance(offset, offsets.Day):
        return per(7)
    if isinstance(offset, offsets.Tick):
        step_ns = pd.Timedelta(offset).value
        day_ns = pd.Timedelta(days=1).value
        if 0 < step_ns < day_ns and day_ns % step_ns == 0 and day_ns // step_ns <= 1440:
            return int(day_ns // step_ns)
    return 1


# --------------------------------------------------------------------------- reading bytes into a table


MAX_FILE_BYTES = 50 * 2**20  # the same limit as the dashboard's upload (.streamlit/config.toml)


def _check_file_size(n_bytes: int) -> None:
    """Refuse files above MAX_FILE_BYTES before parsing them, with a message that says what to do."""
    if n_bytes > MAX_FILE_BYTES:
        raise InputError(
            f"The file is {n_bytes / 2**20:.1f} MB; the largest file accepted is {MAX_FILE_BYTES / 2**20:.0f} MB. "
            "Keep only the time and value columns, or aggregate to a coarser frequency, and try again."
        )


def _read_bytes(source: Any, filename: str | None) -> tuple[bytes, str | None]:
    """Return the raw bytes of a path, bytes object or binary file-like, and its best-known name."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        _check_file_size(len(source))
        return bytes(source), filename
    if isinstance(source, (str, Path)):
        if isinstance(source, str) and ("\n" in source or len(source) > 4096):
            raise InputError("Got file contents as a string: pass a file path, or the contents as bytes.")
        path = Path(source)
        if not path.is_file():
            raise InputError(f"File not found: {path}. Check the path and try again.")
        try:
            _check_file_size(path.stat().st_size)
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise InputError(f"Could not read {path}: {exc}.") from exc
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        _check_file_size(len(data))
        name = filename or getattr(source, "name", None)
        return bytes(data), (str(name) if name else None)
    raise InputError(
        f"Cannot read a series from a {type(source).__name__}: pass a file path, bytes or an open binary file."
    )


def _decode(data: bytes) -> tuple[str, str | None]:
    """Decode text bytes (UTF-8 with/without BOM, UTF-16, Windows-1252, Latin-1); return text and a note."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "Read the file as UTF-8 (byte-order mark removed)."
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "Read the file as UTF-16 text."
        except UnicodeDecodeError as exc:
            raise InputError("The file starts like UTF-16 text but cannot be decoded as such.") from exc
    sample = data[:4096]
    half = max(len(sample) // 2, 1)
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    for codec, looks_like in (("utf-16-le", odd_nuls > 0.4 * half and even_nuls < 0.05 * half),
                              ("utf-16-be", even_nuls > 0.4 * half and odd_nuls < 0.05 * half)):
        if looks_like and len(sample) >= 4:
            try:
                return data.decode(codec), "Read the file as UTF-16 text (no byte-order mark)."
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        raise _unreadable()
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            return data.decode(codec), f"The file is not UTF-8; read it as {label}."
        except UnicodeDecodeError:
            continue
    raise _unreadable()  # pragma: no cover - latin-1 decodes every byte


def _unreadable() -> InputError:
    return InputError(
        "This file does not look like a table of numbers (it seems to be binary or unreadable). "
        "Upload a CSV, TSV, plain-text, Excel (.xlsx) or Parquet file."
    )


def _choose_separator(lines: list[str]) -> str | None:
    """Pick the separator giving the same number (>= 2) of fields on at least 90% of the leading lines."""
    sample = lines[: min(200, max(3, len(lines) - 3))]
    for sep in SEPARATORS:
        if not any(sep in line for line in sample):
            continue
        counts = [len(row) for row in csv.reader(sample, delimiter=sep, skipinitialspace=True)]
        mode, times = Counter(counts).most_common(1)[0]
        if sep == "," and counts[0] == 1 and mode == 2 and all(
            _DECIMAL_COMMA_LINE.match(line) for line, n in zip(sample, counts, strict=True) if n == 2
        ):
            return None  # a one-name header over "1,5"-style lines: decimal commas, not two columns
        if mode >= 2 and times >= 0.9 * len(counts):
            return sep
    counts = [len(line.split()) for line in sample]
    mode, times = Counter(counts).most_common(1)[0]
    if mode >= 2 and times >= 0.9 * len(counts):
        return " "
    return None


def _cell_is_missing(cell: Any) -> bool:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return True
    return isinstance(cell, str) and cell.strip().lower() in MISSING_MARKERS


def _cell_is_number(cell: Any) -> bool:
    if isinstance(cell, (bool, np.bool_)):
        return False
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return True
    if not isinstance(cell, str):
        return False
    text = re.sub(r"[\s\u00a0\u202f']", "", cell)
    if not text:
        return False
    try:
        float(text)
        return True
    except ValueError:
        return bool(_US_BOTH.match(text) or _EU_BOTH.match(text) or _COMMA_DECIMAL.match(text)
                    or _COMMA_MULTI.match(text) or _DOT_MULTI.match(text))


def _cell_is_date(cell: Any) -> bool:
    if isinstance(cell, (pd.Timestamp, np.datetime64)) or hasattr(cell, "isoformat"):
        return True
    if not isinstance(cell, str) or not cell.strip():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return not pd.isna(pd.to_datetime(cell.strip(), errors="coerce"))
        except (ValueError, TypeError, OverflowError):
            return False


def _looks_like_header(first: list[Any]) -> bool:
    """A first row is a header when it holds names: no numbers, and not only dates or missing markers."""
    cells = [c for c in first if not _cell_is_missing(c) and not (isinstance(c, str) and not c.strip())]
    if not cells:
        return False
    if any(_cell_is_number(c) for c in cells):
        return False
    return not all(_cell_is_date(c) for c in cells)


def _unique_names(raw: list[Any], width: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i in range(width):
        name = str(raw[i]).strip() if i < len(raw) and not _cell_is_missing(raw[i]) else ""
        if not name:
            name = f"unnamed_{i + 1}"
        base, k = name, 2
        while name in seen:
            name = f"{base}_{k}"
            k += 1
        seen.add(name)
        names.append(name)
    return names


def _default_names(width: int) -> list[str]:
    return ["value"] if width == 1 else [f"column_{i + 1}" for i in range(width)]


def _apply_header(rows: list[list[Any]], notes: list[str]) -> pd.DataFrame:
    """Turn rows of cells into a DataFrame, using the first row as column names when it looks like a header."""
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        raise InputError("The file is empty: it holds no rows of data.")
    if _looks_like_header(rows[0]):
        names = _unique_names(rows[0], width)
        body = rows[1:]
    else:
        names = _default_names(width)
        body = rows
        notes.append(f"The file has no header row; columns were named {', '.join(names)}.")
    if any(len(r) != width for r in body):
        body = [list(r) + [""] * (width - len(r)) for r in body]
    if not body:
        return pd.DataFrame({name: pd.Series([], dtype=object) for name in names})
    cells = list(zip(*body, strict=True))
    return pd.DataFrame({name: np.array(cells[i], dtype=object) for i, name in enumerate(names)})


def _read_text(data: bytes, notes: list[str]) -> tuple[pd.DataFrame, str | None]:
    text, note = _decode(data)
    if note:
        notes.append(note)
    if len(_CONTROL_CHARS.findall(text[:20000])) > max(2, 0.01 * len(text[:20000])):
        raise _unreadable()
    if "\r" in text:
        notes.append("Converted Windows/old-Mac line endings.")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line for line in text.split("\n") if line.strip()]
    comments = [line for line in lines if line.lstrip().startswith("#")]
    if comments:
        lines = [line for line in lines if not line.lstrip().startswith("#")]
        notes.append(f"Skipped {len(comments)} comment line(s) starting with '#'.")
    if not lines:
        raise InputError("The file is empty: it holds no rows of data.")
    sep = _choose_separator(lines)
    if sep == " ":
        rows: list[list[Any]] = [line.split() for line in lines]
    else:
        rows = list(csv.reader(lines, delimiter=sep or "\x1f", skipinitialspace=True))
        if len(rows) != len(lines):  # an unbalanced quote swallowed line ends: read each line on its own
            rows = [next(csv.reader([line], delimiter=sep or "\x1f", skipinitialspace=True), []) for line in lines]
            notes.append("Some quotes are unbalanced; read each line separately.")
    if sep and sep != ",":
        notes.append(f"Columns are separated by {SEPARATOR_NAMES[sep]}s.")
    return _apply_header(rows, notes), sep


def _read_excel(data: bytes, notes: list[str]) -> pd.DataFrame:
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        sheets = book.sheet_names
        raw = pd.read_excel(book, sheet_name=sheets[0], header=None)
    except Exception as exc:
        raise InputError(f"Could not read the Excel workbook ({exc}). Save it as .xlsx or CSV and try again.") from exc
    if len(sheets) > 1:
        notes.append(f"Read the first sheet '{sheets[0]}' of {len(sheets)}.")
    raw = raw.dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        raise InputError("The Excel sheet is empty: it holds no rows of data.")
    rows = [["" if _cell_is_missing(c) else c for c in row] for row in raw.itertuples(index=False)]
    return _apply_header(rows, notes)


def _read_parquet(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"Could not read the Parquet file ({exc}). Check it is a valid Parquet table.") from exc


def _read_table(source: Any, filename: str | None) -> tuple[pd.DataFrame, list[str], str | None]:
    """Read any supported source into a DataFrame; also return notes and a decimal-separator hint."""
    data, name = _read_bytes(source, filename)
    notes: list[str] = []
    if not data or not data.strip():
        raise InputError("The file is empty. Upload a file with a column of numbers.")
    if data[:4] == b"PAR1":
        return _read_parquet(data), notes, None
    if data[:4] == b"PK\x03\x04":
        return _read_excel(data, notes), notes, None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError("Old Excel .xls workbooks are not supported: save it as .xlsx or CSV and try again.")
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in (".xlsx", ".xlsm", ".parquet", ".pq"):
        notes.append(f"The file is named {suffix} but holds text; read it as text.")
    frame, sep = _read_text(data, notes)
    return frame, notes, ("," if sep == ";" else None)


def read_table(source: Any, filename: str | None = None) -> pd.DataFrame:
    """Read a path, bytes or binary file into a DataFrame (text cells kept as read; header detected)."""
    try:
        return _read_table(source, filename)[0]
    except ForecastingError:
        raise
    except Exception as exc:
        raise _wrapped(exc) from exc


def _wrapped(exc: Exception) -> InputError:
    return InputError(
        f"Could not read this file ({type(exc).__name__}: {exc}). "
        "Check that it is a CSV, TSV, Excel or Parquet table with a column of numbers."
    )


# --------------------------------------------------------------------------- parsing columns


def _clean_text(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str).str.strip()


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


def _parse_datetimes(column: pd.Series, notes: list[str]) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Parse a column as timestamps; return (tz-naive DatetimeIndex with NaT, missing mask, unparseable mask)."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            notes.append(f"Converted the time zone {column.dtype.tz} to UTC and dropped it.")
        missing = column.isna().to_numpy()
        parsed = pd.DatetimeIndex(_within_timestamp_range(_naive(column).to_numpy()).astype("datetime64[ns]"))
        return parsed, missing, ~missing & np.asarray(parsed.isna())
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        missing = column.isna().to_numpy()
        return pd.DatetimeIndex([pd.NaT] * len(column)), missing, ~missing
    if column.map(lambda c: hasattr(c, "isoformat") and not isinstance(c, str)).any():
        column = column.map(lambda c: c.isoformat() if hasattr(c, "isoformat") and not isinstance(c, str) else c)
    text = _clean_text(column)
    missing = text.str.lower().isin(MISSING_MARKERS).to_numpy()
    stamps = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    if (~missing).any():
        stamps[~missing] = _to_datetime_strings(text[~missing], notes).to_numpy()
    stamps = _within_timestamp_range(stamps)
    parsed_index = pd.DatetimeIndex(stamps.astype("datetime64[ns]"))
    bad = ~missing & np.asarray(parsed_index.isna())
    return parsed_index, missing, bad


def _within_timestamp_range(stamps: np.ndarray) -> np.ndarray:
    """Blank out timestamps outside the nanosecond range (years 1678..2261); integer years cover the rest."""
    stamps = np.asarray(stamps, dtype="datetime64[us]").copy()
    low = np.datetime64(f"{FIRST_TIMESTAMP_YEAR}-01-01", "us")
    high = np.datetime64(f"{LAST_TIMESTAMP_YEAR + 1}-01-01", "us")
    valid = ~np.isnat(stamps)
    stamps[valid & ((stamps < low) | (stamps >= high))] = np.datetime64("NaT")
    return stamps


def _naive(parsed: Any, keep_local: bool = False) -> pd.Series:
    """Return parsed timestamps as a tz-naive datetime64[us] Series (UTC unless keep_local), NaT if unusable."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None) if keep_local else parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(parsed.dtype):
        return pd.Series(np.full(len(parsed), np.datetime64("NaT"), dtype="datetime64[us]"), index=parsed.index)
    return pd.Series(np.asarray(parsed.to_numpy(), dtype="datetime64[us]"), index=parsed.index)


def _to_dt(text: pd.Series, keep_local: bool = False, **options: Any) -> pd.Series:
    """pd.to_datetime that never raises: unparseable cells become NaT, mixed zones go to UTC."""
    try:
        return _naive(pd.to_datetime(text, errors="coerce", **options), keep_local)
    except (ValueError, TypeError, OverflowError):
        options["utc"] = True
        try:
            return _naive(pd.to_datetime(text, errors="coerce", **options))
        except (ValueError, TypeError, OverflowError):
            return _naive(pd.Series(pd.NaT, index=text.index, dtype=object))


def _to_datetime_strings(text: pd.Series, notes: list[str]) -> pd.Series:
    """Parse strings to tz-naive datetime64[us]: offsets normalised, day-first dates recognised, mixed formats tried."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        offsets = text.str.extract(_TZ_SUFFIX, expand=False)
        if offsets.notna().any():
            distinct = offsets.dropna().str.replace(":", "", regex=False).unique()
            if len(distinct) > 1 or offsets.isna().any():
                parsed = _to_dt(text, utc=True, format="ISO8601")
                if parsed.isna().any():
                    parsed = _to_dt(text, utc=True, format="mixed")
                notes.append(
                    f"Timestamps carry different time-zone offsets ({', '.join(sorted(map(str, distinct)))}); "
                    "converted them to UTC and dropped the zone."
                )
                return parsed
            notes.append(f"Every timestamp carries the offset {distinct[0]}; kept the local times and dropped it.")
            return _to_dt(text, keep_local=True)
        parsed = _to_dt(text)
        if _DAY_MONTH.match(str(text.iloc[0])):
            dayfirst = _to_dt(text, dayfirst=True)
            if dayfirst.isna().sum() < parsed.isna().sum():
                notes.append("Read dates as day/month/year.")
                parsed = dayfirst
            elif not parsed.isna().any() and not dayfirst.isna().any() and not parsed.equals(dayfirst):
                notes.append("Dates such as 01/02/2020 are ambiguous; read them as month/day/year.")
        failed = parsed.isna()
        if failed.any() and failed.sum() <= 2000 and failed.sum() < len(parsed):
            retry = _to_dt(text[failed], format="mixed")
            if retry.notna().any():
                parsed = parsed.copy()
                parsed[failed] = retry
        return parsed


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


# --------------------------------------------------------------------------- building the series


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


def _infer_frequency(index: pd.DatetimeIndex) -> str | None:
    if len(index) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            found = pd.infer_freq(index)
        except (ValueError, TypeError):
            return None
    if found is None:
        return None
    alias = getattr(found, "freqstr", found)
    return FREQUENCY_SHORT_NAMES.get(alias, alias)


def _gap_candidate(index: pd.DatetimeIndex) -> str | None:
    """Guess the regular frequency of a DatetimeIndex that has a few timestamps missing."""
    steps = np.diff(index.asi8)
    if not len(steps) or steps.min() <= 0:
        return None
    smallest = int(steps.min())
    unit_ns = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[index.unit]
    days = smallest * unit_ns / 86_400e9
    month = index[0].strftime("%b").upper()
    starts, ends = bool(index.is_month_start.all()), bool(index.is_month_end.all())
    calendar = [(27, 32, "MS", "ME"), (88, 93, f"QS-{month}", f"QE-{month}"), (364, 367, f"YS-{month}", f"YE-{month}")]
    for low, high, start_alias, end_alias in calendar:
        if low <= days <= high:
            return start_alias if starts else end_alias if ends else None
    if smallest * unit_ns == 7 * 86_400 * 10**9:
        return f"W-{index[0].strftime('%a').upper()}"
    if np.all(steps % smallest == 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.tseries.frequencies.to_offset(pd.Timedelta(smallest, unit=index.unit)).freqstr
    return None


def _fill_gaps(index: pd.DatetimeIndex, values: np.ndarray, notes: list[str]) -> tuple[pd.DatetimeIndex, np.ndarray, str | None]:
    """Infer the frequency; insert a few missing timestamps of a regular series; note irregular spacing."""
    found = _infer_frequency(index)
    if found is not None:
        return index, values, found
    candidate = _gap_candidate(index) if len(index) >= 3 else None
    if candidate is not None:
        full = pd.date_range(index[0], index[-1], freq=candidate)
        absent = len(full) - len(index)
        if 0 < absent <= MAX_GAP_FRACTION * len(full) and bool(index.isin(full).all()):
            position = full.get_indexer(index)
            filled = np.full(len(full), np.nan)
            filled[position] = values
            alias = _infer_frequency(full) or candidate
            notes.append(
                f"{absent} timestamp(s) were missing from a regular {alias} series; inserted them as missing values."
            )
            return pd.DatetimeIndex(full), filled, alias
    notes.append("The timestamps are irregularly spaced, so no frequency was inferred.")
    return index, values, None


def _fill_integer_gaps(steps: np.ndarray, values: np.ndarray, notes: list[str], kind: str) -> tuple[np.ndarray, np.ndarray, bool]:
    diffs = np.diff(steps)
    if not len(diffs) or np.all(diffs == 1):
        return steps, values, True
    full = np.arange(steps[0], steps[-1] + 1)
    absent = len(full) - len(steps)
    if 0 < absent <= MAX_GAP_FRACTION * len(full):
        filled = np.full(len(full), np.nan)
        filled[steps - steps[0]] = values
        what = "years" if kind == "year" else "steps"
        notes.append(f"{absent} {what} were missing from the sequence; inserted them as missing values.")
        return full, filled, True
    notes.append("The time steps are irregularly spaced, so no frequency was inferred.")
    return steps, values, False


def _finalise(
    values: np.ndarray,
    kind: str | None,
    times: np.ndarray | pd.DatetimeIndex | None,
    *,
    name: str,
    time_name: str | None,
    season_length: int | None,
    frequency: str | None,
    max_points: int,
    notes: list[str],
    value_columns: list[str],
    time_columns: list[str],
    row_labels: np.ndarray | None = None,
) -> LoadedSeries:
    """Validate, sort, fill and describe a series given as values plus optional times (one row each)."""
    values = np.asarray(values, dtype=float)
    labels = np.arange(1, len(values) + 1) if row_labels is None else row_labels
    if len(values) == 0:
        raise InputError("The file is empty: it holds no rows of data.")
    infinite = np.isinf(values)
    if infinite.any():
        row = int(labels[np.flatnonzero(infinite)[0]])
        raise InputError(
            f"Column {name!r} holds an infinite value (row {row}). Replace it with a number, "
            "or empty the cell to have it interpolated."
        )
    if len(values) > max_points:
        raise InputError(
            f"The series has {len(values):,} points, more than the limit of {max_points:,}. "
            f"Raise the limit with max_points (CLI: --max-points) or shorten/aggregate the series."
        )
    index: pd.Index
    inferred: str | None = None
    if kind is None:
        index = pd.RangeIndex(len(values))
    else:
        assert times is not None
        if kind == "datetime":
            times = pd.DatetimeIndex(times)
            if times.tz is not None:
                times = times.tz_convert("UTC").tz_localize(None)
                notes.append("Converted the timestamps to UTC and dropped the time zone.")
            no_time = np.asarray(times.isna())
        else:
            times = np.asarray(times, dtype=np.int64)
            no_time = np.zeros(len(times), bool)
        if no_time.any():
            keep = ~no_time
            notes.append(f"Dropped {int(no_time.sum())} row(s) without a timestamp.")
            values, times, labels = values[keep], times[keep], labels[keep]
        order = np.argsort(np.asarray(times.asi8 if kind == "datetime" else times), kind="stable")
        if np.any(np.diff(order) != 1):
            notes.append(f"Rows were not in time order; sorted them by {time_name!r}.")
            values, labels = values[order], labels[order]
            times = times[order]
        raw = np.asarray(times.asi8 if kind == "datetime" else times)
        repeated = np.flatnonzero(raw[1:] == raw[:-1])
        if len(repeated):
            shown = sorted({str(times[i + 1]) for i in repeated[:3]})
            raise InputError(
                f"Duplicated timestamps in {time_name!r}: {', '.join(shown)}"
                f"{' and more' if len(repeated) > 3 else ''} ({len(repeated)} repeat(s)). Each time step must "
                "appear once: aggregate the duplicates (e.g. average them) or remove them."
            )
        if kind == "datetime":
            index, values, inferred = _fill_gaps(pd.DatetimeIndex(times), values, notes)
        else:
            steps, values, regular = _fill_integer_gaps(np.asarray(times), values, notes, kind)
            if kind == "year" and len(steps) and FIRST_TIMESTAMP_YEAR <= steps[0] and steps[-1] <= LAST_TIMESTAMP_YEAR:
                index = pd.DatetimeIndex((steps - 1970).astype("datetime64[Y]").astype("datetime64[ns]"))
                inferred = "YS" if regular else None
                notes.append(f"Read the whole numbers in {time_name!r} as years (timestamps on 1 January).")
            elif kind == "year":
                index = pd.Index(steps, dtype=np.int64)
                inferred = "year" if regular else None
                notes.append(
                    f"Years in {time_name!r} ({steps[0]}..{steps[-1]}) are outside what pandas timestamps hold "
                    f"({FIRST_TIMESTAMP_YEAR}..{LAST_TIMESTAMP_YEAR}); kept them as integer years."
                )
            else:
                index = pd.Index(steps, dtype=np.int64)
        if len(values) > max_points:
            raise InputError(
                f"After inserting missing time steps the series has {len(values):,} points, more than the limit "
                f"of {max_points:,}. Raise the limit with max_points (CLI: --max-points)."
            )
    values, index, filled = _interpolate(values, index, name, notes)
    if len(values) < MIN_POINTS:
        raise InputError(
            f"Column {name!r} has only {len(values)} usable point(s); at least {MIN_POINTS} are needed "
            "(and many more for a meaningful comparison)."
        )
    if float(np.max(values)) == float(np.min(values)):
        raise InputError(
            f"Column {name!r} is constant (every value is {values[0]:g}): there is nothing to forecast. "
            "Pick a column that varies."
        )
    if frequency is not None:
        if inferred is not None and inferred != frequency:
            notes.append(f"Frequency set to {frequency} (the timestamps suggest {inferred}).")
        else:
            notes.append(f"Frequency set to {frequency}.")
        inferred = frequency
    season = season_length_for(inferred)
    if season_length is not None:
        if int(season_length) >= len(values):
            raise SettingsError(
                f"season_length {season_length} must be shorter than the series ({len(values)} points)."
            )
        notes.append(f"Season length set to {int(season_length)} (the frequency suggests {season}).")
        season = int(season_length)
    return LoadedSeries(
        values=np.ascontiguousarray(values, dtype=np.float64),
        index=index,
        name=name,
        time_column=time_name if kind is not None else None,
        frequency=inferred,
        season_length=season,
        filled_missing=filled,
        notes=notes,
        value_columns=value_columns,
        time_columns=time_columns,
    )


def _interpolate(values: np.ndarray, index: pd.Index, name: str, notes: list[str]) -> tuple[np.ndarray, pd.Index, int]:
    """Drop leading/trailing missing values, interpolate interior ones in time; return the count filled."""
    finite = np.isfinite(values)
    if not finite.any():
        raise InputError(f"Column {name!r} holds no numbers, only empty cells.")
    first, last = int(np.argmax(finite)), int(len(finite) - 1 - np.argmax(finite[::-1]))
    if first > 0 or last < len(values) - 1:
        notes.append(f"Dropped {first} leading and {len(values) - 1 - last} trailing missing value(s).")
        values, index = values[first:last + 1], index[first:last + 1]
        finite = finite[first:last + 1]
    if isinstance(index, pd.RangeIndex):
        index = pd.RangeIndex(len(values))
    gaps = int((~finite).sum())
    if gaps:
        method = "time" if isinstance(index, pd.DatetimeIndex) else "index"
        values = pd.Series(values, index=index).interpolate(method=method).to_numpy(dtype=float)
        notes.append(f"Filled {gaps} missing value(s) in {name!r} by interpolating in time.")
    return values, index, gaps


# --------------------------------------------------------------------------- public entry points


def _normalise_frame(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"Expected a table (DataFrame); got {type(frame).__name__}.")
    frame = frame.copy()
    if isinstance(frame.index, pd.DatetimeIndex) or (
        not isinstance(frame.index, pd.RangeIndex) and frame.index.name is not None
    ):
        label = frame.index.name or "time"
        frame.index = frame.index.rename(label)
        frame = frame.reset_index()
    frame.columns = _unique_names([str(c) for c in frame.columns], frame.shape[1])
    frame = frame.reset_index(drop=True)
    empty_columns = [c for c in frame.columns if frame[c].isna().all() or (
        not pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_datetime64_any_dtype(frame[c].dtype)
        and _clean_text(frame[c]).str.lower().isin(MISSING_MARKERS).all())]
    if empty_columns and len(empty_columns) < frame.shape[1]:
        frame = frame.drop(columns=empty_columns)
    return frame


def _series_from_table(
    frame: pd.DataFrame,
    *,
    column: Any,
    time_column: Any,
    season_length: int | None,
    frequency: str | None,
    max_points: int,
    notes: list[str],
    decimal_hint: str | None,
) -> LoadedSeries:
    frequency = _check_settings(season_length, frequency, max_points)
    frame = _normalise_frame(frame, notes)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InputError("The file holds no data rows (only a header, or nothing at all).")
    if frame.shape[0] > max_points + MAX_FOOTER_ROWS:
        raise InputError(
            f"The file has {frame.shape[0]:,} rows, more than the limit of {max_points:,} points. "
            "Raise the limit with max_points (CLI: --max-points) or shorten/aggregate the series."
        )
    columns = _profile(frame, decimal_hint, notes)
    footer = _footer_rows(columns, frame.shape[0])
    if footer:
        dropped = frame.iloc[frame.shape[0] - footer:]
        texts = [" ".join(str(c) for c in row if not _cell_is_missing(c)).strip() for row in dropped.itertuples(index=False)]
        texts = [t for t in texts if t]
        if len(texts) <= MAX_FOOTER_ROWS:
            frame = frame.iloc[: frame.shape[0] - footer]
            for col in columns:
                col.cut(frame.shape[0])
            if texts:
                shown = "; ".join(repr(t[:60]) for t in texts[:3])
                notes.append(f"Dropped {len(texts)} trailing footer row(s) that are not data: {shown}.")
    if frame.shape[0] == 0:
        raise InputError("The file holds no data rows (only a header or text lines).")
    _detect_time_kinds(columns)
    time_col = _choose_time(columns, time_column, frame, notes)
    numeric = [c for c in columns if c.mostly_numeric and not c.not_number.any() and not c.missing.all()
               and (time_col is None or c.name != time_col.name)]
    # Year and step-counter columns go last, so they are never the default series.
    value_columns = [c.name for c in sorted(numeric, key=lambda c: c.time_kind in ("year", "counter"))]
    time_columns = [c.name for c in columns if c.time_kind is not None and (c.not_time is None or not c.not_time.any())]
    value_col = _choose_value(columns, column, time_col, frame, value_columns, notes)
    if value_col.name not in value_columns:
        value_columns = [value_col.name] + value_columns
    kind, times, _ = _time_values(time_col, notes) if time_col is not None else (None, None, None)
    return _finalise(
        value_col.numbers.copy(), kind, times, name=value_col.name,
        time_name=time_col.name if time_col is not None else None,
        season_length=season_length, frequency=frequency, max_points=max_points, notes=notes,
        value_columns=value_columns, time_columns=time_columns,
    )


def series_from_frame(
    frame: pd.DataFrame,
    *,
    column: str | None = None,
    time_column: str | None | bool = None,
    season_length: int | None = None,
    frequency: str | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    notes: list[str] | None = None,
) -> LoadedSeries:
    """Pick, parse and validate one series from a DataFrame (time_column=None: auto-detect; False: none)."""
    try:
        return _series_from_table(
            frame, column=column, time_column=time_column, season_length=season_length, frequency=frequency,
            max_points=max_points, notes=list(notes or []), decimal_hint=None,
        )
    except ForecastingError:
        raise
    except Exception as exc:
        raise _wrapped(exc) from exc


def load_series(
    source: Any,
    *,
    filename: str | None = None,
    column: str | None = None,
    time_column: str | None | bool = None,
    season_length: int | None = None,
    frequency: str | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
) -> LoadedSeries:
    """Read a path, bytes or binary file (CSV/TSV/text/Excel/Parquet) and return one validated series."""
    try:
        _check_settings(season_length, frequency, max_points)
        frame, notes, decimal_hint = _read_table(source, filename)
        return _series_from_table(
            frame, column=column, time_column=time_column, season_length=season_length, frequency=frequency,
            max_points=max_points, notes=notes, decimal_hint=decimal_hint,
        )
    except ForecastingError:
        raise
    except Exception as exc:
        raise _wrapped(exc) from exc


def series_from_values(
    values: Any,
    index: Any = None,
    name: str = "value",
    *,
    season_length: int | None = None,
    frequency: str | None = None,
    max_points: int = DEFAULT_MAX_POINTS,
    notes: list[str] | None = None,
) -> LoadedSeries:
    """Validate an array (and optional DatetimeIndex or integer index) as a series: for generated data and tests."""
    frequency = _check_settings(season_length, frequency, max_points)
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"The values are not numbers ({exc}).") from exc
    if array.ndim == 2 and 1 in array.shape:
        array = array.ravel()
    if array.ndim != 1:
        raise InputError(f"Expected a 1-D series; got an array of shape {array.shape}.")
    kind: str | None = None
    times: Any = None
    if index is not None:
        if len(index) != len(array):
            raise InputError(f"The index has {len(index)} entries but there are {len(array)} values.")
        if isinstance(index, pd.DatetimeIndex):
            kind, times = "datetime", index
        else:
            steps = np.asarray(index)
            if not np.issubdtype(steps.dtype, np.integer):
                raise InputError("The index must be a DatetimeIndex or whole numbers.")
            kind, times = "counter", steps.astype(np.int64)
    return _finalise(
        array, kind, times, name=str(name), time_name=(getattr(index, "name", None) or "index") if kind else None,
        season_length=season_length, frequency=frequency, max_points=max_points, notes=list(notes or []),
        value_columns=[str(name)], time_columns=[],
    )
