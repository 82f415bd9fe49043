"""Compressed uploads (Parquet, XLSX) are refused from their metadata before they are decompressed in full."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import InputError
from forecasting.loading import load_series


def _parquet_bytes(n_rows: int) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame({"value": np.arange(n_rows, dtype=float)}).to_parquet(buffer)
    return buffer.getvalue()


def _xlsx_bytes(n_rows: int, claimed_rows: int | None = None) -> bytes:
    """An .xlsx with ``n_rows`` values whose sheet dimension tag claims ``claimed_rows`` rows (header included)."""
    buffer = io.BytesIO()
    pd.DataFrame({"value": np.arange(n_rows, dtype=float)}).to_excel(buffer, index=False, engine="openpyxl")
    if claimed_rows is None:
        return buffer.getvalue()
    source, target = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:A{claimed_rows}"'.encode(), data)
            out.writestr(item, data)
    return target.getvalue()


def test_parquet_row_count_is_read_from_the_footer_before_decompressing(monkeypatch):
    data = _parquet_bytes(500)

    def never(*args, **kwargs):
        raise AssertionError("the columns were decompressed before the row limit was checked")

    monkeypatch.setattr(pd, "read_parquet", never)
    with pytest.raises(InputError, match=r"500 rows, more than the limit"):
        load_series(data, filename="big.parquet", max_points=100)


def test_parquet_within_the_limit_loads():
    assert len(load_series(_parquet_bytes(80), filename="ok.parquet", max_points=100)) == 80


def test_xlsx_that_declares_millions_of_rows_is_refused_before_reading_them():
    data = _xlsx_bytes(30, claimed_rows=5_000_000)
    with pytest.raises(InputError, match=r"declares 5,000,000 rows"):
        load_series(data, filename="claims.xlsx", max_points=1000)


def test_xlsx_that_expands_past_its_declared_size_stops_at_the_limit():
    data = _xlsx_bytes(2000, claimed_rows=3)  # a small claim, many more rows inside
    with pytest.raises(InputError, match=r"holds at least .* rows, more than the limit"):
        load_series(data, filename="expands.xlsx", max_points=100)


def test_xlsx_within_the_limit_loads_with_integer_cells():
    series = load_series(_xlsx_bytes(40), filename="ok.xlsx", max_points=100)
    assert len(series) == 40 and series.values[-1] == 39.0


def test_xlsx_that_understates_its_size_is_read_in_full_not_cut_short():
    series = load_series(_xlsx_bytes(60, claimed_rows=3), filename="understated.xlsx", max_points=100)
    assert len(series) == 60
