"""End to end in a real browser: Playwright drives headless Chromium against ``streamlit run app.py``.

Skipped with a reason when Chromium or Playwright is missing, unless FORECASTING_REQUIRE_BROWSER=1
(set by CI), in which case they fail. UPDATE_SCREENSHOT=1 also writes docs/screenshot.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = ROOT / "docs" / "screenshot.png"
TIMEOUT_MS = 120_000


def _require_browser() -> None:
    """Skip (or fail under CI) when the browser or Playwright is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is not installed (pip install playwright)")
    if missing:
        reason = "; ".join(missing)
        if os.environ.get("FORECASTING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required (FORECASTING_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """Start ``python -m streamlit run app.py`` on a loopback port with one compute thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
               "--server.address=127.0.0.1", f"--server.port={port}", "--server.fileWatcherType=none",
               "--browser.gatherUsageStats=false"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll ``/_stcore/health`` until the server answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"streamlit exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout:.0f} s")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    _require_browser()
    port = _free_port()
    process = start_server(port)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1440, "height": 2400})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server)
    page.get_by_role("button", name="Fit & compare").wait_for()
    yield page
    context.close()


def save_screenshot(page: object, tmp_path: Path, name: str = "results.png") -> Path:
    """Screenshot the page into the pytest tmp dir; with UPDATE_SCREENSHOT=1 also to docs/screenshot.png."""
    path = tmp_path / name
    page.mouse.move(0, 0)  # no tooltip in the picture
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, SCREENSHOT)
    return path


def write_csv(path: Path, n: int = 120) -> Path:
    """A monthly series with trend and yearly seasonality, as a user would upload it."""
    t = np.arange(n)
    values = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, n)
    months = [f"{2000 + i // 12}-{1 + i % 12:02d}-01" for i in range(n)]
    path.write_text("month,visitors\n" + "\n".join(f"{m},{v:.3f}" for m, v in zip(months, values, strict=True)))
    return path


def test_a_click_as_soon_as_the_button_appears_runs_on_the_default_example(page: object) -> None:
    """The button is drawn before the data and settings (first in this module: a cold server); a click at
    once still runs the comparison on the default example, and Stop ends it cleanly."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Fit & compare").click()  # the fixture waited for it, nothing else
    expect(page.get_by_text(re.compile(r"Fitting .+ \(\d+/\d+\)")).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"Split of the 144 points")).first).to_be_visible()  # the airline example
    page.get_by_role("button", name="Stop", exact=True).click()
    stopped = re.compile("Run stopped early|Stopped before any model finished")
    expect(page.locator('[data-testid="stAlert"]', has_text=stopped).first).to_be_visible()
    assert page.get_by_text("Nothing was fitted").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_upload_fit_and_compare(page: object, tmp_path: Path) -> None:
    """Upload a CSV, fit every default model, and find the table, the charts and the verdicts."""
    from playwright.sync_api import expect

    csv = write_csv(tmp_path / "visitors.csv")
    page.locator(".st-key-upload [data-testid=\"stFileUploaderDropzoneInput\"]").set_input_files(str(csv))
    expect(page.get_by_text("visitors", exact=True).first).to_be_visible()
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("120")
    page.get_by_role("button", name="Fit & compare").click()
    expect(page.locator('[data-testid="stStatusWidget"], [data-testid="stExpander"]').first).to_be_visible()
    verdict = page.locator('[data-testid="stMarkdownContainer"] li', has_text="seasonal naive")
    expect(verdict.first).to_be_visible(timeout=240_000)
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table).to_be_visible()
    # The grid draws on a canvas; its accessible table (role="grid") carries the cell text.
    text = table.locator('[role="grid"]').first.text_content() or ""
    for label in ("Echo State Network", "LSTM", "GRU", "Naive", "Seasonal naive", "Drift"):
        assert label in text, f"{label} missing from the comparison table"
    cells = [c.text_content() or "" for c in table.locator('[role="gridcell"]').all()]
    numbers = [c for c in cells if c.replace(".", "", 1).replace(",", "").isdigit()]
    assert len(numbers) >= 6 * 5, f"expected numeric metric cells in the table, got {cells!r}"
    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2  # series + forecast charts
    assert page.locator('[data-testid="stException"]').count() == 0
    shot = save_screenshot(page, tmp_path)
    assert shot.stat().st_size > 20_000


def test_stop_keeps_the_models_already_finished(page: object) -> None:
    """Press Stop while the LSTM trains: the ESN (finished before) stays, the run says what happened."""
    from playwright.sync_api import expect

    # Make the LSTM train long enough to be caught: many epochs, no early stopping.
    page.get_by_role("radio", name="LSTM", exact=True).click()  # open the LSTM's hyperparameters
    for label, value in (("max epochs", "100000"), ("early stopping patience", "0")):
        box = page.get_by_label(label, exact=True).first  # the settings come before the Explore section
        box.fill(value)
        box.press("Enter")
        expect(box).to_have_value(value)
    page.wait_for_timeout(1000)  # let the rerun that stores the values finish
    page.get_by_role("button", name="Fit & compare").click()
    expect(page.get_by_text("Fitting LSTM").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"LSTM: epoch [1-9]")).first).to_be_visible()
    page.get_by_role("button", name="Stop", exact=True).click()
    note = page.locator('[data-testid="stAlert"]', has_text="Run stopped early")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Finished: Echo State Network")
    expect(note).to_contain_text("Not run: GRU, Naive, Seasonal naive, Drift")
    grid = page.locator('[data-testid="stDataFrame"] [role="grid"]').first
    expect(grid).to_contain_text("Echo State Network")
    expect(grid).to_contain_text("stopped by you")
    assert page.locator('[data-testid="stException"]').count() == 0


def _chart_fits_its_box(page: object) -> bool:
    """The series chart is drawn whole inside its fixed-height box (no scroll bar, no clipped axis), and so
    are the facts above it in theirs."""
    return page.evaluate("""() => {
        const box = document.querySelector('.st-key-chart_box');
        const facts = document.querySelector('.st-key-facts_box');
        const chart = box.querySelector('[data-testid="stVegaLiteChart"]');
        return box.scrollHeight <= box.clientHeight + 1 && facts.scrollHeight <= facts.clientHeight + 1
            && facts.querySelectorAll('[data-testid="stMetric"]').length === 4
            && chart.getBoundingClientRect().bottom <= box.getBoundingClientRect().bottom + 1;
    }""")


def test_the_button_stays_in_place_while_the_first_page_fills_in(browser: object) -> None:
    """On a cold server "Fit & compare" is enabled before the data and settings are drawn; it must not move
    when the facts, the series chart and the settings arrive, and it must be inside a 1400x1000 window."""
    port = _free_port()
    process = start_server(port)
    url = f"http://127.0.0.1:{port}"
    context = None
    try:
        wait_healthy(url, process)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        button = page.get_by_role("button", name="Fit & compare").and_(page.locator(":enabled"))
        button.wait_for()
        first = button.bounding_box()
        page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
        page.get_by_text("Models to compare").first.wait_for()
        page.get_by_text("Split of the 144 points").first.wait_for()
        drawn = button.bounding_box()
        assert abs(drawn["y"] - first["y"]) <= 3 and abs(drawn["x"] - first["x"]) <= 3, (first, drawn)
        assert drawn["y"] >= 0 and drawn["y"] + drawn["height"] <= 1000, f"outside the window: {drawn}"
        assert _chart_fits_its_box(page)
    finally:
        if context is not None:
            context.close()
        process.terminate()
        process.wait(timeout=10)


def test_a_thinned_series_chart_fits_its_box(page: object) -> None:
    """A long series is thinned for display and says so in a second subtitle line: its box is one line taller."""
    from playwright.sync_api import expect

    page.get_by_text("Split of the 144 points").first.wait_for()
    page.locator(".st-key-example").click()
    page.get_by_role("option", name=re.compile("Victoria electricity")).click()
    expect(page.locator('[data-testid="stMetricValue"]', has_text="17,520").first).to_be_visible()
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    expect(page.get_by_text(re.compile("Showing [0-9,]+ of 17,520 points")).first).to_be_visible()
    assert _chart_fits_its_box(page)
