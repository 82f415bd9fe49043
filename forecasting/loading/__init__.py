"""Load one 1-D series from CSV, TSV, plain text, Excel or Parquet into a clean, validated float array.

The loader is forgiving about form (encodings, separators, decimal commas, headers, shuffled rows,
footer lines, gaps, time zones) and strict about substance: every repair is written in plain words
to ``LoadedSeries.notes`` and every refusal is a single :class:`InputError` saying what to do.

Modules: ``reading`` (source -> raw table), ``cells`` (single-cell tests), ``columns`` (column parsing
and choice), ``timeindex`` (time axis, gaps, frequency) and ``series`` (validation, public entry points).
The constants below are re-exported for reading only: to change one (e.g. in a test), set it on the
submodule that defines it, such as ``forecasting.loading.reading.MAX_FILE_BYTES``.
"""

from __future__ import annotations

from forecasting.loading.cells import MISSING_MARKERS
from forecasting.loading.columns import COUNTER_NAME, MAX_FOOTER_ROWS, YEAR_NAME
from forecasting.loading.reading import MAX_FILE_BYTES, SEPARATOR_NAMES, SEPARATORS
from forecasting.loading.series import (
    DEFAULT_MAX_POINTS,
    MAX_FILLED_SHARE,
    MIN_POINTS,
    WARN_FILLED_SHARE,
    LoadedSeries,
    load_series,
    read_table,
    series_from_frame,
    series_from_values,
)
from forecasting.loading.timeindex import (
    FIRST_TIMESTAMP_YEAR,
    FREQUENCY_SHORT_NAMES,
    LAST_TIMESTAMP_YEAR,
    MAX_GAP_FRACTION,
    season_length_for,
)

__all__ = [
    "COUNTER_NAME",
    "DEFAULT_MAX_POINTS",
    "FIRST_TIMESTAMP_YEAR",
    "FREQUENCY_SHORT_NAMES",
    "LAST_TIMESTAMP_YEAR",
    "MAX_FILE_BYTES",
    "MAX_FILLED_SHARE",
    "MAX_FOOTER_ROWS",
    "MAX_GAP_FRACTION",
    "MIN_POINTS",
    "MISSING_MARKERS",
    "SEPARATORS",
    "SEPARATOR_NAMES",
    "WARN_FILLED_SHARE",
    "YEAR_NAME",
    "LoadedSeries",
    "load_series",
    "read_table",
    "season_length_for",
    "series_from_frame",
    "series_from_values",
]
