"""Read a path, bytes or file-like into a raw table: size check, decoding, separators, Excel, Parquet, header."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecasting.errors import InputError
from forecasting.loading.cells import _cell_is_date, _cell_is_missing, _cell_is_number

SEPARATORS = ("\t", ";", ",", "|")
SEPARATOR_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "pipe", " ": "whitespace"}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DECIMAL_COMMA_LINE = re.compile(r"^\s*[+-]?\d+,\d+\s*$")
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


def _too_many_rows(n_rows: int, max_rows: int, where: str) -> InputError:
    return InputError(
        f"The file {where} {n_rows:,} rows, more than the limit of {max_rows:,}. Raise the limit with "
        "max_points (CLI: --max-points) or shorten/aggregate the series."
    )


def _read_excel(data: bytes, notes: list[str], max_rows: int | None = None) -> pd.DataFrame:
    """Read the first sheet row by row (openpyxl read-only), refusing before the whole sheet is decompressed
    when its declared size, or the rows streamed so far, exceed ``max_rows`` (plus a header row)."""
    from openpyxl import load_workbook

    limit = None if max_rows is None else max_rows + 1
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"Could not read the Excel workbook ({exc}). Save it as .xlsx or CSV and try again.") from exc
    try:
        sheets = book.sheetnames
        rows = _sheet_rows(book[sheets[0]], limit)
    finally:
        book.close()
    if len(sheets) > 1:
        notes.append(f"Read the first sheet '{sheets[0]}' of {len(sheets)}.")
    raw = pd.DataFrame(rows).dropna(how="all").dropna(axis=1, how="all")
    if raw.empty:
        raise InputError("The Excel sheet is empty: it holds no rows of data.")
    cells = [["" if _cell_is_missing(c) else _excel_cell(c) for c in row] for row in raw.itertuples(index=False)]
    return _apply_header(cells, notes)


def _sheet_rows(sheet: Any, limit: int | None) -> list[tuple[Any, ...]]:
    """The cell values of a read-only worksheet, checking the declared dimensions first, then the count."""
    declared = sheet.max_row  # from the sheet's <dimension> tag: known before any row is decompressed
    if limit is not None and declared is not None and declared > limit:
        raise _too_many_rows(declared, limit - 1, "declares")
    sheet.reset_dimensions()  # a tag that claims too few rows would otherwise cut the sheet short silently
    rows: list[tuple[Any, ...]] = []
    try:
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if limit is not None and len(rows) > limit:
                raise _too_many_rows(len(rows), limit - 1, "holds at least")
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"Could not read the Excel workbook ({exc}). Save it as .xlsx or CSV and try again.") from exc
    return rows


def _excel_cell(value: Any) -> Any:
    """A whole-number float from Excel becomes an int, as pandas' Excel reader does."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _read_parquet(data: bytes, max_rows: int | None = None) -> pd.DataFrame:
    """Read a Parquet table, refusing from the row count in its footer before any column is decompressed."""
    import pyarrow.parquet as pq

    try:
        n_rows = pq.ParquetFile(io.BytesIO(data)).metadata.num_rows
    except Exception as exc:
        raise InputError(f"Could not read the Parquet file ({exc}). Check it is a valid Parquet table.") from exc
    if max_rows is not None and n_rows > max_rows:
        raise _too_many_rows(n_rows, max_rows, "has")
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"Could not read the Parquet file ({exc}). Check it is a valid Parquet table.") from exc


def _read_table(
    source: Any, filename: str | None, max_rows: int | None = None,
) -> tuple[pd.DataFrame, list[str], str | None]:
    """Read any supported source into a DataFrame; also return notes and a decimal-separator hint.

    ``max_rows`` lets compressed formats (Parquet, XLSX) refuse from their metadata before decompressing.
    """
    data, name = _read_bytes(source, filename)
    notes: list[str] = []
    if not data or not data.strip():
        raise InputError("The file is empty. Upload a file with a column of numbers.")
    if data[:4] == b"PAR1":
        return _read_parquet(data, max_rows), notes, None
    if data[:4] == b"PK\x03\x04":
        return _read_excel(data, notes, max_rows), notes, None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError("Old Excel .xls workbooks are not supported: save it as .xlsx or CSV and try again.")
    suffix = Path(name).suffix.lower() if name else ""
    if suffix in (".xlsx", ".xlsm", ".parquet", ".pq"):
        notes.append(f"The file is named {suffix} but holds text; read it as text.")
    frame, sep = _read_text(data, notes)
    return frame, notes, ("," if sep == ";" else None)
