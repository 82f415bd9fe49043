"""Dashboard timings: cold start to an interactive page, and "Fit & compare" on the default example.

Runs ``python -m streamlit run app.py`` on a loopback port (one compute thread) and drives it with
headless Chromium through Playwright, like a user. Writes ``benchmarks/results_dashboard.md``.

    python benchmarks/bench_dashboard.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results_dashboard.md"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 300_000


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


def measure_floor(browser, repeats: int) -> list[float]:
    """Cold start of a one-button Streamlit page, measured the same way: the floor on this machine."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "floor.py"
        script.write_text(FLOOR_SCRIPT)
        for _ in range(repeats):
            port = free_port()
            started = time.perf_counter()
            server = start_server(port, str(script))
            try:
                wait_healthy(f"http://127.0.0.1:{port}")
                context = browser.new_context(viewport={"width": 1400, "height": 1800})
                page = context.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(f"http://127.0.0.1:{port}")
                wait_interactive(page)
                times.append(time.perf_counter() - started)
                context.close()
            finally:
                server.terminate()
                server.wait(timeout=20)
    print(f"floor (one-button page) cold starts: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return times


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
        "Cold start ends when the enabled \"Fit & compare\" button is drawn (the default example loaded, "
        "all settings drawn). The first fit in a fresh server also pays for importing torch.",
    ]
    text = "\n".join(lines) + "\n"
    OUT.write_text(text)
    return text


def main() -> None:
    """Run every measurement and write the report."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        times = measure(browser, args.repeats)
        times["floor"] = measure_floor(browser, args.repeats)
        browser.close()
    engine = [engine_fit_seconds() for _ in range(args.repeats)]
    print(write_report(times, engine))


if __name__ == "__main__":
    main()
