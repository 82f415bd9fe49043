"""Preprocessing: exact round trips, the documented auto rule, and no peeking beyond the training part."""

import numpy as np
import pytest

from forecasting.errors import SettingsError
from forecasting.preprocessing import Preprocessor, _autocorrelation, adf_statistic, adf_test


def _airline_like(n: int = 144, seed: int = 0) -> np.ndarray:
    """Multiplicative trend x seasonality, like the airline series."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 100 * np.exp(0.01 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) * np.exp(0.02 * rng.standard_normal(n))


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("difference", [False, True])
@pytest.mark.parametrize("seasonal", [False, True])
def test_every_transform_combination_inverts_exactly(log, difference, seasonal):
    y = _airline_like()
    pre = Preprocessor.fit(y[:100], 12, log=log, difference=difference, seasonal_difference=seasonal)
    z = pre.transform(y)
    assert len(z) == len(y) - pre.lost_points
    for origin in (100, 120, 132):
        future_z = z[origin - pre.lost_points:]
        back = pre.inverse(future_z, y[:origin])
        np.testing.assert_allclose(back, y[origin:], rtol=1e-10)


def test_auto_rule_on_multiplicative_seasonal_series_takes_log_and_seasonal_difference():
    pre = Preprocessor.fit(_airline_like()[:120], 12)
    assert pre.log and pre.seasonal_difference
    assert not pre.difference  # at most one difference in total
    assert len(pre.reasons) == 3


def test_auto_rule_leaves_stationary_noise_alone():
    y = np.random.default_rng(1).standard_normal(300) + 5
    pre = Preprocessor.fit(y, 1)
    assert not (pre.log or pre.difference or pre.seasonal_difference)


def test_auto_rule_differences_a_random_walk():
    y = np.cumsum(np.random.default_rng(2).standard_normal(400))
    pre = Preprocessor.fit(y, 1)
    assert pre.difference and not pre.log


def test_adf_statistic_separates_stationary_from_unit_root():
    rng = np.random.default_rng(3)
    assert adf_statistic(rng.standard_normal(500)) < -2.86
    assert adf_statistic(np.cumsum(rng.standard_normal(500))) > -2.86
    assert not adf_test(rng.standard_normal(200)).unit_root
    assert adf_test(np.cumsum(rng.standard_normal(200))).unit_root


def test_adf_matches_the_textbook_regression():
    """statsmodels' statistic equals the OLS t-ratio of y_{t-1} in dy_t ~ 1 + y_{t-1} + 2 lagged dy."""
    x = np.cumsum(np.random.default_rng(4).standard_normal(60))
    dx = np.diff(x)
    design = np.column_stack([np.ones(57), x[2:-1], dx[1:-1], dx[:-2]])
    coef, *_ = np.linalg.lstsq(design, dx[2:], rcond=None)
    resid = dx[2:] - design @ coef
    se = np.sqrt(resid @ resid / (57 - 4) * np.linalg.inv(design.T @ design)[1, 1])
    assert adf_statistic(x, lags=2) == pytest.approx(coef[1] / se, rel=1e-9)


@pytest.mark.parametrize("n", [3, 6, 10])
def test_too_short_series_says_the_test_did_not_run(n):
    y = np.cumsum(np.random.default_rng(5).standard_normal(n)) + 10
    result = adf_test(y)
    assert not result.ran and np.isnan(result.statistic)
    pre = Preprocessor.fit(y, 1)
    assert not pre.difference
    assert any("test not run (too short" in r for r in pre.reasons)
    assert not any("t=" in r for r in pre.reasons)


def test_constant_series_does_not_run_the_test():
    assert adf_test(np.full(50, 3.0)).note == "test not run (constant series)"


def test_autocorrelation_is_the_sample_acf():
    x = np.random.default_rng(6).standard_normal(40)
    c = x - x.mean()
    assert _autocorrelation(x, 3) == pytest.approx(float(c[3:] @ c[:-3] / (c @ c)))
    assert _autocorrelation(x, 40) == 0.0 and _autocorrelation(np.ones(10), 2) == 0.0


def test_scaler_is_fitted_on_training_part_only():
    y = _airline_like()
    a = Preprocessor.fit(y[:100], 12)
    changed = y.copy()
    changed[100:] *= 50  # wildly different "future"
    b = Preprocessor.fit(changed[:100], 12)
    assert a == b
    z = a.transform(y)[: 100 - a.lost_points]
    assert abs(z.mean()) < 1e-10 and abs(z.std() - 1) < 1e-10


def test_log_of_non_positive_series_is_a_settings_error():
    with pytest.raises(SettingsError, match="strictly positive"):
        Preprocessor.fit(np.array([1.0, 0.0, 2.0] * 10), 1, log=True)


def test_seasonal_difference_needs_a_season():
    with pytest.raises(SettingsError, match="season length"):
        Preprocessor.fit(np.arange(50.0), 1, seasonal_difference=True)
