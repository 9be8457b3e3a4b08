"""Survey progress output: counts websites (never past the total), ETA, plain lines without a terminal."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from spbe_crawler.extensions import ProgressExtension, SurveyProgress
from spbe_crawler.items import SiteCheckItem


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _item(n: int, status: str = "ok") -> SiteCheckItem:
    return SiteCheckItem(website_id=n, unit_code="18.71", url=f"https://situs{n}.go.id/", status=status)


def test_a_run_without_terminal_prints_periodic_plain_lines() -> None:
    crawler = get_crawler(settings_dict={"SPBE_PROGRESS": "", "SPBE_PROGRESS_INTERVAL": 10})
    extension = ProgressExtension.from_crawler(crawler)  # pytest's stderr is not a terminal
    assert extension.mode == "lines"
    clock, out = Clock(), io.StringIO()
    extension.stream, extension.clock, extension.state = out, clock, SurveyProgress(clock)
    extension.last_line = clock.now
    spider = SimpleNamespace(total_sites=80, _discovered_keys=0)
    for n in range(60):
        clock.now += 1  # one site per second
        if n == 50:
            spider._discovered_keys, spider.total_sites = -49, 129  # discovery found 49 more sites
            extension.discovery_step(spider, done=30, total=40)
        extension.item_scraped(_item(n, "ok" if n % 3 else "timeout"), spider)
    extension.spider_closed(spider, "finished")
    lines = out.getvalue().splitlines()
    assert len(lines) == 7  # every 10 s for 60 s, plus the last line
    assert lines[0].startswith("Survei situs: 10/80 (12%), 6 berfungsi; 10 detik berjalan, perkiraan selesai 1 menit 10 detik lagi")
    assert lines[-2].startswith("Survei situs: 60/129 (46%)") and "49 ditemukan" in lines[-2]
    assert "penemuan situs 30/40" in lines[-1]
    for line in lines:
        done, total = (int(x) for x in line.split(": ", 1)[1].split(" ", 1)[0].split("/"))
        assert done <= total


def test_count_never_passes_the_total_and_eta_follows_the_pace() -> None:
    clock = Clock()
    state = SurveyProgress(clock)
    state.planned, state.done = 80, 129  # more checks than planned (old bug "129/80")
    assert state.total == 129 and "129/129 (100%)" in state.line() and "perkiraan" not in state.line()
    state.planned, state.done = 100, 25
    clock.now += 50
    assert state.eta_seconds() == 150  # 75 sites left at 2 s each


def test_modes() -> None:
    assert ProgressExtension.from_crawler(get_crawler(settings_dict={"SPBE_PROGRESS": "1"})).mode == "bar"
    assert ProgressExtension.from_crawler(get_crawler(settings_dict={"SPBE_PROGRESS": "baris"})).mode == "lines"
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler(settings_dict={"SPBE_PROGRESS": "0"}))
