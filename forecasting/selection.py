"""Choosing the recommended model on the selection windows only, and saying so when a flag changes the choice.

A model's selection score is its mean MASE over the selection windows (rolling origins inside the
validation part, all before the first test window). The best score wins, except that a model stopped
by the user, stopped by the time budget, or whose forecast was clipped on a selection window is passed
over for the best model without such a flag, with a note that says why.
"""

from __future__ import annotations

import math
from typing import Any

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


def recommend(models: dict[str, Any]) -> tuple[str | None, str]:
    """The recommended model's name and a note ("" when the best-scoring model had no flag).

    Ties go to the model listed first, so the choice never depends on anything but the scores and order.
    """
    scores = {name: s for name, r in models.items() if (s := selection_score(r)) is not None}
    if not scores:
        return None, "No model has a finite score on the selection windows, so none is recommended."
    best = min(scores, key=scores.__getitem__)
    flags = recommendation_flags(models[best])
    if not flags:
        return best, ""
    clean = [name for name in scores if not recommendation_flags(models[name])]
    label = models[best].label
    if not clean:
        return best, (f"{label} is recommended with caution: {' and '.join(flags)}, and every other model "
                      "has such a flag too.")
    choice = min(clean, key=scores.__getitem__)
    return choice, (f"{label} scored best on the selection windows (MASE {scores[best]:.3g}), but "
                    f"{' and '.join(flags)}; {models[choice].label} (MASE {scores[choice]:.3g}) is the best "
                    "model without such a flag and is recommended instead.")
