"""Split-conformal intervals: the finite-sample quantile, too few windows, coverage on a long AR(1) series."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.errors import InputError, SettingsError
from forecasting.intervals import (
    bands_of,
    calibrate,
    calibrate_model,
    conformal_quantile,
    coverage,
    mean_width,
    rolling_origin_errors,
    windows_needed,
)
from forecasting.models.baselines import NaiveForecaster
from forecasting.preprocessing import Preprocessor


def ar1(n: int, phi: float = 0.7, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(n)
    y = np.empty(n)
    y[0] = noise[0]
    for t in range(1, n):
        y[t] = phi * y[t - 1] + noise[t]
    return y


def test_conformal_quantile_uses_the_finite_sample_rank() -> None:
    errors = np.arange(1.0, 10.0)  # n = 9
    assert conformal_quantile(errors, 0.8) == 8.0  # k = ceil(10 * 0.8) = 8
    assert conformal_quantile(errors, 0.5) == 5.0  # k = ceil(5) = 5
    assert conformal_quantile(errors, 0.95) is None  # k = ceil(9.5) = 10 > 9


def test_too_few_windows_give_a_reason_instead_of_a_band() -> None:
    assert windows_needed(0.8) == 4 and windows_needed(0.95) == 19
    cal = calibrate(np.ones((18, 3)), levels=(0.8, 0.95))
    assert set(cal.half_widths) == {0.8} and "needs at least 19" in cal.reasons[0.95]
    assert calibrate(np.ones((19, 3)), levels=(0.95,)).reasons == {}
    bands = cal.bands(np.zeros(3))
    assert bands["80"]["lower"] == [-1.0] * 3 and bands["80"]["windows"] == 18
    assert "reason" in bands["95"] and "lower" not in bands["95"]
    assert [key for key, *_ in bands_of(bands)] == ["80"]


def test_bad_levels_and_windows_raise_typed_errors() -> None:
    with pytest.raises(SettingsError):
        calibrate(np.ones((10, 2)), levels=(80,))
    with pytest.raises(InputError):
        rolling_origin_errors(lambda t, h: np.zeros(h), np.zeros(10), 8, 10, 5)
    with pytest.raises(SettingsError):
        calibrate(np.ones((10, 2))).bands(np.zeros(3))
    naive = NaiveForecaster().fit(np.arange(20.0))
    with pytest.raises(InputError, match="after the series"):
        calibrate_model(naive, np.arange(20.0), 10, 25, 3)


def test_bands_repeat_the_step_widths_over_whole_test_windows() -> None:
    cal = calibrate(np.tile([1.0, 2.0], (10, 1)), levels=(0.8,))
    assert cal.bands(np.zeros(4))["80"]["half_width"] == [1.0, 2.0, 1.0, 2.0]
    assert cal.bands(np.zeros(1))["80"]["half_width"] == [1.0]


def test_rolling_origins_never_read_past_stop() -> None:
    y = np.arange(100.0)
    seen: list[int] = []

    def forecast(origin: int, horizon: int) -> np.ndarray:
        seen.append(origin)
        return np.full(horizon, y[origin - 1])

    errors = rolling_origin_errors(forecast, y, 60, 80, 5)
    assert errors.shape == (16, 5) and seen == list(range(60, 76))  # stride 1, last window ends at 80
    np.testing.assert_allclose(errors[:, 2], 3.0)
    seen.clear()
    assert rolling_origin_errors(forecast, y, 60, 80, 5, max_origins=4).shape == (4, 5)
    assert seen == [72, 73, 74, 75]  # the latest origins, still stride 1


def test_coverage_is_within_three_points_of_nominal_on_a_long_ar1_series() -> None:
    y = ar1(6000)
    horizon = 4
    model = NaiveForecaster().fit(y[:1000])
    cal = calibrate_model(model, y, 1000, 3000, horizon)
    assert cal.windows == 3000 - 1000 - horizon + 1
    errors = rolling_origin_errors(lambda t, h: model.predict(y[:t], h).values, y, 3000, 6000, horizon)
    for level, width in cal.half_widths.items():
        inside = errors <= width[None, :]
        per_step = inside.mean(axis=0)
        assert np.all(np.abs(per_step - level) < 0.03), (level, per_step)
    assert np.all(np.diff(cal.half_widths[0.8]) > 0)  # naive errors grow with the step


def test_calibration_with_preprocessing_works_in_original_units() -> None:
    y = 50 + np.cumsum(ar1(400, seed=1))
    prep = Preprocessor.fit(y[:300], 1, log=False, difference=True, seasonal_difference=False)
    model = NaiveForecaster().fit(prep.transform(y[:300]))
    cal = calibrate_model(model, y, 300, 360, 6, preprocessor=prep)
    plain = calibrate_model(NaiveForecaster().fit(y[:300]), y, 300, 360, 6)
    assert cal.windows == plain.windows == 55 and cal.half_widths[0.8].shape == (6,)


def test_coverage_and_width_helpers() -> None:
    assert coverage([1, 2, 3, 4], [0, 0, 0, 5], [2, 2, 2, 6]) == 0.5
    assert mean_width([0, 1], [2, 5]) == 3.0
    with pytest.raises(InputError):
        coverage([1, 2], [0], [3])
