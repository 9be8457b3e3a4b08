"""The scrapy-redis scheduler with one frontier key per crawl: ``<prefix>:frontier:<name>``, the name
being a worker's unit crawl (``worker-<id>``) or a pemda's finish crawl (its code)."""

from __future__ import annotations

import itertools
from typing import Any

from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler


class LifoPriorityQueue(PriorityQueue):
    """scrapy-redis's sorted-set queue, popping equal priorities newest first like Scrapy's own memory
    queue (``LifoMemoryQueue``). The plain one scores by priority only, and Redis orders equal scores
    by their bytes: a retried homepage (Retry-After) then waited behind every other pending homepage,
    long enough to be refused again. Each frontier key belongs to one crawl (the page requests of a
    site stay with the worker holding the site's state), so an in-process counter orders its pushes;
    the frontier is flushed when a crawl starts."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._pushed = itertools.count(1)

    def push(self, request: Any) -> None:
        score = -request.priority * 1e9 - next(self._pushed)  # exact in a double below 2**53
        self.server.execute_command("ZADD", self.key, score, self._encode_request(request))


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler; its queue and dupefilter keys name the crawl (``frontier_name`` of the
    spider, else its pemda).

    The queue is a Redis sorted set (:class:`LifoPriorityQueue`), so the survey's request priorities
    (finish started sites first) hold. Every survey request is ``dont_filter`` (each site's
    frontier deduplicates its own links), so the Redis dupefilter stays empty.
    """

    prefix = "spbe"

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.prefix = crawler.settings.get("SPBE_REDIS_PREFIX", "spbe")
        return scheduler

    def open(self, spider: Any) -> None:
        name = getattr(spider, "frontier_name", None) or getattr(spider, "pemda", None) or spider.name
        self.queue_key = f"{self.prefix}:frontier:{name}"
        self.dupefilter_key = f"{self.prefix}:seen:{name}"
        if self.df is None:
            self.df = load_object(self.dupefilter_cls)(self.server, key=self.dupefilter_key)
        super().open(spider)
