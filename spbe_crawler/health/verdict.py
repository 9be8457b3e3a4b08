"""The verdict of a content check: which status a page deserves, why, and the text that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from spbe_crawler.health.status import Status
from spbe_crawler.matching.snippets import SNIPPET_CHARS


@dataclass(frozen=True)
class Verdict:
    status: str  # a :class:`Status` value
    rule_id: str
    detail: str  # Indonesian, for the report
    snippet: str  # plain text from the page, at most 200 characters; escape it when rendering

    def __post_init__(self) -> None:
        Status(self.status)  # an unknown status is a programming error, not a page problem
        if len(self.snippet) > SNIPPET_CHARS:
            object.__setattr__(self, "snippet", self.snippet[:SNIPPET_CHARS])
