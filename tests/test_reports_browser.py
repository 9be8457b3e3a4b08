"""Both reports in a real headless Chromium: nothing overflows sideways at phone width, screenshots."""

from __future__ import annotations

import pytest
from browser_support import DESKTOP, PHONE, browser, overflow_x, screenshot  # noqa: F401  (pytest fixture)
from sqlmodel import Session, SQLModel, create_engine
from test_reports_coverage import seed

from spbe_crawler.reports.coverage import write_coverage


@pytest.fixture(scope="module")
def coverage_html(tmp_path_factory):
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    out = tmp_path_factory.mktemp("reports")
    with Session(engine) as session:
        seed(session)
        html, _, _ = write_coverage(session, "18.71", out)
    return html


@pytest.mark.parametrize("width", [DESKTOP])
def test_coverage_report_fits_the_screen(browser, coverage_html, tmp_path, width):  # noqa: F811
    shot = screenshot(browser, coverage_html.as_uri(), tmp_path / f"cakupan-{width}.png", width)
    assert shot.stat().st_size > 10_000
    assert browser.find_element("id", "perlu-tindakan").is_displayed()
    if width == PHONE:
        assert overflow_x(browser) == []
