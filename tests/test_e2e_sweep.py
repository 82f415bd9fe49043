"""End to end in a real browser: a small comparison shows interval bands, then a 2 x 2 sweep in Explore.

Reuses the server, browser and page fixtures of ``test_e2e_browser`` (same skips: Chromium or
Playwright missing, or a failure under FORECASTING_REQUIRE_BROWSER=1). Charts are Vega SVGs whose
marks carry aria labels, so the test reads what was drawn: the band areas of the forecast chart, the
heatmap's cells and the ring on the best one.
"""

from __future__ import annotations

import re

import pytest
from test_e2e_browser import browser, page, server  # noqa: F401 - fixtures, one server for this module

pytestmark = pytest.mark.e2e

KEPT_MODELS = ("Echo State Network", "Naive", "Seasonal naive")  # the cheap ones; the rest are removed
CELL_LIST = "Cell (best first; or click a heatmap cell)"
APPLY = "Use these settings in the comparison"


def keep_only_cheap_models(view: object) -> None:
    """Remove every model from 'Models to compare' but the ESN and two baselines."""
    from playwright.sync_api import expect

    chosen = view.locator(".st-key-models")
    expect(chosen.locator("[data-tag]").first).to_be_visible()
    for name in [t.get_attribute("aria-label") for t in chosen.locator("[data-tag]").all()]:
        if name not in KEPT_MODELS:
            chosen.get_by_role("button", name=f"Remove {name}", exact=True).click()
            expect(chosen.get_by_role("button", name=f"Remove {name}", exact=True)).to_have_count(0)
    expect(chosen.locator("[data-tag]")).to_have_count(len(KEPT_MODELS))


def check_forecast_bands(view: object) -> None:
    """The Forecasts tab's chart names the 80% band and draws shaded areas for it."""
    from playwright.sync_api import expect

    view.get_by_role("tab", name="Forecasts").click()
    chart = view.locator('[data-testid="stVegaLiteChart"]', has_text="Forecast vs actual")
    expect(chart).to_contain_text("Bands: conformal prediction intervals (80%")
    areas = chart.locator('g.mark-area path[aria-roledescription="area mark"]')
    expect(areas.first).to_be_attached()
    labels = " ".join(a.get_attribute("aria-label") or "" for a in areas.all())
    assert "80%" in labels and "Echo State Network" in labels, labels[:500]


def choose(view: object, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (reopened when a rerun closed its list)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    box = view.get_by_role("combobox", name=label, exact=True)
    for _ in range(3):
        box.click()
        try:
            view.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    expect(box).to_have_value(option)


def fill(view: object, key: str, value: str) -> None:
    """Type ``value`` into the number input with widget key ``key`` and wait until the page holds it."""
    from playwright.sync_api import expect

    box = view.locator(f".st-key-{key} input")
    box.fill(value)
    box.press("Enter")
    expect(box).to_have_value(value)


def set_up_tiny_sweep(view: object) -> None:
    """units 20 and 40 on x, ridge_alpha 1e-8 and 1 on y: four cells of a small reservoir."""
    from playwright.sync_api import expect

    choose(view, "X axis", "units")
    expect(view.locator(".st-key-sw_x_low input")).to_have_value("50")  # the range followed the axis
    choose(view, "Y axis", "ridge_alpha")
    expect(view.locator(".st-key-sw_y_count input")).to_have_value("9")
    wanted = {"sw_x_low": "20", "sw_x_high": "40", "sw_x_count": "2", "sw_y_count": "2"}
    for _ in range(3):  # a rerun started by one Enter can redraw a box typed into just after it: type again
        for key, value in wanted.items():
            if view.locator(f".st-key-{key} input").input_value() != value:
                fill(view, key, value)
        view.wait_for_timeout(1500)  # let the reruns of those Enters finish
        if all(view.locator(f".st-key-{k} input").input_value() == v for k, v in wanted.items()):
            return
    raise AssertionError("the sweep's range boxes did not keep the values typed into them")


def cell_settings(label: str) -> dict[str, str]:
    """``{'units': '40', 'ridge_alpha': '1'}`` from a heatmap mark's aria label (its first two fields)."""
    pairs = re.findall(r"(units|ridge_alpha) \(log spacing\): ([^;]+)", label)
    return dict(pairs)


def esn_setting(view: object, label: str) -> object:
    """The ESN's hyperparameter input called ``label`` (copying a cell opens the ESN's hyperparameters)."""
    from playwright.sync_api import expect

    expect(view.get_by_role("radio", name="Echo State Network", exact=True)).to_be_checked()
    return view.get_by_label(label, exact=True).first


def test_comparison_bands_then_a_tiny_sweep_copied_into_the_settings(page: object) -> None:  # noqa: F811
    """Fit three cheap models (bands drawn), sweep 2 x 2 cells (heatmap, best cell ringed and starred),
    click another cell on the heatmap and copy it into the ESN's settings."""
    from playwright.sync_api import expect

    keep_only_cheap_models(page)
    page.wait_for_timeout(500)  # the rerun that stores the model choice
    page.get_by_role("button", name="Fit & compare").click()
    expect(page.get_by_role("tab", name="Forecasts")).to_be_visible(timeout=240_000)  # first fit: imports, JIT
    check_forecast_bands(page)

    page.get_by_text("Show the sweep tools", exact=True).click()  # the sweep tools are hidden until asked for
    set_up_tiny_sweep(page)
    page.get_by_role("button", name="Run sweep").click()
    heatmap = page.locator(".st-key-sw_chart_0")
    cells = heatmap.locator('g.mark-rect path[aria-roledescription="rect mark"]')
    expect(cells).to_have_count(4)
    expect(heatmap).to_contain_text("Black ring")
    ring = heatmap.locator('g.mark-symbol path[aria-roledescription="point"]')
    expect(ring).to_have_count(1)
    best = cell_settings(ring.get_attribute("aria-label") or "")
    assert set(best) == {"units", "ridge_alpha"}, best
    shown = page.get_by_role("combobox", name=CELL_LIST)
    expect(shown).to_have_value(re.compile(rf"^★ units = {best['units']}, ridge_alpha = {best['ridge_alpha']}:"))

    other = next(c for c in cells.all() if cell_settings(c.get_attribute("aria-label") or "") != best)
    target = cell_settings(other.get_attribute("aria-label") or "")
    other.click()
    expect(shown).to_have_value(re.compile(rf"^units = {target['units']}, ridge_alpha = {target['ridge_alpha']}:"))
    page.get_by_role("button", name=APPLY).click()
    expect(page.get_by_text("Copied into the Echo State Network settings")).to_be_visible()
    expect(esn_setting(page, "units")).to_have_value(target["units"])
    expect(esn_setting(page, "ridge alpha")).to_have_value(f"{float(target['ridge_alpha']):g}")
    assert page.locator('[data-testid="stException"]').count() == 0
