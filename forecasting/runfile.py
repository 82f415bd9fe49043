"""Run files: a small JSON with the data's fingerprint and every setting and seed, to replay a comparison.

``python -m forecasting compare --config RUN.json`` (or the dashboard) reads one back and reproduces the
same numbers; a fingerprint check refuses to replay it on different data.

A run file is untrusted input (it may come from anyone), so :func:`read_run_file` checks it against a
schema before anything uses it: known keys only, the type of every value, and ranges. Work is capped
(:data:`RUN_FILE_MAXIMA`) so a file cannot ask for hours of fitting. The data it names is either a
bundled example (by key, never a path) or a file that the user passes explicitly; the fingerprint is
required. Every problem is one :class:`SettingsError` / :class:`InputError` message.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from forecasting.comparison import CompareConfig
from forecasting.errors import ForecastingError, InputError, SettingsError
from forecasting.examples import EXAMPLES
from forecasting.loading import LoadedSeries
from forecasting.models import MODEL_NAMES, get_model_class

RUN_FILE_FORMAT = "forecasting-lab run"
RUN_FILE_VERSION = 1
SOURCE_KEYS = ("example", "filename", "column", "time_column", "season_length", "frequency")
TOP_LEVEL_KEYS = ("format", "version", "data", "config")
DATA_KEYS = (*SOURCE_KEYS, "fingerprint", "length")
MAX_RUN_FILE_BYTES = 1_000_000  # a real run file is a few kB
MAX_TEXT = 200  # longest column name, file name or frequency accepted
# The most work a run file may ask for; larger values are refused with a message naming the maximum.
RUN_FILE_MAXIMA: dict[str, int | float] = {
    "seeds": 20,
    "backtest": 20,
    "horizon": 100_000,
    "validation_size": 1_000_000,
    "season_length": 100_000,
    "base_seed": 2**31 - 1,
    "time_budget_s": 3600.0,
    "units": 5000,          # ESN reservoir size
    "hidden_size": 1024,    # LSTM / GRU width
    "max_epochs": 10_000,   # LSTM / GRU training passes
}
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_INT_SETTINGS = {"horizon": 1, "validation_size": 1, "season_length": 1, "seeds": 1, "backtest": 1, "base_seed": 0}
_NULLABLE = ("horizon", "validation_size", "season_length")  # null means "automatic"
_FLAG_SETTINGS = ("log", "difference", "seasonal_difference")


def make_run_file(source: dict[str, Any], series: LoadedSeries, config: CompareConfig) -> dict[str, Any]:
    """Describe a run: where the data came from (``example`` key or ``filename`` plus column choices),
    its fingerprint and length, and the full comparison config (seeds included)."""
    data = {key: source.get(key) for key in SOURCE_KEYS}
    if data["filename"] is not None:
        data["filename"] = Path(str(data["filename"])).name  # a name to show, never a path to open
    data.update({"fingerprint": series.fingerprint(), "length": len(series)})
    return {"format": RUN_FILE_FORMAT, "version": RUN_FILE_VERSION, "data": data, "config": config.to_dict()}


def read_run_file(data: dict[str, Any] | str | bytes | Path) -> tuple[dict[str, Any], CompareConfig]:
    """Parse and validate a run file (dict, JSON text or path) into its data description and a config."""
    document = _as_document(data)
    _check_header(document)
    source = check_source(document.get("data"))
    config = check_config(document.get("config"))
    return source, config


def check_fingerprint(source: dict[str, Any], series: LoadedSeries) -> None:
    """Refuse to replay a run on data that differs from the data it was made on (the fingerprint is required)."""
    expected = source.get("fingerprint")
    if not expected:
        raise InputError("The run file has no data fingerprint; download a new one from a finished run.")
    if expected != series.fingerprint():
        raise InputError(
            "The data differs from the data this run file was made on (fingerprint mismatch); "
            "load the same file with the same column choices."
        )


# -- the document ------------------------------------------------------------------------------------------
def _as_document(data: dict[str, Any] | str | bytes | Path) -> dict[str, Any]:
    """Read a path or JSON text into a dict, refusing oversize and malformed files."""
    if isinstance(data, Path):
        try:
            if data.stat().st_size > MAX_RUN_FILE_BYTES:
                raise InputError(_too_big())
            data = data.read_bytes()
        except OSError as error:
            raise InputError(f"Cannot read the run file: {error}.") from None
    if isinstance(data, (str, bytes, bytearray)):
        if len(data) > MAX_RUN_FILE_BYTES:
            raise InputError(_too_big())
        try:
            data = json.loads(data, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InputError("The run file is not valid JSON; download a new one from a finished run.") from None
    if not isinstance(data, dict):
        raise InputError(f"This JSON is not a run file (expected an object with \"format\": \"{RUN_FILE_FORMAT}\").")
    return data


def _too_big() -> str:
    return f"The run file is larger than {MAX_RUN_FILE_BYTES:,} bytes, so it is not a run file from this app."


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid in a run file")


def _check_header(document: dict[str, Any]) -> None:
    """The format marker, the version and no keys besides format, version, data and config."""
    if document.get("format") != RUN_FILE_FORMAT:
        raise InputError(f"This JSON is not a run file (expected \"format\": \"{RUN_FILE_FORMAT}\").")
    version = document.get("version")
    if type(version) is not int or version != RUN_FILE_VERSION:
        raise InputError(f"Run file version {version!r} is not supported (expected {RUN_FILE_VERSION}).")
    _no_unknown_keys(document, TOP_LEVEL_KEYS, "the run file")


def _no_unknown_keys(mapping: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(key) for key in mapping if key not in known)
    if unknown:
        raise SettingsError(f"Unknown key(s) {', '.join(map(repr, unknown))} in {where}; "
                            f"valid keys are: {', '.join(known)}.")


# -- the data section --------------------------------------------------------------------------------------
def check_source(data: Any) -> dict[str, Any]:
    """Validate the ``data`` section: a bundled example key or a bare file name, column choices, fingerprint."""
    if not isinstance(data, dict):
        raise InputError("The run file has no \"data\" section; download a new one from a finished run.")
    _no_unknown_keys(data, DATA_KEYS, "the run file's data section")
    example, filename = data.get("example"), data.get("filename")
    if example is not None and (not isinstance(example, str) or example not in EXAMPLES):
        raise InputError(f"The run file names the example {_short(example)}, which is not bundled; "
                         f"run files may name only these examples: {', '.join(EXAMPLES)}.")
    if filename is not None:
        _text(filename, "data.filename")
    if (example is None) == (filename is None):
        raise InputError("The run file's data section must name either a bundled \"example\" or the "
                         "\"filename\" it was made on (one of the two).")
    for key in ("column", "frequency"):
        if data.get(key) is not None:
            _text(data[key], f"data.{key}")
    time_column = data.get("time_column")
    if time_column is not None and time_column is not False:
        _text(time_column, "data.time_column")
    if data.get("season_length") is not None:
        _whole(data["season_length"], "data.season_length", 1, RUN_FILE_MAXIMA["season_length"])
    if data.get("length") is not None:
        _whole(data["length"], "data.length", 1, None)
    fingerprint = data.get("fingerprint")
    if not isinstance(fingerprint, str) or not _FINGERPRINT.match(fingerprint):
        raise InputError("The run file's data fingerprint is missing or malformed (expected 64 hex digits); "
                         "download a new run file from a finished run.")
    return dict(data)


# -- the config section ------------------------------------------------------------------------------------
def check_config(config: Any) -> CompareConfig:
    """Validate the ``config`` section value by value, then build and validate the CompareConfig."""
    if not isinstance(config, dict):
        raise SettingsError("The run file has no \"config\" section; download a new one from a finished run.")
    known = tuple(f.name for f in fields(CompareConfig))
    _no_unknown_keys(config, known, "the run file's config")
    values = dict(config)
    for key, value in config.items():
        values[key] = _config_value(key, value)
    try:
        result = CompareConfig.from_dict(values)
        result.validate()
    except ForecastingError:
        raise
    except (TypeError, ValueError) as error:  # a CompareConfig field this schema does not know yet
        raise SettingsError(f"The run file's config cannot be used ({error}).") from None
    return result


def _config_value(key: str, value: Any) -> Any:
    """One config value, checked by its own rule or, for a field without one, by its default's type."""
    if key in _INT_SETTINGS:
        if value is None and key in _NULLABLE:
            return None
        return _whole(value, f"config.{key}", _INT_SETTINGS[key], RUN_FILE_MAXIMA[key])
    if key == "models":
        return _models(value)
    if key == "params":
        return _params(value)
    if key in _FLAG_SETTINGS:
        if value is True or value is False or value == "auto":
            return value
        raise SettingsError(f"config.{key} must be true, false or \"auto\"; got {_short(value)}.")
    if key == "memory":
        if isinstance(value, bool):
            return value
        raise SettingsError(f"config.memory must be true or false; got {_short(value)}.")
    if key == "time_budget_s":
        return None if value is None else _number(value, "config.time_budget_s", RUN_FILE_MAXIMA["time_budget_s"])
    return _like_default(key, value)


def _like_default(key: str, value: Any) -> Any:
    """A config field with no rule of its own must be null or a JSON scalar of its default's type."""
    field = next(f for f in fields(CompareConfig) if f.name == key)
    default = field.default if field.default is not MISSING else None
    if value is None or default is None or isinstance(value, type(default)) and not (
        isinstance(value, bool) and not isinstance(default, bool)
    ):
        if isinstance(value, (dict, list)):
            raise SettingsError(f"config.{key} must be a single value; got {_short(value)}.")
        return value
    raise SettingsError(f"config.{key} must be a {type(default).__name__}; got {_short(value)}.")


def _models(value: Any) -> tuple[str, ...]:
    """A non-empty list of distinct short names; which names exist is checked by ``CompareConfig.validate``."""
    if not isinstance(value, list) or not value or not all(isinstance(m, str) and len(m) <= MAX_TEXT for m in value):
        raise SettingsError(f"config.models must be a non-empty list of model names (such as "
                            f"{', '.join(MODEL_NAMES)}).")
    if len(set(value)) != len(value):
        raise SettingsError("config.models lists a model twice; list each model once.")
    return tuple(value)


def _params(value: Any) -> dict[str, dict[str, Any]]:
    """Per-model hyperparameters: known names, JSON types matching each default, ranges, and work caps."""
    if not isinstance(value, dict):
        raise SettingsError("config.params must be an object of model name -> {hyperparameter: value}.")
    checked: dict[str, dict[str, Any]] = {}
    for model, overrides in value.items():
        if model not in MODEL_NAMES:
            raise SettingsError(f"Unknown model {_short(model)} in config.params; valid models are: "
                                f"{', '.join(MODEL_NAMES)}.")
        if not isinstance(overrides, dict):
            raise SettingsError(f"config.params.{model} must be an object of hyperparameter -> value.")
        defaults = get_model_class(model).Params()
        for name, setting in overrides.items():
            if name not in defaults.names():
                raise SettingsError(f"Unknown hyperparameter {model}.{_short(name)}; valid names for {model} "
                                    f"are: {', '.join(defaults.names()) or '(none)'}.")
            _param_type(model, name, setting, getattr(defaults, name))
            if name in RUN_FILE_MAXIMA and setting is not None and setting > RUN_FILE_MAXIMA[name]:
                raise SettingsError(f"{model}.{name} = {setting} is above the most a run file may ask for "
                                    f"({RUN_FILE_MAXIMA[name]}); lower it.")
        defaults.replace(**overrides)  # ranges and choices declared next to each hyperparameter
        checked[model] = dict(overrides)
    return checked


def _param_type(model: str, name: str, value: Any, default: Any) -> None:
    """A hyperparameter value must have its default's JSON type (numbers for numbers, no strings)."""
    if value is None:
        if default is None:
            return
    elif isinstance(default, bool) or isinstance(value, bool):
        if isinstance(default, bool) and isinstance(value, bool):
            return
    elif isinstance(default, int) and type(value) is int:
        return
    elif (default is None or isinstance(default, float)) and isinstance(value, (int, float)):
        if math.isfinite(value):
            return
    elif isinstance(default, str) and isinstance(value, str) and len(value) <= MAX_TEXT:
        return
    kind = "number" if default is None else type(default).__name__
    raise SettingsError(f"{model}.{name} must be a {kind}; got {_short(value)}.")


# -- scalar rules ------------------------------------------------------------------------------------------
def _whole(value: Any, name: str, low: int, high: int | float | None) -> int:
    """A JSON whole number (not a string, not a bool) within [low, high]."""
    if type(value) is not int:
        raise SettingsError(f"{name} must be a whole number; got {_short(value)}.")
    if value < low:
        raise SettingsError(f"{name} must be at least {low}; got {value}.")
    if high is not None and value > high:
        raise SettingsError(f"{name} must be at most {high:,}; got {value:,}.")
    return value


def _number(value: Any, name: str, high: float) -> float:
    """A finite JSON number in (0, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(f"{name} must be a number of seconds; got {_short(value)}.")
    if not 0 < value <= high:
        raise SettingsError(f"{name} must be above 0 and at most {high:g}; got {value:g}.")
    return float(value)


def _text(value: Any, name: str) -> str:
    """A short plain string (no line breaks, no path separators for file names)."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT or "\n" in value or "\x00" in value:
        raise SettingsError(f"{name} must be a short text; got {_short(value)}.")
    if name == "data.filename" and (Path(value).name != value or value in (".", "..") or "\\" in value):
        raise InputError(f"{name} must be a bare file name, not a path; got {_short(value)}.")
    return value


def _short(value: Any) -> str:
    """A value as shown in a message: repr cut to 60 characters so a hostile file cannot flood the output."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
