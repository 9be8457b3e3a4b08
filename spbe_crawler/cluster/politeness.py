"""Per-IP politeness across workers: a counting semaphore per server address, held in Redis.

Scrapy's ``CONCURRENT_REQUESTS_PER_IP`` limits one process. Many OPD sites of several pemda can sit
on one Diskominfo or hosting server, and with N workers that server would get N times the limit. This
downloader middleware takes one of ``SPBE_CLUSTER_PER_IP`` slots of the request's server address before
the download and gives it back after; the slots are members of a Redis sorted set scored by their
expiry, so a slot held by a killed worker frees itself after ``DOWNLOAD_TIMEOUT`` + a margin.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from typing import Any

import redis.asyncio as aioredis
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from spbe_crawler.net.twisted_resolver import policy_from_settings

logger = logging.getLogger(__name__)

# KEYS[1] slot set; ARGV: now (ms), expiry (ms), limit, token. 1 when the slot is taken.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) - tonumber(ARGV[1]))
  return 1
end
return 0
"""


class SharedIpSlots:
    """Downloader middleware (enabled by the worker): at most ``limit`` requests per IP, all workers together."""

    def __init__(self, url: str, prefix: str, limit: int, hold_seconds: float, policy: Any):
        self.client = aioredis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self.limit = limit
        self.hold_ms = int(hold_seconds * 1000)
        self.policy = policy
        self._acquire = self.client.register_script(_ACQUIRE)
        self._addresses: OrderedDict[tuple[str, int], str] = OrderedDict()
        self.waits = 0  # how often a request had to wait for a slot (a figure for tests and benches)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedIpSlots:
        settings = crawler.settings
        url = settings.get("SPBE_REDIS_URL")
        if not url:
            raise NotConfigured("SPBE_REDIS_URL tidak diatur")
        limit = settings.getint("SPBE_CLUSTER_PER_IP") or settings.getint("CONCURRENT_REQUESTS_PER_IP") or 4
        hold = settings.getfloat("DOWNLOAD_TIMEOUT") * (settings.getint("SPBE_HTTP_RETRY_TIMES") + 1) + 30
        return cls(url, settings.get("SPBE_REDIS_PREFIX", "spbe"), limit, hold, policy_from_settings(settings))

    async def _address(self, host: str, port: int) -> str:
        key = (host, port)
        if key not in self._addresses:
            try:
                resolved = await asyncio.get_running_loop().run_in_executor(None, self.policy.resolve, host, port)
                address = resolved[0][0] if resolved else f"host:{host}"
            except Exception:  # unknown or forbidden name: the download reports it; the slot is per name
                address = f"host:{host}"
            self._addresses[key] = address
            while len(self._addresses) > 50_000:
                self._addresses.popitem(last=False)
        return self._addresses[key]

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        address = await self._address((parts.hostname or "").lower(), port)
        key = f"{self.prefix}:ip:{address}"
        token = uuid.uuid4().hex
        delay = 0.02
        while True:
            now = await self._now_ms()
            if await self._acquire(keys=[key], args=[now, now + self.hold_ms, self.limit, token]):
                break
            self.waits += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)
        request.meta["_ip_slot"] = (key, token)
        return None

    async def _now_ms(self) -> int:
        seconds, micros = await self.client.time()  # one clock for every worker: the Redis server's
        return int(seconds) * 1000 + int(micros) // 1000

    async def _release(self, request: Request) -> None:
        slot = request.meta.pop("_ip_slot", None)
        if slot:
            await self.client.zrem(slot[0], slot[1])

    async def process_response(self, request: Request, response: Any) -> Any:
        await self._release(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._release(request)
        return None
