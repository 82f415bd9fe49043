"""The ensemble: the median of the best k models on the selection windows, offered as a model of its own.

It is built at the comparison level from forecasts the other models already made, so it costs no fit.
Its own selection score is honest: on each selection window it combines the top k ranked on the *other*
windows (leave one window out), so no window both picks the members and scores them. Its test forecast
is the median of the top k ranked on every selection window. With a single selection window it has no
honest score and is not recommended (its test figures are still shown).

Its prediction intervals are split-conformal like every model's, calibrated on the median of its members'
calibration forecasts (every origin in the validation part). The members were ranked on selection windows
inside that stretch, so the band can come out slightly narrow; its coverage on the test windows, shown beside
every model's, says by how much.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from forecasting.intervals import attach_bands
from forecasting.metrics import METRIC_NAMES, compute_metrics
from forecasting.models import ModelKind
from forecasting.results import ModelResult
from forecasting.splitting import SplitPlan

ENSEMBLE = "ensemble"
ENSEMBLE_LABEL = "Ensemble"
ENSEMBLE_KIND = ModelKind.ENSEMBLE
DEFAULT_ENSEMBLE_SIZE = 3
FLAT_RELATIVE_SPREAD = 1e-3


def members_note(result: ModelResult, labels: dict[str, str]) -> str:
    """"median of A, B, C" for the ensemble's row ("" for any other model)."""
    members = (result.extras or {}).get("members") or []
    return f"median of {', '.join(labels.get(n, n) for n in members)}" if members else ""


def candidates(models: dict[str, ModelResult], windows: int) -> list[str]:
    """Finished models with a finite score on every selection window and a forecast of every test window."""
    out = []
    for name, result in models.items():
        if name == ENSEMBLE or not result.ok or result.extras.get("stopped_by_user"):
            continue
        scores = np.asarray(result.selection_scores, dtype=float)
        if len(scores) == windows and np.all(np.isfinite(scores)) and result.backtest_forecasts:
            out.append(name)
    return out


def ranked(models: dict[str, ModelResult], names: Sequence[str], windows: Sequence[int]) -> list[str]:
    """``names`` from best to worst mean MASE over the selection windows ``windows`` (ties keep run order)."""
    def score(name: str) -> float:
        return float(np.mean([models[name].selection_scores[w] for w in windows]))
    return sorted(names, key=score)


def median_forecast(models: dict[str, ModelResult], members: Sequence[str], pick: str, index: int) -> np.ndarray:
    """Median over ``members`` of their ``pick`` forecasts ("selection_forecasts" / "backtest_forecasts") at ``index``."""
    return np.median([getattr(models[name], pick)[index] for name in members], axis=0)


def _mean_metrics(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: float(np.mean([r[k] for r in rows])) for k in METRIC_NAMES}


def _score_leave_one_window_out(result: ModelResult, models: dict[str, ModelResult], names: list[str],
                                size: int, plan: SplitPlan, y: np.ndarray) -> None:
    """Selection-window scores: window w combines the top ``size`` ranked on every window but w."""
    windows = plan.selection_windows
    rows, members_per_window, forecasts = [], [], []
    for w, (start, end) in enumerate(windows):
        members = ranked(models, names, [j for j in range(len(windows)) if j != w])[:size]
        values = median_forecast(models, members, "selection_forecasts", w)
        rows.append(compute_metrics(y[start:end], values, y[:start], plan.season_length))
        members_per_window.append(members)
        forecasts.append(values.tolist())
    result.validation_metrics = _mean_metrics(rows)
    result.selection_scores = [r["mase"] for r in rows]
    result.selection_forecasts = forecasts
    result.extras["window_members"] = members_per_window


def _test_forecasts(result: ModelResult, models: dict[str, ModelResult], members: list[str], plan: SplitPlan,
                    y: np.ndarray) -> None:
    """Median of ``members`` on every test window, and the test metrics averaged over the windows."""
    rows, forecasts = [], []
    for k, start in enumerate(plan.test_starts):
        values = median_forecast(models, members, "backtest_forecasts", k)
        rows.append(compute_metrics(y[start:start + plan.horizon], values, y[:start], plan.season_length))
        forecasts.append(values.tolist())
    result.metrics = _mean_metrics(rows)
    result.backtest_forecasts = forecasts
    result.forecast = forecasts[-1]
    history = y[:plan.test_starts[-1]]
    result.flat = bool(np.std(forecasts[-1]) <= FLAT_RELATIVE_SPREAD * max(float(np.std(history)), 1e-12))


def _attach_intervals(result: ModelResult, models: dict[str, ModelResult], members: list[str], plan: SplitPlan,
                      y: np.ndarray) -> None:
    """Bands calibrated on the members' median calibration forecast; a warning when the members' calibrations
    cannot be combined (a member without one, or calibrated from other origins)."""
    calibrations = {(models[n].calibration_start, np.shape(models[n].calibration_forecasts)) for n in members}
    start, shape = next(iter(calibrations))
    if len(calibrations) != 1 or start is None or len(shape) != 2:
        result.warnings.append("No prediction interval: the members' forecasts could not be calibrated together "
                               "(a member has no calibration forecasts or used other origins).")
        return
    forecasts = np.median([np.asarray(models[n].calibration_forecasts, dtype=float) for n in members], axis=0)
    attach_bands(result, forecasts, start, y, plan.test_starts)


def build_ensemble(models: dict[str, ModelResult], plan: SplitPlan, y: np.ndarray,
                   size: int = DEFAULT_ENSEMBLE_SIZE) -> ModelResult:
    """The ensemble's result from the other models' results; an ``error`` when fewer than two can join."""
    started = time.perf_counter()
    result = ModelResult(name=ENSEMBLE, label=ENSEMBLE_LABEL, params={"size": size},
                         preprocessing="none (median of the members' forecasts in original units)")
    names = candidates(models, len(plan.selection_windows))
    if len(names) < 2:
        result.error = (f"The ensemble needs at least two finished models with scores on every selection "
                        f"window; got {len(names)}. Add models to the comparison.")
        return result
    size = min(size, len(names))
    if len(plan.selection_windows) >= 2:
        _score_leave_one_window_out(result, models, names, size, plan, y)
    else:
        result.warnings.append("Only one selection window: the ensemble cannot be scored on a window that did "
                               "not choose its members, so it has no selection score and is not recommended.")
    members = ranked(models, names, range(len(plan.selection_windows)))[:size]
    _test_forecasts(result, models, members, plan, y)
    _attach_intervals(result, models, members, plan, y)
    result.extras["members"] = members
    result.params = {"size": size, "members": members}
    result.fit_seconds = time.perf_counter() - started
    return result
