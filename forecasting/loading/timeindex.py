"""Build the time axis: parse timestamps (zones, out-of-range years), fill gaps, infer frequency and season."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from forecasting.loading.cells import MISSING_MARKERS, _clean_text

MAX_GAP_FRACTION = 0.2  # at most this share of inserted timestamps when filling gaps in a regular series
# Datetime64 nanoseconds hold years 1678..2261; other integer years stay integers.
FIRST_TIMESTAMP_YEAR, LAST_TIMESTAMP_YEAR = 1678, 2261
_TZ_SUFFIX = r"(Z|[+-]\d{2}:?\d{2})$"
_DAY_MONTH = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}")
FREQUENCY_SHORT_NAMES = {"W-SUN": "W", "QS-JAN": "QS", "YS-JAN": "YS", "QE-DEC": "QE", "YE-DEC": "YE"}


def season_length_for(frequency: str | None) -> int:
    """Season length m implied by a frequency alias: 12 monthly, 7 daily, 24 hourly, 48 half-hourly, 1 otherwise."""
    # Kept over statsmodels' freq_to_period, which maps "2MS" to 12 and raises on "30min", "15min" and "SMS"
    # (benchmarks/results_classical.md); both agree on the plain aliases.
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
