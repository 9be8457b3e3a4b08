"""Survey progress: a bar on a terminal, plain periodic lines elsewhere (CI, ``tee``, cron).

It counts websites whose check is finished against the websites to check, which grows when
discovery finds new sites (so the count never passes the total), and estimates the time left
from the pace so far; discovery (guessed and linked host names) has its own count.
``SPBE_PROGRESS``: ``1`` bar, ``baris`` lines, ``0`` off, empty: bar on a terminal, lines
otherwise (every ``SPBE_PROGRESS_INTERVAL`` seconds, and once at the end).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

from spbe_crawler.health.status import works
from spbe_crawler.items import SiteCheckItem

MODES = {"1": "bar", "bar": "bar", "baris": "lines", "lines": "lines", "0": "off"}

# Sent by the survey spider when a discovery attempt (a guessed or linked host) is settled.
discovery_step = object()


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} jam {minutes} menit"
    if minutes:
        return f"{minutes} menit {secs} detik"
    return f"{secs} detik"


class SurveyProgress:
    """The numbers: done and total websites, working ones, discovered ones, pace and ETA."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started = clock()
        self.planned = 0  # websites to check, discovered ones included (the spider's total_sites)
        self.discovered = 0
        self.done = 0
        self.working = 0
        self.discovery_done = 0
        self.discovery_total = 0

    @property
    def total(self) -> int:
        return max(self.planned, self.done)

    def eta_seconds(self) -> float | None:
        elapsed = self.clock() - self.started
        if self.done == 0 or elapsed <= 0:
            return None
        return (self.total - self.done) * elapsed / self.done

    def line(self) -> str:
        """``Survei situs: 40/80 (50%), 31 berfungsi, 3 ditemukan; 1 menit 5 detik berjalan, perkiraan selesai 1 menit 5 detik lagi``."""
        percent = 100 * self.done // self.total if self.total else 0
        found = f", {self.discovered} ditemukan" if self.discovered else ""
        eta = self.eta_seconds()
        left = "" if eta is None or self.done >= self.total else f", perkiraan selesai {_duration(eta)} lagi"
        discovery = f"; penemuan situs {self.discovery_done}/{self.discovery_total}" if self.discovery_total else ""
        return (
            f"Survei situs: {self.done}/{self.total} ({percent}%), {self.working} berfungsi{found}{discovery}; "
            f"{_duration(self.clock() - self.started)} berjalan{left}"
        )


class ProgressExtension:
    def __init__(self, mode: str, interval: float = 30.0, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.mode, self.interval = mode, max(interval, 1.0)
        self.stream = stream or sys.stderr
        self.state = SurveyProgress(clock)
        self.clock = clock
        self.last_line = clock()
        self.bar: Any = None
        self.task: Any = None
        self.discovery_task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        wanted = str(crawler.settings.get("SPBE_PROGRESS") or "").strip().lower()
        mode = MODES.get(wanted) or ("bar" if sys.stderr.isatty() else "lines")
        if mode == "off":
            raise NotConfigured
        extension = cls(mode, crawler.settings.getfloat("SPBE_PROGRESS_INTERVAL", 30.0))
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.discovery_step, signal=discovery_step)
        return extension

    # --- what the crawl tells ----------------------------------------------------------------
    def discovery_step(self, spider: Any, done: int, total: int) -> None:
        self.state.discovery_done, self.state.discovery_total = done, total
        if self.mode == "bar":
            bar = self._bar()
            if self.discovery_task is None:
                self.discovery_task = bar.add_task("Penemuan situs", total=total, last="nama host ditebak/ditautkan")
            bar.update(self.discovery_task, completed=done, total=total)
        elif self.clock() - self.last_line >= self.interval:
            self._print_line()

    def item_scraped(self, item: Any, spider: Any) -> None:
        if not isinstance(item, SiteCheckItem):
            return
        state = self.state
        state.planned = int(getattr(spider, "total_sites", 0) or 0)  # grows with discovered sites
        state.discovered = abs(int(getattr(spider, "_discovered_keys", 0) or 0))
        state.done += 1
        state.working += works(item.status)
        if self.mode == "bar":
            self._advance_bar(item)
        elif self.clock() - self.last_line >= self.interval:
            self._print_line()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.bar is not None:
            self.bar.stop()
        elif self.mode == "lines" and self.state.done:
            self._print_line()

    # --- output ------------------------------------------------------------------------------
    def _print_line(self) -> None:
        self.last_line = self.clock()
        print(self.state.line(), file=self.stream, flush=True)

    def _bar(self) -> Any:
        if self.bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                TimeElapsedColumn(),
                TextColumn("sisa"),
                TimeRemainingColumn(),
                transient=False,
            )
            self.bar.start()
        return self.bar

    def _advance_bar(self, item: SiteCheckItem) -> None:
        bar = self._bar()
        if self.task is None:
            self.task = bar.add_task("Survei situs", total=self.state.total, last="")
        bar.update(self.task, completed=self.state.done, total=self.state.total, last=f"{item.status} {item.url[:40]}")
