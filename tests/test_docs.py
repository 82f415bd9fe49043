"""docs/memory-horizon.md names the ESN's current defaults and the decay horizon they give, from the code."""

from __future__ import annotations

import math
import re
from pathlib import Path

from forecasting.memory import DEFAULT_EPSILON, decay_horizon, theoretical_decay_rate
from forecasting.models.esn import ESNParams

DOC = (Path(__file__).resolve().parent.parent / "docs" / "memory-horizon.md").read_text(encoding="utf-8")


def test_memory_doc_quotes_the_current_esn_defaults():
    defaults = ESNParams()
    quoted = re.search(r"currently leak rate `a = ([\d.]+)`, spectral radius\s+`ρ = ([\d.]+)`, `units = (\d+)`", DOC)
    assert quoted, "the defaults sentence is missing from docs/memory-horizon.md"
    assert (float(quoted[1]), float(quoted[2]), int(quoted[3])) == (
        defaults.leak_rate, defaults.spectral_radius, defaults.units), "update the defaults quoted in the doc"


def test_memory_doc_decay_horizon_matches_the_defaults():
    defaults = ESNParams()
    horizon = decay_horizon(theoretical_decay_rate(defaults.leak_rate, defaults.spectral_radius), DEFAULT_EPSILON)
    assert f"({math.ceil(horizon)} steps at the current defaults" in DOC


def test_memory_doc_quotes_no_stale_figures():
    for stale in ("3.5-5%", "a = 0.5, ρ = 0.9", "ESN (500 units)", "only makes it forget faster"):
        assert stale not in DOC
