"""The "Many series" view under AppTest: its controls, a background run with a leaderboard and a chart,
Stop, and opening one series in the single-series view with the run's settings."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard import state
from dashboard.many_series import JOB, OPENED
from dashboard.views import MANY, ONE

ROOT = Path(__file__).resolve().parents[2]


def _long_csv(n_series: int = 3, length: int = 60) -> bytes:
    rng = np.random.default_rng(1)
    frames = [pd.DataFrame({"key": f"shop{k}", "day": pd.date_range("2020-01-01", periods=length, freq="D"),
                            "sales": 50 + 5 * np.sin(np.arange(length) * 2 * np.pi / 7) + rng.normal(0, 1, length)})
              for k in range(n_series)]
    return pd.concat(frames).to_csv(index=False).encode()


def many_view() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.sidebar.radio(key="view").set_value(MANY).run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, data: bytes) -> None:
    at.radio(key="batch_source").set_value("Upload a long-format table").run()
    at.get("file_uploader")[0].set_value(("sales.csv", data, "text/csv")).run()
    assert not at.exception, at.exception


def _wait(at: AppTest, timeout: float = 120) -> None:
    job = at.session_state[JOB]
    assert job.wait(timeout), "the batch did not finish in time"
    at.run()
    assert not at.exception, at.exception


def test_controls_of_the_many_series_view() -> None:
    at = many_view()
    assert at.title[0].value == "Many series"
    assert at.radio(key="batch_source").options[0].startswith("Benchmark set")
    assert "esn" in at.multiselect(key="batch_models").value
    assert [b.label for b in at.button if b.key == "batch_run"] == ["Run"]
    _upload(at, _long_csv())
    # No usual id name here: the first column is offered as the id, the last as the value.
    assert at.selectbox(key="batch_id_col").options == ["key", "day", "sales"]
    assert (at.selectbox(key="batch_id_col").value, at.selectbox(key="batch_value_col").value) == ("key", "sales")
    assert at.selectbox(key="batch_time_col").value == "(none: use row order)"
    at.selectbox(key="batch_time_col").set_value("day").run()
    assert not at.exception and not at.error


def test_run_shows_leaderboard_chart_and_opens_a_series_with_the_same_settings() -> None:
    at = many_view()
    _upload(at, _long_csv())
    at.selectbox(key="batch_id_col").set_value("key").run()
    at.selectbox(key="batch_value_col").set_value("sales").run()
    at.multiselect(key="batch_models").set_value(["naive", "seasonal_naive", "theta"]).run()
    at.number_input(key="batch_horizon").set_value(7).run()
    at.button(key="batch_run").click().run()
    _wait(at)
    board = at.dataframe[0].value
    assert sorted(board["model"]) == ["naive", "seasonal_naive", "theta"] and set(board["series"]) == {3}
    # each model against the best classical reference (Theta, the only one here); 3 series are too few for an interval
    ratios = board.set_index("model")["ratio to theta"]
    assert np.isnan(ratios["theta"]) and ratios["naive"] > 0 and board["ratio 90% low"].isna().all()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert "MASE" in json.dumps(spec)
    at.selectbox(key="batch_series").set_value("shop2").run()
    at.button(key="batch_open").click().run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key="view").value == ONE
    assert at.session_state[OPENED]["series_id"] == "shop2"
    assert len(at.session_state[state.SERIES]) == 60
    assert at.number_input(key="horizon").value == 7
    assert at.multiselect(key="models").value == ["naive", "seasonal_naive", "theta"]
    at.button(key="batch_close").click().run()
    assert OPENED not in at.session_state and at.selectbox(key="example").value


def test_stop_keeps_the_series_already_finished() -> None:
    at = many_view()
    _upload(at, _long_csv(n_series=40, length=120))
    at.selectbox(key="batch_id_col").set_value("key").run()
    at.selectbox(key="batch_value_col").set_value("sales").run()
    at.multiselect(key="batch_models").set_value(["esn"]).run()
    at.button(key="batch_run").click().run()
    job = at.session_state[JOB]
    deadline = time.time() + 60
    while (job.snapshot() is None or job.snapshot().done < 1) and time.time() < deadline:
        time.sleep(0.1)
    at.run()
    at.button(key="batch_stop").click().run()
    assert job.stop_requested
    _wait(at)
    done = job.snapshot().done
    assert 1 <= done < 40
    assert any("Stopped early" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 1 and at.dataframe[0].value["series"].iloc[0] == done
