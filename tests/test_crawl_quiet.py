"""A dead name is resolved once per crawl, never retried; a failed site is one log line, not a traceback."""

from __future__ import annotations

import logging

from scrapy.utils.misc import load_object
from twisted.python.failure import Failure

from spbe_crawler.logs import NetworkNoise, quiet_network_noise
from spbe_crawler.net.policy import NameNotFound, NetworkPolicy
from spbe_crawler.net.twisted_resolver import PolicyResolver
from spbe_crawler.survey.job import survey_settings


class _Receiver:
    def __init__(self) -> None:
        self.events: list[str] = []

    def resolutionBegan(self, resolution) -> None:  # noqa: N802
        self.events.append("began")

    def addressResolved(self, address) -> None:  # noqa: N802
        self.events.append("address")

    def resolutionComplete(self) -> None:  # noqa: N802
        self.events.append("complete")


class _NoThreads:
    """A reactor whose thread pool must not be used: a remembered dead name needs no lookup."""

    def getThreadPool(self):  # noqa: N802
        raise AssertionError("the dead name was looked up again")


def test_a_name_that_does_not_exist_is_not_looked_up_again():
    resolver = PolicyResolver(_NoThreads(), NetworkPolicy.from_lines(["!*.zona.go.id"]))
    first = _Receiver()
    resolver._failed(first, "kel-x.zona.go.id", Failure(NameNotFound("nama tidak ada")), resolver._missing)
    again = _Receiver()
    resolver.resolveHostName(again, "KEL-X.zona.go.id", 443)
    assert again.events == ["began", "complete"], "no address: the download fails as a DNS error"


def test_dead_names_stay_bounded():
    resolver = PolicyResolver(_NoThreads(), NetworkPolicy(), cache_size=3)
    for n in range(10):
        resolver._failed(_Receiver(), f"n{n}.go.id", Failure(NameNotFound("x")), resolver._missing, 3)
    assert list(resolver._missing) == ["n7.go.id", "n8.go.id", "n9.go.id"]


def test_dns_failures_are_not_retried():
    settings = survey_settings()
    retried = [load_object(name) if isinstance(name, str) else name for name in settings.getlist("RETRY_EXCEPTIONS")]
    from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError

    assert DownloadTimeoutError in retried
    assert not any(issubclass(CannotResolveHostError, kind) for kind in retried)


def _record(name: str, level: int, message: str, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(error), error, None) if error else None
    return logging.LogRecord(name, level, __file__, 1, message, (), exc_info)


def test_scrapy_network_errors_go_to_debug_and_others_stay():
    noise = NetworkNoise()
    robots = _record(
        "scrapy.downloadermiddlewares.robotstxt", logging.ERROR, "Error downloading <GET https://x/robots.txt>: DNS lookup failed"
    )
    assert noise.filter(robots) and robots.levelno == logging.DEBUG and robots.exc_info is None
    wrapped = _record(
        "scrapy.core.scraper", logging.ERROR, "Error downloading <GET https://x/>", ConnectionRefusedError("Connection was refused")
    )
    noise.filter(wrapped)
    assert wrapped.levelno == logging.DEBUG
    bug = _record("scrapy.core.scraper", logging.ERROR, "Spider error processing <GET https://x/>", KeyError("site"))
    noise.filter(bug)
    assert bug.levelno == logging.ERROR, "a bug in our code is still an error"


def test_quiet_network_noise_is_installed_once():
    quiet_network_noise()
    quiet_network_noise()
    assert sum(isinstance(f, NetworkNoise) for f in logging.getLogger("scrapy.downloadermiddlewares.retry").filters) == 1


def test_items_are_not_logged_but_dropped_items_and_errors_are():
    """No "Scraped from" line (with the whole page) per item; a dropped item or a pipeline error still is."""
    from scrapy import Spider
    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from spbe_crawler.items import PageItem

    crawler = get_crawler(settings_dict={"LOG_FORMATTER": survey_settings()["LOG_FORMATTER"]})
    formatter = load_object(crawler.settings["LOG_FORMATTER"]).from_crawler(crawler)
    response = HtmlResponse("https://bakung.example.go.id/", body=b"<html>halaman</html>")
    item = PageItem(website_id=1, url=response.url, final_url=response.url, status=200, title="t", body=response.body)
    spider = Spider.from_crawler(crawler, name="contoh")
    assert formatter.scraped(item, response, spider) is None
    assert formatter.dropped(item, DropItem("duplikat"), response, spider)["level"] >= logging.INFO
    assert formatter.item_error(item, ValueError("x"), response, spider)["level"] == logging.ERROR
