"""The product's Echo State Network: a seeded random search of the reservoir's knobs and an ensemble of reservoirs.

A single ESN fits in milliseconds but one reservoir draw can make a free-running forecast swing far off, and
the best spectral radius, leak rate and scalings differ from series to series. This wrapper

1. **searches** (``search="random"``): draws ``search_trials`` configurations with a seeded sampler
   (log-uniform for scale-like knobs), fits each on ``train`` minus an inner tail, and scores it by the
   closed-loop error of forecasts of ``horizon`` steps from several origins in that tail (each from the true
   history up to its origin). The tail is part of ``train``: nothing after ``train`` is ever read, so the
   comparison's selection and test windows tune nothing (nested validation). The configuration given in the
   settings is always trial 0, and a drawn one replaces it only when its inner error is ``search_margin``
   lower (the best of several noisy scores is optimistic).
2. **combines** ``reservoirs`` ESNs with the chosen configuration and different reservoir seeds, fitted on all
   of ``train``, by the median (or mean) of their forecasts.

The ridge penalty is chosen by the ESN's own closed-loop selection inside the data each fit sees (the first
member's choice is shared by the others; in the search, inside the part before the tail, so the tail only
scores). :meth:`SearchedESNForecaster.tuned_params` returns the chosen configuration with that penalty and the search
switched off, so a refit on more data reproduces the choice without searching again.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from forecasting.errors import ForecastingError, SettingsError
from forecasting.models.base import (
    FitCallbacks,
    Forecast,
    Forecaster,
    ModelKind,
    Params,
    RecurrentModel,
    StopReason,
    TrainingHistory,
    param,
)
from forecasting.models.esn import STRATEGIES, ESNForecaster, ESNParams

SEARCH_MODES = ("random", "off")
COMBINE_MODES = ("median", "mean")
MAX_TAIL_FRACTION = 0.3  # the inner tail that scores the search takes at most this share of train ...
TAIL_HORIZONS = 3        # ... and at most this many horizons,
MAX_SEARCH_ORIGINS = 6   # with this many (overlapping) horizon-long windows spread over it
MIN_HEAD_FRACTION = 0.5  # the part each trial is fitted on keeps at least half of train
MIN_UNITS = 20           # smallest reservoir the search draws


@dataclass(frozen=True)
class Dimension:
    """One knob the search varies: uniform or log-uniform on [low, high], rounded when ``integer``."""

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    def sample(self, rng: np.random.Generator, high: float | None = None) -> float | int:
        """One draw; ``high`` replaces the upper end (the units ceiling comes from the settings)."""
        top = self.high if high is None else high
        low = min(self.low, top)
        value = math.exp(rng.uniform(math.log(low), math.log(top))) if self.log else rng.uniform(low, top)
        return int(round(value)) if self.integer else float(value)


# What the random search varies. The ranges cover the usual ESN practice (Lukosevicius 2012, "A practical
# guide to applying echo state networks"): radius around 1, leak from slow to fast, input scaling from
# near-linear to saturating; the units ceiling is the ``units`` setting.
SEARCH_SPACE: tuple[Dimension, ...] = (
    Dimension("spectral_radius", 0.3, 1.2),
    Dimension("leak_rate", 0.1, 1.0, log=True),
    Dimension("input_scaling", 0.02, 2.0, log=True),
    Dimension("bias_scaling", 0.01, 1.0, log=True),
    Dimension("units", MIN_UNITS, 5000, log=True, integer=True),  # the ceiling is replaced by the units setting
)
SEARCHED = tuple(d.name for d in SEARCH_SPACE)


@dataclass
class SearchedESNParams(ESNParams):
    """The ESN's hyperparameters plus the random search and the ensemble of reservoirs built on them.

    ``units`` defaults to 100 here (300 for the plain ESN): the search and the ensemble fit many reservoirs,
    and on the benchmark series five reservoirs of 100 units forecast as well as one of 300 (see
    benchmarks/results_esn_accuracy.md). ``strategy`` defaults to direct here (recursive for the plain ESN,
    whose closed loop the memory and sweep studies are about): a free-running forecast compounds its own
    errors, and on the 19 benchmark series direct readouts lowered the ESN's geometric-mean MASE from 1.250
    to 1.154 (better on 12 series; benchmarks/RESULTS.md).
    """

    units: int = param(
        100, "units: neurons per reservoir N (with search on, the largest reservoir the search tries); more "
        "neurons give richer features at O(N * connectivity) cost per step, times the number of reservoirs.",
        low=10, high=5000)
    strategy: str = param(
        "direct", "strategy: direct (the default here) trains one readout per step ahead up to 'horizon' and never "
        "feeds predictions back, so errors do not compound; recursive trains one one-step readout and feeds each "
        "prediction back (any horizon, the same closed loop as the LSTM/GRU).", choices=STRATEGIES)
    search: str = param(
        "random", "search: 'random' tries search_trials reservoir settings (spectral radius, leak rate, input and "
        "bias scaling, units up to 'units') scored on closed-loop forecasts inside the training part's own tail "
        "and keeps the best; 'off' uses the settings above as given (about half the fit time).",
        choices=SEARCH_MODES)
    search_trials: int = param(
        8, "search_trials: configurations the random search scores (the given settings are the first); more "
        "trials find better settings but risk fitting the noise of a short tail.", low=1, high=1000)
    search_budget_s: float = param(
        3.0, "search_budget_s: wall-time cap of the search in seconds; it stops after the trial running when "
        "the cap is reached (then fewer trials ran, and a rerun may choose differently).", low=0.01, high=3600.0)
    search_reservoirs: int = param(
        2, "search_reservoirs: reservoirs each trial is scored with (their combined forecast); more make the "
        "score depend on the settings rather than on one lucky reservoir draw, at that many times the cost.",
        low=1, high=100)
    search_margin: float = param(
        0.1, "search_margin: a searched configuration replaces the given settings only when its inner error is "
        "lower by at least this fraction; the best of many noisy scores is optimistic, so small wins are ignored.",
        low=0.0, high=0.9)
    reservoirs: int = param(
        5, "reservoirs: ensemble size; this many ESNs with different random reservoirs are fitted with the chosen "
        "settings and their forecasts combined, which removes most one-draw blow-ups.", low=1, high=100)
    combine: str = param(
        "median", "combine: how the reservoirs' forecasts are combined step by step; the median ignores a "
        "diverging member, the mean is smoother.", choices=COMBINE_MODES)

    def esn_params(self) -> ESNParams:
        """Only the fields of a single ESN (what each trial and member is built from)."""
        names = ESNParams.names()
        return ESNParams(**{k: v for k, v in self.to_dict().items() if k in names})


@dataclass
class SearchTrial:
    """One scored configuration: its searched knobs, inner closed-loop MAE (inf when it failed) and cost."""

    trial: int
    config: dict[str, Any]
    score: float
    seconds: float
    ridge_alpha: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["score"] = self.score if math.isfinite(self.score) else None
        return data


@dataclass(frozen=True)
class InnerSplit:
    """Where the search fits (``series[:fit_end]``) and the origins of its closed-loop windows of ``length``."""

    fit_end: int
    origins: tuple[int, ...]
    length: int


def member_seed(seed: int, index: int) -> int:
    """Reservoir seed of ensemble member ``index``: ``seed`` itself first, then independent spawned streams.

    Spawned (not ``seed + index``) so that the ensembles of comparison seeds 0 and 1 share no reservoir.
    """
    if index == 0:
        return int(seed)
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0])


def inner_split(n: int, horizon: int) -> InnerSplit | None:
    """The inner tail of a length-``n`` train part (3 horizons, at most 30% of it) and its window origins.

    None when even one window would leave less than half of ``n`` to fit on.
    """
    length = int(horizon)
    tail = min(TAIL_HORIZONS * length, max(length, int(MAX_TAIL_FRACTION * n)))
    if n - tail < MIN_HEAD_FRACTION * n:
        return None
    return InnerSplit(fit_end=n - tail, origins=window_origins(n - tail, n, length), length=length)


def window_origins(start: int, end: int, length: int) -> tuple[int, ...]:
    """Up to 6 evenly spread origins of ``length``-step windows inside ``[start, end)`` (overlapping when
    the span is short: more origins make the score depend less on where one window happens to fall)."""
    count = max(1, min(MAX_SEARCH_ORIGINS, end - start - length + 1))
    return tuple(int(o) for o in np.unique(np.linspace(start, end - length, count).round().astype(int)))


def sample_configs(params: SearchedESNParams, seed: int) -> list[dict[str, Any]]:
    """The trials' configurations, deterministic per seed: the given settings first, then random draws."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x5EA4C4]))
    configs = [{name: getattr(params, name) for name in SEARCHED}]
    for _ in range(int(params.search_trials) - 1):
        configs.append({d.name: d.sample(rng, high=params.units if d.name == "units" else None)
                        for d in SEARCH_SPACE})
    return configs


def closed_loop_mae(models: list[ESNForecaster], series: np.ndarray, split: InnerSplit, combine: str) -> float:
    """Mean absolute error of the models' combined forecasts over the inner windows, each from the true history."""
    errors = []
    for origin in split.origins:
        forecast = combine_forecasts([m.predict(series[:origin], split.length).values for m in models], combine)
        errors.append(np.abs(forecast - series[origin:origin + split.length]))
    score = float(np.mean(np.concatenate(errors)))
    return score if math.isfinite(score) else math.inf


def combine_forecasts(forecasts: list[np.ndarray], how: str) -> np.ndarray:
    """Step-by-step median or mean of the members' forecasts."""
    stacked = np.vstack(forecasts)
    return np.median(stacked, axis=0) if how == "median" else np.mean(stacked, axis=0)


class SearchedESNForecaster(Forecaster, RecurrentModel):
    """Echo State Network with a nested random search of its reservoir and an ensemble of reservoirs.

    After ``fit``: ``members`` (the fitted :class:`ESNForecaster` s), ``chosen_`` (the ESN settings used, ridge
    penalty included), ``search_trials_`` (every :class:`SearchTrial`, trial 0 = the given settings) and
    ``search_report_`` (a JSON-ready summary of what was chosen and why, for the dashboard).
    """

    name: ClassVar[str] = "esn"
    label: ClassVar[str] = "Echo State Network"
    Params: ClassVar[type[Params]] = SearchedESNParams
    kind: ClassVar[ModelKind] = ModelKind.NEURAL
    stochastic: ClassVar[bool] = True
    batched_states: ClassVar[bool] = bool(getattr(ESNForecaster, "batched_states", False))

    def __init__(self, params: SearchedESNParams | None = None, *, seed: int = 0, season_length: int = 1) -> None:
        super().__init__(params, seed=seed, season_length=season_length)
        self.members: list[ESNForecaster] = []
        self.chosen_: dict[str, Any] = {}
        self.search_trials_: list[SearchTrial] = []
        self.search_report_: dict[str, Any] = {}

    # -- fitting --------------------------------------------------------------------------------
    def _fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Search and fit; when direct readouts need more points than the series has, fit recursive ones instead.

        A direct readout needs ``horizon`` targets after every training row, so a short series (or the search's
        shorter inner part) can leave too few rows, where the recursive one-step readout still fits. The switch
        is kept in :meth:`tuned_params`, so every refit of the comparison uses the same strategy.
        """
        warnings_before = list(self.warnings)
        try:
            self._search_and_fit(train, val, callbacks)
        except ForecastingError as error:
            if self.params.strategy != "direct":
                raise
            self.warnings[:] = warnings_before
            self.params = self.params.replace(strategy="recursive")
            self._search_and_fit(train, val, callbacks)
            self.warnings.append(f"Direct readouts did not fit: {error} Used the recursive strategy instead (one "
                                 "one-step readout whose predictions are fed back).")

    def _search_and_fit(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> None:
        """Search on the inner tail (or on ``val`` when given), then fit the ensemble on ``train``."""
        started = time.perf_counter()
        p: SearchedESNParams = self.params
        self.search_trials_, self.search_report_ = [], {}
        self.history = TrainingHistory(stop_reason=StopReason.CLOSED_FORM)
        base = p.esn_params()
        if p.search == "random":
            base = self._search(train, val, callbacks)
        self.members = self._fit_members(base, train, val, callbacks)
        alpha = self.members[0].tuned_params().get("ridge_alpha", base.ridge_alpha)
        self.chosen_ = {**{k: getattr(base, k) for k in SEARCHED}, "ridge_alpha": alpha, "strategy": base.strategy}
        self.history.train_loss = [float(np.mean([m.history.train_loss[0] for m in self.members]))]
        self.search_report_.setdefault("search", p.search)
        self.search_report_.update(chosen=dict(self.chosen_), reservoirs=len(self.members),
                                   member_seeds=[m.seed for m in self.members], combine=p.combine,
                                   seconds=time.perf_counter() - started)
        if callbacks is not None and callbacks.on_epoch is not None:
            val_loss = self.history.val_loss[0] if self.history.val_loss else None
            callbacks.on_epoch(1, 1, self.history.train_loss[0], val_loss)

    def _fit_members(self, base: ESNParams, train: np.ndarray, val: np.ndarray | None,
                     callbacks: FitCallbacks | None) -> list[ESNForecaster]:
        """Fit ``reservoirs`` ESNs on ``train``; the first one's ridge penalty is fixed for the others."""
        members: list[ESNForecaster] = []
        for index in range(int(self.params.reservoirs)):
            if index and _stop_requested(callbacks):
                self.history.stop_reason = StopReason.STOPPED_BY_USER
                self.warnings.append(f"Stopped while fitting the ensemble: {index} of "
                                     f"{self.params.reservoirs} reservoirs are combined.")
                break
            member = ESNForecaster(base, seed=member_seed(self.seed, index), season_length=self.season_length)
            member.fit(train, val)
            members.append(member)
            if base.ridge_alpha is None:
                base = base.replace(**member.tuned_params())
            for message in member.warnings:
                if message not in self.warnings:
                    self.warnings.append(message)
        self.set_envelope(train)
        return members

    def _search(self, train: np.ndarray, val: np.ndarray | None, callbacks: FitCallbacks | None) -> ESNParams:
        """Score the sampled configurations within the budget; return the chosen one (see :meth:`_best_trial`)."""
        p: SearchedESNParams = self.params
        series, split = self._search_data(train, val)
        if split is None:
            self.warnings.append(f"The training part ({len(train)} points) is too short to hold out a tail of "
                                 f"{p.horizon} steps for the ESN's search; used the given settings. Use a longer "
                                 "series, a shorter horizon or search=off.")
            self.search_report_ = {"search": "skipped: training part too short"}
            return p.esn_params()
        budget, configs = _budget(p.search_budget_s, callbacks), sample_configs(p, self.seed)
        started = time.perf_counter()
        budget_hit = stopped = False
        for index, config in enumerate(configs):
            if index and time.perf_counter() - started >= budget:
                budget_hit = True
                break
            if index and _stop_requested(callbacks):
                stopped = True
                break
            self.search_trials_.append(self._run_trial(index, config, series, split))
        best = self._best_trial()
        self._record_search(split, best, time.perf_counter() - started, budget, budget_hit, stopped)
        return p.esn_params().replace(**best.config)

    def _best_trial(self) -> SearchTrial:
        """The lowest inner error, unless it beats the given settings (trial 0) by less than the margin."""
        given = self.search_trials_[0]
        best = min(self.search_trials_, key=lambda t: t.score)
        if math.isfinite(given.score) and best.score > (1.0 - self.params.search_margin) * given.score:
            return given
        return best

    def _search_data(self, train: np.ndarray, val: np.ndarray | None) -> tuple[np.ndarray, InnerSplit | None]:
        """The series the search reads and its windows: ``val`` when given, else the inner tail of ``train``."""
        length = int(self.params.horizon)
        if val is None:
            return train, inner_split(len(train), length)
        series = np.concatenate([train, val])
        length = min(length, len(val))
        return series, InnerSplit(len(train), window_origins(len(train), len(series), length), length)

    def _run_trial(self, index: int, config: dict[str, Any], series: np.ndarray, split: InnerSplit) -> SearchTrial:
        """Fit one configuration before the tail, exactly as the members are fitted, and score it on the tail.

        The tail only scores: the ridge penalty is chosen by the ESN inside the fit part (as each member
        chooses it inside ``train``), so the score is an out-of-sample estimate of the whole procedure.
        """
        tick = time.perf_counter()
        try:
            params = self.params.esn_params().replace(**config)
            models = []
            for k in range(int(self.params.search_reservoirs)):
                model = ESNForecaster(params, seed=member_seed(self.seed, k), season_length=self.season_length)
                model.fit(series[:split.fit_end])  # the ridge penalty is chosen inside the fit part, as for members
                if params.ridge_alpha is None:
                    params = params.replace(**model.tuned_params())
                models.append(model)
            score = closed_loop_mae(models, series, split, self.params.combine)
            return SearchTrial(index, config, score, time.perf_counter() - tick, params.ridge_alpha)
        except ForecastingError as error:
            return SearchTrial(index, config, math.inf, time.perf_counter() - tick, None, str(error))

    def _record_search(self, split: InnerSplit, best: SearchTrial, seconds: float, budget: float,
                       budget_hit: bool, stopped: bool) -> None:
        """Keep what the dashboard shows about the search, and warn when it did not run to the end."""
        if not math.isfinite(best.score):
            raise SettingsError("Every configuration of the ESN's search failed on the inner tail "
                                f"({self.search_trials_[0].error}); change the ESN settings or set search=off.")
        self.history.val_loss = [best.score]
        self.search_report_ = {
            "search": "random", "trials": [t.to_dict() for t in self.search_trials_], "best_trial": best.trial,
            "best_score": best.score, "given_score": _finite_or_none(self.search_trials_[0].score),
            "score": "mean absolute closed-loop error in model space over the inner windows",
            "fit_points": split.fit_end, "window_origins": list(split.origins), "window_length": split.length,
            "budget_s": budget, "budget_hit": budget_hit, "search_seconds": seconds,
        }
        if budget_hit:
            self.warnings.append(f"The ESN's search reached its time budget ({budget:g} s) after "
                                 f"{len(self.search_trials_)} of {self.params.search_trials} trials; raise "
                                 "search_budget_s for a search that does not depend on the machine's speed.")
        if stopped:
            self.history.stop_reason = StopReason.STOPPED_BY_USER

    # -- forecasting ------------------------------------------------------------------------------
    def _predict(self, history: np.ndarray, horizon: int) -> Forecast:
        """Combine the members' forecasts step by step; clipped when any member's forecast was."""
        predictions = [m.predict(history, horizon) for m in self.members]
        values = combine_forecasts([f.values for f in predictions], self.params.combine)
        return Forecast(values, any(f.clipped for f in predictions))

    def tuned_params(self) -> dict[str, Any]:
        """The chosen settings with their ridge penalty and the search off: a refit reproduces the choice."""
        if not self.chosen_:
            return {}
        return {**{k: v for k, v in self.chosen_.items() if v is not None}, "search": "off"}

    @property
    def trainable_parameters(self) -> int:
        """Readout weights summed over the ensemble's members."""
        return int(sum(m.trainable_parameters for m in self.members))

    @classmethod
    def warm_up(cls) -> None:
        """Compile the reservoir kernels and load the readout with a tiny two-trial search and forecast.

        A small reservoir compiles the same kernels as a large one, without a large one's draw.
        """
        t = np.arange(64, dtype=float)
        series = np.sin(2 * np.pi * t / 12) + 0.01 * t
        params = cls.Params().replace(units=MIN_UNITS, washout=8, horizon=3, search="random", search_trials=2,
                                      search_reservoirs=1, reservoirs=1)
        cls(params, seed=0, season_length=12).fit(series[:52]).predict(series, 3)

    # -- the recurrent core, for the memory analysis ------------------------------------------------
    def _first_member(self) -> ESNForecaster:
        if not self.members:
            raise SettingsError("The Echo State Network is not fitted yet; call fit(train) before analysing it.")
        return self.members[0]

    def states(self, inputs: np.ndarray) -> np.ndarray:
        """The first member's reservoir states (every member is a reservoir of the same settings)."""
        return _recurrent(self._first_member()).states(inputs)

    def input_gradients(self, series: np.ndarray, ends: np.ndarray, lags: int) -> np.ndarray:
        """Gradient of the combined one-step forecast: the mean of the members' gradients for ``combine=mean``.

        For the median it is exact too (almost everywhere): at each origin the median is one member's forecast
        (or the mean of the middle two), so the gradient is that member's (the mean of theirs).
        """
        grads = np.stack([_recurrent(m).input_gradients(series, ends, lags) for m in self._active_members()])
        if self.params.combine == "mean" or len(grads) <= 2:
            return grads.mean(axis=0)
        return self._median_gradients(grads, series, ends)

    def _median_gradients(self, grads: np.ndarray, series: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Per origin, the gradient of the member (or middle two) whose one-step forecast is the median."""
        members = self._active_members()
        steps = np.array([[m.forecast(series[:int(e) + 1], 1)[0] for e in ends] for m in members])
        order = np.argsort(steps, axis=0, kind="stable")  # members x origins
        k = len(members)
        middle = [order[(k - 1) // 2], order[k // 2]]
        rows = np.arange(len(ends))
        return 0.5 * (grads[middle[0], rows] + grads[middle[1], rows])

    def _active_members(self) -> list[ESNForecaster]:
        self._first_member()
        return self.members

    def memory_extras(self, eps: float) -> dict[str, Any]:
        """The first member's eigenvalues, decay rate and horizon (all members share the settings)."""
        return _recurrent(self._first_member()).memory_extras(eps)

    def search_summary(self) -> dict[str, Any]:
        """What was chosen and why (JSON-ready): the trials, their inner scores and the chosen settings."""
        return dict(self.search_report_)

    def fit_report(self) -> dict[str, Any]:
        """The search summary: the comparison stores it so the dashboard can show what was chosen and why."""
        return self.search_summary()


def _recurrent(member: ESNForecaster) -> RecurrentModel:
    """The member as a :class:`RecurrentModel`, or a clear error when the ESN does not implement it."""
    if not isinstance(member, RecurrentModel):
        raise SettingsError("This version of the ESN does not expose its recurrent core (RecurrentModel); "
                            "the memory analysis falls back to finite differences of the forecasts.")
    return member


def _stop_requested(callbacks: FitCallbacks | None) -> bool:
    return bool(callbacks is not None and callbacks.should_stop is not None and callbacks.should_stop())


def _budget(search_budget_s: float, callbacks: FitCallbacks | None) -> float:
    """The search's wall-time cap: its own setting, or the run's time budget when that is shorter."""
    run_budget = None if callbacks is None else callbacks.time_budget_s
    return float(search_budget_s) if run_budget is None else min(float(search_budget_s), float(run_budget))


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


__all__ = ["SEARCH_SPACE", "Dimension", "SearchTrial", "SearchedESNForecaster", "SearchedESNParams",
           "inner_split", "member_seed", "sample_configs"]
