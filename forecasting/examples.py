"""The bundled example series: what each is, where its file lives, and how to load it.

Files live in the repository's ``data/`` folder; their sources and licences are in ``data/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecasting.errors import InputError
from forecasting.loading import LoadedSeries, load_series

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Example:
    """One bundled series: its key, file, a title and one-line description, and the columns to read."""

    key: str
    filename: str
    title: str
    description: str
    column: str
    time_column: str | None


EXAMPLES: dict[str, Example] = {
    example.key: example
    for example in (
        Example(
            "air_passengers", "air_passengers.csv", "Airline passengers (monthly, 1949-1960)",
            "Box & Jenkins' international airline passengers in thousands: trend plus growing yearly seasonality.",
            "passengers", "month",
        ),
        Example(
            "sunspots", "sunspots_yearly.csv", "Sunspots (yearly, 1700-1988)",
            "Yearly mean sunspot numbers: a nonlinear cycle of roughly 11 years with varying amplitude.",
            "sunspots", "year",
        ),
        Example(
            "gas", "gas_australia_monthly.csv", "Australian gas production (monthly, 1956-1995)",
            "Monthly gas production in Australia: strong trend with seasonality that grows after 1970.",
            "gas_production", "month",
        ),
        Example(
            "electricity", "electricity_victoria_halfhourly.csv", "Victoria electricity demand (half-hourly, 2014)",
            "Half-hourly electricity demand in Victoria, Australia, in GW: daily and weekly cycles, 17,520 points.",
            "demand_gw", "timestamp",
        ),
        Example(
            "treering", "treering_yearly.csv", "Bristlecone pine tree rings (yearly, 6000 BCE-1979)",
            "Normalised tree-ring widths from the Great Basin: 7,980 years of noisy, nearly memoryless variation.",
            "ring_width", "year",
        ),
        Example(
            "mackey_glass", "mackey_glass.csv", "Mackey-Glass chaotic series (tau = 17)",
            "Deterministic chaos from a delay differential equation: the classic reservoir-computing benchmark.",
            "value", "step",
        ),
    )
}

DEFAULT_EXAMPLE = "air_passengers"


def _example(key: str) -> Example:
    if key not in EXAMPLES:
        raise InputError(f"Unknown example {key!r}. Available examples: {', '.join(EXAMPLES)}.")
    return EXAMPLES[key]


def example_path(key: str) -> Path:
    """Absolute path of the bundled CSV file for example ``key``."""
    return DATA_DIR / _example(key).filename


def load_example(key: str = DEFAULT_EXAMPLE, **overrides: Any) -> LoadedSeries:
    """Load a bundled example with its usual columns; keyword overrides go to :func:`load_series`."""
    example = _example(key)
    options: dict[str, Any] = {"column": example.column, "time_column": example.time_column}
    options.update(overrides)
    return load_series(example_path(key), **options)
