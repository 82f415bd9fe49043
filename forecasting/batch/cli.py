"""``python -m forecasting batch INPUT --out RESULTS`` and ``python -m forecasting report RESULTS``.

``batch`` takes the single-series command's options (they are added by the same functions), runs the
comparison on every series, writes Parquet chunk by chunk, resumes, and prints the leaderboard.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from forecasting.batch.executors import make_executor
from forecasting.batch.inputs import LoadOptions, count_series, find_input
from forecasting.batch.leaderboard import leaderboard, to_markdown, to_text
from forecasting.batch.runner import DEFAULT_CHUNK_SIZE, BatchProgress, BatchSettings, run_batch
from forecasting.batch.store import LEADERBOARD_FILE, ResultStore
from forecasting.errors import SettingsError


def add_batch_commands(commands: Any, add_series_options: Any, add_compare_options: Any) -> None:
    """Register ``batch`` and ``report`` on the CLI's subparsers, with the single-series option adders."""
    batch = commands.add_parser("batch", help="run the comparison on many series; Parquet results and a leaderboard")
    batch.add_argument("input", metavar="INPUT",
                       help="a folder or glob of series files, or a long-format table (CSV/Parquet: id, time, value)")
    batch.add_argument("--out", type=Path, required=True, help="results folder (resumed when it exists)")
    batch.add_argument("--id-column", help="id column of a long table (default: id, unique_id, series_id or series)")
    batch.add_argument("--manifest", help="JSON of per-series settings {id: {horizon, season_length}} "
                                          "(default: manifest.json in the input folder)")
    batch.add_argument("--jobs", type=int, default=1, help="local worker processes (default 1: this process)")
    batch.add_argument("--scheduler", help="run on Dask instead: tcp://HOST:PORT or local:W (needs requirements-scale.txt)")
    batch.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE,
                       help="series per task; a crash loses at most the chunks being run")
    batch.add_argument("--forecasts", action="store_true", help="also write every test forecast")
    batch.add_argument("--retry-failed", action="store_true", help="rerun series that failed in an earlier run")
    add_series_options(batch)
    add_compare_options(batch)
    batch.set_defaults(handler=run_batch_command)

    report = commands.add_parser("report", help="rebuild the leaderboard of a batch output folder")
    report.add_argument("out", type=Path, metavar="RESULTS", help="the --out folder of a batch")
    report.set_defaults(handler=run_report_command)


def _settings(args: argparse.Namespace) -> BatchSettings:
    from forecasting.cli import _config_from_args

    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    config = _config_from_args(args, models)
    config.validate()
    load = LoadOptions(column=args.column, time_column=args.time_column, season_length=args.season_length,
                       frequency=args.frequency, max_points=args.max_points,
                       max_filled_share=getattr(args, "max_filled_share", LoadOptions.max_filled_share))
    return BatchSettings(config=config, load=load, forecasts=args.forecasts)


class _ProgressBar:
    """tqdm on stderr when it is a terminal, else one line per finished chunk (for logs)."""

    def __init__(self, total: int | None) -> None:
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="series", file=sys.stderr)

    def __call__(self, p: BatchProgress) -> None:
        stats = f"done {p.done}, failed {p.failed}, skipped {p.skipped}, {p.throughput:.2f} series/s"
        if self.bar is not None:
            if p.skipped and self.bar.total is not None and self.bar.total != p.total - p.skipped:
                self.bar.total = p.total - p.skipped
            self.bar.update(p.done - self.bar.n)
            self.bar.set_postfix_str(stats)
        elif p.chunks:
            sys.stderr.write(f"{stats} ({p.elapsed:.0f} s)\n")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def write_leaderboard(store: ResultStore) -> str:
    """Rebuild the leaderboard from the stored rows, write it next to them, and return it as text."""
    results = store.read_results()
    board = leaderboard(results)
    (store.root / LEADERBOARD_FILE).write_text(to_markdown(board, results), encoding="utf-8")
    return to_text(board)


def run_batch_command(args: argparse.Namespace) -> int:
    """The ``batch`` subcommand: find the series, run them on the chosen executor, print the leaderboard."""
    if args.jobs > 1 and args.scheduler:
        raise SettingsError("Use either --jobs (local processes) or --scheduler (Dask), not both.")
    if args.chunk_size < 1:
        raise SettingsError(f"--chunk-size must be at least 1; got {args.chunk_size}.")
    settings = _settings(args)
    batch = find_input(args.input, id_column=args.id_column, time_column=args.time_column or None,
                       value_column=args.column, manifest=args.manifest)
    store = ResultStore(args.out)
    executor = make_executor(args.jobs, args.scheduler)
    sys.stderr.write(f"batch over {batch.description} on {executor.describe()}\n")
    bar = _ProgressBar(count_series(batch))
    try:
        progress = run_batch(batch, settings, store, executor, chunk_size=args.chunk_size,
                             retry_failed=args.retry_failed, on_progress=bar)
    finally:
        bar.close()
        executor.close()
    sys.stderr.write(f"{progress.done} series compared ({progress.failed} failed), {progress.skipped} already done, "
                     f"in {progress.elapsed:.1f} s; results in {store.results_dir}\n")
    print(write_leaderboard(store))
    print(f"\nleaderboard written to {store.root / LEADERBOARD_FILE}")
    return 0


def run_report_command(args: argparse.Namespace) -> int:
    """The ``report`` subcommand: the leaderboard of an existing output folder, printed and rewritten."""
    store = ResultStore(args.out)
    print(write_leaderboard(store))
    return 0
