"""The ESN's reservoir as a scikit-learn transformer, for analysts who tune it with sklearn's own tools.

``ReservoirTransformer`` maps a (T, 1) input column to the features ``[u_t, x_t]`` (the input and the
reservoir state after reading it, from a zero state), so it composes with any regressor::

    pipe = Pipeline([("reservoir", ReservoirTransformer(units=200)), ("ridge", Ridge())])
    GridSearchCV(pipe, {"reservoir__spectral_radius": [0.8, 0.95]}, cv=TimeSeriesSplit(4)).fit(u[:-1, None], u[1:])

Every block ``transform`` sees starts from a zero state, so its first rows still remember that
arbitrary start. ``washout`` zeroes the first ``washout`` output rows of each block: a zero row adds
nothing to ``X^T X`` or ``X^T y`` (it cannot move a ``Ridge(fit_intercept=False)`` fit), and on a
validation fold it predicts the same value for every candidate, so it cannot change their ranking.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import ACTIVATIONS


class ReservoirTransformer(TransformerMixin, BaseEstimator):
    """Fixed random leaky reservoir ``x_t = (1-a) x_{t-1} + a f(W_in [1; u_t] + W x_{t-1})`` as a transformer.

    ``fit`` draws the reservoir (seeded by ``random_state``; it learns nothing from the data) and
    ``transform`` returns ``[u_t, x_t]`` for every row, shape (T, units + 1).
    """

    def __init__(self, units: int = 100, spectral_radius: float = 0.95, leak_rate: float = 0.8,
                 input_scaling: float = 0.2, bias_scaling: float = 0.2, connectivity: float = 0.1,
                 activation: str = "tanh", washout: int = 0, random_state: int | None = None) -> None:
        self.units = units
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.connectivity = connectivity
        self.activation = activation
        self.washout = washout
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> ReservoirTransformer:
        """Check the input is one column and draw the reservoir; ``y`` is ignored (it is unsupervised)."""
        from forecasting.models.reservoir import Reservoir

        self._check_settings()
        self._column(X, reset=True)
        if self.n_features_in_ != 1:
            raise InputError(f"ReservoirTransformer reads one input column (shape (T, 1)); got {self.n_features_in_} "
                             "columns. Reshape a series with u.reshape(-1, 1).")
        seed = self.random_state
        if seed is not None and not isinstance(seed, numbers.Integral):
            raise SettingsError(f"random_state must be an int or None; got {seed!r}.")
        self.reservoir_ = Reservoir.random(int(self.units), spectral_radius=float(self.spectral_radius),
                                           connectivity=float(self.connectivity),
                                           input_scaling=float(self.input_scaling),
                                           bias_scaling=float(self.bias_scaling), leak_rate=float(self.leak_rate),
                                           activation=self.activation, seed=seed)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``[u_t, x_t]`` for every row of the (T, 1) input, from a zero state; the first ``washout`` rows zeroed."""
        check_is_fitted(self, "reservoir_")
        u = self._column(X, reset=False)[:, 0]
        out = np.empty((len(u), self.reservoir_.units + 1))
        out[:, 0] = u
        if len(u):
            self.reservoir_.run_into(u, out, 1)
        out[: int(self.washout)] = 0.0
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``u`` then ``x0 .. x{N-1}``: the input and one name per reservoir neuron."""
        check_is_fitted(self, "reservoir_")
        return np.array(["u"] + [f"x{i}" for i in range(self.reservoir_.units)], dtype=object)

    def _column(self, X: Any, reset: bool) -> np.ndarray:
        """``X`` checked by scikit-learn (2-D, finite, float64), its complaints re-raised as InputError."""
        try:
            return validate_data(self, X, dtype=np.float64, reset=reset)
        except ValueError as error:
            raise InputError(f"ReservoirTransformer input: {error} Pass a finite (T, 1) array, e.g. "
                             "u.reshape(-1, 1).") from None

    def _check_settings(self) -> None:
        """SettingsError for settings the reservoir cannot use (sklearn leaves validation to fit)."""
        if self.activation not in ACTIVATIONS:
            raise SettingsError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {self.activation!r}.")
        if isinstance(self.washout, bool) or not isinstance(self.washout, numbers.Integral) or self.washout < 0:
            raise SettingsError(f"washout must be a whole number of steps, 0 or more; got {self.washout!r}.")
        if isinstance(self.units, bool) or not isinstance(self.units, numbers.Integral) or self.units < 1:
            raise SettingsError(f"units must be a whole number of at least 1; got {self.units!r}.")
