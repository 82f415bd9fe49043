"""Feature blocks computed one block ahead in a background thread: same rows, errors passed on, no thread left."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from forecasting.models import esn as esn_module
from forecasting.models import feature_blocks
from forecasting.models.esn import ESNForecaster, ESNParams
from forecasting.models.reservoir import Reservoir


def _reservoir() -> Reservoir:
    return Reservoir.random(60, spectral_radius=0.9, connectivity=0.1, input_scaling=0.5, leak_rate=0.7, seed=3)


def _feature_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "reservoir-features" and t.is_alive()]


def test_blocks_computed_ahead_equal_the_inline_ones() -> None:
    res, u = _reservoir(), np.sin(np.arange(1000) * 0.07)
    x0 = np.random.default_rng(0).uniform(-1, 1, 60)
    inline = [(start, block.copy()) for start, block in res.iter_features(u, x0, chunk_rows=256)]
    blocks = res.iter_features(u, x0, chunk_rows=256, ahead=True)
    ahead = [(start, block.copy()) for start, block in blocks]
    assert [s for s, _ in ahead] == [s for s, _ in inline] == [0, 256, 512, 768]
    for (_, a), (_, b) in zip(ahead, inline, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.vstack([b for _, b in ahead])[:, 2:], res.run(u, x0))
    assert blocks.run_seconds > 0
    assert not _feature_threads()


def test_ahead_blocks_default_to_about_an_eighth_of_the_series() -> None:
    res = _reservoir()
    assert res.iter_features(np.zeros(8000), ahead=True).rows == 1000
    assert res.iter_features(np.zeros(8000)).rows > 8000 // feature_blocks.AHEAD_BLOCKS


def test_an_error_while_computing_ahead_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    res, calls = _reservoir(), []
    original = Reservoir.run_into

    def failing_run_into(self: Reservoir, *args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise FloatingPointError("second block")
        original(self, *args, **kwargs)

    monkeypatch.setattr(Reservoir, "run_into", failing_run_into)
    with pytest.raises(FloatingPointError, match="second block"):
        for _ in res.iter_features(np.zeros(900), chunk_rows=300, ahead=True):
            pass
    assert not _feature_threads()


def test_a_caller_that_stops_early_leaves_no_thread_behind() -> None:
    blocks = iter(_reservoir().iter_features(np.zeros(3000), chunk_rows=256, ahead=True))
    next(blocks)
    blocks.close()
    assert not _feature_threads()


def test_only_long_series_on_several_cores_are_computed_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feature_blocks, "cores_available", lambda: 2)
    assert feature_blocks.worth_computing_ahead(feature_blocks.AHEAD_MIN_STEPS)
    assert not feature_blocks.worth_computing_ahead(feature_blocks.AHEAD_MIN_STEPS - 1)
    monkeypatch.setattr(feature_blocks, "cores_available", lambda: 1)
    assert not feature_blocks.worth_computing_ahead(10**6)


@pytest.mark.parametrize("readout", ["ridge", "huber"])
def test_esn_fit_is_the_same_with_the_harvest_computed_ahead(monkeypatch: pytest.MonkeyPatch, readout: str) -> None:
    train = np.sin(np.arange(2500) * 0.05) + 0.1 * np.cos(np.arange(2500) * 0.31)
    params = ESNParams(units=40, washout=50, ridge_alpha=1e-4, readout=readout)
    monkeypatch.setattr(esn_module, "worth_computing_ahead", lambda steps: False)
    inline = ESNForecaster(params, seed=1).fit(train)
    monkeypatch.setattr(esn_module, "worth_computing_ahead", lambda steps: True)
    ahead = ESNForecaster(params, seed=1).fit(train)
    # Different block sizes sum the Gram matrix in a different order: equal up to rounding, amplified by a
    # small penalty in the coefficients, not in the forecasts.
    np.testing.assert_allclose(ahead.readout_.coef_, inline.readout_.coef_, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(ahead.one_step_predictions(train), inline.one_step_predictions(train), atol=1e-9)
    np.testing.assert_array_equal(ahead.last_state, inline.last_state)
    assert ahead.fit_timings["harvest"] > 0 and "harvest_wait" in ahead.fit_timings
    assert not _feature_threads()


def test_an_esn_fit_that_fails_mid_harvest_stops_the_thread_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(esn_module, "worth_computing_ahead", lambda steps: True)
    calls = []

    def failing_absorb(self: ESNForecaster, *args: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError("while absorbing the second block")

    monkeypatch.setattr(ESNForecaster, "_absorb", failing_absorb)
    with pytest.raises(MemoryError) as caught:  # the traceback (and the fit's frames) stay alive here
        ESNForecaster(ESNParams(units=30, washout=20, ridge_alpha=1e-3), seed=0).fit(np.sin(np.arange(3000) * 0.1))
    assert caught.value.args and not _feature_threads()


def test_harvests_stay_inline_inside_a_batch_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from forecasting.batch.runner import one_blas_thread

    monkeypatch.setattr(feature_blocks, "cores_available", lambda: 2)
    steps = feature_blocks.AHEAD_MIN_STEPS
    with feature_blocks.harvests_inline():
        assert not feature_blocks.worth_computing_ahead(steps)
        with one_blas_thread():
            assert not feature_blocks.worth_computing_ahead(steps)
        assert not feature_blocks.worth_computing_ahead(steps)  # the outer block still holds
    assert feature_blocks.worth_computing_ahead(steps)
