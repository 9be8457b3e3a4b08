"""Helpers for unit tests of the crawl core: a spider without a reactor, fake responses, a pipeline on
an in-memory SQLite store. No network: responses are built by hand, as Scrapy would deliver them."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Request, Response

from spbe_crawler.items import SiteCheckItem
from spbe_crawler.pipelines import StorePipeline
from spbe_crawler.spiders.survey import SurveySpider
from spbe_crawler.store.models import Unit
from spbe_crawler.survey.job import survey_settings
from spbe_crawler.survey.links import site_key
from spbe_crawler.survey.targets import Target, Targets

_db = itertools.count()


def memory_db_url() -> str:
    """A fresh in-memory SQLite database shared by the connections of this process."""
    return f"sqlite:///file:crawlcore{next(_db)}?mode=memory&cache=shared&uri=true"


def make_spider(**overrides: Any) -> SurveySpider:
    """A spider whose sites send all their requests at once unless ``SPBE_SITE_CONCURRENCY`` says
    otherwise (tests of routing see every request a response leads to)."""
    settings = survey_settings({"SPBE_DISCOVERY": False, "SPBE_SITE_CONCURRENCY": 1000, **overrides})
    return SurveySpider.from_crawler(Crawler(SurveySpider, settings), pemda="18.71")


def make_pipeline(**overrides: Any) -> StorePipeline:
    return StorePipeline(SimpleNamespace(settings=survey_settings(overrides), stats=None))


UNITS = [
    Unit(code="18.71", name="Kota Bandar Lampung", kind="pemda", pemda_code="18.71"),
    Unit(code="18.71.01", name="Teluk Betung Barat", kind="kecamatan", parent_code="18.71", pemda_code="18.71"),
    Unit(code="18.71.01.1001", name="Bakung", kind="kelurahan", parent_code="18.71.01", pemda_code="18.71"),
    Unit(code="18.71.01.1002", name="Kuripan", kind="kelurahan", parent_code="18.71.01", pemda_code="18.71"),
]


def targets(*sites: tuple[int, str, str], parent_hosts: Iterable[str] = ()) -> Targets:
    """Targets of (website id, unit code, url) for the units above."""
    found = Targets(units=list(UNITS))
    for website_id, unit_code, url in sites:
        found.websites.append(Target(website_id, unit_code, url, frozenset(parent_hosts)))
        found.hosts_by_unit.setdefault(unit_code, set()).add(site_key(url.split("/")[2]))
    return found


def respond(
    request: Request, status: int = 200, body: bytes | str = b"", headers: dict[str, Any] | None = None, url: str | None = None
) -> Response:
    """The response Scrapy would hand the spider for ``request`` (its meta travels with it)."""
    data = body.encode() if isinstance(body, str) else body
    headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    return HtmlResponse(url or request.url, status=status, body=data, headers=headers, request=request)


def feed(spider: SurveySpider, response: Response) -> list[Any]:
    site = spider.sites[response.meta["site"]]
    return spider.handle_response(site, response)


def fail(spider: SurveySpider, request: Request, error: BaseException) -> list[Any]:
    site = spider.sites[request.meta["site"]]
    return asyncio.run(spider.handle_failure(site, request, error))


def requests_of(outputs: Iterable[Any]) -> list[Request]:
    return [o for o in outputs if isinstance(o, Request)]


def checks_of(outputs: Iterable[Any]) -> list[SiteCheckItem]:
    return [o for o in outputs if isinstance(o, SiteCheckItem)]


def items_of(outputs: Iterable[Any], kind: type) -> list[Any]:
    return [o for o in outputs if isinstance(o, kind)]
