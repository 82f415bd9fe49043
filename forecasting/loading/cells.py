"""Single-cell tests shared by reading and parsing: missing markers, number look-alikes, date look-alikes."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

MISSING_MARKERS = frozenset(
    {"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", ".", "?", "#n/a", "missing", "<na>", "nat"}
)
_EU_BOTH = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")
_US_BOTH = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d*$")
_COMMA_MULTI = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}$")
_COMMA_DECIMAL = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")
_DOT_MULTI = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")


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


def _clean_text(column: pd.Series) -> pd.Series:
    return column.fillna("").astype(str).str.strip()
