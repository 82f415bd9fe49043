"""What a batch runs on: a folder or glob of series files, or a long-format table (id, time, value).

Each series becomes a :class:`SeriesTask`, small enough to send to another process: a file path, or
the series' own rows of a long table. Per-series settings (horizon, season length) can come from a
manifest (``manifest.json`` in the input folder is picked up on its own).
"""

from __future__ import annotations

import glob
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from forecasting.errors import InputError, SettingsError
from forecasting.loading import MAX_FILLED_SHARE, LoadedSeries, load_series, series_from_frame

SERIES_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
LONG_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")
ID_NAMES = ("id", "unique_id", "series_id", "series")
TIME_NAMES = ("ds", "time", "timestamp", "date", "datetime", "period", "step")
VALUE_NAMES = ("value", "y", "target", "values")
MANIFEST_NAME = "manifest.json"
MANIFEST_KEYS = ("horizon", "season_length", "validation_size")


@dataclass(frozen=True)
class LoadOptions:
    """How to read one series: the single-series loader's options (value/time column, frequency, limits)."""

    column: str | None = None
    time_column: str | None | bool = None
    season_length: int | None = None
    frequency: str | None = None
    max_points: int = 1_000_000
    max_filled_share: float = MAX_FILLED_SHARE


@dataclass(frozen=True)
class SeriesTask:
    """One series of a batch: a file holding it, or its rows of a long table, plus per-series settings."""

    series_id: str
    path: str | None = None
    frame: pd.DataFrame | None = None
    value_column: str | None = None
    time_column: str | None = None
    overrides: dict[str, int] = field(default_factory=dict)

    def load(self, options: LoadOptions) -> LoadedSeries:
        """The validated series, read with the same loader as the single-series command."""
        season = self.overrides.get("season_length", options.season_length)
        if self.frame is not None:
            return series_from_frame(self.frame, column=self.value_column,
                                     time_column=self.time_column if self.time_column else False,
                                     season_length=season, frequency=options.frequency,
                                     max_points=options.max_points, max_filled_share=options.max_filled_share)
        return load_series(Path(str(self.path)), filename=Path(str(self.path)).name, column=options.column,
                           time_column=options.time_column, season_length=season, frequency=options.frequency,
                           max_points=options.max_points, max_filled_share=options.max_filled_share)


@dataclass(frozen=True)
class LongColumns:
    """Column names of a long-format table; None picks a usual name (id / time / value)."""

    id_column: str | None = None
    time_column: str | None = None
    value_column: str | None = None


@dataclass
class BatchInput:
    """The series of one batch, found from an INPUT argument: files of one series each, or long tables."""

    files: list[Path]
    long: LongColumns | None
    manifest: dict[str, dict[str, int]]
    description: str

    def tasks(self) -> Iterator[SeriesTask]:
        """Every series as a task, file by file (a long table is read only when its turn comes)."""
        seen: set[str] = set()
        for path in self.files:
            for task in (_long_tasks(path.read_bytes(), path.name, self.long) if self.long
                         else [SeriesTask(series_id=path.stem, path=str(path))]):
                if task.series_id in seen:
                    raise InputError(f"Series id {task.series_id!r} appears twice in {self.description}; "
                                     "ids must be unique (rename one file or fix the id column).")
                seen.add(task.series_id)
                entry = self.manifest.get(task.series_id)
                yield task if not entry else _with_overrides(task, entry)


def _with_overrides(task: SeriesTask, overrides: dict[str, int]) -> SeriesTask:
    return SeriesTask(series_id=task.series_id, path=task.path, frame=task.frame, value_column=task.value_column,
                      time_column=task.time_column, overrides=dict(overrides))


def find_input(source: str, *, id_column: str | None = None, time_column: str | None = None,
               value_column: str | None = None, manifest: str | None = None) -> BatchInput:
    """Resolve INPUT (folder, glob, or one long-format table) into the files and the way to read them.

    A folder or glob gives one series per file unless ``id_column`` is set (then each file is a long
    table). A single file is a long table when it has an id column (given or a usual name), else one series.
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SERIES_SUFFIXES)
        where = f"folder {source}"
        manifest_path = manifest or (str(path / MANIFEST_NAME) if (path / MANIFEST_NAME).exists() else None)
    elif any(ch in source for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(source, recursive=True)
                       if Path(p).is_file() and Path(p).suffix.lower() in SERIES_SUFFIXES)
        where, manifest_path = f"glob {source!r}", manifest
    elif path.is_file():
        files, where, manifest_path = [path], f"file {source}", manifest
    else:
        raise InputError(f"Input {source!r} is not a folder, a file or a glob that matches files; "
                         "pass a folder of series files, a glob such as 'data/*.csv', or a long-format table.")
    if not files:
        raise InputError(f"No series files ({', '.join(SERIES_SUFFIXES)}) in {where}.")
    long = None
    if id_column or (len(files) == 1 and path.is_file() and _has_id_column(files[0])):
        long = LongColumns(id_column, time_column, value_column)
    return BatchInput(files=files, long=long, manifest=read_manifest(manifest_path) if manifest_path else {},
                      description=where)


def input_from_table(data: bytes, filename: str, columns: LongColumns | None = None) -> BatchInput:
    """A batch over one uploaded long-format table (the dashboard's upload), kept in memory."""
    tasks = _long_tasks(data, filename, columns or LongColumns())
    return _InMemoryInput(files=[], long=columns or LongColumns(), manifest={},
                          description=f"table {filename}", held=tasks)


@dataclass
class _InMemoryInput(BatchInput):
    held: list[SeriesTask] = field(default_factory=list)

    def tasks(self) -> Iterator[SeriesTask]:
        yield from self.held


def first_series(batch: BatchInput, count: int) -> BatchInput:
    """The first ``count`` series of ``batch`` only (quick checks and benchmarks on a smaller N)."""
    held = []
    for task in batch.tasks():
        if len(held) == count:
            break
        held.append(task)
    return _InMemoryInput(files=[], long=batch.long, manifest={}, description=f"first {len(held)} of "
                          f"{batch.description}", held=held)


def _has_id_column(path: Path) -> bool:
    if path.suffix.lower() not in LONG_SUFFIXES:
        return False
    try:
        names = _column_names(path)
    except (OSError, ValueError):
        return False
    return any(name.lower() in ID_NAMES for name in names)


def _column_names(path: Path) -> list[str]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    sep = "\t" if path.suffix.lower() == ".tsv" else None
    return [str(c) for c in pd.read_csv(path, nrows=0, sep=sep, engine="python").columns]


def read_long_table(data: bytes, filename: str) -> pd.DataFrame:
    """A long-format table from CSV/TSV/TXT or Parquet bytes, as pandas reads it."""
    suffix = Path(filename).suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(io.BytesIO(data))
        return pd.read_csv(io.BytesIO(data), sep="\t" if suffix == ".tsv" else None, engine="python")
    except Exception as error:  # noqa: BLE001 - any reader failure is a file the user must fix
        raise InputError(f"Could not read {filename} as a long-format table (CSV or Parquet with id, time and "
                         f"value columns): {error}") from error


def _choose(frame: pd.DataFrame, given: str | None, usual: tuple[str, ...], what: str,
            required: bool) -> str | None:
    names = [str(c) for c in frame.columns]
    if given:
        if given not in names:
            raise InputError(f"The table has no {what} column {given!r}; its columns are: {', '.join(names)}.")
        return given
    by_lower = {n.lower(): n for n in names}
    found = next((by_lower[u] for u in usual if u in by_lower), None)
    if found is None and required:
        raise InputError(f"Could not find the {what} column (tried {', '.join(usual)}); name it with "
                         f"--{what}-column. The table's columns are: {', '.join(names)}.")
    return found


def long_columns(frame: pd.DataFrame, columns: LongColumns) -> tuple[str, str | None, str]:
    """The id, time (or None) and value columns of a long table; the value is the only other column if unnamed."""
    id_col = _choose(frame, columns.id_column, ID_NAMES, "id", required=True)
    time_col = _choose(frame, columns.time_column, TIME_NAMES, "time", required=False)
    value_col = _choose(frame, columns.value_column, VALUE_NAMES, "value", required=False)
    if value_col is None:
        rest = [str(c) for c in frame.columns if str(c) not in (id_col, time_col)]
        if len(rest) != 1:
            raise InputError(f"Could not tell which column holds the values among {', '.join(rest) or 'none'}; "
                             "name it with --column.")
        value_col = rest[0]
    return str(id_col), time_col, value_col


def guess_long_columns(names: list[str]) -> tuple[str, str | None, str]:
    """Best guesses for a form: the usual id / time / value names, else the first column as id and the last as value."""
    by_lower = {n.lower(): n for n in names}

    def usual(options: tuple[str, ...]) -> str | None:
        return next((by_lower[u] for u in options if u in by_lower), None)

    id_col = usual(ID_NAMES) or names[0]
    time_col = usual(TIME_NAMES)
    value_col = usual(VALUE_NAMES) or next((n for n in reversed(names) if n not in (id_col, time_col)), names[-1])
    return id_col, time_col, value_col


def _long_tasks(data: bytes, filename: str, columns: LongColumns | None) -> list[SeriesTask]:
    frame = read_long_table(data, filename)
    id_col, time_col, value_col = long_columns(frame, columns or LongColumns())
    if frame[id_col].isna().any():
        raise InputError(f"The id column {id_col!r} of {filename} has empty cells; give every row a series id.")
    keep = [c for c in (time_col, value_col) if c]
    tasks = []
    for series_id, rows in frame.groupby(frame[id_col].astype(str), sort=True):
        tasks.append(SeriesTask(series_id=str(series_id), frame=rows[keep].reset_index(drop=True),
                                value_column=value_col, time_column=time_col))
    return tasks


def read_manifest(path: str) -> dict[str, dict[str, int]]:
    """Per-series settings from a JSON object ``{id: {"horizon": H, "season_length": m, ...}}``.

    Entries are matched by their key and by the stem of their ``file`` field; keys other than
    horizon, season_length and validation_size (such as a source or a description) are not settings.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"Could not read the manifest {path}: {error}. It must be a JSON object "
                         '{"series_id": {"horizon": 12, "season_length": 12}, ...}.') from error
    if not isinstance(data, dict):
        raise InputError(f"The manifest {path} must be a JSON object keyed by series id.")
    out: dict[str, dict[str, int]] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise InputError(f"Manifest entry {key!r} must be an object such as {{\"horizon\": 12}}.")
        settings = {}
        for name in MANIFEST_KEYS:
            if entry.get(name) is not None:
                value = entry[name]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise SettingsError(f"Manifest entry {key!r}: {name} must be a whole number >= 1; got {value!r}.")
                settings[name] = value
        out[str(key)] = settings
        if isinstance(entry.get("file"), str):
            out.setdefault(Path(entry["file"]).stem, settings)
    return out


def count_series(batch: BatchInput) -> int | None:
    """How many series the input holds, cheaply when known (files of one series); None when it needs a read."""
    if isinstance(batch, _InMemoryInput):
        return len(batch.held)
    return len(batch.files) if batch.long is None else None
