"""The ``sweep`` subcommand: ``python -m forecasting sweep FILE --x NAME=LOW:HIGH:COUNT [--y ...]``.

Prints the validation-error grid with the best cell starred (or one JSON object with ``--json``);
a progress bar on stderr when it is a terminal. Ctrl-C keeps and prints the cells already finished.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from typing import Any

from forecasting.errors import SettingsError
from forecasting.metrics import METRIC_NAMES
from forecasting.sweep import (
    DEFAULT_METRIC,
    SWEEPABLE,
    SweepCallbacks,
    SweepCell,
    SweepResult,
    SweepSpec,
    cost_warning,
    parse_axis,
    run_sweep,
    sweep_base_params,
)

Loader = Callable[[argparse.Namespace], tuple[Any, dict]]
ParamParser = Callable[[list[str]], dict[str, dict[str, Any]]]


def add_sweep_command(commands: Any, add_data_arguments: Callable[[argparse.ArgumentParser], None],
                      load: Loader, parse_params: ParamParser) -> None:
    """Register ``sweep`` on the CLI's subcommands, with the same data arguments as ``compare``;
    ``load`` reads the series and ``parse_params`` checks ``--param`` overrides (the CLI's own)."""
    names = "; ".join(f"{m}: {', '.join(v)}" for m, v in SWEEPABLE.items())
    sw = commands.add_parser("sweep", help="fit one model over a grid of one or two hyperparameters")
    add_data_arguments(sw)
    sw.add_argument("--model", default="esn", choices=tuple(SWEEPABLE), help="model to sweep (default esn)")
    sw.add_argument("--x", required=True, metavar="NAME=LOW:HIGH:COUNT[:log]",
                    help=f"first axis, or NAME=V1,V2,... ({names})")
    sw.add_argument("--y", metavar="NAME=LOW:HIGH:COUNT[:log]", help="second axis (ESN only)")
    sw.add_argument("--metric", default=DEFAULT_METRIC, choices=METRIC_NAMES,
                    help="validation metric that ranks the cells (default nrmse)")
    sw.add_argument("--seed", type=int, default=0, help="seed of every cell (default 0)")
    sw.add_argument("--jobs", type=int, default=1, help="cells fitted in parallel (joblib processes)")
    sw.add_argument("--no-memory", action="store_true", help="skip memory horizon and capacity per cell")
    sw.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    sw.set_defaults(handler=lambda args: run_sweep_command(args, load, parse_params(args.param)))


def spec_from_args(args: argparse.Namespace, base_params: dict[str, dict[str, Any]]) -> SweepSpec:
    """The sweep the arguments ask for (``--param MODEL.NAME=V`` of the swept model stay fixed)."""
    model = args.model
    spec = SweepSpec(model=model, x=parse_axis(args.x, model), y=parse_axis(args.y, model) if args.y else None,
                     base_params=sweep_base_params(model, dict(base_params.get(model, {}))), seed=int(args.seed), metric=args.metric,
                     memory=not args.no_memory)
    if args.jobs < 1:
        raise SettingsError(f"--jobs must be at least 1; got {args.jobs}.")
    spec.validate()
    return spec


def _progress(enabled: bool) -> tuple[SweepCallbacks, Callable[[], None]]:
    """A tqdm bar over the cells on stderr when ``enabled``; returns the callbacks and a closer."""
    if not enabled:
        return SweepCallbacks(), lambda: None
    from tqdm import tqdm

    bar = tqdm(desc="cells", file=sys.stderr, leave=False)

    def on_cell(done: int, total: int, _cell: SweepCell) -> None:
        bar.total = total
        bar.update(done - bar.n)

    return SweepCallbacks(on_cell=on_cell), bar.close


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return "inf" if math.isinf(value) else f"{value:.4g}"


def format_grid(result: SweepResult) -> str:
    """The metric per cell as a table (rows: y values, columns: x values), the best one starred."""
    spec, best = result.spec, result.best()
    found = {(c.x, c.y): c for c in result.cells}
    ys = list(spec.y.values) if spec.y else [None]
    header = [spec.y.name if spec.y else ""] + [f"{spec.x.name}={x:g}" for x in spec.x.values]
    rows = []
    for y in ys:
        row = [f"{y:g}" if y is not None else spec.metric]
        for x in spec.x.values:
            cell = found.get((x, y))
            text = "." if cell is None else ("error" if not cell.ok else _fmt(cell.score(spec.metric)))
            row.append(text + ("*" if cell is not None and cell is best else ""))
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    return "\n".join(lines)


def format_sweep(result: SweepResult) -> str:
    """Intro line, the grid, and what the best cell measured (with the settings to copy)."""
    spec, best = result.spec, result.best()
    s = result.split
    intro = (f"{spec.model} sweep, validation {spec.metric} (train {s['train_size']}, validation "
             f"{s['validation_size']}: {result.windows} windows of {result.window} steps; test part not used); "
             f"{len(result.cells)}/{result.total_cells} cells in {result.total_seconds:.1f} s"
             + (" (stopped early)" if result.cancelled else ""))
    lines = [intro, "", format_grid(result), ""]
    if best is None:
        lines.append("No cell produced a finite score.")
    else:
        params = " ".join(f"--param {spec.model}.{k}={v:g}" if isinstance(v, float) else f"--param {spec.model}.{k}={v}"
                          for k, v in result.comparison_params(best).items())
        lines.append(f"* best: {spec.metric} {_fmt(best.score(spec.metric))}, memory horizon "
                     f"{_fmt(best.memory_horizon)}, memory capacity {_fmt(best.memory_capacity)}. "
                     f"Compare with: {params}")
    failed = [c for c in result.cells if not c.ok]
    if failed:
        lines.append(f"{len(failed)} cell(s) failed, e.g. {failed[0].params}: {failed[0].error}")
    return "\n".join(lines)


def run_sweep_command(args: argparse.Namespace, load: Loader, base_params: dict[str, dict[str, Any]]) -> int:
    """Load the series, run the sweep with progress on stderr, print the table or JSON; exit status 0."""
    spec = spec_from_args(args, base_params)
    series, _source = load(args)
    warning = cost_warning(spec)
    if warning:
        sys.stderr.write(f"note: {warning}\n")
    callbacks, close = _progress(sys.stderr.isatty())
    try:
        result = run_sweep(series.values, spec, callbacks=callbacks, n_jobs=args.jobs, horizon=args.horizon,
                           validation_size=args.validation_size,
                           season_length=args.season_length or series.season_length, log=args.log,
                           difference=args.difference, seasonal_difference=args.seasonal_difference)
    finally:
        close()
    if args.json:
        json.dump(result.to_dict(), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(format_sweep(result))
    return 0
