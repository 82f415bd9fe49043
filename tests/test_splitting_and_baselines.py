"""Chronological split rules and the textbook baseline forecasts."""

import numpy as np
import pytest

from forecasting.errors import InputError, SettingsError
from forecasting.models import get_model_class
from forecasting.splitting import chronological_split, default_horizon


def test_split_is_chronological_with_test_last():
    split = chronological_split(144, 12)
    assert split.val_end == 132 and split.horizon == 12
    assert split.validation_size == 14 and split.train_end == 118


def test_default_validation_covers_whole_seasons():
    split = chronological_split(144, 12, season_length=12)
    assert split.validation_size == 12 and split.train_end == 120
    assert chronological_split(476, 12, season_length=12).validation_size == 48
    assert chronological_split(289, 10, season_length=1).validation_size == 29


def test_split_too_short_series_says_what_is_needed():
    with pytest.raises(InputError, match="needs"):
        chronological_split(30, 12)


def test_split_rejects_zero_horizon():
    with pytest.raises(SettingsError):
        chronological_split(100, 0)


def test_default_horizon_is_one_season():
    assert default_horizon(144, 12) == 12
    assert default_horizon(289, 1) == 10
    assert default_horizon(50, 12) == 5


def test_naive_repeats_last_value():
    model = get_model_class("naive")().fit(np.arange(10.0))
    np.testing.assert_array_equal(model.forecast(np.arange(10.0), 3), [9, 9, 9])


def test_seasonal_naive_repeats_last_season():
    model = get_model_class("seasonal_naive")(season_length=4)
    history = np.arange(10.0)
    np.testing.assert_array_equal(model.forecast(history, 6), [6, 7, 8, 9, 6, 7])


def test_drift_extends_the_line_through_first_and_last_points():
    model = get_model_class("drift")()
    np.testing.assert_allclose(model.forecast(np.array([1.0, 5.0, 3.0, 7.0]), 2), [9.0, 11.0])


def test_baselines_have_no_parameters_and_refuse_unknown_ones():
    cls = get_model_class("naive")
    assert cls().trainable_parameters == 0
    with pytest.raises(SettingsError, match="valid names"):
        cls.Params().replace(units=3)


BASELINES = ("naive", "seasonal_naive", "drift")


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("history", [np.array([]), np.array([1.0, np.nan]), np.array([np.inf, 2.0])])
def test_baselines_refuse_empty_or_non_finite_history(name, history):
    model = get_model_class(name)(season_length=4)
    with pytest.raises(InputError):
        model.forecast(history, 2)
    with pytest.raises(InputError):
        model.fit(history)


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("horizon", [0, -3, 1.5])
def test_baselines_refuse_a_horizon_that_is_not_a_positive_whole_number(name, horizon):
    with pytest.raises(SettingsError, match="horizon"):
        get_model_class(name)(season_length=4).forecast(np.arange(8.0), horizon)


@pytest.mark.parametrize("name", BASELINES)
def test_baselines_forecast_from_a_single_value(name):
    np.testing.assert_array_equal(get_model_class(name)(season_length=4).forecast(np.array([7.0]), 3), [7.0] * 3)


def test_seasonal_naive_with_less_than_a_season_repeats_the_last_value():
    model = get_model_class("seasonal_naive")(season_length=12)
    np.testing.assert_array_equal(model.forecast(np.array([1.0, 2.0, 3.0]), 2), [3.0, 3.0])


def test_baselines_are_baseline_kind_on_raw_values():
    from forecasting.models import ModelKind

    for name in BASELINES:
        cls = get_model_class(name)
        assert cls.kind is ModelKind.BASELINE and not cls.uses_preprocessing and not cls.needs_fit
