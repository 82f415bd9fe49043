"""Model choice that holds up: selection windows only, flags passed over with a note, an honest ensemble,
failed seeds reported, tuning on the training part only. Small fake forecasters keep every test fast."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from forecasting import costs
from forecasting.comparison import CompareConfig, compare
from forecasting.loading import series_from_values
from forecasting.models import _REGISTRY, FitCallbacks, Forecast, Forecaster, ModelKind, Params, StopReason
from forecasting.selection import FLAG_BUDGET, FLAG_CLIPPED
from forecasting.splitting import plan_comparison

N, H, M = 120, 6, 12


def truth(t: np.ndarray) -> np.ndarray:
    """The noiseless series every fake knows: a level, a trend and a yearly wave."""
    return 50 + 0.3 * t + 5 * np.sin(2 * np.pi * t / M)


def demo_series(n: int = N):
    return series_from_values(truth(np.arange(n, dtype=float)), name="fake")


@dataclass
class NoParams(Params):
    """The fakes have no hyperparameters."""


class Fake(Forecaster):
    """Forecasts the true continuation plus ``bias`` before ``test_from`` and ``test_bias`` from there on."""

    Params = NoParams
    kind = ModelKind.BASELINE
    uses_preprocessing = False
    needs_fit = False
    bias: ClassVar[float] = 0.0
    test_bias: ClassVar[float | None] = None
    test_from: ClassVar[int] = N - H
    stop: ClassVar[StopReason | None] = None
    clips: ClassVar[bool] = False

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        if self.stop is not None:
            self.history.stop_reason = self.stop

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        t = np.arange(len(history), len(history) + horizon, dtype=float)
        bias = self.test_bias if self.test_bias is not None and len(history) >= self.test_from else self.bias
        return Forecast(truth(t) + bias, self.clips)

    @property
    def trainable_parameters(self) -> int:
        return 0


class Good(Fake):
    name, label, bias, test_bias = "good", "Good", 0.1, 9.0  # best on every selection window, worst on test


class Bad(Fake):
    name, label, bias = "bad", "Bad", 1.0


class Middle(Fake):
    name, label, bias = "middle", "Middle", 0.5


class Budget(Fake):
    name, label, bias, stop = "budget", "Budget", 0.01, StopReason.TIME_BUDGET


class Clipper(Fake):
    name, label, bias, clips = "clipper", "Clipper", 0.02, True


class Flaky(Fake):
    """Stochastic; seed 1 forecasts NaN (a diverged fit) and every other seed is exact but for its seed."""

    name, label, stochastic = "flaky", "Flaky", True

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        values = super()._predict(history, horizon).values + 0.1 * (self.seed + 1)
        return Forecast(values * np.nan if self.seed == 1 else values)


class Recorder(Fake):
    """Records the length and last value of every series it is fitted on, and that val was None."""

    name, label, bias = "recorder", "Recorder", 0.2
    fits: ClassVar[list[tuple[int, float, bool]]] = []

    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        Recorder.fits.append((len(train), float(train[-1]), val is None))


class Warm(Fake):
    name, label, bias = "warm", "Warm", 0.3
    warmed: ClassVar[int] = 0

    @classmethod
    def warm_up(cls) -> None:
        cls.warmed += 1


class Streaky(Fake):
    """Exact on the first two selection windows, off by 1.2 on the last: the lowest mean, yet not every window."""

    name, label = "streaky", "Streaky"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        last_window_start = plan_comparison(N, H, M).selection_windows[-1][0]
        t = np.arange(len(history), len(history) + horizon, dtype=float)
        return Forecast(truth(t) - (1.2 if len(history) == last_window_start else 0.0))


class Tied(Streaky):
    """Exact on the first two selection windows and, on the last, off by 0.5 like Middle: there the ensemble's
    median is Middle's forecast, so Tied and the ensemble score the same."""

    name, label = "tied", "Tied"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        last_window_start = plan_comparison(N, H, M).selection_windows[-1][0]
        t = np.arange(len(history), len(history) + horizon, dtype=float)
        return Forecast(truth(t) + (0.5 if len(history) == last_window_start else 0.0))


class Sharp(Fake):
    """Exact on the first selection window, off by 0.9 on the others: the best model there, and only there."""

    name, label = "sharp", "Sharp"

    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        first_window_start = plan_comparison(N, H, M).selection_windows[0][0]
        t = np.arange(len(history), len(history) + horizon, dtype=float)
        return Forecast(truth(t) + (0.0 if len(history) == first_window_start else 0.9))


FAKES = (Good, Bad, Middle, Budget, Clipper, Flaky, Recorder, Warm, Streaky, Tied, Sharp)


@pytest.fixture(autouse=True)
def fakes(monkeypatch):
    """Register the fakes under their names for this test only."""
    for cls in FAKES:
        monkeypatch.setitem(_REGISTRY, cls.name, f"{__name__}:{cls.__name__}")


def run(*models: str, **settings):
    settings.setdefault("horizon", H)
    settings.setdefault("season_length", M)
    return compare(demo_series(settings.pop("n", N)), CompareConfig(models=models, memory=False, **settings))


@pytest.mark.parametrize("order", [("good", "bad", "middle", "seasonal_naive"),
                                   ("seasonal_naive", "middle", "bad", "good"),
                                   ("bad", "good", "drift", "naive")])
def test_model_better_on_every_selection_window_is_chosen_whatever_the_test_says(order):
    result = run(*order)
    good, others = result.models["good"], [r for n, r in result.models.items() if n != "good"]
    assert all(g < o.selection_scores[w] for o in others for w, g in enumerate(good.selection_scores))
    assert result.recommended == "good" and result.recommendation_note == ""
    assert good.metrics["mase"] > result.models["bad"].metrics["mase"]  # worse on test, still chosen


def test_ensemble_is_the_default_and_a_model_replaces_it_only_as_the_best_on_every_window():
    result = run("good", "middle", "bad", "ensemble")  # the ensemble is the median, i.e. Middle
    good, ensemble = result.models["good"], result.models["ensemble"]
    assert all(g < e for g, e in zip(good.selection_scores, ensemble.selection_scores, strict=True))
    assert result.recommended == "good" and result.recommendation_note == ""

    result = run("streaky", "middle", "bad", "ensemble")
    streaky, ensemble = result.models["streaky"], result.models["ensemble"]
    assert streaky.validation_metrics["mase"] < ensemble.validation_metrics["mase"]  # lower mean ...
    assert streaky.selection_scores[-1] > ensemble.selection_scores[-1]  # ... but worse on the last window
    assert result.recommended == "ensemble"
    assert "Streaky" in result.recommendation_note and "every" in result.recommendation_note

    tied = run("tied", "middle", "bad", "ensemble")  # a tie on one window and wins on the others: chosen
    scores, ensemble_scores = tied.models["tied"].selection_scores, tied.models["ensemble"].selection_scores
    assert scores[-1] == ensemble_scores[-1] and all(a < b for a, b in zip(scores[:-1], ensemble_scores[:-1], strict=True))
    assert tied.recommended == "tied" and tied.recommendation_note == ""

    # Good beats the ensemble on every window, but Sharp is better than Good on the first one: Good is not the
    # best model on every window, so the ensemble stays (with a note).
    contested = run("good", "sharp", "middle", "bad", "ensemble")
    good, sharp = contested.models["good"], contested.models["sharp"]
    ensemble = contested.models["ensemble"]
    assert all(g <= e for g, e in zip(good.selection_scores, ensemble.selection_scores, strict=True))
    assert any(g < e for g, e in zip(good.selection_scores, ensemble.selection_scores, strict=True))
    assert sharp.selection_scores[0] < good.selection_scores[0]
    assert contested.recommended == "ensemble" and "Good" in contested.recommendation_note

    without_ensemble = run("streaky", "middle", "bad")  # no combination to default to: the lowest mean wins
    assert without_ensemble.recommended == "streaky" and without_ensemble.recommendation_note == ""


def test_selection_windows_lie_before_every_test_window_and_score_without_refit():
    result = run("recorder", "bad", backtest=2)
    plan = plan_comparison(N, H, M, backtest=2)
    assert result.selection["windows"] == [list(w) for w in plan.selection_windows]
    assert len(plan.selection_windows) == 3 and plan.selection_windows[-1][1] == N - 2 * H
    # One fit on the training part with val=None, then one refit per test window; none per selection window.
    lengths = [length for length, _, _ in Recorder.fits[-3:]]
    assert lengths == [plan.split.train_end, N - 2 * H, N - H]
    assert all(val_is_none for _, _, val_is_none in Recorder.fits[-3:])


def test_time_budget_or_clipping_passes_the_best_model_over_with_a_note():
    result = run("budget", "good", "bad")
    assert result.recommended == "good"
    assert "Budget" in result.recommendation_note and FLAG_BUDGET in result.recommendation_note
    result = run("clipper", "bad", "middle")
    assert result.models["clipper"].selection_clipped and result.recommended == "middle"
    assert FLAG_CLIPPED in result.recommendation_note
    only_flagged = run("clipper", "budget")
    assert only_flagged.recommended == "budget" and "with caution" in only_flagged.recommendation_note


def test_failed_seed_is_named_and_left_out_of_every_mean():
    with pytest.warns(RuntimeWarning, match="Seed 1"):
        result = run("flaky", "bad", seeds=3)
    flaky = result.models["flaky"]
    assert flaky.ok and flaky.failed_seeds == [1] and any("Seed 1" in w for w in flaky.warnings)
    assert len(flaky.seed_forecasts) == 2 and np.all(np.isfinite(flaky.forecast))
    alone = {s: run("flaky", "bad", seeds=1, base_seed=s).models["flaky"] for s in (0, 2)}
    for metric, value in flaky.metrics.items():
        assert value == pytest.approx(np.mean([alone[s].metrics[metric] for s in (0, 2)]))
    every_seed_fails = run("flaky", "bad", seeds=1, base_seed=1).models["flaky"]
    assert not every_seed_fails.ok and "every seed" in every_seed_fails.error


def test_ensemble_is_scored_leave_one_window_out_and_forecasts_the_top_k_median():
    result = run("good", "middle", "bad", "seasonal_naive", "ensemble", ensemble_size=2)
    ensemble, models = result.models["ensemble"], result.models
    others = [n for n in models if n != "ensemble"]
    windows = len(result.selection["windows"])
    y = demo_series().values
    for w, (start, end) in enumerate(result.selection["windows"]):
        def held_out(name: str, w: int = w) -> float:
            return float(np.mean([models[name].selection_scores[j] for j in range(windows) if j != w]))
        members = sorted(others, key=held_out)[:2]
        combined = np.median([models[n].selection_forecasts[w] for n in members], axis=0)
        scale = np.mean(np.abs(y[M:start] - y[:start - M]))
        assert ensemble.selection_scores[w] == pytest.approx(np.mean(np.abs(y[start:end] - combined)) / scale)
    assert ensemble.extras["members"] == ["good", "middle"]
    assert ensemble.forecast == pytest.approx(np.median([models["good"].forecast, models["middle"].forecast], axis=0))
    assert ensemble.fit_seconds < 1.0 and ensemble.peak_memory_mb is None
    assert list(result.models)[-1] == "ensemble"


def test_short_series_gets_fewer_windows_with_the_reason_recorded():
    result = run("good", "bad", n=30, horizon=3)
    assert len(result.selection["windows"]) == 2 and "too short" in result.selection["note"]
    assert result.recommended == "good"
    long = plan_comparison(144, 12, 12)
    assert long.split.validation_size == 36 and long.selection_note == ""


def test_warm_up_runs_once_per_process_and_is_reported_apart():
    first = run("warm", "bad")
    second = run("warm", "bad")
    assert Warm.warmed == 1
    assert set(first.setup_breakdown) == {"warm", "bad"} and second.setup_breakdown["warm"] == 0.0
    assert first.setup_seconds == pytest.approx(sum(first.setup_breakdown.values()))


def test_peak_memory_is_null_where_it_cannot_be_measured(monkeypatch):
    monkeypatch.setattr(costs, "peak_memory_supported", lambda: False)
    result = run("good", "bad")
    assert result.models["good"].peak_memory_mb is None
    assert json.loads(json.dumps(result.to_dict()))["models"]["good"]["peak_memory_mb"] is None


def test_future_forecast_of_the_ensemble_is_the_median_of_its_members():
    from forecasting.errors import SettingsError
    from forecasting.future import forecast_future

    config = CompareConfig(models=("good", "middle", "bad", "ensemble"), horizon=H, season_length=M, memory=False)
    result = compare(demo_series(), config)
    future = forecast_future(demo_series(), "ensemble", H, config, result)
    members = [forecast_future(demo_series(), name, H, config).values for name in result.models["ensemble"].extras["members"]]
    assert future.values == pytest.approx(np.median(members, axis=0))
    with pytest.raises(SettingsError, match="run one with the ensemble"):
        forecast_future(demo_series(), "ensemble", H, config)


def test_dashboard_lines_name_the_setup_the_windows_and_unmeasured_memory(monkeypatch):
    from dashboard.summary import cost_frame, model_note, selection_line, setup_line

    monkeypatch.setattr(costs, "peak_memory_supported", lambda: False)
    result = run("budget", "good", "bad", "ensemble")
    assert "3 selection windows" in selection_line(result) and "Budget" in selection_line(result)
    assert "charged to no model" in setup_line(result)
    assert set(cost_frame(result)["peak memory of a fit (MB)"]) == {"not measured"}
    assert model_note(result, result.models["ensemble"]).endswith("median of Budget, Good, Bad")
