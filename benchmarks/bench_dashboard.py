"""Dashboard timings: cold start, "Fit & compare" on the default example, and K concurrent sessions.

Runs ``python -m streamlit run app.py`` on a loopback port (one compute thread) and drives it with
headless Chromium through Playwright, like a user. Writes ``benchmarks/results_dashboard.md``.

    python benchmarks/bench_dashboard.py [--repeats 3]
    python benchmarks/bench_dashboard.py --sessions 1,4,8 [--session-models esn,naive,seasonal_naive,drift]
    python benchmarks/bench_dashboard.py --cold-start [--repeats 5]

``--cold-start`` runs only the cold-start measurement: app.py and a one-button page alternate, one fresh
server each, so both see the same load; it rewrites the "Cold start, interleaved" section of the results file.

``--sessions`` runs only the concurrency measurement: for each K a fresh server, K browser sessions
(every second one on its own uploaded file), all pressing "Fit & compare" at once; it records each
session's click-to-results time and the server's peak resident memory, checks that every session shows
its own series and results, and rewrites the "Concurrent sessions" section of the results file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results_dashboard.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 300_000
SESSIONS_HEADING = "## Concurrent sessions"
COLD_HEADING = "## Cold start, interleaved"
SESSION_TIMEOUT_S = 1800.0


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FLOOR_SCRIPT = 'import streamlit as st\nst.title("Forecasting lab")\nst.button("Fit & compare")\n'


def start_server(port: int, script: str = "app.py") -> subprocess.Popen:
    """``streamlit run app.py`` as a user would start it, with one BLAS/OpenMP thread."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless=true", "--server.address=127.0.0.1",
         f"--server.port={port}", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): a load-independent cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_healthy(url: str, timeout: float = 120.0) -> None:
    """Poll the health endpoint until it answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("the server never became healthy")


def wait_interactive(page) -> None:
    """The page is interactive once the enabled "Fit & compare" button is drawn."""
    page.get_by_role("button", name="Fit & compare").and_(page.locator(":enabled")).wait_for()


def wait_full_page(page) -> None:
    """The whole first page of app.py: the series chart drawn and the model picker of the settings shown."""
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').first.wait_for()
    page.get_by_text("Models to compare").first.wait_for()


COLD_VIEWPORT = {"width": 1400, "height": 1000}  # the window of the cold-start issue (the button must stay in it)


@dataclass
class ColdStart:
    """One cold start: seconds to the enabled button, server CPU then, and (whole page measured) seconds to the
    whole first page, how far the button moved meanwhile (px) and whether it was then inside the window."""

    button: float
    cpu: float
    full: float | None = None
    shift: float | None = None
    inside: bool | None = None


def _button_shift(first: dict, last: dict) -> float:
    """How far a bounding box moved, in px (the larger of the horizontal and vertical moves)."""
    return max(abs(last["x"] - first["x"]), abs(last["y"] - first["y"]))


def cold_start_once(browser, script: str, full_page: bool = False) -> ColdStart:
    """One fresh server for ``script``: seconds from launch to the enabled "Fit & compare" button and server CPU
    then; with ``full_page`` also launch -> whole first page of app.py (chart and settings drawn) and the
    button's displacement between its first enabled appearance and that moment."""
    port = free_port()
    started = time.perf_counter()
    server = start_server(port, script)
    try:
        wait_healthy(f"http://127.0.0.1:{port}")
        context = browser.new_context(viewport=COLD_VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"http://127.0.0.1:{port}")
        wait_interactive(page)
        run = ColdStart(time.perf_counter() - started, cpu_seconds(server.pid))
        if full_page:
            button = page.get_by_role("button", name="Fit & compare")
            first = button.bounding_box()
            wait_full_page(page)
            run.full = time.perf_counter() - started
            last = button.bounding_box()
            run.shift = _button_shift(first, last)
            run.inside = last["y"] >= 0 and last["y"] + last["height"] <= COLD_VIEWPORT["height"]
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    return run


def measure_floor(browser, repeats: int) -> list[float]:
    """Cold start of a one-button Streamlit page, measured the same way: the floor on this machine."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text(FLOOR_SCRIPT)
        times = [cold_start_once(browser, str(script)).button for _ in range(repeats)]
    print(f"floor (one-button page) cold starts: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return times


def measure_cold_interleaved(browser, repeats: int) -> dict[str, list[float]]:
    """App and one-button page cold starts alternating (app first, then the floor, ``repeats`` pairs)."""
    times: dict[str, list[float]] = {"app": [], "floor": [], "gap": [], "app_cpu": [], "floor_cpu": [], "load": [],
                                     "app_full": [], "shift": [], "inside": []}
    with tempfile.TemporaryDirectory() as folder:
        floor = Path(folder) / "floor.py"
        floor.write_text(FLOOR_SCRIPT)
        for pair in range(repeats):
            app = cold_start_once(browser, "app.py", full_page=True)
            low = cold_start_once(browser, str(floor))
            for key, value in (("app", app.button), ("floor", low.button), ("gap", app.button - low.button),
                               ("app_cpu", app.cpu), ("floor_cpu", low.cpu), ("load", os.getloadavg()[0]),
                               ("app_full", app.full), ("shift", app.shift), ("inside", float(app.inside))):
                times[key].append(value)
            print(f"pair {pair + 1}: app {app.button:.2f} s (whole first page {app.full:.2f} s, button moved "
                  f"{app.shift:.0f} px, {'inside' if app.inside else 'outside'} the window), one-button page "
                  f"{low.button:.2f} s, gap {app.button - low.button:.2f} s (server CPU {app.cpu:.2f} / "
                  f"{low.cpu:.2f} s, load {times['load'][-1]:.1f})", flush=True)
    return times


def _commit() -> str:
    """The checked-out commit (short hash, "+" when the working tree differs), for the report."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "app.py", "dashboard", "forecasting")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+" if dirty else "")


def _notes_after_table(section: str) -> str:
    """The text of a section after its first table: the history and notes, kept when the table is rewritten."""
    lines = section.splitlines()
    end = next((i for i, line in enumerate(lines) if line.startswith("|")), len(lines))
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return "\n".join(lines[end:]).strip()


def write_cold_report(times: dict[str, list[float]]) -> str:
    """Replace the "Cold start, interleaved" section of the results file with these medians."""
    def row(label: str, values: list[float]) -> str:
        def fmt(value: float) -> str:
            return f"{round(value, 2) + 0.0:.2f}"  # + 0.0: no "-0.00"

        low, high = fmt(min(values)), fmt(max(values))
        spread = f"{low} to {high}" if low.startswith("-") else f"{low}-{high}"
        return f"| {label} | {fmt(statistics.median(values))} | {spread} | {len(values)} |"

    lines = [
        COLD_HEADING,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_dashboard.py --cold-start "
        f"--repeats {len(times['app'])}` on {os.cpu_count()} CPU cores, `OMP_NUM_THREADS=1`: `streamlit run app.py` "
        "and a one-button page (title + \"Fit & compare\") alternate, a fresh server each, from launch to the "
        "enabled \"Fit & compare\" button in headless Chromium (a 1400x1000 window). The gap is taken pair by "
        "pair. The button's displacement is how far it moved between its first enabled appearance and the whole "
        f"first page. Load average (1 min) during the pairs {min(times['load']):.1f}-{max(times['load']):.1f}; "
        f"commit {_commit()}.",
        "",
        "| what | median (s) | range (s) | runs |",
        "| --- | --- | --- | --- |",
        row("app.py: launch -> enabled \"Fit & compare\"", times["app"]),
        row("one-button page: launch -> enabled button", times["floor"]),
        row("gap (app minus one-button page, same pair)", times["gap"]),
        row("app.py: launch -> whole first page (series chart and settings drawn)", times["app_full"]),
        row("app.py: whole first page minus enabled button, same run", [f - b for f, b in
                                                                       zip(times["app_full"], times["app"],
                                                                           strict=True)]),
        f"| app.py: button displacement after it first appeared (px) | {statistics.median(times['shift']):.0f} | "
        f"{min(times['shift']):.0f}-{max(times['shift']):.0f} | {len(times['shift'])} |",
        f"| app.py: button inside the 1400x1000 window on the whole first page | "
        f"{sum(times['inside']):.0f} of {len(times['inside'])} | | {len(times['inside'])} |",
        row("server CPU (user + system), app.py", times["app_cpu"]),
        row("server CPU (user + system), one-button page", times["floor_cpu"]),
    ]
    section = "\n".join(lines) + "\n"
    old = OUT.read_text() if OUT.exists() else ""
    if COLD_HEADING in old:
        start = old.index(COLD_HEADING)
        rest = old[start + len(COLD_HEADING):]
        following = rest.find("\n## ")
        tail = rest[following + 1:] if following >= 0 else ""
        notes = _notes_after_table(rest[:following] if following >= 0 else rest)
        text = old[:start] + section + (f"\n{notes}\n" if notes else "") + ("\n" + tail if tail else "")
    else:
        head, sessions = (old[:old.index(SESSIONS_HEADING)], old[old.index(SESSIONS_HEADING):]) \
            if SESSIONS_HEADING in old else (old, "")
        text = head.rstrip() + "\n\n" + section + ("\n" + sessions if sessions else "")
    OUT.write_text(text)
    return section


def measure(browser, repeats: int) -> dict[str, list[float]]:
    """Cold starts (a fresh server each), then fits of the default example in the last server."""
    times: dict[str, list[float]] = {"health": [], "page": [], "cold": [], "cold_cpu": [], "fit": [], "fit_cpu": []}
    for attempt in range(repeats):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        server = start_server(port)
        try:
            wait_healthy(url)
            healthy = time.perf_counter()
            context = browser.new_context(viewport={"width": 1400, "height": 1800})
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            opened = time.perf_counter()
            page.goto(url)
            wait_interactive(page)
            done = time.perf_counter()
            times["cold_cpu"].append(cpu_seconds(server.pid))
            times["health"].append(healthy - started)
            times["page"].append(done - opened)
            times["cold"].append(done - started)
            print(f"cold start {attempt + 1}: {done - started:.2f} s (server {healthy - started:.2f} s, "
                  f"page {done - opened:.2f} s)", flush=True)
            if attempt == repeats - 1:
                for run in range(repeats):
                    page.reload()
                    wait_interactive(page)
                    cpu = cpu_seconds(server.pid)
                    clicked = time.perf_counter()
                    page.get_by_role("button", name="Fit & compare").click()
                    page.locator('[data-testid="stMarkdownContainer"] li', has_text="Drift").first.wait_for()
                    elapsed = time.perf_counter() - clicked
                    times["fit"].append(elapsed)
                    times["fit_cpu"].append(cpu_seconds(server.pid) - cpu)
                    print(f"fit & compare {run + 1}: {elapsed:.2f} s", flush=True)
            context.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return times


def engine_fit_seconds() -> tuple[float, float]:
    """The same default comparison without the UI, in a fresh process (torch import included): wall, CPU."""
    code = ("import time; t = time.perf_counter(); c = time.process_time()\n"
            "from forecasting.comparison import CompareConfig, compare\n"
            "from forecasting.examples import DEFAULT_EXAMPLE, load_example\n"
            "compare(load_example(DEFAULT_EXAMPLE), CompareConfig())\n"
            "print(time.perf_counter() - t, time.process_time() - c)")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def write_report(times: dict[str, list[float]], engine: list[tuple[float, float]]) -> str:
    """Markdown table of medians (min-max) and the machine they ran on."""
    def row(label: str, values: list[float], target: str) -> str:
        return (f"| {label} | {statistics.median(values):.2f} | {min(values):.2f}-{max(values):.2f} | "
                f"{len(values)} | {target} |")

    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",) * 3
    lines = [
        "# Dashboard timings",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_dashboard.py` on "
        f"{os.cpu_count()} CPU cores ({platform.processor() or platform.machine()}), Python "
        f"{platform.python_version()}, `OMP_NUM_THREADS=1`; load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (the cores are shared, so numbers are noisy).",
        "",
        "| what | median (s) | range (s) | runs | target |",
        "| --- | --- | --- | --- | --- |",
        row("cold start: `streamlit run app.py` launched -> interactive page", times["cold"], "< 3 s"),
        row("  reference: a one-button Streamlit page, same measurement (the floor here)", times["floor"], ""),
        row("  of which: server up (health check answers)", times["health"], ""),
        row("  of which: page opened -> \"Fit & compare\" drawn", times["page"], ""),
        row("\"Fit & compare\", default example and settings, click -> results (browser)", times["fit"], "< 10 s"),
        row("same comparison without the UI, fresh process (`compare()`)", [w for w, _ in engine], ""),
        "",
        "CPU seconds (user + system) of the Streamlit server process, which do not grow with other load "
        "on the machine (the browser's own CPU is not included):",
        "",
        "| what | median CPU (s) | range (s) | runs |",
        "| --- | --- | --- | --- |",
        *[f"| {label} | {statistics.median(v):.2f} | {min(v):.2f}-{max(v):.2f} | {len(v)} |" for label, v in (
            ("server: launch -> interactive page (imports, first script run)", times["cold_cpu"]),
            ("server: one \"Fit & compare\" of the default example, results drawn", times["fit_cpu"]),
            ("`compare()` alone in a fresh process (torch import included)", [c for _, c in engine]))],
        "",
        "Cold start ends when the enabled \"Fit & compare\" button is drawn; since commit 3e28bab it is drawn "
        "before the default example is loaded and the settings drawn (they fill the page above it; the "
        "interleaved cold start also times the whole first page). The first fit in a fresh server also pays for "
        "importing torch.",
    ]
    text = "\n".join(lines) + "\n"
    old = OUT.read_text() if OUT.exists() else ""
    for heading in (COLD_HEADING, SESSIONS_HEADING):  # keep the sections of earlier --cold-start / --sessions runs
        if heading in old:
            text += "\n" + old[old.index(heading):]
            break
    OUT.write_text(text)
    return text


# -- concurrent sessions ------------------------------------------------------------------------------------
@dataclass
class Session:
    """One browser session: its page, the series it should show, and when its results appeared."""

    context: object
    page: object
    expected: str           # the results caption's start: "<series name>: <n> points"
    points: int
    upload: bool
    clicked: float = 0.0
    seconds: float | None = None
    waited: bool = False    # saw "Waiting for a free worker"
    compare_s: float | None = None  # the run's own total and one-time setup, from the results caption
    setup_s: float | None = None


def memory_kib(pid: int, field: str) -> int:
    """VmRSS or VmHWM (peak resident set) of a process in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def write_upload(folder: Path, index: int) -> tuple[Path, int]:
    """A distinct monthly CSV per uploading session (its own column name and length)."""
    n = 120 + 12 * index
    rows = [f"month,sales_{index}"]
    for i in range(n):
        level = 100 + 0.8 * i + 15 * ((i % 12) in (5, 6, 7)) + (i * 37 % 11)
        rows.append(f"{1990 + i // 12}-{i % 12 + 1:02d},{level:.1f}")
    path = folder / f"session_{index}.csv"
    path.write_text("\n".join(rows) + "\n")
    return path, n


def write_run_file(folder: Path, models: list[str]) -> Path:
    """A run file that sets the models (the sessions load it in the sidebar, as a user would)."""
    sys.path.insert(0, str(ROOT))
    from forecasting.comparison import CompareConfig
    from forecasting.examples import DEFAULT_EXAMPLE, load_example
    from forecasting.runfile import make_run_file

    run = make_run_file({"example": DEFAULT_EXAMPLE}, load_example(DEFAULT_EXAMPLE), CompareConfig(models=tuple(models)))
    path = folder / "models.json"
    path.write_text(json.dumps(run))
    return path


def open_session(browser, url: str, index: int, folder: Path, run_file: Path | None) -> Session:
    """Open the page; load the run file (models); every second session uploads its own series."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    wait_interactive(page)
    if run_file is not None:
        page.locator('.st-key-run_file [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(run_file))
        page.get_by_text("Settings loaded").first.wait_for()
    upload = index % 2 == 1
    expected, points = "passengers: 144 points", 144
    if upload:
        path, points = write_upload(folder, index)
        page.locator('.st-key-upload [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        page.locator('[data-testid="stMetricValue"]', has_text=f"{points:,}").first.wait_for()
        expected = f"sales_{index}: {points} points"
    wait_interactive(page)
    return Session(context, page, expected, points, upload)


def run_sessions(browser, k: int, models: list[str] | None) -> dict[str, object]:
    """K sessions on one fresh server press "Fit & compare" together; times, peak memory, correctness."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        sessions: list[Session] = []
        try:
            wait_healthy(url)
            run_file = write_run_file(folder, models) if models else None
            sessions.extend(open_session(browser, url, i, folder, run_file) for i in range(k))
            before_kib = memory_kib(server.pid, "VmRSS")
            for session in sessions:
                session.clicked = time.perf_counter()
                session.page.get_by_role("button", name="Fit & compare").click()
            wait_for_results(sessions)
            correct = all(check_session(s) for s in sessions)
            peak_kib = memory_kib(server.pid, "VmHWM")
        finally:
            for session in sessions:
                session.context.close()
            server.terminate()
            server.wait(timeout=30)
    times = [s.seconds for s in sessions]
    row = {"k": k, "uploads": sum(s.upload for s in sessions), "median": statistics.median(times),
           "max": max(times), "min": min(times), "waited": sum(s.waited for s in sessions),
           "compare": _median_or_dash([s.compare_s for s in sessions]),
           "setup": _median_or_dash([s.setup_s for s in sessions]),
           "before_mb": before_kib / 1024, "peak_mb": peak_kib / 1024, "correct": correct}
    print(f"K={k}: click -> results median {row['median']:.1f} s, max {row['max']:.1f} s; "
          f"{row['waited']} waited for a worker; server peak {row['peak_mb']:.0f} MB; own results: {correct}",
          flush=True)
    return row


def wait_for_results(sessions: list[Session]) -> None:
    """Poll every page until its own results caption is drawn; note which ones showed the waiting state."""
    deadline = time.monotonic() + SESSION_TIMEOUT_S
    pending = list(sessions)
    while pending:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} session(s) never showed results")
        for session in list(pending):
            page = session.page
            if not session.waited and page.get_by_text("Waiting for a free worker").count():
                session.waited = True
            caption = page.locator('[data-testid="stCaptionContainer"]', has_text=f"{session.expected}, horizon")
            if caption.count():
                session.seconds = time.perf_counter() - session.clicked
                session.compare_s, session.setup_s = run_seconds(caption.first.inner_text())
                pending.remove(session)
        time.sleep(0.25)


def run_seconds(caption: str) -> tuple[float | None, float | None]:
    """"Total time X s, of which one-time setup Y s" from the results caption (None when not shown)."""
    found = re.search(r"Total time ([\d.]+) s, of which one-time setup ([\d.]+) s", caption)
    return (float(found[1]), float(found[2])) if found else (None, None)


def _median_or_dash(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{statistics.median(known):.1f}" if known else "-"


def check_session(session: Session) -> bool:
    """The page shows its own series (points) and its own results (caption), and no error."""
    page = session.page
    own_points = page.locator('[data-testid="stMetricValue"]', has_text=f"{session.points:,}").count() > 0
    own_results = page.locator('[data-testid="stCaptionContainer"]', has_text=session.expected).count() > 0
    errors = page.locator('[data-testid="stAlertContentError"]').count()
    return own_points and own_results and errors == 0


def write_sessions_report(rows: list[dict[str, object]], models: list[str] | None) -> str:
    """Replace the "Concurrent sessions" section of the results file with these rows."""
    load = os.getloadavg()
    which = ", ".join(models) if models else "the page's default models"
    lines = [
        SESSIONS_HEADING,
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} with `python benchmarks/bench_dashboard.py --sessions "
        f"{','.join(str(r['k']) for r in rows)}"
        + (f" --session-models {','.join(models)}`" if models else "`")
        + f" on {os.cpu_count()} CPU cores, `OMP_NUM_THREADS=1`, the server's default worker pool "
        f"(`FORECASTING_LAB_WORKERS` unset: 2 fits at once). Models: {which}. Every second session uploads its "
        "own CSV; the others use the airline example. One fresh server per K; each session's time runs from "
        "its click to its own results caption. **The machine was busy** (shared with other work; load "
        f"average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}), so the times are noisy and long.",
        "",
        "| sessions K | uploads | click -> results median (s) | fastest (s) | slowest (s) | saw \"waiting\" | "
        "run's own total, median (s) | of which one-time setup, median (s) | "
        "server RSS before clicks (MB) | server peak RSS (MB) | every session shows its own series and results |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *[f"| {r['k']} | {r['uploads']} | {r['median']:.1f} | {r['min']:.1f} | {r['max']:.1f} | {r['waited']} | "
          f"{r['compare']} | {r['setup']} | "
          f"{r['before_mb']:.0f} | {r['peak_mb']:.0f} | {'yes' if r['correct'] else '**no**'} |" for r in rows],
        "",
        "\"saw waiting\" counts the sessions whose page showed \"Waiting for a free worker\" at one of the "
        "polls (every 0.25 s per page, so a short wait can be missed). Peak RSS is the server process's "
        "high-water mark (VmHWM) from launch to the last results. The run's own total and setup come from "
        "each session's results caption (time inside the comparison, without the wait for a worker; setup is "
        "the one-time warm-up of imports and compiled kernels).",
    ]
    section = "\n".join(lines) + "\n"
    old = OUT.read_text() if OUT.exists() else ""
    head = old[:old.index(SESSIONS_HEADING)].rstrip() + "\n\n" if SESSIONS_HEADING in old else old + "\n"
    OUT.write_text(head + section)
    return section


def main() -> None:
    """Run every measurement and write the report."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sessions", help="comma-separated K values: run only the concurrent-sessions measurement")
    parser.add_argument("--session-models", help="models for the sessions (default: the page's defaults)")
    parser.add_argument("--cold-start", action="store_true",
                        help="run only the cold-start measurement, app.py and a one-button page interleaved")
    args = parser.parse_args()
    if args.cold_start:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cold = measure_cold_interleaved(browser, args.repeats)
            browser.close()
        print(write_cold_report(cold))
        return
    if args.sessions:
        models = args.session_models.split(",") if args.session_models else None
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows = [run_sessions(browser, int(k), models) for k in args.sessions.split(",")]
            browser.close()
        print(write_sessions_report(rows, models))
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        times = measure(browser, args.repeats)
        times["floor"] = measure_floor(browser, args.repeats)
        browser.close()
    engine = [engine_fit_seconds() for _ in range(args.repeats)]
    print(write_report(times, engine))


if __name__ == "__main__":
    main()
