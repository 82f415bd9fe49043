"""The dashboard under Streamlit's AppTest: renders, fits, keeps results, shows errors, never refits needlessly.

Most tests fit the ESN and the baselines only (seconds); the one that must run the real default
(every model on the default example) is marked slow.
"""

from __future__ import annotations

import io
import json
import math
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.downloads import run_file_json
from dashboard.summary import best_rows, comparison_table, forecasts_frame, verdict
from forecasting.comparison import DEFAULT_MODELS, model_label
from forecasting.examples import DEFAULT_EXAMPLE, load_example
from forecasting.models import ModelKind, get_model_class, models_of_kind
from forecasting.runfile import read_run_file

ROOT = Path(__file__).resolve().parent.parent
FAST_MODELS = ["esn", "naive", "seasonal_naive", "drift"]


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def fit(at: AppTest, models: list[str] | None = None, timeout: float = 300) -> None:
    """Click "Fit & compare", wait for the background run, and rerun to draw the results."""
    if models is not None:
        at.multiselect(key="models").set_value(models).run()
    before = at.session_state[state.FIT_COUNT]
    at.button(key="fit").click().run()
    assert at.session_state[state.FIT_COUNT] == before + 1, [e.value for e in at.error]
    job = at.session_state[state.JOB]
    assert job.wait(timeout), "the comparison did not finish in time"
    at.run()
    assert not at.exception, at.exception


def open_params(at: AppTest, model: str) -> AppTest:
    """Open one model's hyperparameter widgets (only the opened model's are drawn)."""
    return at.segmented_control(key="params_open").set_value(model).run()


def table(at: AppTest):
    return at.dataframe[0].value  # the comparison table is the first table of the results


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def test_default_page_renders_the_default_example():
    at = new_app()
    assert at.selectbox(key="example").value == DEFAULT_EXAMPLE
    assert not any(str(m.value).strip("` ") == "None" for m in at.sidebar.markdown), "a stray value was written"
    assert [b.label for b in at.button if b.key == "fit"] == ["Fit & compare"]
    points = next(m for m in at.metric if m.label == "Points")
    assert points.value == f"{len(load_example(DEFAULT_EXAMPLE)):,}"
    assert at.get("vega_lite_chart"), "the series chart is missing"
    assert not errors(at)
    assert at.multiselect(key="models").value == list(DEFAULT_MODELS)
    # The split shown before fitting is the engine's own: three selection windows of H before the test part.
    assert any("train 96 · validation 36 (3 selection windows of 12) · test 12" in c.value for c in at.caption)


@pytest.mark.slow
def test_fit_default_example_with_default_settings_lists_every_model():
    at = new_app()
    assert tuple(at.multiselect(key="models").value) == DEFAULT_MODELS
    fit(at)
    frame = table(at)
    assert list(frame.index) == [model_label(m) for m in DEFAULT_MODELS]
    assert frame["MAE"].notna().all() and (frame["MAE"] > 0).all()
    assert not errors(at)


def test_fit_then_chart_options_do_not_refit():
    at = new_app()
    fit(at, FAST_MODELS)
    record = at.session_state[state.RECORD]
    assert list(table(at).index) == [get_model_class(m).label for m in FAST_MODELS]
    count = at.session_state[state.FIT_COUNT]
    at.radio(key="err_kind").set_value("residual").run()
    at.radio(key="fc_window").set_value("Whole series").run()
    at.checkbox(key="mem_log").uncheck().run()
    assert at.session_state[state.FIT_COUNT] == count
    assert at.session_state[state.RECORD] is record
    assert at.session_state[state.JOB] is None
    titles = [json.loads(c.proto.spec).get("title", {}).get("text") for c in at.get("vega_lite_chart")]
    assert "Residual per step ahead" in titles
    assert not at.exception


def test_malformed_upload_shows_error_and_keeps_previous_results():
    at = new_app()
    fit(at, ["naive", "seasonal_naive"])
    record = at.session_state[state.RECORD]
    series = at.session_state[state.SERIES]
    bad = b"when,what\nmonday,apples\ntuesday,pears\nwednesday,plums\n"
    at.sidebar.file_uploader(key="upload").set_value(("bad.csv", bad, "text/csv")).run()
    assert not at.exception
    messages = errors(at)
    assert any("Could not load" in m and "bad.csv" in m for m in messages), messages
    assert at.session_state[state.SERIES] is series
    assert at.session_state[state.RECORD] is record
    assert list(table(at).index) == ["Naive", "Seasonal naive"]


def test_uploaded_csv_replaces_the_example():
    at = new_app()
    rows = "\n".join(f"2001-{1 + i % 12:02d}-{1 + i // 12:02d},{10 + (i % 7)}" for i in range(84))
    at.sidebar.file_uploader(key="upload").set_value(("sales.csv", f"day,sales\n{rows}\n".encode(), "text/csv")).run()
    assert not errors(at) and not at.exception
    assert at.session_state[state.SERIES].name == "sales"
    assert at.session_state[state.SOURCE]["filename"] == "sales.csv"


def test_impossible_settings_are_caught_before_fitting():
    at = new_app()
    at.number_input(key="horizon").set_value(100).run()
    assert any("cannot run" in m for m in errors(at))
    count = at.session_state[state.FIT_COUNT]
    at.button(key="fit").click().run()
    assert at.session_state[state.FIT_COUNT] == count
    assert any("Nothing was fitted" in m for m in errors(at))


def test_every_hyperparameter_has_a_widget_with_its_help():
    at = new_app()
    for model in models_of_kind(ModelKind.NEURAL):
        open_params(at, model)
        widgets = {w.key: w for kind in ("number_input", "selectbox", "checkbox", "text_input") for w in at.get(kind)}
        for spec in get_model_class(model).Params.specs():
            widget = widgets.get(state.param_key(model, spec.name))
            assert widget is not None, f"no widget for {model}.{spec.name}"
            assert widget.help == spec.metadata["help"]


def test_stop_keeps_finished_models():
    at = new_app()
    at.multiselect(key="models").set_value(["seasonal_naive", "lstm", "drift"]).run()
    open_params(at, "lstm")
    at.number_input(key=state.param_key("lstm", "max_epochs")).set_value(100_000).run()
    at.number_input(key=state.param_key("lstm", "early_stopping_patience")).set_value(0).run()
    at.button(key="fit").click().run()
    job = at.session_state[state.JOB]
    assert job.config.params["lstm"] == {"max_epochs": 100_000, "early_stopping_patience": 0}
    deadline = time.monotonic() + 120
    while job.snapshot().epoch < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    at.run()
    at.button(key="stop").click().run()
    assert job.wait(60)
    at.run()
    result = at.session_state[state.RECORD].result
    assert result.cancelled
    assert list(result.models) == ["seasonal_naive", "lstm"]
    assert result.models["lstm"].extras.get("stopped_by_user")
    assert any("Run stopped early" in w.value and "Not run: Drift" in w.value for w in at.warning)
    assert "stopped by you" in table(at).loc["LSTM", "Note"]


def test_run_file_round_trip_and_cli_replay(tmp_path, capsys):
    from forecasting.cli import main

    at = new_app()
    at.number_input(key="horizon").set_value(10).run()
    open_params(at, "esn")
    at.number_input(key=state.param_key("esn", "units")).set_value(60).run()
    at.text_input(key=state.param_key("esn", "ridge_alpha")).set_value("0.001").run()
    fit(at, ["esn", "seasonal_naive"])
    record = at.session_state[state.RECORD]
    text = run_file_json(record)
    source, config = read_run_file(text)
    assert source["example"] == DEFAULT_EXAMPLE and source["fingerprint"] == record.series.fingerprint()
    assert config == record.config and config.params == {"esn": {"units": 60, "ridge_alpha": 0.001}}
    # The CLI replays the run file to the same numbers.
    run_file = tmp_path / "run.json"
    run_file.write_text(text)
    capsys.readouterr()
    assert main(["compare", "--config", str(run_file), "--json"]) == 0
    replay = json.loads(capsys.readouterr().out)
    for name, model in record.result.models.items():
        for metric, value in model.metrics.items():
            assert math.isclose(replay["models"][name]["metrics"][metric], value, rel_tol=1e-9), (name, metric)
    # A fresh dashboard loads it back: every setting returns.
    other = new_app()
    other.sidebar.file_uploader(key="run_file").set_value(("run.json", text.encode(), "application/json")).run()
    assert not other.exception
    assert other.multiselect(key="models").value == ["esn", "seasonal_naive"]
    assert other.number_input(key="horizon").value == 10
    open_params(other, "esn")
    assert other.number_input(key=state.param_key("esn", "units")).value == 60
    assert float(other.text_input(key=state.param_key("esn", "ridge_alpha")).value) == 0.001
    assert any("matches the run file" in c.value for c in other.caption)


def test_future_forecast_chart_and_csv():
    at = new_app()
    fit(at, ["naive", "drift"])
    at.multiselect(key="future_models").set_value(["drift"]).run()
    at.number_input(key="future_horizon").set_value(6).run()
    at.button(key="future_run").click().run()
    assert not at.exception and not errors(at)
    future = at.session_state[state.FUTURE]["forecasts"]
    assert [f.model_name for f in future] == ["drift"] and len(future[0].values) == 6
    assert future[0].index[0] == "1961-01-01T00:00:00"
    titles = [json.loads(c.proto.spec).get("title", {}).get("text") for c in at.get("vega_lite_chart")]
    assert "Forecast beyond the data" in titles


def test_upload_limit_is_configured():
    import re

    text = (ROOT / ".streamlit" / "config.toml").read_text()
    server = text.split("[server]", 1)[1].split("\n[", 1)[0]
    limit = re.search(r"^maxUploadSize\s*=\s*(\d+)", server, re.MULTILINE)
    assert limit and 1 <= int(limit.group(1)) <= 200


def test_no_full_garbage_collection_after_every_script_run():
    """Streamlit's post-script gc.collect() takes about 0.5 s in a process holding torch and statsmodels and
    holds the GIL: with the progress panel rerunning every second it stalled a running comparison about half
    of the time (Fit & compare on the default example 10.1 s -> 6.5 s in Chromium without it)."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


# -- the pure summary helpers, on a hand-made result ----------------------------------------------

def test_summary_table_best_cells_and_verdicts():
    from test_charts import make_result

    result = make_result()
    frame = comparison_table(result)
    assert list(frame.index) == ["LSTM", "ESN", "Seasonal naive", "GRU"]
    assert math.isnan(frame.loc["GRU", "MAE"]) and frame.loc["GRU", "Note"].startswith("failed")
    best = best_rows(frame)
    assert best["MAE"] == ["ESN"] and best["Trainable parameters"] == ["Seasonal naive"]
    assert best["Memory horizon (steps)"] == ["ESN"]  # beyond the lags measured counts as longest
    text = verdict(result, result.models["esn"])
    assert "beats seasonal naive by 70%" in text and "Recommended" in text
    assert "does not beat" not in verdict(result, result.models["lstm"])
    assert "failed" in verdict(result, result.models["gru"])
    csv = forecasts_frame(result).to_csv(index=False)
    assert csv.splitlines()[0] == "time,actual,lstm,esn,seasonal_naive"
    assert len(io.StringIO(csv).readlines()) == 1 + result.horizon
