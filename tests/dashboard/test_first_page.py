"""The first page: "Fit & compare" is drawn before anything imports pandas, numpy or the engine, and its
enabled state stays honest (disabled, or a clear message on click, when no series could be loaded)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import state

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "pyarrow", "altair", "sklearn", "scipy", "torch", "forecasting")
BAD = b"when,what\nmonday,apples\ntuesday,pears\nwednesday,plums\n"


def imports_before_the_button() -> list[str]:
    """The modules app.py imports (at any depth of its top level) before the line that draws the button."""
    tree = ast.parse((ROOT / "app.py").read_text())
    button_line = next(node.lineno for node in ast.walk(tree)
                       if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fit_button")
    modules = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", button_line) >= button_line:
            continue
        if isinstance(node, ast.ImportFrom) and node.module != "__future__" and node.col_offset == 0:
            modules.append(node.module)
        elif isinstance(node, ast.Import) and node.col_offset == 0:
            modules.extend(alias.name for alias in node.names)
    return modules


def test_nothing_heavy_is_imported_before_the_button():
    modules = imports_before_the_button()
    assert "dashboard.progress" in modules  # the button's own module is among them
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]", f"imported before the button: {found.stdout}"


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_first_run_draws_an_enabled_button_for_the_default_example():
    at = new_app()
    assert [(b.key, b.disabled) for b in at.button if b.label == "Fit & compare"] == [("fit", False)]


def test_a_failed_load_with_no_series_disables_the_button_and_a_good_one_enables_it():
    at = new_app()
    at.session_state[state.SERIES] = None  # as if no series had ever loaded in this session
    at.sidebar.file_uploader(key="upload").set_value(("bad.csv", BAD, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Could not load" in e.value for e in at.error)
    # Drawn early (the last run had a series to offer), then replaced: one disabled button is left.
    assert [b.disabled for b in at.button if b.label == "Fit & compare"] == [True]
    at.run()  # the next run knows there is no series before drawing it
    assert [(b.key, b.disabled) for b in at.button if b.label == "Fit & compare"] == [("fit", True)]
    at.sidebar.file_uploader(key="upload").set_value(None).run()  # back to the example
    assert not at.exception, at.exception
    assert at.session_state[state.SERIES] is not None
    assert [(b.key, b.disabled) for b in at.button if b.label == "Fit & compare"] == [("fit", False)]


def test_a_click_on_the_early_button_with_impossible_settings_fits_nothing_and_says_why():
    at = new_app()
    at.number_input(key="horizon").set_value(500).run()
    before = at.session_state[state.FIT_COUNT]
    at.button(key="fit").click().run()
    assert at.session_state[state.FIT_COUNT] == before
    assert any(e.value.startswith("Nothing was fitted:") for e in at.error), [e.value for e in at.error]


def test_the_view_switch_drawn_after_the_button_still_switches_both_ways():
    at = new_app()
    assert at.sidebar.radio[0].key == "view"  # still the first widget of the sidebar
    at.sidebar.radio(key="view").set_value("Many series").run()
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.key == "fit"] and at.button(key="batch_run")
    at.sidebar.radio(key="view").set_value("One series").run()
    assert not at.exception, at.exception
    assert [(b.key, b.disabled) for b in at.button if b.label == "Fit & compare"] == [("fit", False)]
