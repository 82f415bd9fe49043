"""Choosing the recommended model on the selection windows only, and saying so when a rule or flag decides.

A model's selection score is its mean MASE over the selection windows (rolling origins inside the
validation part, all before the first test window).

**The ensemble is the default when it has an honest score.** Picking the lowest of about ten noisy mean
scores on a few windows is mostly picking luck (the winner's curse): on the 19 benchmark series that
rule recommended forecasts with a geometric-mean MASE of 1.015 while the ensemble alone scored 0.956
(``benchmarks/RESULTS.md``), as the M4 competition found for combinations in general. So when the
ensemble has a leave-one-window-out score, a single model replaces it only when it is **the best of all
models, the ensemble included, on every selection window** (no worse than any on each window, better than
the ensemble on at least one); among such models the lowest mean wins. Merely beating the ensemble on
every window is not enough: with about nine challengers and three windows, one of them does that by luck
more often than not, while being the best of ten on all three windows by luck is rare. Without an ensemble
score (no ensemble in the run, one selection window, too few members) the lowest mean score wins.

A model stopped by the user, stopped by the time budget, or whose forecast was clipped on a selection
window is passed over for the choice among the models without such a flag, with a note that says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from forecasting.ensemble import ENSEMBLE
from forecasting.models import StopReason

FLAG_STOPPED = "its training was stopped by you"
FLAG_BUDGET = "its training stopped at the time budget"
FLAG_CLIPPED = "its forecast was clipped on a selection window"


def selection_score(result: Any) -> float | None:
    """Mean MASE over the selection windows, or None when the model failed or has no finite score."""
    if not result.ok:
        return None
    score = (result.validation_metrics or {}).get("mase")
    return float(score) if score is not None and math.isfinite(score) else None


def recommendation_flags(result: Any) -> list[str]:
    """Why a model should not be recommended without a note: stopped by you, time budget, clipped forecast."""
    flags = []
    stop = (result.training_history or {}).get("stop_reason", "")
    if result.extras.get("stopped_by_user") or stop == StopReason.STOPPED_BY_USER.value:
        flags.append(FLAG_STOPPED)
    elif result.time_budget_hit or stop == StopReason.TIME_BUDGET.value:
        flags.append(FLAG_BUDGET)
    if result.selection_clipped:
        flags.append(FLAG_CLIPPED)
    return flags


def beats_on_every_window(challenger: Any, incumbent: Any) -> bool:
    """True when ``challenger`` is no worse than ``incumbent`` on any selection window and better on one.

    Ties count as no worse: on a window where the ensemble's median *is* this model's forecast, the two
    scores are equal, and a model that wins every other window must not lose the choice to that tie.
    """
    mine, theirs = list(challenger.selection_scores or []), list(incumbent.selection_scores or [])
    if not mine or len(mine) != len(theirs) or not all(math.isfinite(v) for v in mine + theirs):
        return False
    pairs = list(zip(mine, theirs, strict=True))
    return all(a <= b for a, b in pairs) and any(a < b for a, b in pairs)


def best_on_every_window(models: dict[str, Any], name: str, names: Sequence[str]) -> bool:
    """True when ``name`` scores no worse than every model of ``names`` on each selection window."""
    mine = models[name].selection_scores
    return all(mine[w] <= min(models[o].selection_scores[w] for o in names) for w in range(len(mine)))


def _choose(models: dict[str, Any], scores: dict[str, float], names: Sequence[str]) -> tuple[str, str]:
    """The choice among ``names`` (all with a finite score) and the note that explains an ensemble default."""
    lowest = min(names, key=scores.__getitem__)
    if ENSEMBLE not in names or len(models[ENSEMBLE].selection_scores or []) < 2:
        return lowest, ""
    ensemble = models[ENSEMBLE]
    champions = [n for n in names if n != ENSEMBLE and beats_on_every_window(models[n], ensemble)
                 and best_on_every_window(models, n, names)]
    if champions:
        return min(champions, key=scores.__getitem__), ""
    if lowest == ENSEMBLE:
        return ENSEMBLE, ""
    windows = len(ensemble.selection_scores)
    return ENSEMBLE, (f"{models[lowest].label} had the lowest mean MASE on the selection windows "
                      f"({scores[lowest]:.3g} against {scores[ENSEMBLE]:.3g}) but was not the best model on every "
                      f"one of the {windows} windows, so the ensemble is recommended: a single model replaces the "
                      "combination only when it is the best of all models, the ensemble included, on every window. "
                      "With about ten models and a few windows, a smaller lead is mostly luck.")


def recommend(models: dict[str, Any]) -> tuple[str | None, str]:
    """The recommended model's name and a note ("" when the choice needs no explanation).

    Ties go to the model listed first, so the choice never depends on anything but the scores and order.
    """
    scores = {name: s for name, r in models.items() if (s := selection_score(r)) is not None}
    if not scores:
        return None, "No model has a finite score on the selection windows, so none is recommended."
    best, note = _choose(models, scores, list(scores))
    flags = recommendation_flags(models[best])
    if not flags:
        return best, note
    clean = [name for name in scores if not recommendation_flags(models[name])]
    label = models[best].label
    if not clean:
        return best, (f"{label} is recommended with caution: {' and '.join(flags)}, and every other model "
                      "has such a flag too.")
    choice, _ = _choose(models, scores, clean)
    return choice, (f"{label} was the choice on the selection windows (MASE {scores[best]:.3g}), but "
                    f"{' and '.join(flags)}; {models[choice].label} (MASE {scores[choice]:.3g}) is the choice "
                    "among the models without such a flag and is recommended instead.")
