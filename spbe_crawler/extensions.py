"""A progress bar of surveyed websites on a terminal (silent when output is not a terminal)."""

from __future__ import annotations

import sys
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from scrapy import signals
from scrapy.exceptions import NotConfigured

from spbe_crawler.items import SiteCheckItem


class ProgressExtension:
    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]Survei situs"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[last]}"),
            TimeElapsedColumn(),
            transient=False,
        )
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        wanted = str(crawler.settings.get("SPBE_PROGRESS") or "").strip()
        if not (wanted == "1" or (wanted == "" and sys.stderr.isatty())):
            raise NotConfigured
        extension = cls()
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item: Any, spider: Any) -> None:
        if not isinstance(item, SiteCheckItem):
            return
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("survei", total=getattr(spider, "total_sites", None), last="")
        self.progress.update(self.task, advance=1, last=f"{item.status} {item.url[:40]}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None:
            self.progress.stop()
