"""The table says when two models' difference is luck of the seed rather than a ranking."""

from types import SimpleNamespace

from dashboard.summary import seed_noise_note
from forecasting.results import ModelResult


def _model(name: str, mase: float, std: float | None) -> ModelResult:
    result = ModelResult(name=name, label=name.upper(), metrics={"mase": mase})
    result.metrics_std = None if std is None else {"mase": std}
    return result


def _comparison(*models: ModelResult) -> SimpleNamespace:
    return SimpleNamespace(models={m.name: m for m in models})


def test_a_gap_smaller_than_the_seed_spread_is_called_noise():
    best, close = _model("a", 1.00, 0.05), _model("b", 1.03, 0.02)
    assert seed_noise_note(_comparison(best, close), close) == "within seed noise of A (MASE)"
    assert seed_noise_note(_comparison(best, close), best) == ""  # the best model is the reference


def test_a_gap_larger_than_the_spread_or_deterministic_models_are_not_noise():
    best, far = _model("a", 1.00, 0.05), _model("b", 1.20, 0.05)
    assert seed_noise_note(_comparison(best, far), far) == ""
    naive, seasonal = _model("naive", 1.00, None), _model("seasonal", 1.001, None)  # zero spread: no noise claim
    assert seed_noise_note(_comparison(naive, seasonal), seasonal) == ""
