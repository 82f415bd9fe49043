"""The dashboard under AppTest: two sessions share one worker (the second waits, then finishes with its own
series), gappy uploads warn on the page, mostly-missing ones are refused, and a bad run file changes nothing."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import jobs, state
from dashboard.jobs import WorkerPool

ROOT = Path(__file__).resolve().parents[2]
BASELINES = ["naive", "seasonal_naive", "drift"]


def new_session() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.multiselect(key="models").set_value(BASELINES).run()
    return at


def page_text(at: AppTest) -> str:
    """Every label and text on the page, for searching."""
    parts = []
    for kind in ("status", "expandable", "markdown", "caption", "warning", "error", "info", "success"):
        for element in at.get(kind):
            parts.append(str(getattr(element, "label", "") or "") + " " + str(getattr(element, "value", "") or ""))
    return "\n".join(parts)


def upload(at: AppTest, name: str, text: str) -> None:
    at.sidebar.file_uploader(key="upload").set_value((name, text.encode(), "text/csv")).run()


def test_second_session_waits_for_a_free_worker_then_shows_its_own_results(monkeypatch):
    monkeypatch.setattr(jobs, "SERVER_POOL", WorkerPool(1))
    gate, real_compare = threading.Event(), jobs.compare

    def gated_compare(series, config, callbacks):
        assert gate.wait(60)
        return real_compare(series, config, callbacks)

    monkeypatch.setattr(jobs, "compare", gated_compare)
    first, second = new_session(), new_session()
    upload(second, "mine.csv", "value\n" + "\n".join(str((i * 37) % 101 + 5) for i in range(80)))
    first.button(key="fit").click().run()
    second.button(key="fit").click().run()
    assert "Waiting for a free worker" in page_text(second)
    gate.set()
    for at in (first, second):
        assert at.session_state[state.JOB].wait(120)
        at.run()
        assert not at.exception, at.exception
    assert first.session_state[state.RECORD].result.series.length == 144     # the airline example
    assert second.session_state[state.RECORD].result.series.length == 80     # its own upload
    assert set(second.session_state[state.RECORD].result.models) == set(BASELINES)


def test_gappy_upload_warns_on_the_page_and_mostly_missing_is_refused_keeping_the_series():
    at = new_session()
    values = [str(float(i % 9 + 1)) for i in range(111)]
    upload(at, "gappy.csv", "value\n" + "\n".join("NA" if 10 <= i < 40 else v for i, v in enumerate(values)))
    assert any("30 of the 111 points" in w.value for w in at.warning)
    assert len(at.session_state[state.SERIES]) == 111
    upload(at, "mostly.csv", "value\n" + "\n".join(v if i in (0, 110) or i > 99 else "NA"
                                                    for i, v in enumerate(values)))
    assert any("99 of its 111 points" in e.value for e in at.error)
    assert len(at.session_state[state.SERIES]) == 111  # the previous series stays


def test_a_run_file_with_a_bad_value_shows_an_error_and_changes_no_setting():
    at = new_session()
    at.number_input(key="seeds").set_value(3).run()
    run = {"format": "forecasting-lab run", "version": 1,
           "data": {"example": "sunspots", "fingerprint": "0" * 64},
           "config": {"models": ["naive"], "seeds": "7"}}
    at.sidebar.file_uploader(key="run_file").set_value(("run.json", json.dumps(run).encode(), "application/json"))
    at.run()
    assert any("config.seeds must be a whole number" in e.value for e in at.error)
    assert at.number_input(key="seeds").value == 3 and at.multiselect(key="models").value == BASELINES
    assert at.selectbox(key="example").value == "air_passengers"


def test_too_much_work_is_refused_before_fitting():
    at = new_session()
    at.number_input(key="seeds").set_value(20).run()
    at.number_input(key="backtest").set_value(20).run()
    assert any("at most 400" in e.value for e in at.error)
    before = at.session_state[state.FIT_COUNT]
    at.button(key="fit").click().run()
    assert at.session_state[state.FIT_COUNT] == before
