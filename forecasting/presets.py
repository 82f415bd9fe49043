"""Generated series that make one idea visible, for the Explore section and for teaching.

``leaky_units_series``: a slow oscillation plus a fast one plus a little noise. A reservoir of fast
units (leak rate near 1) forgets within a few steps and can only follow the fast part from recent
inputs; leaky units (small leak rate) integrate over many steps, so the forecast depends on inputs
further back: the memory horizon and the tail of the sensitivity profile S(k) grow as the leak rate
falls (the linearised state decays like ``(1 - a) + a * rho`` per step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.errors import SettingsError

LEAKY_UNITS_NAME = "leaky units (slow + fast)"


@dataclass(frozen=True)
class LeakyUnitsPreset:
    """Settings of the leaky-units series; the defaults give 2,000 points with periods 200 and 7."""

    n: int = 2000
    slow_period: float = 200.0
    fast_period: float = 7.0
    slow_amplitude: float = 1.0
    fast_amplitude: float = 0.4
    noise: float = 0.05
    seed: int = 0

    def validate(self) -> None:
        """Refuse settings that do not make a slow + fast series."""
        if self.n < 100:
            raise SettingsError(f"The leaky-units series needs at least 100 points; got {self.n}.")
        if not 2.0 <= self.fast_period < self.slow_period:
            raise SettingsError("Choose 2 <= fast_period < slow_period (e.g. 7 and 200) so that the parts differ "
                                f"in time scale; got {self.fast_period:g} and {self.slow_period:g}.")
        if min(self.slow_amplitude, self.fast_amplitude, self.noise) < 0:
            raise SettingsError("Amplitudes and noise must not be negative.")


def leaky_units_series(preset: LeakyUnitsPreset | None = None) -> np.ndarray:
    """``slow_amplitude sin(2 pi t / slow_period) + fast_amplitude sin(2 pi t / fast_period) + noise``,
    with Gaussian noise of standard deviation ``noise`` drawn from ``seed`` (same seed, same series)."""
    p = preset or LeakyUnitsPreset()
    p.validate()
    t = np.arange(p.n, dtype=float)
    rng = np.random.default_rng(p.seed)
    return (p.slow_amplitude * np.sin(2 * np.pi * t / p.slow_period)
            + p.fast_amplitude * np.sin(2 * np.pi * t / p.fast_period)
            + p.noise * rng.standard_normal(p.n))


__all__ = ["LEAKY_UNITS_NAME", "LeakyUnitsPreset", "leaky_units_series"]
