"""The Explore section under AppTest: sweep controls, a background sweep, results, and copying a cell."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.explore import DATA_NAME, JOB, NO_AXIS, RESULT, SweepJob, _clicked_cell
from dashboard.state import param_key
from forecasting.presets import LEAKY_UNITS_NAME
from forecasting.sweep import SweepSpec, parse_axis

ROOT = Path(__file__).resolve().parents[2]


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert not any(w.key == "sw_run" for w in at.button), "the sweep tools are hidden until asked for"
    at.toggle(key="sw_open").set_value(True).run()
    return at


def run_small_sweep(at: AppTest) -> None:
    """A 2 x 2 ESN sweep of 30 units on the default example, waited for and drawn."""
    at.segmented_control(key="params_open").set_value("esn").run()  # only the opened model's widgets are drawn
    at.number_input(key=param_key("esn", "units")).set_value(30).run()
    at.number_input(key="sw_x_count").set_value(2).run()
    at.number_input(key="sw_y_count").set_value(2).run()
    at.checkbox(key="sw_memory").uncheck().run()
    at.button(key="sw_run").click().run()
    job = at.session_state[JOB]
    assert job is not None and job.wait(120), "the sweep did not finish in time"
    at.run()
    assert not at.exception, at.exception


def test_explore_controls_render_with_starting_ranges():
    at = new_app()
    assert at.selectbox(key="sw_model").value == "esn"
    assert (at.selectbox(key="sw_x").value, at.selectbox(key="sw_y").value) == ("spectral_radius", "leak_rate")
    assert at.number_input(key="sw_x_low").value == pytest.approx(0.1)
    assert at.number_input(key="sw_x_count").value == 7
    assert [b.label for b in at.button if b.key == "sw_run"] == ["Run sweep"]


def test_network_sweeps_have_one_axis_and_a_cost_warning():
    at = new_app()
    at.selectbox(key="sw_model").set_value("lstm").run()
    assert at.selectbox(key="sw_x").value == "hidden_size"
    assert not [s for s in at.selectbox if s.key == "sw_y"]
    assert any("trains a LSTM from scratch" in w.value for w in at.warning)


def test_changing_an_axis_resets_its_range():
    at = new_app()
    at.selectbox(key="sw_x").set_value("ridge_alpha").run()
    assert at.number_input(key="sw_x_low").value == pytest.approx(1e-8)
    assert at.checkbox(key="sw_x_log").value is True


def test_impossible_sweep_is_refused_before_running():
    at = new_app()
    at.selectbox(key="sw_y").set_value("spectral_radius").run()
    assert any("Both axes sweep spectral_radius" in e.value for e in at.error)
    assert at.button(key="sw_run").disabled


def test_sweep_runs_draws_heatmaps_and_copies_a_cell_into_the_comparison():
    at = new_app()
    charts_before = len(at.get("vega_lite_chart"))
    run_small_sweep(at)
    result = at.session_state[RESULT]
    assert len(result.cells) == 4 and all(c.ok for c in result.cells)
    assert len(at.get("vega_lite_chart")) == charts_before + 1  # one heatmap: memory was switched off
    assert any("4 of 4 cells" in c.value for c in at.caption)
    cells = at.selectbox(key="sw_cell")
    assert cells.value == result.cells.index(result.best())  # the list starts at the best cell
    assert cells.options[0].startswith("★ ") and len(cells.options) == 4
    other = next(i for i in range(4) if i != cells.value)
    cells.set_value(other).run()
    at.button(key="sw_apply").click().run()
    chosen = result.cells[other]
    assert at.session_state[param_key("esn", "spectral_radius")] == chosen.x
    assert at.session_state[param_key("esn", "leak_rate")] == chosen.y
    assert at.session_state[param_key("esn", "units")] == 30
    assert any("Copied into the Echo State Network settings" in i.value for i in at.info)
    assert at.number_input(key=param_key("esn", "spectral_radius")).value == chosen.x


def test_one_axis_sweep_draws_curves():
    at = new_app()
    at.selectbox(key="sw_y").set_value(NO_AXIS).run()
    at.segmented_control(key="params_open").set_value("esn").run()  # only the opened model's widgets are drawn
    at.number_input(key=param_key("esn", "units")).set_value(30).run()
    at.number_input(key="sw_x_count").set_value(2).run()
    at.checkbox(key="sw_memory").uncheck().run()
    at.button(key="sw_run").click().run()
    assert at.session_state[JOB].wait(120)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[RESULT].spec.y is None and len(at.session_state[RESULT].cells) == 2


def test_stop_keeps_finished_cells():
    t = np.arange(300)
    values = 5 + np.sin(2 * np.pi * t / 12)
    spec = SweepSpec("esn", parse_axis("leak_rate=0.2,0.4,0.6,0.8,1"), base_params={"units": 30}, memory=False)
    job = SweepJob(values, spec, {"season_length": 12})
    job._on_cell = lambda done, total, cell: (SweepJob._on_cell(job, done, total, cell), job.stop())
    assert job.start().wait(60)
    assert job.result.cancelled and len(job.result.cells) == 1


def test_a_heatmap_click_selects_its_cell():
    class Result:
        cells = [type("C", (), {"x": 0.1, "y": 0.5})(), type("C", (), {"x": 0.9, "y": 0.5})()]

    assert _clicked_cell(Result, {"selection": {"cell": [{"x": 0.9, "y": 0.5}]}}) == 1
    assert _clicked_cell(Result, {"selection": {"cell": []}}) is None


def test_leaky_units_button_sweeps_the_generated_series():
    at = new_app()
    at.button(key="sw_leaky").click().run()
    job = at.session_state[JOB]
    assert at.session_state[DATA_NAME] == LEAKY_UNITS_NAME and job.spec.x.name == "leak_rate"
    assert job.spec.y is None and job.spec.memory and len(job.spec.cells()) == 6
    job.stop()  # the whole preset sweep takes seconds per cell; the engine test checks what it shows
    assert job.wait(120)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[RESULT].cancelled
    assert at.button(key="sw_apply").disabled  # settings tuned on the preset do not go into the comparison


def test_hidden_sweep_tools_keep_their_settings():
    at = new_app()
    at.number_input(key="sw_x_count").set_value(3).run()
    at.toggle(key="sw_open").set_value(False).run()
    assert not any(w.key == "sw_x_count" for w in at.number_input)
    at.run()
    at.toggle(key="sw_open").set_value(True).run()
    assert at.number_input(key="sw_x_count").value == 3
