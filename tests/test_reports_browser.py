"""Both reports in a real headless Chromium: nothing runs past the screen at phone width (390 px),
the status chips filter the unit table, and screenshots at 1366 and 390 px.

``SPBE_DOCS_SCREENSHOTS=1`` writes the screenshots into ``docs/`` (the ones the README shows);
otherwise they go to the test's temporary directory.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, at_width, browser, overflow_x, screenshot  # noqa: F401  (pytest fixture)
from selenium.common.exceptions import InvalidArgumentException
from sqlmodel import Session, SQLModel, create_engine
from test_reports_coverage import seed as seed_coverage
from test_scoring_seed import PEMDA, seed

from spbe_crawler.assessment import estimate_pemda, record_review
from spbe_crawler.reports.assessment import write_report
from spbe_crawler.reports.coverage import write_coverage
from spbe_crawler.store.db import session_scope

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reports")
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        seed_coverage(session)
        coverage, _, _ = write_coverage(session, "18.71", out)
    url = f"sqlite:///{out / 'penilaian.sqlite3'}"
    seed(url)
    with session_scope(url) as session:
        estimate_pemda(session, PEMDA, "spbe-2020")
        record_review(session, PEMDA, "spbe-2020", 3, 2, "Ani", "dokumen kebijakan internal diperiksa")
        assessment = write_report(session, PEMDA, out)
    return {"cakupan": coverage, "penilaian": assessment}


DOCS_SHOTS = {("cakupan", PHONE), ("penilaian", DESKTOP)}  # the two the README shows


def _shot_path(tmp_path: Path, name: str, width: int) -> Path:
    if os.environ.get("SPBE_DOCS_SCREENSHOTS") == "1" and (name, width) in DOCS_SHOTS:
        return DOCS / f"laporan-{name}-{width}.png"
    return tmp_path / f"laporan-{name}-{width}.png"


@pytest.mark.parametrize("name", ["cakupan", "penilaian"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_report_fits_the_screen(browser, reports, tmp_path, name, width):  # noqa: F811
    shot = screenshot(browser, reports[name].as_uri(), _shot_path(tmp_path, name, width), width, max_height=3000)
    assert shot.stat().st_size > 10_000
    browser.set_window_size(width, 900)  # the overflow check below runs on the whole page, not the viewport height
    assert browser.execute_script("return document.documentElement.clientWidth") == width
    assert overflow_x(browser) == [], f"{name} meluber ke samping pada lebar {width} px"


def test_status_chips_filter_the_unit_table(browser, reports):  # noqa: F811
    at_width(browser, DESKTOP)
    browser.get(reports["cakupan"].as_uri())
    rows = browser.find_elements("css selector", "#units tbody tr")
    chips = browser.find_element("css selector", ".chips[data-target=units]")
    assert chips.is_displayed(), "the script (laporan.js) shows the chips"
    hacked = chips.find_element("css selector", "button[data-status=hacked_gambling]")
    hacked.click()
    visible = [r for r in rows if r.is_displayed()]
    assert [r.get_attribute("data-status") for r in visible] == ["hacked_gambling"]
    assert hacked.get_attribute("aria-pressed") == "true"
    assert browser.find_element("css selector", ".chip-count").text == f"1 dari {len(rows)} unit ditampilkan"
    chips.find_element("css selector", "button[data-status='*']").click()
    assert all(r.is_displayed() for r in rows)


def test_actions_come_first_in_the_coverage_report(browser, reports):  # noqa: F811
    at_width(browser, PHONE)
    browser.get(reports["cakupan"].as_uri())
    first = browser.find_element("css selector", "main h2")
    assert first.text == "Perlu tindakan"
    card = browser.find_element("css selector", "#perlu-tindakan tbody tr")
    assert card.value_of_css_property("display") == "block", "rows become cards on a phone"


def _print(browser, attempts: int = 3) -> str:
    """The page as PDF; Chromium's print path now and then answers "Printing failed" on a busy
    machine (seen once in a full run on 2 cores, never alone), so it is asked again."""
    for attempt in range(attempts):
        try:
            return browser.print_page()
        except InvalidArgumentException as error:
            if "Printing failed" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def test_print_layout_is_a4_without_controls(browser, reports):  # noqa: F811
    at_width(browser, DESKTOP)
    browser.get(reports["cakupan"].as_uri())
    pdf = _print(browser)  # Chromium's own print path, A4 from the @page rule
    assert len(pdf) > 1000
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        chips = browser.find_element("css selector", ".chips")
        assert not chips.is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
