"""Hyperparameter sweeps: axis parsing, a cell equals a single fit, the test part is never read, stop keeps cells."""

from __future__ import annotations

import json

import numpy as np
import pytest

from forecasting.cli import main
from forecasting.errors import SettingsError
from forecasting.metrics import METRIC_NAMES, compute_metrics
from forecasting.models import get_model_class
from forecasting.models.esn import ESNForecaster, ESNParams
from forecasting.models.readout import coefficients
from forecasting.presets import LeakyUnitsPreset, leaky_units_series
from forecasting.splitting import plan_comparison
from forecasting.sweep import (
    SweepCallbacks,
    SweepSpec,
    _SharedHarvestESN,
    cell_groups,
    cell_params,
    comparison_settings,
    cost_warning,
    evaluate_cell,
    make_axis,
    parse_axis,
    prepare,
    run_sweep,
    sweep_base_params,
    sweep_model_class,
)


def _series(n: int = 360, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 10 + np.sin(2 * np.pi * t / 12) + 0.2 * np.sin(2 * np.pi * t / 5.3) + 0.05 * rng.standard_normal(n)


SMALL = {"units": 30, "washout": 20}


def test_parse_axis_linear_log_and_list() -> None:
    assert parse_axis("spectral_radius=0.1:1.3:4").values == pytest.approx((0.1, 0.5, 0.9, 1.3))
    log = parse_axis("ridge_alpha=1e-6:1e-2:5:log")
    assert log.log and log.values == pytest.approx((1e-6, 1e-5, 1e-4, 1e-3, 1e-2))
    assert parse_axis("leak_rate=0.2,0.5").values == (0.2, 0.5)


def test_integer_axis_is_rounded_without_repeats() -> None:
    axis = make_axis("esn", "units", 10, 12, 5)
    assert axis.values == (10, 11, 12) and all(isinstance(v, int) for v in axis.values)


@pytest.mark.parametrize("text", ["spectral_radius", "spectral_radius=1:0:3", "washout=1:5:2",
                                  "spectral_radius=0.1:9:3", "ridge_alpha=0:1:3:log", "leak_rate=a:b:c",
                                  "leak_rate=0.1:1:2.5"])
def test_bad_axes_raise_settings_errors(text: str) -> None:
    with pytest.raises(SettingsError):
        parse_axis(text)


def test_spec_refuses_two_axes_for_a_network_and_unknown_metric() -> None:
    with pytest.raises(SettingsError, match="one hyperparameter"):
        SweepSpec("lstm", parse_axis("hidden_size=4,8", "lstm"), parse_axis("learning_rate=0.001,0.01", "lstm")).validate()
    with pytest.raises(SettingsError, match="metric"):
        SweepSpec("esn", parse_axis("leak_rate=0.5,1"), metric="r2").validate()
    assert cost_warning(SweepSpec("gru", parse_axis("hidden_size=4,8", "gru"))) is not None
    assert cost_warning(SweepSpec("esn", parse_axis("leak_rate=0.5,1"))) is None


def test_cells_are_scored_on_the_comparisons_selection_windows() -> None:
    data = prepare(_series(), horizon=12, season_length=12)
    plan = plan_comparison(360, 12, 12)
    assert data.split == plan.split and data.origins == plan.selection_starts and data.window == 12
    assert len(data.y) == plan.split.val_end  # the test part is dropped before anything else


def test_a_cell_equals_a_single_fit_with_the_same_settings_and_seed() -> None:
    y = _series()
    spec = SweepSpec("esn", parse_axis("spectral_radius=0.5,0.9"), parse_axis("leak_rate=0.3,1"),
                     base_params=SMALL, seed=3, memory=False)
    result = run_sweep(y, spec, horizon=12, validation_size=36, season_length=12)
    assert len(result.cells) == 4 and all(c.ok for c in result.cells)
    cell = next(c for c in result.cells if c.x == 0.9 and c.y == 0.3)

    data = prepare(y, horizon=12, validation_size=36, season_length=12)
    model = ESNForecaster(ESNParams(units=30, washout=20, spectral_radius=0.9, leak_rate=0.3, horizon=12), seed=3)
    model.fit(data.z_train)
    rows = []
    for origin in data.origins:
        z_forecast = model.forecast(data.z[:origin - data.preprocessor.lost_points], data.window)
        forecast = data.preprocessor.inverse(z_forecast, y[:origin])
        rows.append(compute_metrics(y[origin:origin + data.window], forecast, y[:origin], 12))
    expected = {k: float(np.mean([r[k] for r in rows])) for k in METRIC_NAMES}
    assert cell.validation == pytest.approx(expected, rel=1e-12)
    assert cell.tuned_params == model.tuned_params()


@pytest.mark.parametrize(("x", "y"), [("spectral_radius=0.5,0.9", "ridge_alpha=1e-7,1e-3,1"),
                                      ("ridge_alpha=0,1e-4,0.3", "leak_rate=0.4"),
                                      ("ridge_alpha=1e-6,1e-2", None)])
def test_cells_along_ridge_alpha_share_one_harvest_and_equal_single_fits(
        x: str, y: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    import forecasting.memory as memory_module

    harvests: list[int] = []
    capacities: list[int] = []
    original = ESNForecaster._harvest
    monkeypatch.setattr(ESNForecaster, "_harvest", lambda self, *a: harvests.append(1) or original(self, *a))
    measure_capacity = memory_module.model_memory_capacity
    monkeypatch.setattr(memory_module, "model_memory_capacity",
                        lambda *a, **k: capacities.append(1) or measure_capacity(*a, **k))
    spec = SweepSpec("esn", parse_axis(x), parse_axis(y) if y else None, base_params=SMALL, seed=5)
    result = run_sweep(_series(), spec, horizon=12, validation_size=36, season_length=12)
    assert len(harvests) == len(cell_groups(spec)) < len(spec.cells())  # one reservoir run per group
    assert len(capacities) == len(cell_groups(spec))  # memory capacity (states only) measured once per group
    assert [(c.x, c.y) for c in result.cells] == spec.cells() and all(c.ok for c in result.cells)

    data = prepare(_series(), horizon=12, validation_size=36, season_length=12)
    for cell in result.cells:
        params = cell_params("esn", SMALL, cell.params, data.horizon)
        alone = evaluate_cell("esn", params, 5, data, x=cell.x, y=cell.y, changes=cell.params)
        assert cell.validation == pytest.approx(alone.validation, rel=1e-9, abs=1e-12)
        assert cell.memory_horizon == alone.memory_horizon
        assert cell.memory_capacity == pytest.approx(alone.memory_capacity, rel=1e-9)
        assert cell.sensitivity_profile == pytest.approx(alone.sensitivity_profile, rel=1e-9, abs=1e-12)
        assert cell.tuned_params == alone.tuned_params and cell.warnings == alone.warnings


def test_a_readout_refitted_from_a_shared_harvest_has_the_coefficients_of_a_full_fit() -> None:
    z = prepare(_series(), horizon=12, validation_size=36, season_length=12).z_train
    params = ESNParams(units=40, washout=20, spectral_radius=0.8, ridge_alpha=1e-8)
    shared = _SharedHarvestESN(params, seed=2).fit(z)
    for alpha in (0.0, 1e-5, 0.7):
        alone = ESNForecaster(params.replace(ridge_alpha=alpha), seed=2).fit(z)
        refit = shared.with_alpha(params.replace(ridge_alpha=alpha))
        assert refit.ridge_alpha_ == alone.ridge_alpha_ == alpha
        np.testing.assert_allclose(coefficients(refit.readout_), coefficients(alone.readout_), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(refit.forecast(z, 24), alone.forecast(z, 24), rtol=1e-9, atol=1e-12)
        assert refit.history.train_loss == pytest.approx(alone.history.train_loss, rel=1e-9)


def test_a_group_whose_reservoir_overflows_fails_every_cell_with_the_message() -> None:
    unstable = {**SMALL, "activation": "identity", "spectral_radius": 2.0, "leak_rate": 1.0}  # grows like 2^t
    spec = SweepSpec("esn", parse_axis("ridge_alpha=1e-6,1"), base_params=unstable, memory=False)
    result = run_sweep(_series(1500), spec, horizon=12, validation_size=36, season_length=12)
    assert len(result.cells) == 2 and all(c.error and "overflowed" in c.error for c in result.cells)


def test_parallel_groups_give_the_serial_cells() -> None:
    spec = SweepSpec("esn", parse_axis("spectral_radius=0.5,0.9"), parse_axis("ridge_alpha=1e-6,1e-2"),
                     base_params=SMALL, memory=False)
    serial = run_sweep(_series(), spec, horizon=12, validation_size=36, season_length=12)
    parallel = run_sweep(_series(), spec, n_jobs=2, horizon=12, validation_size=36, season_length=12)
    assert [(c.x, c.y, c.validation) for c in parallel.cells] == [(c.x, c.y, c.validation) for c in serial.cells]


def test_the_test_part_never_changes_a_cell() -> None:
    y = _series()
    spec = SweepSpec("esn", parse_axis("leak_rate=0.5"), base_params=SMALL, memory=False)
    first = run_sweep(y, spec, horizon=12, validation_size=36, season_length=12)
    spoiled = y.copy()
    spoiled[-12:] = 1e6
    second = run_sweep(spoiled, spec, horizon=12, validation_size=36, season_length=12)
    assert first.cells[0].validation == second.cells[0].validation


def test_stop_keeps_the_finished_cells_and_best_is_the_lowest() -> None:
    y = _series()
    spec = SweepSpec("esn", parse_axis("leak_rate=0.2,0.4,0.6,0.8,1"), base_params=SMALL, memory=False)
    seen: list[int] = []
    callbacks = SweepCallbacks(on_cell=lambda done, total, cell: seen.append(done),
                               should_stop=lambda: len(seen) >= 2)
    result = run_sweep(y, spec, callbacks=callbacks, horizon=12, validation_size=36, season_length=12)
    assert result.cancelled and len(result.cells) == 2 and result.total_cells == 5
    best = result.best()
    assert best is not None and best.score("nrmse") == min(c.score("nrmse") for c in result.cells)
    assert result.comparison_params(best) == comparison_settings("esn", {**SMALL, "leak_rate": best.x})


def test_cells_are_plain_esn_fits_and_copy_with_the_search_off() -> None:
    assert sweep_model_class("esn") is ESNForecaster  # one reservoir per cell, whatever "esn" is registered as
    assert sweep_base_params("esn", {"units": 30, "search_trials": 4, "reservoirs": 3}) == {"units": 30}
    searches = "search" in get_model_class("esn").Params.names()
    assert comparison_settings("esn", {"leak_rate": 0.5}) == ({"leak_rate": 0.5, "search": "off"} if searches
                                                             else {"leak_rate": 0.5})
    assert comparison_settings("lstm", {"hidden_size": 8}) == {"hidden_size": 8}


def test_memory_figures_per_cell() -> None:
    spec = SweepSpec("esn", parse_axis("leak_rate=1"), base_params=SMALL)
    cell = run_sweep(_series(), spec, horizon=12, validation_size=36, season_length=12).cells[0]
    assert cell.memory_horizon is not None and cell.memory_horizon >= 1
    assert 0 < cell.memory_capacity <= 30


def test_cli_sweep_json_and_bad_axis(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", "air_passengers", "--x", "spectral_radius=0.5,0.9", "--param", "esn.units=30",
                 "--no-memory", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and len(out["cells"]) == 2 and out["best"]["params"]["units"] == 30
    assert out["split"]["test_size"] == 12
    assert main(["sweep", "air_passengers", "--x", "washout=1:3:2"]) == 2
    assert "cannot be swept" in capsys.readouterr().err


def test_leaky_units_preset_memory_horizon_grows_as_the_leak_rate_falls() -> None:
    y = leaky_units_series(LeakyUnitsPreset(n=1000))
    assert len(y) == 1000 and np.array_equal(y, leaky_units_series(LeakyUnitsPreset(n=1000)))
    spec = SweepSpec("esn", parse_axis("leak_rate=0.05,0.3,1"), base_params={"units": 50})
    cells = run_sweep(y, spec, horizon=10, season_length=1).cells
    horizons = [c.memory_horizon for c in sorted(cells, key=lambda c: -c.x)]  # leak 1 -> 0.05
    assert all(a < b for a, b in zip(horizons, horizons[1:], strict=False)), horizons
    with pytest.raises(SettingsError):
        leaky_units_series(LeakyUnitsPreset(fast_period=300))


def test_a_network_sweep_runs_one_axis_of_cells() -> None:
    spec = SweepSpec("gru", parse_axis("hidden_size=4,8", "gru"), base_params={"max_epochs": 2}, memory=False)
    result = run_sweep(_series(200), spec, horizon=12, season_length=12)
    assert [c.x for c in result.cells] == [4, 8] and all(c.ok for c in result.cells), result.cells[0].error
    assert all(np.isfinite(c.score("nrmse")) for c in result.cells)
