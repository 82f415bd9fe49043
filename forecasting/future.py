"""Forecast beyond the end of the data: tune on a validation block, refit on every point, forecast H steps."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting.comparison import CompareConfig, fit_tune_refit, index_labels, model_params
from forecasting.errors import SettingsError
from forecasting.loading import LoadedSeries
from forecasting.models import get_model_class
from forecasting.splitting import chronological_split, default_horizon


@dataclass
class FutureForecast:
    """H values after the last observation, their timestamps (or step numbers) and how they were made."""

    model_name: str
    values: list[float]
    index: list[object]
    seeds: list[int]
    clipped: bool = False
    warnings: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"time": self.index, "forecast": self.values})


def future_index(series: LoadedSeries, horizon: int) -> list[object]:
    """Timestamps of the next ``horizon`` steps: by the inferred frequency, else integer steps after the end."""
    index = series.index
    if isinstance(index, pd.DatetimeIndex):
        freq = series.frequency or (pd.infer_freq(index) if len(index) >= 3 else None)
        if freq:
            try:
                stamps = pd.date_range(start=index[-1], periods=horizon + 1, freq=freq)[1:]
                return index_labels(stamps)
            except (ValueError, TypeError):
                pass
        return [f"+{h}" for h in range(1, horizon + 1)]
    last = int(index[-1]) if len(index) and np.issubdtype(np.asarray(index).dtype, np.integer) else len(index) - 1
    return list(range(last + 1, last + 1 + horizon))


def forecast_future(series: LoadedSeries, model_name: str, horizon: int | None = None,
                    config: CompareConfig | None = None) -> FutureForecast:
    """Fit ``model_name`` on all points (tuning on the last validation block) and forecast ``horizon`` ahead."""
    config = config or CompareConfig()
    model_cls = get_model_class(model_name)
    y = np.asarray(series.values, dtype=float)
    m = int(config.season_length or series.season_length or 1)
    horizon = int(horizon or config.horizon or default_horizon(len(y), m))
    if horizon < 1:
        raise SettingsError(f"The horizon must be at least 1; got {horizon}.")
    split = chronological_split(len(y) + horizon, horizon, config.validation_size, season_length=m)
    params = model_params(model_cls, config.params.get(model_name, {}), horizon)
    seeds = [config.base_seed + i for i in range(config.seeds if model_cls.stochastic else 1)]
    prep = {"log": config.log, "difference": config.difference, "seasonal_difference": config.seasonal_difference}
    runs = [fit_tune_refit(model_cls, params, seed, y, split.train_end, m, horizon, prep) for seed in seeds]
    warnings: list[str] = []
    for run in runs:
        warnings += [w for w in run.warnings if w not in warnings]
    values = np.mean([run.test_forecast for run in runs], axis=0)
    return FutureForecast(model_name=model_name, values=values.tolist(), index=future_index(series, horizon),
                          seeds=seeds, clipped=any(r.clipped for r in runs), warnings=warnings)
