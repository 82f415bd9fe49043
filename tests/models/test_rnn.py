"""Tests of the LSTM/GRU forecasters: determinism, training controls, strategies and the torch-free import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from forecasting.errors import InputError, SettingsError
from forecasting.models.base import FitCallbacks
from forecasting.models.rnn import GRUForecaster, LSTMForecaster, RNNParams
from forecasting.models.rnn_torch import (
    scaled_learning_rate,
    stream_layout,
    target_matrix,
    validation_interval,
)

torch.set_num_threads(1)

SMALL = dict(hidden_size=8, max_epochs=15, early_stopping_patience=0, device="cpu")  # determinism: CPU only


def sine(n: int = 240, period: float = 20.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return np.sin(2 * np.pi * t / period) + noise * rng.standard_normal(n)


def params(**kw) -> RNNParams:
    return RNNParams().replace(**{**SMALL, **kw})


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
def test_same_seed_gives_identical_forecasts_and_different_seeds_differ(cls):
    z = sine(noise=0.1)
    p = params(dropout=0.2)
    a = cls(p, seed=3).fit(z[:-20], z[-20:]).forecast(z, 10)
    b = cls(p, seed=3).fit(z[:-20], z[-20:]).forecast(z, 10)
    c = cls(p, seed=4).fit(z[:-20], z[-20:]).forecast(z, 10)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_fit_leaves_global_torch_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    LSTMForecaster(params(max_epochs=2), seed=1).fit(sine(60))
    assert torch.equal(torch.rand(3), expected)


def test_gradient_clipping_bounds_the_gradient_norm(monkeypatch):
    from forecasting.models.rnn_torch import FusedAdam

    norms: list[float] = []
    original = FusedAdam.step

    def spy(self, *args, **kwargs):
        grads = [p.grad for p in self.params if p.grad is not None]
        norms.append(float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FusedAdam, "step", spy)
    z = 50.0 * sine(120)  # large targets -> large raw gradients
    LSTMForecaster(params(gradient_clip_norm=0.01, max_epochs=3), seed=0).fit(z)
    clipped = list(norms)
    norms.clear()
    LSTMForecaster(params(gradient_clip_norm=0.0, max_epochs=3), seed=0).fit(z)
    assert clipped and max(clipped) <= 0.01 * (1 + 1e-4)
    assert max(norms) > 1.0  # without clipping the same setup produces far larger gradients


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
@pytest.mark.parametrize("score", ["closed_loop", "one_step"])
def test_early_stopping_restores_the_best_weights(cls, score):
    from forecasting.models.rnn_torch import TrainSetup, make_validator

    z = sine(200, noise=0.3, seed=1)
    train, val = z[:-30], z[-30:]
    model = cls(params(hidden_size=16, learning_rate=0.05, max_epochs=200, early_stopping_patience=5,
                       validation_score=score, horizon=6), seed=0).fit(train, val)
    h = model.history
    assert h.stop_reason == "early stopping"
    assert len(h.val_loss) == h.best_epoch + 5 < 200
    assert h.best_epoch >= 1 and h.val_loss[h.best_epoch - 1] == min(h.val_loss)
    setup = TrainSetup(direct=False, horizon=6, validation_score=score, envelope=model._envelope)
    restored = make_validator(model.params, train, val, setup, torch.device("cpu")).score(model.module)
    assert restored == pytest.approx(min(h.val_loss), rel=1e-5)
    assert model.tuned_params() == {"max_epochs": h.best_epoch, "early_stopping_patience": 0,
                                    "strategy": "recursive"}


def test_without_tuning_trains_for_max_epochs_and_tuned_params_survive_the_refit():
    fixed = params(max_epochs=7, early_stopping_patience=0)
    model = GRUForecaster(fixed, seed=0).fit(sine(80))
    assert len(model.history.train_loss) == 7
    assert model.history.val_loss == []
    assert model.history.stop_reason == "max epochs"
    assert model.tuned_params() == {"max_epochs": 7, "early_stopping_patience": 0, "strategy": "recursive"}


def test_time_budget_stops_training_and_says_so():
    epochs: list[int] = []
    cb = FitCallbacks(time_budget_s=0.3, on_epoch=lambda e, n, tl, vl: epochs.append(e))
    z = sine(600)
    model = LSTMForecaster(params(max_epochs=100_000, early_stopping_patience=0), seed=0).fit(z[:-50], z[-50:], cb)
    assert model.history.stop_reason == "time budget"
    assert any("time budget" in w for w in model.warnings)
    assert len(epochs) < 100_000 and epochs == list(range(1, len(epochs) + 1))
    assert model.history.val_loss[model.history.best_epoch - 1] == min(model.history.val_loss)


def test_should_stop_stops_after_the_current_epoch():
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] >= 3

    model = GRUForecaster(params(max_epochs=50), seed=0).fit(sine(80), callbacks=FitCallbacks(should_stop=stop))
    assert model.history.stop_reason == "stopped by user"
    assert len(model.history.train_loss) == 3


def test_on_epoch_reports_progress():
    seen = []
    z = sine(100)
    LSTMForecaster(params(max_epochs=4), seed=0).fit(
        z[:-10], z[-10:], FitCallbacks(on_epoch=lambda *a: seen.append(a)))
    assert [s[:2] for s in seen] == [(e, 4) for e in range(1, 5)]
    assert all(np.isfinite(s[2]) and np.isfinite(s[3]) for s in seen)


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
def test_direct_strategy_returns_h_values_and_checks_the_horizon(cls):
    z = sine(150)
    model = cls(params(strategy="direct", horizon=6), seed=0).fit(z[:-12], z[-12:])
    assert model.module.head.out_features == 6
    out = model.forecast(z, 6)
    assert out.shape == (6,) and np.all(np.isfinite(out))
    assert model.forecast(z, 4).shape == (4,)
    with pytest.raises(SettingsError, match="horizon"):
        model.forecast(z, 7)


def test_target_matrix_lines_up_the_next_h_values():
    z = np.arange(5.0)
    t = target_matrix(z, 3)
    np.testing.assert_array_equal(t[:, 0], [1, 2, 3, 4])
    np.testing.assert_array_equal(t[1], [2, 3, 4])
    assert np.isnan(t[3, 1]) and np.isnan(t[2, 2])


def test_long_series_get_more_streams_and_a_proportional_learning_rate():
    assert stream_layout(95, 8, 24, 120) == (3, 31, 2)  # short series: as before, capped by the chunk
    assert stream_layout(1799, 8, 24, 120) == (15, 119, 14)  # long series: no stream over 5 chunks
    assert stream_layout(1799, 8, 24, None) == (8, 224, 7)
    assert stream_layout(1799, 1, 24, 120) == (1, 1799, 0)  # batch_size 1 keeps the series whole
    assert scaled_learning_rate(0.003, 3, 8) == 0.003
    assert scaled_learning_rate(0.003, 16, 8) == pytest.approx(0.006)
    assert validation_interval(8, 8, 20) == 1
    assert validation_interval(15, 8, 20) == 2
    assert validation_interval(400, 8, 20) == 4  # never so rare that patience sees under 5 checks


def test_long_series_validate_every_few_epochs_and_keep_a_validated_best():
    z = sine(1500, period=30, noise=0.1)
    # 24-step chunks: 1,399 steps, at most 5 chunks (120 steps) per stream -> 12 streams
    model = GRUForecaster(params(max_epochs=9, early_stopping_patience=20, truncation_length=24),
                          seed=0).fit(z[:-100], z[-100:])
    h = model.history
    assert len(h.val_loss) == len(h.train_loss) == 9
    checked = [e for e, v in enumerate(h.val_loss, start=1) if v is not None]
    assert checked == [2, 4, 6, 8, 9]  # 12 streams / batch 8 -> every 2nd epoch, and always the last one
    assert h.best_epoch in [0, *checked]  # epoch 0 (the initial weights) is scored too
    if h.best_epoch:
        assert h.val_loss[h.best_epoch - 1] == min(v for v in h.val_loss if v is not None)


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
def test_learns_a_sine_wave(cls):
    z = sine(400, period=25)
    model = cls(RNNParams(max_epochs=60, early_stopping_patience=10, device="cpu"), seed=0).fit(z[:-50], z[-50:])
    pred = model.one_step_predictions(z)
    one_step_rmse = np.sqrt(np.mean((pred[-50:-1] - z[-49:]) ** 2))
    assert one_step_rmse < 0.05  # the sine has RMS 0.71
    forecast = model.forecast(z[:-25], 25)
    assert np.sqrt(np.mean((forecast - z[-25:]) ** 2)) < 0.2


def test_recursive_forecasts_are_clipped_to_the_envelope():
    z = sine(100)
    model = LSTMForecaster(params(max_epochs=2), seed=0).fit(z)
    model._envelope = (-0.01, 0.01)
    prediction = model.predict(z, 8)
    assert np.all(np.abs(prediction.values) <= 0.01) and prediction.clipped


@pytest.mark.parametrize("cls,layers", [(LSTMForecaster, 1), (GRUForecaster, 2)])
def test_introspection_shapes_and_parameter_count(cls, layers):
    model = cls(params(hidden_size=5, num_layers=layers, max_epochs=1), seed=0).fit(sine(50))
    u = sine(30)
    states = model.states(u)
    assert states.shape == (30, 5) and states.dtype == np.float64
    y, state = model.module(torch.as_tensor(u, dtype=torch.float32).view(1, -1, 1))
    assert y.shape == (1, 30, 1)
    np.testing.assert_allclose(model.one_step_predictions(u), y[0, :, 0].detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(states[-1], model.module.core(
        torch.as_tensor(u, dtype=torch.float32).view(1, -1, 1))[0][0, -1].detach().numpy(), rtol=1e-6)
    assert isinstance(model.module.core, torch.nn.LSTM if cls is LSTMForecaster else torch.nn.GRU)
    counted = sum(p.numel() for p in model.module.parameters() if p.requires_grad)
    assert model.trainable_parameters == counted


@pytest.mark.parametrize("changes", [
    {"hidden_size": 0}, {"dropout": 0.95}, {"learning_rate": 0.0}, {"strategy": "sideways"},
    {"device": "tpu"}, {"truncation_length": 1}, {"gradient_clip_norm": -1.0}, {"num_threads": 0},
    {"no_such_setting": 1},
])
def test_params_reject_bad_values(changes):
    with pytest.raises(SettingsError):
        RNNParams().replace(**changes)


def test_bad_input_and_unfitted_use_raise_typed_errors():
    with pytest.raises(InputError):
        LSTMForecaster(params()).fit(np.array([1.0, np.nan, 2.0, 3.0]))
    with pytest.raises(InputError):
        LSTMForecaster(params()).fit(np.array([1.0, 2.0]))
    with pytest.raises(SettingsError, match="fit"):
        GRUForecaster(params()).forecast(sine(10), 3)
    model = GRUForecaster(params(max_epochs=1)).fit(sine(30))
    with pytest.raises(SettingsError):
        model.forecast(sine(10), 0)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown when no GPU is present")
def test_cuda_without_gpu_is_a_settings_error():
    with pytest.raises(SettingsError, match="cuda"):
        LSTMForecaster(params(device="cuda")).fit(sine(30))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_trains_on_cuda_and_hands_back_a_cpu_module(strategy):
    z = sine(300)
    model = LSTMForecaster(params(device="auto", strategy=strategy, horizon=5, max_epochs=30), seed=0)
    model.fit(z[:-30], z[-30:])
    assert next(model.module.parameters()).device.type == "cpu"
    out = model.forecast(z, 5)
    assert out.shape == (5,) and np.all(np.isfinite(out))
    assert model.states(z[:20]).shape == (20, 8)


def test_importing_the_params_does_not_import_torch():
    code = ("import sys; import forecasting.models.rnn as r; r.RNNParams(); r.LSTMForecaster.Params.specs(); "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(Path(__file__).parents[2]))


def test_fused_adam_matches_the_textbook_adam_update_with_l2_weight_decay():
    from forecasting.models.rnn_torch import FusedAdam

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    reference = [p.detach().clone() for p in model.parameters()]
    m = [torch.zeros_like(p) for p in reference]
    v = [torch.zeros_like(p) for p in reference]
    opt = FusedAdam(model.parameters(), lr=0.01, weight_decay=1e-3)
    for step in range(1, 26):
        x = torch.randn(8, 4, generator=torch.Generator().manual_seed(step))
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        grads = [p.grad.clone() for p in model.parameters()]
        opt.step()
        for k, (p, g) in enumerate(zip(reference, grads, strict=True)):
            # the same gradient, taken at the reference weights (identical so far), plus the L2 term
            g = g + 1e-3 * p
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            p -= 0.01 * (m[k] / (1 - 0.9 ** step)) / ((v[k] / (1 - 0.999 ** step)).sqrt() + 1e-8)
        for a, b in zip(model.parameters(), reference, strict=True):
            torch.testing.assert_close(a.detach(), b, rtol=1e-5, atol=1e-6)
            b.copy_(a.detach())  # keep both on the same weights so the next gradient is shared


def test_without_validation_the_model_tunes_on_its_own_tail_and_the_refit_reproduces_it():
    from forecasting.models.rnn import inner_validation_size

    z = sine(160, noise=0.1)
    p = params(max_epochs=40, early_stopping_patience=5, horizon=8)
    model = LSTMForecaster(p, seed=0).fit(z)
    assert inner_validation_size(160, 8, 0.2) == 32
    assert model.history.val_loss and "closed-loop" in model.history.val_metric
    tuned = model.tuned_params()
    assert tuned == {"max_epochs": model.history.best_epoch, "early_stopping_patience": 0, "strategy": "recursive"}
    refit = LSTMForecaster(p.replace(**tuned), seed=0).fit(z)
    assert len(refit.history.train_loss) == tuned["max_epochs"] and refit.history.val_loss == []
    assert refit.tuned_params() == tuned  # the fixed values survive the refit


def test_inner_validation_size_keeps_at_least_half_for_training_and_gives_up_on_tiny_series():
    from forecasting.models.rnn import inner_validation_size

    assert inner_validation_size(100, 12, 0.2) == 20
    assert inner_validation_size(100, 30, 0.2) == 30  # at least the horizon ...
    assert inner_validation_size(40, 30, 0.2) == 20  # ... but never more than half
    assert inner_validation_size(3, 1, 0.2) == 0
    model = GRUForecaster(params(max_epochs=3, early_stopping_patience=5), seed=0).fit(np.arange(3.0))
    assert model.tuned_params() == {} and any("too short" in w for w in model.warnings)


def test_a_refit_with_zero_epochs_keeps_the_initial_weights_instead_of_training_max_epochs():
    z = sine(80)
    untrained = LSTMForecaster(params(max_epochs=0), seed=2).fit(z)
    assert untrained.history.train_loss == [] and untrained.history.best_epoch == 0
    from forecasting.models.rnn_torch import RNNModule

    torch.manual_seed(2)
    initial = RNNModule("lstm", 8, 1, 0.0, 1)
    for name, value in initial.state_dict().items():
        torch.testing.assert_close(untrained.module.state_dict()[name], value)
    assert untrained.tuned_params() == {"max_epochs": 0, "early_stopping_patience": 0, "strategy": "recursive"}


def test_strategy_auto_trains_both_and_keeps_the_lower_validation_score(monkeypatch):
    from forecasting.models import rnn_torch

    scores = []
    original = rnn_torch.train

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        scores.append((kwargs["setup"].direct, result.best_score))
        return result

    monkeypatch.setattr(rnn_torch, "train", spy)
    z = sine(150, noise=0.2)
    model = GRUForecaster(params(strategy="auto", horizon=6, max_epochs=10, early_stopping_patience=5), seed=0).fit(z)
    assert sorted(direct for direct, _ in scores) == [False, True]
    best_direct = min(scores, key=lambda s: s[1])[0]
    assert model.strategy_ == ("direct" if best_direct else "recursive")
    assert model.tuned_params()["strategy"] == model.strategy_
    assert model.module.head.out_features == (6 if best_direct else 1)


def test_history_records_gradient_norms_before_clipping_and_how_often_clipping_fired():
    z = 50.0 * sine(120)
    clipped = LSTMForecaster(params(gradient_clip_norm=0.01, max_epochs=3), seed=0).fit(z).history
    free = LSTMForecaster(params(gradient_clip_norm=0.0, max_epochs=3), seed=0).fit(z).history
    assert clipped.clip_threshold == 0.01 and free.clip_threshold is None
    assert len(clipped.grad_norm) == len(clipped.clip_fraction) == 3
    assert clipped.grad_norm[0] == pytest.approx(free.grad_norm[0], rel=1e-3)  # measured before clipping
    assert clipped.grad_norm[0] > 0.01 and clipped.clip_fraction == [1.0, 1.0, 1.0]
    assert free.clip_fraction == [0.0, 0.0, 0.0]
    assert {"grad_norm", "clip_fraction", "clip_threshold"} <= set(clipped.to_dict())


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
def test_input_gradients_match_finite_differences_of_the_one_step_forecast(cls):
    model = cls(params(hidden_size=6, max_epochs=3), seed=0).fit(sine(60, noise=0.1))
    series = sine(30, noise=0.1, seed=3)
    ends = np.array([9, 20, 29])
    grads = model.input_gradients(series, ends, lags=5)
    assert grads.shape == (3, 30)
    for i, t in enumerate(ends):
        for j in (t, t - 3):
            up, down = series[: t + 1].copy(), series[: t + 1].copy()
            up[j] += 1e-2
            down[j] -= 1e-2
            numeric = (model.one_step_predictions(up)[-1] - model.one_step_predictions(down)[-1]) / 2e-2
            assert grads[i, j] == pytest.approx(numeric, abs=2e-3)
        assert np.all(grads[i, t + 1:] == 0)  # causal: later inputs do not move the forecast
    with pytest.raises(InputError):
        model.input_gradients(series, np.array([30]), lags=5)


def test_states_run_a_batch_in_one_call_like_separate_series():
    model = LSTMForecaster(params(hidden_size=4, max_epochs=1), seed=0).fit(sine(40))
    batch = np.stack([sine(25, seed=s, noise=0.5) for s in range(3)])
    together = model.states(batch)
    assert model.batched_states and together.shape == (3, 25, 4)
    for row, states in zip(batch, together, strict=True):
        np.testing.assert_allclose(model.states(row), states, rtol=1e-5, atol=1e-6)


def test_closed_loop_validation_scores_the_forecast_the_model_makes():
    from forecasting.models.rnn_torch import ClosedLoopValidator

    z = sine(120, noise=0.1)
    train, val = z[:100], z[100:]
    model = LSTMForecaster(params(max_epochs=5), seed=0).fit(train)
    validator = ClosedLoopValidator(train, val, horizon=6, origins=3, direct=False, envelope=model._envelope,
                                    device=torch.device("cpu"), warmup=len(train))
    expected = [model.forecast(z[:origin], 6) for origin in (100, 107, 114)]
    got = validator.forecast(model.module).detach().numpy()
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-4, atol=1e-5)
