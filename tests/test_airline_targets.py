"""The issue's accuracy bar on the bundled airline series: every neural model, the ensemble and the recommended
model beat seasonal naive."""

import pytest

from forecasting.comparison import CompareConfig, compare
from forecasting.examples import load_example


@pytest.fixture(scope="module")
def airline_result():
    config = CompareConfig(horizon=12, models=("esn", "lstm", "gru", "seasonal_naive", "ensemble"), seeds=3,
                           memory=False)
    return compare(load_example("air_passengers"), config)


def test_seasonal_naive_reference_value(airline_result):
    assert airline_result.models["seasonal_naive"].metrics["mase"] == pytest.approx(1.571, abs=1e-3)


@pytest.mark.parametrize("name", ["esn", "lstm", "gru"])
def test_each_neural_model_beats_seasonal_naive_over_three_seeds(airline_result, name):
    result = airline_result.models[name]
    assert result.ok, result.error
    assert len(result.seeds) == 3
    assert result.metrics["mase"] < airline_result.models["seasonal_naive"].metrics["mase"]


def test_best_neural_model_reaches_the_benchmark_bar(airline_result):
    best = min(airline_result.models[n].metrics["mase"] for n in ("esn", "lstm", "gru"))
    assert best <= 0.6


def test_ensemble_and_recommended_model_beat_seasonal_naive(airline_result):
    reference = airline_result.models["seasonal_naive"].metrics["mase"]
    assert airline_result.models["ensemble"].metrics["mase"] < reference
    assert len(airline_result.models["ensemble"].selection_scores) == 3  # three windows of a season each
    assert airline_result.models[airline_result.recommended].metrics["mase"] < reference
