"""A progress bar of surveyed websites on a terminal (silent when output is not a terminal)."""

from __future__ import annotations

import sys
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from scrapy import signals
from scrapy.exceptions import NotConfigured

from spbe_crawler.items import SiteCheckItem

# Sent by the survey spider when a discovery attempt (a guessed or linked host) is settled.
discovery_step = object()


class ProgressExtension:
    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            transient=False,
        )
        self.task: Any = None
        self.discovery_task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        wanted = str(crawler.settings.get("SPBE_PROGRESS") or "").strip()
        if not (wanted == "1" or (wanted == "" and sys.stderr.isatty())):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.discovery_step, signal=discovery_step)
        return extension

    def discovery_step(self, spider: Any, done: int, total: int) -> None:
        if self.discovery_task is None:
            self._start()
            self.discovery_task = self.progress.add_task("Penemuan situs", total=total, last="nama host ditebak/ditautkan")
        self.progress.update(self.discovery_task, completed=done, total=total)

    def _start(self) -> None:
        if self.task is None and self.discovery_task is None:
            self.progress.start()

    def item_scraped(self, item: Any, spider: Any) -> None:
        if not isinstance(item, SiteCheckItem):
            return
        if self.task is None:
            self._start()
            self.task = self.progress.add_task("Survei situs", total=getattr(spider, "total_sites", None), last="")
        self.progress.update(self.task, advance=1, total=getattr(spider, "total_sites", None), last=f"{item.status} {item.url[:40]}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None or self.discovery_task is not None:
            self.progress.stop()
