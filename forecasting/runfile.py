"""Run files: a small JSON with the data's fingerprint and every setting and seed, to replay a comparison.

``python -m forecasting compare --config RUN.json`` (or the dashboard) reads one back and reproduces the
same numbers; a fingerprint check refuses to replay it on different data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forecasting.comparison import CompareConfig
from forecasting.errors import InputError
from forecasting.loading import LoadedSeries

RUN_FILE_FORMAT = "forecasting-lab run"
RUN_FILE_VERSION = 1
SOURCE_KEYS = ("example", "filename", "column", "time_column", "season_length", "frequency")


def make_run_file(source: dict[str, Any], series: LoadedSeries, config: CompareConfig) -> dict[str, Any]:
    """Describe a run: where the data came from (``example`` key or ``filename`` plus column choices),
    its fingerprint and length, and the full comparison config (seeds included)."""
    data = {key: source.get(key) for key in SOURCE_KEYS}
    data.update({"fingerprint": series.fingerprint(), "length": len(series)})
    return {"format": RUN_FILE_FORMAT, "version": RUN_FILE_VERSION, "data": data, "config": config.to_dict()}


def read_run_file(data: dict[str, Any] | str | bytes | Path) -> tuple[dict[str, Any], CompareConfig]:
    """Parse a run file (dict, JSON text or path) into its data description and a validated config."""
    if isinstance(data, Path):
        try:
            data = data.read_text(encoding="utf-8")
        except OSError as error:
            raise InputError(f"Cannot read the run file: {error}.") from None
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise InputError("The run file is not valid JSON; download a new one from a finished run.") from None
    if not isinstance(data, dict) or data.get("format") != RUN_FILE_FORMAT:
        raise InputError(f"This JSON is not a run file (expected \"format\": \"{RUN_FILE_FORMAT}\").")
    if data.get("version") != RUN_FILE_VERSION:
        raise InputError(f"Run file version {data.get('version')!r} is not supported (expected {RUN_FILE_VERSION}).")
    source = data.get("data") or {}
    config = CompareConfig.from_dict(data.get("config") or {})
    config.validate()
    return source, config


def check_fingerprint(source: dict[str, Any], series: LoadedSeries) -> None:
    """Refuse to replay a run on data that differs from the data it was made on."""
    expected = source.get("fingerprint")
    if expected and expected != series.fingerprint():
        raise InputError(
            "The data differs from the data this run file was made on (fingerprint mismatch); "
            "load the same file with the same column choices."
        )
