"""Run the survey spider in this process (one crawl per process: Twisted's reactor cannot restart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from spbe_crawler import config
from spbe_crawler.survey.runs import RunBusy


def survey_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project settings (``spbe_crawler.settings``, its knobs read from the environment now) with
    ``overrides`` at command-line priority."""
    settings = Settings()
    settings.setmodule("spbe_crawler.settings", priority="project")
    settings.setdict(config.scrapy_settings(config.load_settings()), priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def run_survey(pemda_code: str, resume: bool = True, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl every website of the pemda's units; returns the crawl stats (``finish_reason`` ...).

    Scrapy's log goes to ``$SPBE_HOME/logs/`` so the terminal shows the progress bar and the summary.
    """
    settings = survey_settings(overrides)
    if not settings.get("LOG_FILE"):
        logs = config.home_dir() / "logs"
        logs.mkdir(exist_ok=True)
        settings.set("LOG_FILE", str(logs / f"survei-{pemda_code}-{datetime.now():%Y%m%d-%H%M%S}.log"), priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("survey")
    refused: list[BaseException] = []
    crawl = process.crawl(crawler, pemda=pemda_code, resume="1" if resume else "0")
    crawl.addErrback(lambda failure: refused.append(failure.value) if failure.check(RunBusy) else failure)
    process.start()
    if refused:  # the store saw another live run when the spider opened: nothing was crawled
        raise refused[0]
    stats = crawler.stats.get_stats() if crawler.stats else {}
    stats["run_id"] = stats.get("spbe/run_id")
    return stats
