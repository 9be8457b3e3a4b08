"""The N-of-M confirmation of a failure as a state machine over attempts, so the attempts of one
confirmation can be spread over time: in one call (:meth:`Prober.confirm`) or across sweeps, with
the open window kept in the ``PendingCheck`` table in between.

A window opens at a failure of a site with no open incident; a first success ends it at once. The
site is down when ``need`` of at most ``budget`` attempts failed, and up as soon as that can no
longer happen. A site with an open incident needs no confirmation: confirmation guards the opening
of an incident, not its continuation (closing still takes K successes, see :mod:`incidents`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from spbe_crawler.health.status import works
from spbe_crawler.monitor.probe_result import ProbeResult
from spbe_crawler.net.httpx_errors import MAX_DETAIL


@dataclass(frozen=True)
class Window:
    """An open confirmation: attempts so far (the first one failed) and when the next may start."""

    started_at: datetime
    attempts: int
    failures: int
    status: str
    detail: str
    due_at: datetime


@dataclass(frozen=True)
class Rule:
    need: int  # N failures ...
    budget: int  # ... of at most M attempts
    delay: float  # seconds between the starts of two attempts

    @classmethod
    def of(cls, failures: int, attempts: int, delay: float) -> Rule:
        need = max(1, failures)
        return cls(need, max(attempts, need), max(0.0, delay))


def step(rule: Rule, window: Window | None, attempt: ProbeResult, known_down: bool = False) -> tuple[ProbeResult | None, Window | None]:
    """Add one attempt: ``(verdict, None)`` when the confirmation ends, ``(None, window)`` while it
    goes on. The down verdict is the last failed attempt, dated from the first and saying how many
    failed; the up verdict is the success that ended it."""
    failed = not works(attempt.status)
    if window is None:
        if known_down or not failed or rule.need <= 1:
            return attempt, None
        started = attempt.started_at
        return None, Window(started, 1, 1, attempt.status, attempt.detail, started + timedelta(seconds=rule.delay))
    attempts, failures = window.attempts + 1, window.failures + int(failed)
    if failed and failures >= rule.need:
        detail = f"{attempt.detail} ({failures} dari {attempts} percobaan gagal)"[:MAX_DETAIL]
        return replace(attempt, started_at=window.started_at, detail=detail), None
    if not failed and attempts - failures > rule.budget - rule.need:
        return attempt, None
    status, detail = (attempt.status, attempt.detail) if failed else (window.status, window.detail)
    due = attempt.started_at + timedelta(seconds=rule.delay)
    return None, Window(window.started_at, attempts, failures, status, detail, due)
