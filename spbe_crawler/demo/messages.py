"""Requests and responses between the HTTP servers and the demo's site logic (no sockets here)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
SEARCH_BOTS = ("googlebot", "bingbot", "yandexbot", "baiduspider", "duckduckbot")
CRAWLER_MARKS = ("spbe", "scrapy")


@dataclass(frozen=True)
class Request:
    method: str
    scheme: str
    host: str
    path: str  # without the query; may carry ";jsessionid=..." parameters
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    @property
    def target(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def user_agent(self) -> str:
        return self.headers.get("user-agent", "")

    def is_search_bot(self) -> bool:
        agent = self.user_agent.lower()
        return any(bot in agent for bot in SEARCH_BOTS)

    def is_crawler(self) -> bool:
        """The survey's own crawler (or any Scrapy), as a web application firewall would see it."""
        agent = self.user_agent.lower()
        return any(mark in agent for mark in CRAWLER_MARKS)


@dataclass
class Response:
    status: int
    body: bytes | Iterable[bytes] = b""
    content_type: str = HTML
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None  # required when ``body`` is an iterable of chunks

    @property
    def content_length(self) -> int:
        if isinstance(self.body, bytes):
            return len(self.body)
        if self.length is None:
            raise ValueError("a streamed body needs its length")
        return self.length


def html(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode("utf-8"), HTML, headers or [])


def plain(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"), TEXT)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", HTML, [("Location", location)])
