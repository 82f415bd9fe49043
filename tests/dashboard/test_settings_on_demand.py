"""Settings drawn on demand: hidden hyperparameters and "More settings" keep their values and still apply."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import state

ROOT = Path(__file__).resolve().parents[2]


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def param_widget_keys(at: AppTest) -> set[str]:
    return {w.key for kind in ("number_input", "selectbox", "checkbox", "text_input") for w in at.get(kind)
            if w.key and w.key.startswith("param::")}


def config_of(at: AppTest):
    """The CompareConfig the page would run, read from a started job."""
    at.button(key="fit").click().run()
    job = at.session_state[state.JOB]
    job.stop()
    job.wait(60)
    return job.config


def test_first_page_draws_no_hyperparameter_widget():
    at = new_app()
    assert param_widget_keys(at) == set()
    assert at.segmented_control(key="params_open").value is None
    assert not at.toggle(key="more_settings").value
    assert "validation_size" not in {w.key for w in at.number_input}


def test_opening_one_model_draws_only_its_widgets():
    at = new_app()
    at.segmented_control(key="params_open").set_value("lstm").run()
    keys = param_widget_keys(at)
    assert keys and all(key.startswith("param::lstm::") for key in keys)


def test_hidden_hyperparameters_keep_their_values_and_apply():
    at = new_app()
    at.multiselect(key="models").set_value(["esn", "lstm", "naive"]).run()
    at.segmented_control(key="params_open").set_value("esn").run()
    at.number_input(key=state.param_key("esn", "units")).set_value(40).run()
    at.text_input(key=state.param_key("esn", "ridge_alpha")).set_value("0.01").run()
    at.segmented_control(key="params_open").set_value("lstm").run()  # the ESN's widgets are gone now
    at.number_input(key=state.param_key("lstm", "hidden_size")).set_value(8).run()
    at.segmented_control(key="params_open").set_value(None).run()  # nothing open
    at.run()
    assert any("Echo State Network units = 40" in c.value and "LSTM hidden size = 8" in c.value
               for c in at.caption), [c.value for c in at.caption]
    config = config_of(at)
    assert config.params == {"esn": {"units": 40, "ridge_alpha": 0.01}, "lstm": {"hidden_size": 8}}
    at.segmented_control(key="params_open").set_value("esn").run()  # reopened: the values are still there
    assert at.number_input(key=state.param_key("esn", "units")).value == 40


def test_an_invalid_hidden_value_still_blocks_the_run():
    at = new_app()
    at.segmented_control(key="params_open").set_value("esn").run()
    at.text_input(key=state.param_key("esn", "ridge_alpha")).set_value("not a number").run()
    at.segmented_control(key="params_open").set_value(None).run()
    assert any("cannot run" in e.value and "Echo State Network" in e.value for e in at.error)
    count = at.session_state[state.FIT_COUNT]
    at.button(key="fit").click().run()
    assert at.session_state[state.FIT_COUNT] == count


def test_more_settings_apply_while_hidden():
    at = new_app()
    at.toggle(key="more_settings").set_value(True).run()
    at.number_input(key="season_length").set_value(6).run()
    at.selectbox(key="log").set_value("off").run()
    at.toggle(key="more_settings").set_value(False).run()
    at.run()
    assert "season_length" not in {w.key for w in at.number_input}
    assert any("season length 6" in c.value and "log off" in c.value for c in at.caption)
    config = config_of(at)
    assert config.season_length == 6 and config.log is False


def test_settings_survive_a_visit_to_the_many_series_view():
    at = new_app()
    at.number_input(key="horizon").set_value(6).run()
    at.sidebar.radio(key="view").set_value(at.sidebar.radio(key="view").options[1]).run()
    at.sidebar.radio(key="view").set_value(at.sidebar.radio(key="view").options[0]).run()
    assert at.number_input(key="horizon").value == 6
