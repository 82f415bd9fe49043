"""Prediction intervals in the comparison: calibrated before the test part, stored with coverage and width."""

import numpy as np

from forecasting.comparison import CompareConfig, compare
from forecasting.loading import series_from_values


def _noisy_seasonal(n: int = 240, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)


def _run(values: np.ndarray):
    series = series_from_values(values, name="synthetic")
    config = CompareConfig(horizon=12, season_length=12, models=("naive", "seasonal_naive"), memory=False)
    return compare(series, config)


def test_every_model_gets_bands_coverage_and_width_from_the_validation_part():
    result = _run(_noisy_seasonal())
    for model in result.models.values():
        bands = model.extras["intervals"]
        assert set(bands) == {"80", "95"}
        for entry in bands.values():
            lower, upper = np.asarray(entry["lower"]), np.asarray(entry["upper"])
            assert lower.shape == upper.shape == (12,)
            assert np.all(lower <= np.asarray(model.forecast)) and np.all(np.asarray(model.forecast) <= upper)
        assert 0.0 <= model.extras["interval_coverage"]["80"] <= 1.0
        assert model.extras["interval_mean_width"]["95"] >= model.extras["interval_mean_width"]["80"] > 0


def test_bands_never_read_the_test_part():
    clean = _noisy_seasonal()
    poisoned = clean.copy()
    poisoned[-12:] = 1e6
    first, second = _run(clean), _run(poisoned)
    for name in first.models:
        a, b = first.models[name].extras["intervals"], second.models[name].extras["intervals"]
        np.testing.assert_allclose(a["80"]["half_width"], b["80"]["half_width"])
        assert second.models[name].extras["interval_coverage"]["80"] == 0.0  # 1e6 lies outside every band


def test_too_few_calibration_windows_give_a_reason_instead_of_a_band():
    result = _run(_noisy_seasonal(n=72))  # one or two selection windows: at most 13 origins, 95% needs 19
    reasons = [entry.get("reason") for model in result.models.values()
               for entry in model.extras["intervals"].values()]
    assert all(reasons[1::2]) and "calibration window" in reasons[1]


def test_the_ensemble_is_calibrated_on_the_median_of_its_members_calibration_forecasts():
    from forecasting.intervals import conformal_quantile

    values = _noisy_seasonal()
    config = CompareConfig(horizon=12, season_length=12, models=("naive", "seasonal_naive", "drift", "ensemble"),
                           memory=False, ensemble_size=3)
    result = compare(series_from_values(values, name="synthetic"), config)
    ensemble = result.models["ensemble"]
    members = ensemble.extras["members"]
    assert ensemble.calibration_start == result.models["naive"].calibration_start is not None
    expected = np.median([result.models[n].calibration_forecasts for n in members], axis=0)
    np.testing.assert_allclose(ensemble.calibration_forecasts, expected)
    start = ensemble.calibration_start
    truth = np.vstack([values[o:o + 12] for o in range(start, start + len(expected))])
    assert start + len(expected) - 1 + 12 <= result.selection["test_starts"][0]  # never into the test part
    errors = np.abs(truth - expected)
    widths = [conformal_quantile(errors[:, h], 0.8) for h in range(12)]
    np.testing.assert_allclose(ensemble.extras["intervals"]["80"]["half_width"], widths)
    assert 0.0 <= ensemble.extras["interval_coverage"]["80"] <= 1.0 and ensemble.extras["interval_mean_width"]["80"] > 0
