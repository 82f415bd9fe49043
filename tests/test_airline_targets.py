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


@pytest.mark.xfail(strict=True, reason=(
    "Known miss since the nested protocol (issue 7): the neural models now tune on an inner tail of a training "
    "part three seasons shorter, never on the 12 points before the test part; on airline the best of ESN/LSTM/GRU "
    "is about 1.0 against the old 0.44 (whose alpha was tuned on the block touching the test part). The product's "
    "criterion is the 19-series geomean (benchmarks/results_accuracy.md); strict, so it fails once the bar is met "
    "again and this mark must go."))
def test_best_neural_model_reaches_the_benchmark_bar(airline_result):
    best = min(airline_result.models[n].metrics["mase"] for n in ("esn", "lstm", "gru"))
    assert best <= 0.6


def test_ensemble_and_recommended_model_beat_seasonal_naive(airline_result):
    reference = airline_result.models["seasonal_naive"].metrics["mase"]
    assert airline_result.models["ensemble"].metrics["mase"] < reference
    assert len(airline_result.models["ensemble"].selection_scores) == 3  # three windows of a season each
    assert airline_result.models[airline_result.recommended].metrics["mase"] < reference
