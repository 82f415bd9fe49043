"""Turn a table or array into a validated LoadedSeries: settings, sorting, gaps, interpolation, public entry points."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecasting.errors import ForecastingError, InputError, SettingsError
from forecasting.loading.cells import MISSING_MARKERS, _cell_is_missing, _clean_text
from forecasting.loading.columns import (
    MAX_FOOTER_ROWS,
    _choose_time,
    _choose_value,
    _detect_time_kinds,
    _footer_rows,
    _profile,
    _time_values,
)
from forecasting.loading.reading import _read_table, _unique_names
from forecasting.loading.timeindex import (
    FIRST_TIMESTAMP_YEAR,
    FREQUENCY_SHORT_NAMES,
    LAST_TIMESTAMP_YEAR,
    _fill_gaps,
    _fill_integer_gaps,
    season_length_for,
)

DEFAULT_MAX_POINTS = 1_000_000
MIN_POINTS = 10
# Share of a series' points that may be missing (and interpolated): above MAX_FILLED_SHARE the series is
# refused (override with max_filled_share / --max-filled-share); above WARN_FILLED_SHARE it loads with a warning.
MAX_FILLED_SHARE = 0.5
WARN_FILLED_SHARE = 0.2


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
    warnings: list[str] = field(default_factory=list)  # shown prominently, unlike notes (e.g. many filled values)

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


def _check_settings(
    season_length: Any, frequency: Any, max_points: Any, max_filled_share: Any = MAX_FILLED_SHARE,
) -> str | None:
    """Validate the overrides; return the normalised frequency alias (or None)."""
    if isinstance(max_filled_share, bool) or not isinstance(max_filled_share, (int, float, np.number)) or not (
        0 <= float(max_filled_share) <= 1
    ):
        raise SettingsError(f"max_filled_share must be a number from 0 to 1; got {max_filled_share!r}.")
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
    max_filled_share: float = MAX_FILLED_SHARE,
) -> LoadedSeries:
    """Validate, sort, fill and describe a series given as values plus optional times (one row each).

    Each stage below is a function of its own so it can be tested alone.
    """
    values = np.asarray(values, dtype=float)
    labels = np.arange(1, len(values) + 1) if row_labels is None else row_labels
    _check_raw_values(values, labels, name, max_points)
    index: pd.Index
    inferred: str | None = None
    if kind is None:
        index = pd.RangeIndex(len(values))
    else:
        assert times is not None
        values, times = _order_by_time(values, times, kind, time_name, notes)
        index, values, inferred = _time_index(values, times, kind, time_name, notes)
        _check_point_limit(len(values), max_points, after_gaps=True)
    values, index, filled = _interpolate(values, index, name, notes)
    warnings_found = _check_filled_share(filled, len(values), name, max_filled_share)
    _check_usable(values, name)
    inferred, season = _frequency_and_season(inferred, frequency, season_length, len(values), notes)
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
        warnings=warnings_found,
    )


def _check_raw_values(values: np.ndarray, labels: np.ndarray, name: str, max_points: int) -> None:
    """Refuse an empty column, an infinite value (naming its row) and more points than allowed."""
    if len(values) == 0:
        raise InputError("The file is empty: it holds no rows of data.")
    infinite = np.isinf(values)
    if infinite.any():
        row = int(labels[np.flatnonzero(infinite)[0]])
        raise InputError(
            f"Column {name!r} holds an infinite value (row {row}). Replace it with a number, "
            "or empty the cell to have it interpolated."
        )
    _check_point_limit(len(values), max_points, after_gaps=False)


def _check_point_limit(n_points: int, max_points: int, *, after_gaps: bool) -> None:
    """Refuse a series longer than ``max_points`` (before or after inserting missing time steps)."""
    if n_points <= max_points:
        return
    what = "After inserting missing time steps the series" if after_gaps else "The series"
    raise InputError(
        f"{what} has {n_points:,} points, more than the limit of {max_points:,}. "
        "Raise the limit with max_points (CLI: --max-points) or shorten/aggregate the series."
    )


def _order_by_time(
    values: np.ndarray, times: np.ndarray | pd.DatetimeIndex, kind: str, time_name: str | None, notes: list[str],
) -> tuple[np.ndarray, np.ndarray | pd.DatetimeIndex]:
    """Normalise time zones, drop rows without a time, sort by time and refuse duplicated timestamps."""
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
        values, times = values[keep], times[keep]
    order = np.argsort(_time_keys(times, kind), kind="stable")
    if np.any(np.diff(order) != 1):
        notes.append(f"Rows were not in time order; sorted them by {time_name!r}.")
        values, times = values[order], times[order]
    _check_no_duplicates(times, kind, time_name)
    return values, times


def _time_keys(times: np.ndarray | pd.DatetimeIndex, kind: str) -> np.ndarray:
    """Integer sort keys of the time values (nanoseconds for timestamps, the numbers themselves otherwise)."""
    return np.asarray(times.asi8 if kind == "datetime" else times)  # type: ignore[union-attr]


def _check_no_duplicates(times: np.ndarray | pd.DatetimeIndex, kind: str, time_name: str | None) -> None:
    """Refuse sorted times that repeat, listing the first few repeated ones."""
    raw = _time_keys(times, kind)
    repeated = np.flatnonzero(raw[1:] == raw[:-1])
    if len(repeated):
        shown = sorted({str(times[i + 1]) for i in repeated[:3]})
        raise InputError(
            f"Duplicated timestamps in {time_name!r}: {', '.join(shown)}"
            f"{' and more' if len(repeated) > 3 else ''} ({len(repeated)} repeat(s)). Each time step must "
            "appear once: aggregate the duplicates (e.g. average them) or remove them."
        )


def _time_index(
    values: np.ndarray, times: np.ndarray | pd.DatetimeIndex, kind: str, time_name: str | None, notes: list[str],
) -> tuple[pd.Index, np.ndarray, str | None]:
    """Turn sorted times into the series index (gaps inserted as NaN) and the inferred frequency."""
    if kind == "datetime":
        return _fill_gaps(pd.DatetimeIndex(times), values, notes)
    steps, values, regular = _fill_integer_gaps(np.asarray(times), values, notes, kind)
    if kind != "year":
        return pd.Index(steps, dtype=np.int64), values, None
    if len(steps) and FIRST_TIMESTAMP_YEAR <= steps[0] and steps[-1] <= LAST_TIMESTAMP_YEAR:
        index = pd.DatetimeIndex((steps - 1970).astype("datetime64[Y]").astype("datetime64[ns]"))
        notes.append(f"Read the whole numbers in {time_name!r} as years (timestamps on 1 January).")
        return index, values, "YS" if regular else None
    notes.append(
        f"Years in {time_name!r} ({steps[0]}..{steps[-1]}) are outside what pandas timestamps hold "
        f"({FIRST_TIMESTAMP_YEAR}..{LAST_TIMESTAMP_YEAR}); kept them as integer years."
    )
    return pd.Index(steps, dtype=np.int64), values, "year" if regular else None


def _check_filled_share(filled: int, n_points: int, name: str, max_filled_share: float) -> list[str]:
    """Refuse a series with more than ``max_filled_share`` of its points filled in; warn above WARN_FILLED_SHARE.

    Interpolation invents the filled points, so a mostly-missing series would be mostly invented data.
    """
    share = filled / max(n_points, 1)
    if share > max_filled_share:
        raise InputError(
            f"Column {name!r} is mostly missing: {filled} of its {n_points} points ({share:.0%}) are empty and "
            f"would have to be invented by interpolation (the limit is {max_filled_share:.0%}). Pick another "
            "column, aggregate to a coarser frequency, or raise the limit with max_filled_share "
            "(CLI: --max-filled-share)."
        )
    if share > WARN_FILLED_SHARE:
        return [f"{filled} of the {n_points} points ({share:.0%}) were missing and are interpolated: "
                "results on this series partly reflect invented values."]
    return []


def _check_usable(values: np.ndarray, name: str) -> None:
    """Refuse a series too short to split, or constant (nothing to forecast)."""
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


def _frequency_and_season(
    inferred: str | None, frequency: str | None, season_length: int | None, n_points: int, notes: list[str],
) -> tuple[str | None, int]:
    """Apply the frequency and season-length overrides to what the timestamps suggest."""
    if frequency is not None:
        if inferred is not None and inferred != frequency:
            notes.append(f"Frequency set to {frequency} (the timestamps suggest {inferred}).")
        else:
            notes.append(f"Frequency set to {frequency}.")
        inferred = frequency
    season = season_length_for(inferred)
    if season_length is not None:
        if int(season_length) >= n_points:
            raise SettingsError(
                f"season_length {season_length} must be shorter than the series ({n_points} points)."
            )
        notes.append(f"Season length set to {int(season_length)} (the frequency suggests {season}).")
        season = int(season_length)
    return inferred, season


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
    max_filled_share: float = MAX_FILLED_SHARE,
) -> LoadedSeries:
    frequency = _check_settings(season_length, frequency, max_points, max_filled_share)
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
        value_columns=value_columns, time_columns=time_columns, max_filled_share=max_filled_share,
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
    max_filled_share: float = MAX_FILLED_SHARE,
) -> LoadedSeries:
    """Pick, parse and validate one series from a DataFrame (time_column=None: auto-detect; False: none)."""
    try:
        return _series_from_table(
            frame, column=column, time_column=time_column, season_length=season_length, frequency=frequency,
            max_points=max_points, notes=list(notes or []), decimal_hint=None, max_filled_share=max_filled_share,
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
    max_filled_share: float = MAX_FILLED_SHARE,
) -> LoadedSeries:
    """Read a path, bytes or binary file (CSV/TSV/text/Excel/Parquet) and return one validated series."""
    try:
        _check_settings(season_length, frequency, max_points, max_filled_share)
        frame, notes, decimal_hint = _read_table(source, filename, max_rows=max_points + MAX_FOOTER_ROWS)
        return _series_from_table(
            frame, column=column, time_column=time_column, season_length=season_length, frequency=frequency,
            max_points=max_points, notes=notes, decimal_hint=decimal_hint, max_filled_share=max_filled_share,
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
    max_filled_share: float = MAX_FILLED_SHARE,
) -> LoadedSeries:
    """Validate an array (and optional DatetimeIndex or integer index) as a series: for generated data and tests."""
    frequency = _check_settings(season_length, frequency, max_points, max_filled_share)
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
        value_columns=[str(name)], time_columns=[], max_filled_share=max_filled_share,
    )
