"""Run the survey spider in this process (one crawl per process: Twisted's reactor cannot restart)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings


def survey_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project settings (``spbe_crawler.settings``) with ``overrides`` at command-line priority."""
    settings = Settings()
    settings.setmodule("spbe_crawler.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_survey(pemda_code: str, resume: bool = True, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl every website of the pemda's units; returns the crawl stats (``finish_reason`` ...)."""
    process = CrawlerProcess(survey_settings(overrides), install_root_handler=False)
    crawler = process.create_crawler("survey")
    process.crawl(crawler, pemda=pemda_code, resume="1" if resume else "0")
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    stats["run_id"] = getattr(crawler.spider, "run_id", None)
    return stats
