"""The batch's output folder: Parquet parts written one per chunk, read back for resuming and reporting.

Layout of ``RESULTS/``::

    batch.json             settings of the batch (a resumed run must use the same ones)
    results/part-NNNNNN.parquet    one row per series and model (schema RESULT_SCHEMA)
    forecasts/part-NNNNNN.parquet  one row per series, model and step (only with --forecasts)
    leaderboard.md         written at the end (and by ``report``)

Each part is written to a temporary name and renamed, so a crash never leaves half a file. A series'
results part is written after its forecasts part: the results part is what marks it done.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from forecasting.comparison import model_kind
from forecasting.errors import InputError, SettingsError
from forecasting.metrics import METRIC_NAMES
from forecasting.results import ComparisonResult

RESULT_SCHEMA = pa.schema([
    ("series_id", pa.string()),
    ("model", pa.string()),
    ("label", pa.string()),
    ("kind", pa.string()),
    ("ok", pa.bool_()),
    ("error", pa.string()),
    *[(name, pa.float64()) for name in METRIC_NAMES],
    ("validation_mase", pa.float64()),
    ("fit_seconds", pa.float64()),
    ("forecast_seconds", pa.float64()),
    ("trainable_parameters", pa.int64()),
    ("memory_horizon", pa.float64()),
    ("memory_capacity", pa.float64()),
    ("recommended", pa.bool_()),
    ("recommended_model", pa.string()),
    ("n_points", pa.int64()),
    ("horizon", pa.int64()),
    ("season_length", pa.int64()),
    ("warnings", pa.list_(pa.string())),
    ("series_seconds", pa.float64()),
    ("series_cpu_seconds", pa.float64()),
])
FORECAST_SCHEMA = pa.schema([
    ("series_id", pa.string()),
    ("model", pa.string()),
    ("step", pa.int64()),
    ("time", pa.string()),
    ("forecast", pa.float64()),
    ("actual", pa.float64()),
])
SETTINGS_FILE = "batch.json"
LEADERBOARD_FILE = "leaderboard.md"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if not math.isnan(value) else None


def _kind(name: str) -> str:
    try:
        return model_kind(name).value
    except Exception:  # noqa: BLE001 - a model no longer registered keeps an unknown kind
        return "unknown"


def result_rows(series_id: str, result: ComparisonResult | None, error: str | None,
                seconds: float, cpu_seconds: float | None = None) -> list[dict[str, Any]]:
    """One row per model of ``result``; a series that failed as a whole gets one row with its error.

    ``seconds`` is the series' wall time, ``cpu_seconds`` the CPU time of its worker process meanwhile
    (not stretched by other processes on the machine; parts written before it was recorded read as null).
    """
    if result is None:
        row = {name: None for name in RESULT_SCHEMA.names}
        row.update(series_id=series_id, ok=False, error=error, recommended=False, warnings=[],
                   series_seconds=seconds, series_cpu_seconds=cpu_seconds)
        return [row]
    rows = []
    for name, res in result.models.items():
        rows.append({
            "series_id": series_id, "model": name, "label": res.label, "kind": _kind(name), "ok": res.ok,
            "error": res.error, **{k: _number(res.metrics.get(k)) for k in METRIC_NAMES},
            "validation_mase": _number(res.validation_metrics.get("mase")),
            "fit_seconds": res.fit_seconds, "forecast_seconds": res.forecast_seconds,
            "trainable_parameters": int(res.trainable_parameters),
            "memory_horizon": _number(res.memory_horizon), "memory_capacity": _number(res.memory_capacity),
            "recommended": name == result.recommended, "recommended_model": result.recommended,
            "n_points": result.series.length, "horizon": result.horizon, "season_length": result.season_length,
            "warnings": list(res.warnings), "series_seconds": seconds, "series_cpu_seconds": cpu_seconds,
        })
    return rows


def forecast_rows(series_id: str, result: ComparisonResult) -> list[dict[str, Any]]:
    """The test-part forecast of every model that succeeded, step by step, next to the actual values."""
    actual = result.actual[len(result.actual) - result.horizon:]
    rows = []
    for name, res in result.models.items():
        if not res.ok:
            continue
        times = res.forecast_index or [None] * len(res.forecast)
        for step, (value, when, truth) in enumerate(zip(res.forecast, times, actual, strict=False), start=1):
            rows.append({"series_id": series_id, "model": name, "step": step,
                         "time": None if when is None else str(when), "forecast": _number(value),
                         "actual": _number(truth)})
    return rows


class ResultStore:
    """An output folder of Parquet parts; one writer (the process that runs the batch)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.results_dir = self.root / "results"
        self.forecasts_dir = self.root / "forecasts"
        self._next_part: int | None = None  # number of the next part, found by one scan of the folder

    # -- writing --------------------------------------------------------------------------------
    def start(self, settings: Any, description: str) -> None:
        """Create the folder, or check that an existing one was written with the same settings."""
        if self.root.exists() and not self.root.is_dir():
            raise SettingsError(f"--out {self.root} is a file; give a folder for the results.")
        self.results_dir.mkdir(parents=True, exist_ok=True)
        self.forecasts_dir.mkdir(parents=True, exist_ok=True)
        self._drop_orphans()
        wanted = settings.fingerprint()
        path = self.root / SETTINGS_FILE
        if path.exists():
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("settings") != json.loads(json.dumps(wanted)):
                raise SettingsError(f"{self.root} holds a batch run with other settings; resume it with the same "
                                    "options, or write to a new --out folder.")
            return
        path.write_text(json.dumps({"input": description, "settings": wanted}, indent=2), encoding="utf-8")

    def _parts(self, folder: Path) -> list[Path]:
        return sorted(folder.glob("part-*.parquet")) if folder.exists() else []

    def _drop_orphans(self) -> None:
        """Forecast parts whose results part was never written (a crash in between) are removed."""
        written = {p.name for p in self._parts(self.results_dir)}
        for part in self._parts(self.forecasts_dir):
            if part.name not in written:
                part.unlink()
        for tmp in list(self.results_dir.glob("*.tmp")) + list(self.forecasts_dir.glob("*.tmp")):
            tmp.unlink()

    def _next_name(self) -> str:
        if self._next_part is None:
            numbers = [int(p.stem.split("-")[1]) for p in self._parts(self.results_dir)]
            self._next_part = max(numbers, default=-1) + 1
        self._next_part += 1
        return f"part-{self._next_part - 1:06d}.parquet"

    @staticmethod
    def _write(table: pa.Table, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)

    def write_chunk(self, rows: list[dict[str, Any]], forecasts: list[dict[str, Any]]) -> None:
        """Write one chunk's rows as new parts (forecasts first: the results part marks the series done)."""
        if not rows:
            return
        name = self._next_name()
        if forecasts:
            self._write(pa.Table.from_pylist(forecasts, schema=FORECAST_SCHEMA), self.forecasts_dir / name)
        self._write(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA), self.results_dir / name)

    # -- reading --------------------------------------------------------------------------------
    def read_results(self) -> pd.DataFrame:
        """Every result row; a series written more than once (a retried failure) keeps its newest part."""
        parts = self._parts(self.results_dir)
        if not parts:
            raise InputError(f"No batch results in {self.root}; run `python -m forecasting batch INPUT "
                             f"--out {self.root}` first.")
        frames = []
        for number, part in enumerate(parts):
            frame = pq.read_table(part, schema=RESULT_SCHEMA).to_pandas()
            frame["_part"] = number
            frames.append(frame)
        data = pd.concat(frames, ignore_index=True)
        newest = data.groupby("series_id")["_part"].transform("max")
        return data[data["_part"] == newest].drop(columns="_part").reset_index(drop=True)

    def read_forecasts(self) -> pd.DataFrame:
        """Every forecast row written (empty when the batch ran without --forecasts)."""
        parts = self._parts(self.forecasts_dir)
        if not parts:
            return FORECAST_SCHEMA.empty_table().to_pandas()
        return pd.concat([pq.read_table(p, schema=FORECAST_SCHEMA).to_pandas() for p in parts], ignore_index=True)

    def done_ids(self, include_failed: bool = True) -> set[str]:
        """Ids of series already written; with ``include_failed=False`` a series with no successful model is not done."""
        parts = self._parts(self.results_dir)
        if not parts:
            return set()
        if include_failed:
            return {sid for p in parts for sid in pq.read_table(p, columns=["series_id"]).column(0).to_pylist()}
        data = self.read_results()
        ok = data["ok"].fillna(False).astype(bool).groupby(data["series_id"]).any()
        return set(ok[ok].index)

    def settings(self) -> dict[str, Any]:
        """The saved ``batch.json`` (input and settings)."""
        path = self.root / SETTINGS_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
