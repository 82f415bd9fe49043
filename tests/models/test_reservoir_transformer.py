"""ReservoirTransformer: a scikit-learn transformer (clone, get/set_params, Pipeline, GridSearchCV with
TimeSeriesSplit) whose features are exactly the ESN reservoir's states."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline

from forecasting.errors import InputError, SettingsError
from forecasting.models.reservoir import Reservoir
from forecasting.models.reservoir_transformer import ReservoirTransformer


def two_tone(n: int = 500) -> np.ndarray:
    t = np.arange(n)
    return np.sin(2 * np.pi * t / 25) + 0.5 * np.sin(2 * np.pi * t / 7.3)


def test_features_are_the_input_and_the_reservoir_states() -> None:
    u = two_tone(200)
    transformer = ReservoirTransformer(units=30, spectral_radius=0.9, leak_rate=0.5, connectivity=0.2,
                                       random_state=3).fit(u[:, None])
    features = transformer.transform(u[:, None])
    reference = Reservoir.random(30, spectral_radius=0.9, connectivity=0.2, input_scaling=0.2, bias_scaling=0.2,
                                 leak_rate=0.5, seed=3)
    assert features.shape == (200, 31)
    np.testing.assert_array_equal(features[:, 0], u)
    np.testing.assert_array_equal(features[:, 1:], reference.run(u))
    masked = transformer.set_params(washout=15).transform(u[:, None])
    assert np.all(masked[:15] == 0) and np.array_equal(masked[15:], features[15:])
    assert list(transformer.get_feature_names_out()[:3]) == ["u", "x0", "x1"]


def test_clone_and_params_round_trip() -> None:
    transformer = ReservoirTransformer(units=40, spectral_radius=0.7, washout=5, random_state=1)
    copy = clone(transformer)
    assert copy.get_params() == transformer.get_params() and copy is not transformer
    copy.set_params(units=12, leak_rate=0.3)
    assert copy.get_params()["units"] == 12 and transformer.get_params()["units"] == 40
    u = two_tone(100)[:, None]
    a = clone(transformer).fit(u).transform(u)
    b = clone(transformer).fit(u).transform(u)
    np.testing.assert_array_equal(a, b)  # random_state fixes the reservoir


def test_grid_search_with_time_series_split_picks_a_working_pipeline() -> None:
    u = two_tone(600)
    x, y = u[:-1, None], u[1:]
    pipe = Pipeline([("reservoir", ReservoirTransformer(units=40, connectivity=0.2, washout=20, random_state=0)),
                     ("ridge", Ridge(fit_intercept=False))])
    grid = {"reservoir__spectral_radius": [0.5, 0.95], "ridge__alpha": [1e-6, 10.0]}
    search = GridSearchCV(pipe, grid, cv=TimeSeriesSplit(n_splits=4), scoring="neg_mean_squared_error").fit(x, y)
    assert search.best_params_["ridge__alpha"] == 1e-6  # a near-noiseless signal wants little shrinkage
    held = search.predict(x[-100:])
    assert np.sqrt(np.mean((held[20:] - y[-80:]) ** 2)) < 0.01  # after the washout rows: one-step error small


def test_bad_input_and_settings_raise_typed_errors() -> None:
    with pytest.raises(InputError, match="one input column"):
        ReservoirTransformer(units=10).fit(np.ones((20, 2)))
    with pytest.raises(InputError, match="NaN"):
        ReservoirTransformer(units=10).fit(np.array([[1.0], [np.nan], [2.0]]))
    fitted = ReservoirTransformer(units=10).fit(np.ones((20, 1)))
    with pytest.raises(InputError, match="features"):
        fitted.transform(np.ones((5, 3)))
    with pytest.raises(SettingsError, match="activation"):
        ReservoirTransformer(activation="relu").fit(np.ones((20, 1)))
    with pytest.raises(SettingsError, match="washout"):
        ReservoirTransformer(washout=-1).fit(np.ones((20, 1)))
    with pytest.raises(SettingsError, match="random_state"):
        ReservoirTransformer(random_state=np.random.RandomState(0)).fit(np.ones((20, 1)))
