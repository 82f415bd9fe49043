"""Command line over the engine: ``python -m forecasting compare|forecast ...``.

Bad input or settings end with exit status 2 and one line on stderr; results go to stdout
(a readable table, or one JSON object with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from forecasting.comparison import DEFAULT_MODELS, SELECTABLE_MODELS, CompareCallbacks, CompareConfig, compare
from forecasting.ensemble import ENSEMBLE, members_note
from forecasting.errors import ForecastingError, InputError, SettingsError
from forecasting.examples import DEFAULT_EXAMPLE, EXAMPLES, example_path
from forecasting.loading import MAX_FILLED_SHARE, LoadedSeries, load_series
from forecasting.metrics import METRIC_LABELS, METRIC_NAMES
from forecasting.models import MODEL_NAMES, get_model_class
from forecasting.results import ComparisonResult

EXIT_BAD_INPUT = 2


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message} (see --help)\n")
        raise SystemExit(EXIT_BAD_INPUT)


def parse_param_overrides(items: list[str], models: tuple[str, ...] = MODEL_NAMES) -> dict[str, dict[str, Any]]:
    """Turn ``["esn.units=500", "lstm.hidden_size=32"]`` into checked per-model overrides."""
    overrides: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        model, dot, name = key.strip().partition(".")
        if not sep or not dot or not name:
            raise SettingsError(f"--param expects MODEL.NAME=VALUE (e.g. esn.units=500); got {item!r}.")
        if model not in MODEL_NAMES:
            raise SettingsError(f"--param names unknown model {model!r}; valid models are: {', '.join(MODEL_NAMES)}.")
        params = get_model_class(model).Params()
        if name not in params.names():
            valid = ", ".join(params.names()) or "(none: this model has no hyperparameters)"
            raise SettingsError(f"Unknown hyperparameter {model}.{name}; valid names for {model} are: {valid}.")
        overrides.setdefault(model, {})[name] = params.replace(**{name: value}).to_dict()[name]
    return overrides


def _flag(text: str) -> bool | str:
    lowered = text.lower()
    if lowered in ("auto", "true", "false"):
        return {"auto": "auto", "true": True, "false": False}[lowered]
    raise argparse.ArgumentTypeError(f"expected auto, true or false; got {text!r}")


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", default=None,
                        help=f"CSV/TSV/TXT/XLSX/Parquet file, or a bundled example name "
                             f"({', '.join(EXAMPLES)}); default: {DEFAULT_EXAMPLE}")
    _add_series_options(parser)


def _add_series_options(parser: argparse.ArgumentParser) -> None:
    """Loader and comparison options shared by ``compare``, ``forecast`` and ``batch``."""
    parser.add_argument("--column", help="value column (default: the only / first numeric column)")
    parser.add_argument("--time-column", help="time column (default: auto-detected)")
    parser.add_argument("--season-length", type=int, help="season length m (default: inferred from the frequency)")
    parser.add_argument("--frequency", help="pandas frequency alias to use instead of the inferred one")
    parser.add_argument("--max-points", type=int, default=1_000_000, help="refuse series longer than this")
    parser.add_argument("--max-filled-share", type=float, default=MAX_FILLED_SHARE,
                        help=f"refuse series with a larger share of missing (interpolated) points "
                             f"(default {MAX_FILLED_SHARE})")
    parser.add_argument("--horizon", type=int, help="steps to forecast (default: one season, at least 10)")
    parser.add_argument("--validation-size", type=int, help="validation points before the test part")
    parser.add_argument("--seeds", type=int, default=1, help="number of seeds for the neural models")
    parser.add_argument("--base-seed", type=int, default=0,
                        help="first seed of the stochastic models: they run seeds base, base+1, ... (default 0)")
    parser.add_argument("--param", action="append", default=[], metavar="MODEL.NAME=VALUE",
                        help="override a hyperparameter, e.g. esn.units=500 (repeatable)")
    for name in ("log", "difference", "seasonal-difference"):
        parser.add_argument(f"--{name}", type=_flag, default="auto", help="auto (default), true or false")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(prog="python -m forecasting", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_OneLineParser)

    cmp = commands.add_parser("compare", help="fit every model and compare them on the held-out test part")
    _add_data_arguments(cmp)
    _add_compare_options(cmp)
    cmp.add_argument("--config", type=Path, help="replay a run file saved by the dashboard or --save-run")
    cmp.add_argument("--save-run", type=Path, help="write a run file that replays this comparison")
    cmp.add_argument("--json", action="store_true", help="print one JSON object instead of a table")

    fc = commands.add_parser("forecast", help="fit one model on all points and forecast beyond the end")
    _add_data_arguments(fc)
    fc.add_argument("--model", default="auto", help=f"one of {','.join(SELECTABLE_MODELS)} or auto (recommended)")
    fc.add_argument("--out", type=Path, help="write the forecast as CSV here (default: stdout)")

    from forecasting.batch.cli import add_batch_commands

    add_batch_commands(commands, _add_series_options, _add_compare_options)

    # python -m forecasting sweep: forecasting/sweep_cli.py
    from forecasting.sweep_cli import add_sweep_command

    add_sweep_command(commands, _add_data_arguments, _load, parse_param_overrides)
    return parser


def _add_compare_options(parser: argparse.ArgumentParser) -> None:
    """The comparison protocol's options, shared by ``compare`` and ``batch``."""
    parser.add_argument("--models", default=",".join(DEFAULT_MODELS),
                        help=f"comma-separated subset of {','.join(SELECTABLE_MODELS)}")
    parser.add_argument("--backtest", type=int, default=1, help="rolling-origin backtest over K origins")
    parser.add_argument("--time-budget", type=float, help="seconds allowed per model fit (RNNs stop at it)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory-horizon analysis")


def _first_given(*values: Any) -> Any:
    """The first value that is not None (``False`` counts: it means "no time column")."""
    return next((v for v in values if v is not None), None)


def _load(args: argparse.Namespace, source_override: dict[str, Any] | None = None) -> tuple[LoadedSeries, dict]:
    """Load the series named on the command line (a bundled example key or a file path) or by a run file.

    A bundled example's key always means the bundled file, even when a file of that name exists here
    (write ``./NAME`` for the local file). A run file may name only a bundled example; its data file must
    be given on the command line.
    """
    src = dict(source_override or {})
    if not args.file and src.get("filename") and not src.get("example"):
        raise InputError(f"This run file was made on {src['filename']!r}; pass that file too: "
                         "python -m forecasting compare FILE --config RUN.json")
    if args.file:
        path, source, defaults = _resolve_file(args.file)
    else:
        path, source, defaults = _resolve_example(src.get("example") or DEFAULT_EXAMPLE)
    column = _first_given(args.column, src.get("column"), defaults.get("column"))
    time_column = _first_given(args.time_column, src.get("time_column"), defaults.get("time_column"))
    season = args.season_length or src.get("season_length")
    frequency = args.frequency or src.get("frequency")
    series = load_series(path, filename=path.name, column=column, time_column=time_column,
                         season_length=season, frequency=frequency, max_points=args.max_points,
                         max_filled_share=args.max_filled_share)
    source.update({"column": column, "time_column": time_column, "season_length": season, "frequency": frequency})
    return series, source


def _resolve_example(key: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A bundled example: its path, the source record and its usual columns."""
    example = EXAMPLES[key]
    return example_path(key), {"example": key}, {"column": example.column, "time_column": example.time_column}


def _resolve_file(file: str) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A command-line file argument: an example key, a path to a bundled file, or any other file."""
    if file in EXAMPLES:
        return _resolve_example(file)
    path = Path(file)
    bundled = {example_path(key).resolve(): key for key in EXAMPLES}
    if path.is_file() and path.resolve() in bundled:
        return _resolve_example(bundled[path.resolve()])
    return path, {"filename": path.name}, {}


def _config_from_args(args: argparse.Namespace, models: tuple[str, ...]) -> CompareConfig:
    return CompareConfig(
        horizon=args.horizon, validation_size=args.validation_size, models=models,
        params=parse_param_overrides(args.param), seeds=args.seeds, base_seed=args.base_seed,
        backtest=getattr(args, "backtest", 1),
        season_length=args.season_length, log=args.log, difference=args.difference,
        seasonal_difference=args.seasonal_difference, memory=not getattr(args, "no_memory", False),
        time_budget_s=getattr(args, "time_budget", None),
    )


def _progress_callbacks() -> CompareCallbacks:
    """A tqdm progress bar per model on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return CompareCallbacks()
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def on_model_start(name: str, run: int, total: int) -> None:
        sys.stderr.write(f"fitting {name} ({run}/{total})\n")

    def on_epoch(name: str, epoch: int, max_epochs: int, train_loss: float, val_loss: float | None) -> None:
        bar = bars.get(name)
        if bar is None or bar.total != max_epochs or epoch <= bar.n:
            if bar is not None:
                bar.close()
            bar = bars[name] = tqdm(total=max_epochs, desc=name, file=sys.stderr, leave=False)
        bar.update(epoch - bar.n)
        bar.set_postfix(train=f"{train_loss:.4f}", val="-" if val_loss is None else f"{val_loss:.4f}")

    def on_model_done(name: str, _result: Any) -> None:
        bar = bars.pop(name, None)
        if bar is not None:
            bar.close()

    return CompareCallbacks(on_model_start=on_model_start, on_epoch=on_epoch, on_model_done=on_model_done)


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return f"{value:.{digits}g}"


def format_table(result: ComparisonResult) -> str:
    """A plain-text comparison table with the recommended model starred, then the selection and setup lines."""
    header = ["model"] + [METRIC_LABELS[m] for m in METRIC_NAMES] + ["fit s", "peak MB", "params", "h", "MC", "notes"]
    rows = []
    labels = {name: res.label for name, res in result.models.items()}
    for name, res in result.models.items():
        star = "*" if name == result.recommended else " "
        if not res.ok:
            rows.append([f"{star}{name}"] + ["-"] * (len(header) - 2) + [f"error: {res.error}"])
            continue
        metrics = []
        for key in METRIC_NAMES:
            cell = _fmt(res.metrics.get(key))
            if res.metrics_std:
                cell += f"±{_fmt(res.metrics_std.get(key), 2)}"
            metrics.append(cell)
        notes = [n for n, on in (("clipped", res.clipped), ("flat", res.flat)) if on]
        notes += [members_note(res, labels)] if res.extras.get("members") else []
        notes += [f"failed seeds {','.join(map(str, res.failed_seeds))}"] if res.failed_seeds else []
        notes += [w.split(".")[0] for w in res.warnings]
        peak = "n/a" if res.peak_memory_mb is None else f"{res.peak_memory_mb:.1f}"
        rows.append([f"{star}{name}", *metrics, f"{res.fit_seconds:.2f}", peak, str(res.trainable_parameters),
                     _fmt(res.memory_horizon), _fmt(res.memory_capacity, 3), "; ".join(notes)])
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    s = result.series
    intro = (f"{s.name}: {s.length} points, frequency {s.frequency or 'none'}, season length {result.season_length}; "
             f"horizon {result.horizon}, train {result.split['train_size']}, validation "
             f"{result.split['validation_size']}, test {result.split['test_size']}")
    return "\n".join([intro, "", *lines, "", *_table_footer(result)])


def _table_footer(result: ComparisonResult) -> list[str]:
    """How the recommendation was made, any note on it, and the one-time setup charged to no model."""
    windows = len(result.selection.get("windows", []))
    lines = [f"* recommended (chosen on {windows} selection window{'s' if windows != 1 else ''} before the test "
             f"part: the ensemble unless a model is the best on every window): {result.recommended}. Metrics on the test part; h = memory horizon "
             "(steps), MC = memory capacity; fit s = fits only, peak MB = largest memory rise of one fit."]
    lines += [note for note in (result.recommendation_note, result.selection.get("note", "")) if note]
    paid = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.setup_breakdown.items() if seconds >= 0.005)
    lines.append(f"Setup (imports, compilation, thread pools; once per process, before any timed fit, charged to "
                 f"no model): {result.setup_seconds:.2f} s" + (f" ({paid})" if paid else "") + ".")
    return lines


def run_compare(args: argparse.Namespace) -> int:
    source_override = None
    if args.config:
        from forecasting.runfile import check_fingerprint, read_run_file

        source_override, config = read_run_file(args.config)
        series, source = _load(args, source_override)
        check_fingerprint(source_override, series)
    else:
        models = tuple(m.strip() for m in args.models.split(",") if m.strip())
        series, source = _load(args)
        config = _config_from_args(args, models)
    if args.save_run:
        from forecasting.runfile import check_config

        check_config(config.to_dict())  # refuse before fitting a run whose run file could not be replayed
    result = compare(series, config, _progress_callbacks())
    if args.save_run:
        from forecasting.runfile import make_run_file

        args.save_run.write_text(json.dumps(make_run_file(source, series, config), indent=2), encoding="utf-8")
    if args.json:
        _print_data_warnings(series, sys.stderr)
        json.dump(result.to_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        _print_data_warnings(series, sys.stdout)
        print(format_table(result))
    return 0


def _print_data_warnings(series: LoadedSeries, stream: Any) -> None:
    """Warnings about the data itself (e.g. many interpolated points), one line each, above the results."""
    for warning in series.warnings:
        stream.write(f"warning: {warning}\n")


def run_forecast(args: argparse.Namespace) -> int:
    from forecasting.future import forecast_future

    series, _ = _load(args)
    _print_data_warnings(series, sys.stderr)
    model = args.model
    chosen_by_comparison = model in ("auto", ENSEMBLE)  # the ensemble's members come from a comparison
    config = _config_from_args(args, DEFAULT_MODELS if chosen_by_comparison else (model,))
    comparison = None
    if chosen_by_comparison:
        config.memory = False
        comparison = compare(series, config, _progress_callbacks())
    if model == "auto":
        model = comparison.recommended
        if model is None:
            raise SettingsError("No model could be fitted on this series, so none can be recommended.")
        sys.stderr.write(f"recommended model (chosen on the selection windows): {model}\n")
    elif not chosen_by_comparison:
        get_model_class(model)
    future = forecast_future(series, model, args.horizon, config, comparison)
    frame = future.to_frame()
    if args.out:
        frame.to_csv(args.out, index=False)
        sys.stderr.write(f"wrote {len(frame)} forecast steps from {model} to {args.out}\n")
    else:
        frame.to_csv(sys.stdout, index=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = build_parser().parse_args(argv)
    try:
        if getattr(args, "handler", None):  # batch / report (forecasting/batch/cli.py), sweep (sweep_cli.py)
            return args.handler(args)
        return run_compare(args) if args.command == "compare" else run_forecast(args)
    except ForecastingError as error:
        sys.stderr.write(f"error: {' '.join(str(error).split())}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
