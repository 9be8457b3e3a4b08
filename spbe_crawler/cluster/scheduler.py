"""The scrapy-redis scheduler with one frontier key per pemda crawl (``<prefix>:frontier:<pemda>``)."""

from __future__ import annotations

from typing import Any

from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler; its queue and dupefilter keys name the pemda being crawled.

    The queue is a Redis sorted set (``scrapy_redis.queue.PriorityQueue``), so the survey's request
    priorities (finish started sites first) hold. Every survey request is ``dont_filter`` (each site's
    frontier deduplicates its own links), so the Redis dupefilter stays empty.
    """

    prefix = "spbe"

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.prefix = crawler.settings.get("SPBE_REDIS_PREFIX", "spbe")
        return scheduler

    def open(self, spider: Any) -> None:
        pemda = getattr(spider, "pemda", None) or spider.name
        self.queue_key = f"{self.prefix}:frontier:{pemda}"
        self.dupefilter_key = f"{self.prefix}:seen:{pemda}"
        if self.df is None:
            self.df = load_object(self.dupefilter_cls)(self.server, key=self.dupefilter_key)
        super().open(spider)
