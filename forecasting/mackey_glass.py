"""Deterministic Mackey-Glass chaotic series, the standard benchmark for reservoir computing.

Integrates dx/dt = beta * x(t - tau) / (1 + x(t - tau)**exponent) - gamma * x(t) with classical
fourth-order Runge-Kutta on a history buffer (x = x0 for t <= 0), samples every ``sample_step``
time units and drops an initial transient. No random numbers are used: the same arguments always
give the same series. ``python -m forecasting.mackey_glass`` rewrites ``data/mackey_glass.csv``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from forecasting.errors import SettingsError

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "mackey_glass.csv"
DEFAULT_POINTS = 5000
DEFAULT_DISCARD = 1000


def _steps(value: float, step: float, what: str) -> int:
    """Return value / step as an integer, or raise when it is not (close to) a whole number."""
    ratio = value / step
    count = int(round(ratio))
    if count < 1 or abs(ratio - count) > 1e-9 * max(1.0, ratio):
        raise SettingsError(
            f"{what} ({value}) must be a positive whole multiple of integration_step ({step})."
        )
    return count


def mackey_glass(
    n_points: int,
    tau: float = 17.0,
    beta: float = 0.2,
    gamma: float = 0.1,
    exponent: float = 10.0,
    x0: float = 1.2,
    sample_step: float = 1.0,
    integration_step: float = 0.1,
    discard: int = DEFAULT_DISCARD,
) -> np.ndarray:
    """Return ``n_points`` samples of the Mackey-Glass series (float64), after ``discard`` transient samples."""
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 1:
        raise SettingsError(f"n_points must be a positive integer; got {n_points!r}.")
    if isinstance(discard, bool) or not isinstance(discard, (int, np.integer)) or discard < 0:
        raise SettingsError(f"discard must be a non-negative integer; got {discard!r}.")
    if not integration_step > 0:
        raise SettingsError(f"integration_step must be positive; got {integration_step!r}.")
    if not (gamma >= 0 and beta >= 0 and exponent > 0):
        raise SettingsError("beta and gamma must be non-negative and exponent positive.")
    h = float(integration_step)
    delay = _steps(float(tau), h, "tau")
    every = _steps(float(sample_step), h, "sample_step")
    total_samples = int(discard) + int(n_points)

    def feedback(lagged: float) -> float:
        return beta * lagged / (1.0 + lagged**exponent)

    # history[k] holds x at integration step k - delay; the first `delay + 1` entries are the constant past.
    history = [float(x0)] * (delay + 1)
    samples = np.empty(total_samples, dtype=np.float64)
    x = float(x0)
    step = 0
    for sample in range(total_samples):
        samples[sample] = x
        for _ in range(every):
            lag_now = history[step]
            lag_next = history[step + 1]
            lag_mid = 0.5 * (lag_now + lag_next)
            k1 = feedback(lag_now) - gamma * x
            k2 = feedback(lag_mid) - gamma * (x + 0.5 * h * k1)
            k3 = feedback(lag_mid) - gamma * (x + 0.5 * h * k2)
            k4 = feedback(lag_next) - gamma * (x + h * k3)
            x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
            history.append(x)
            step += 1
    return samples[int(discard):]


def write_csv(path: str | Path = DATA_FILE, n_points: int = DEFAULT_POINTS, **kwargs: float) -> Path:
    """Write ``step,value`` rows of :func:`mackey_glass` to ``path`` (full float precision) and return it."""
    values = mackey_glass(n_points, **kwargs)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["step,value"] + [f"{i},{float(v)!r}" for i, v in enumerate(values)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: regenerate the bundled ``data/mackey_glass.csv``."""
    parser = argparse.ArgumentParser(description="Write the deterministic Mackey-Glass benchmark series to CSV.")
    parser.add_argument("--points", type=int, default=DEFAULT_POINTS, help="number of samples to write")
    parser.add_argument("--output", type=Path, default=DATA_FILE, help="CSV file to write")
    args = parser.parse_args(argv)
    written = write_csv(args.output, args.points)
    print(f"wrote {args.points} points to {written}")


if __name__ == "__main__":
    main()
