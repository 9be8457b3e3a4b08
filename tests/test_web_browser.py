"""The workspace in a real browser: Debian's chromium driven by Selenium (chromium-driver), against
``spbe serve``'s application under uvicorn on 127.0.0.1 with the seeded store.

Screenshots of the main pages at 1366 and 390 px are written to ``$SPBE_SCREENSHOTS`` (default
``var/screenshots/web``); docs/ keeps two of them.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, at_width, browser, overflow_x, screenshot  # noqa: F401  (fixture)
from test_scoring_seed import PEMDA
from web_support import PASSWORDS, WebSeed, make_app, web_template  # noqa: F401  (fixture)

from spbe_crawler import config

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("SPBE_SCREENSHOTS") or config.PROJECT_ROOT / "var" / "screenshots" / "web")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(web_template: tuple[Path, WebSeed], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, WebSeed]]:
    import uvicorn

    source, template = web_template
    target = tmp_path_factory.mktemp("web-live") / "spbe.sqlite3"
    shutil.copyfile(source, target)
    seeded = WebSeed(f"sqlite:///{target}", template.latest_run, template.site_ids)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(seeded), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", seeded
    server.should_exit = True
    thread.join(10)


def sign_in(driver, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    at_width(driver, DESKTOP)
    driver.get(base + "/static/app.css")  # any navigation still under way (a form just sent) ends first
    driver.delete_all_cookies()
    driver.get(base + "/masuk")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORDS[username])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 15).until(lambda d: "/masuk" not in d.current_url or d.find_elements(By.CSS_SELECTOR, ".flash.error"))
    assert "/masuk" not in driver.current_url, driver.find_element(By.TAG_NAME, "main").text


def replaced(element):  # type: ignore[no-untyped-def]
    """A wait condition: ``element``'s page was replaced. Like ``staleness_of``, but Chromium may
    answer mid-navigation "Node with given id does not belong to the document" (a plain
    WebDriverException) instead of a stale-element error: that is the same news."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def gone(_driver) -> bool:  # type: ignore[no-untyped-def]
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return gone


def submit(driver, form) -> None:  # type: ignore[no-untyped-def]
    """Click the form's button and wait until the answer has replaced the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    button = form.find_element(By.CSS_SELECTOR, "button")
    button.click()
    WebDriverWait(driver, 15).until(replaced(button))


def text_of(driver, selector: str) -> str:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector).text


def post_form(driver, action: str, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Submit a hand-made form (as a forged request would) through the browser itself."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = driver.find_element(By.TAG_NAME, "html")
    driver.execute_script(
        """const [action, fields] = arguments; const form = document.createElement('form');
        form.method = 'post'; form.action = action;
        for (const [k, v] of Object.entries(fields)) {
          const i = document.createElement('input'); i.name = k; i.value = v; form.appendChild(i);
        }
        document.body.appendChild(form); form.submit();""",
        action,
        fields,
    )
    WebDriverWait(driver, 15).until(replaced(page))


def test_login_and_filter_the_unit_table(browser, live) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, _ = live
    sign_in(browser, base, "pembaca")
    browser.get(f"{base}/pemda/{PEMDA}/unit")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#unit-table tbody tr")) == 10
    Select(browser.find_element(By.NAME, "jenis")).select_by_value("kelurahan")  # the form submits itself on change
    WebDriverWait(browser, 10).until(lambda d: "jenis=kelurahan" in d.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "#unit-table tbody tr")
    assert len(rows) == 5 and all("kelurahan" in r.text for r in rows)
    assert text_of(browser, "#jumlah") == "5 dari 10 unit"


def test_hacked_site_evidence_shows_the_crawled_script_as_text(browser, live) -> None:  # type: ignore[no-untyped-def]
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    base, seeded = live
    sign_in(browser, base, "pembaca")
    browser.get(f"{base}/pemda/{PEMDA}/unit?status=diretas")
    browser.find_element(By.LINK_TEXT, "https://kec-tbs.bandarlampungkota.go.id/").click()
    assert browser.current_url.endswith(f"/situs/{seeded.hacked_site}")
    snippet = browser.find_element(By.ID, "cuplikan")
    assert "<script>alert(1)</script>" in snippet.text and 'onerror="alert(2)"' in snippet.text
    assert browser.execute_script("return document.querySelectorAll('#cuplikan *').length") == 0  # text, not elements
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018  (nothing ran)
    assert "Diretas: konten judi online" in text_of(browser, "#bukti")


def test_confirm_an_estimate_and_see_the_index_change(browser, live) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, _ = live
    sign_in(browser, base, "penilai")
    browser.get(f"{base}/pemda/{PEMDA}/penilaian")
    before = text_of(browser, ".index")
    form = browser.find_element(By.CSS_SELECTOR, "#i35 form")
    Select(form.find_element(By.NAME, "level")).select_by_value("5")
    form.find_element(By.NAME, "note").send_keys("kontrak elektronik penuh")
    submit(browser, form)
    flash = text_of(browser, ".flash")
    assert "Indikator 35: tingkat 3 → 5" in flash and f"sementara {before}" in flash
    after = text_of(browser, ".index")
    assert after != before and f"→ sementara {after}" in flash
    assert "dikonfirmasi" in text_of(browser, "#i35 .pill")


def test_second_reviewer_disagreeing(browser, live) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    base, _ = live
    sign_in(browser, base, "penilai")
    browser.get(f"{base}/pemda/{PEMDA}/penilaian")
    form = browser.find_element(By.CSS_SELECTOR, "#i45 form")
    Select(form.find_element(By.NAME, "level")).select_by_value("3")
    submit(browser, form)
    sign_in(browser, base, "penilai2")
    browser.get(f"{base}/pemda/{PEMDA}/penilaian?mode=kedua")
    form = browser.find_element(By.CSS_SELECTOR, "#i45 form")
    Select(form.find_element(By.NAME, "level")).select_by_value("1")
    submit(browser, form)
    assert "Perbedaan pada indikator 45" in browser.find_element(By.CSS_SELECTOR, ".flash.warn").text
    listed = text_of(browser, "#perbedaan")
    assert "Indikator 45: Ani Penilai (penilai) memberi 3, Budi Pembanding (penilai2) memberi 1" in listed


def test_viewer_is_refused_a_review(browser, live) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    base, _ = live
    sign_in(browser, base, "pembaca")
    browser.get(f"{base}/pemda/{PEMDA}/penilaian")
    assert not browser.find_elements(By.CSS_SELECTOR, "form.review")
    token = browser.find_element(By.CSS_SELECTOR, "header.top input[name=csrf]").get_attribute("value")
    post_form(browser, f"/pemda/{PEMDA}/penilaian/35", {"csrf": token, "level": "1"})
    assert text_of(browser, "h1") == "Akses ditolak (403)"


def test_post_without_csrf_token_is_refused(browser, live) -> None:  # type: ignore[no-untyped-def]
    base, _ = live
    sign_in(browser, base, "admin")
    browser.get(f"{base}/pemda/{PEMDA}/penilaian")
    post_form(browser, f"/pemda/{PEMDA}/penilaian/35", {"level": "1"})
    assert text_of(browser, "h1") == "Akses ditolak (403)" and "CSRF" in text_of(browser, "main")


PAGES = {
    "ringkasan": "",
    "unit": "/unit",
    "situs": "/situs/{hacked}",
    "inventaris": "/inventaris",
    "penilaian": "/penilaian",
    "penemuan": "/penemuan",
    "pemantauan": "/pemantauan",
}


def test_screenshots_and_nothing_runs_off_a_phone_screen(browser, live) -> None:  # type: ignore[no-untyped-def]
    base, seeded = live
    sign_in(browser, base, "admin")
    for name, path in PAGES.items():
        url = f"{base}/pemda/{PEMDA}{path.format(hacked=seeded.hacked_site)}"
        for width in (DESKTOP, PHONE):
            at_width(browser, width)
            browser.get(url)
            assert overflow_x(browser) == [], f"{name} at {width} px"
            out = screenshot(browser, url, SHOTS / f"{name}-{width}.png", width)
            assert out.stat().st_size > 10_000
    at_width(browser, DESKTOP)


def test_overview_and_assessment_print_on_a4_without_the_controls(browser, live) -> None:  # type: ignore[no-untyped-def]
    import base64

    base, _ = live
    sign_in(browser, base, "penilai")
    for path in ("", "/penilaian"):
        browser.get(f"{base}/pemda/{PEMDA}{path}")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        hidden = browser.execute_script(
            "return [...document.querySelectorAll('header.top, nav.pemda, form')].every(e => getComputedStyle(e).display === 'none')"
        )
        assert hidden, f"controls still printed on {path or 'ringkasan'}"
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})["data"])
        (SHOTS / f"cetak-{path.strip('/') or 'ringkasan'}.pdf").write_bytes(pdf)
        box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
        assert pdf.startswith(b"%PDF") and box, "no PDF page"
        assert (round(float(box[1])), round(float(box[2]))) == (595, 842)  # A4 in points, from @page
