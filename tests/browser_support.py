"""A real headless Chromium (Debian ``chromium`` + ``chromium-driver``) driven by Selenium, for tests.

Use the ``browser`` fixture (one browser per test module, re-sized per test with :func:`at_width`)
by importing it into a test module::

    from browser_support import at_width, browser, overflow_x, screenshot  # noqa: F401  (pytest fixture)

Tests that need it are skipped with the reason when chromium or its driver is missing; CI installs
both (``.ci/run``). Selenium never downloads a browser or driver here: the paths are given and
Selenium Manager is kept offline. The browser gets a fresh profile and no background networking.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SPBE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SPBE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
DESKTOP, PHONE = 1366, 390


def missing_reason() -> str | None:
    """Why no browser can run here, or None when one can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists():
            return f"{path} tidak ada: pasang paket Debian {package} (apt-get install -y {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "paket Python selenium belum terpasang (pip install -e '.[test]')"
    return None


def start_browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not reach the network
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    profile = Path(tempfile.mkdtemp(prefix="spbe-chromium-"))
    driver = start_browser(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def at_width(driver: Any, width: int, height: int = 900) -> None:
    """Make the *viewport* (not the window) ``width`` CSS pixels wide."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return window.innerWidth")
    if inner != width:  # window chrome takes some pixels in some builds
        driver.set_window_size(width + (width - inner), height)


def overflow_x(driver: Any) -> list[str]:
    """Elements whose right edge runs past the viewport (empty when nothing overflows horizontally).

    Content inside a box that scrolls horizontally on its own (``overflow-x: auto|scroll``) does not
    count: the page does not scroll sideways for it.
    """
    script = """
    const width = document.documentElement.clientWidth;
    const out = [];
    function clipped(el) {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    }
    if (document.documentElement.scrollWidth > width) out.push('document ' + document.documentElement.scrollWidth + ' > ' + width);
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > width + 1 && !clipped(el)) {
        const cls = typeof el.className === 'string' && el.className ? '.' + el.className : '';
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls + ' right=' + Math.round(r.right));
      }
      if (out.length > 20) break;
    }
    return out;
    """
    return list(driver.execute_script(script))


def screenshot(driver: Any, url: str, path: Path, width: int, full_page: bool = True, max_height: int = 16000) -> Path:
    """Open ``url`` at ``width`` and save a PNG (the page height up to ``max_height`` when ``full_page``)."""
    at_width(driver, width)
    driver.get(url)
    if full_page:
        height = int(driver.execute_script("return document.documentElement.scrollHeight"))
        at_width(driver, width, max(min(height, max_height), 600))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path
