"""Queries of the web workspace: accounts, the login throttle, and the reads its pages need
that no other part of the tool makes (one website's history, the pemda that have data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from spbe_crawler.store.models import CrawlRun, Finding, Probe, Score, SiteCheck, Unit, Website, utcnow
from spbe_crawler.store.models_web import LoginThrottle, WebUser
from spbe_crawler.vocab import UnitKind, WebsiteState

# -- accounts -------------------------------------------------------------------------------------


def user_by_name(session: Session, username: str) -> WebUser | None:
    return session.exec(select(WebUser).where(WebUser.username == username)).first()


def all_users(session: Session) -> list[WebUser]:
    return list(session.exec(select(WebUser).order_by(col(WebUser.username))))


def save_user(session: Session, user: WebUser) -> WebUser:
    session.add(user)
    session.flush()
    return user


def mark_login(session: Session, user: WebUser, now: datetime | None = None) -> None:
    user.last_login_at = now or utcnow()
    session.add(user)


# -- login throttle -------------------------------------------------------------------------------


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; the store only ever writes UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    """The latest lock still running on any of ``keys``, or None."""
    rows = session.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(keys)))
    locks = [lock for row in rows if (lock := _aware(row.locked_until)) is not None and lock > now]
    return max(locks) if locks else None


def record_failure(session: Session, key: str, now: datetime, limit: int, window: timedelta, lockout: timedelta) -> LoginThrottle:
    """Count one failed login of ``key``; the ``limit``-th failure within ``window`` locks it for ``lockout``."""
    row = session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0, window_start=now)
    start = _aware(row.window_start) or now
    if now - start > window:
        row.failures, row.window_start = 0, now
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = now + lockout
        row.failures, row.window_start = 0, now
    session.add(row)
    session.flush()
    return row


def clear_failures(session: Session, key: str) -> None:
    row = session.get(LoginThrottle, key)
    if row is not None:
        session.delete(row)


# -- pages ----------------------------------------------------------------------------------------


def pemda_with_data(session: Session) -> list[Unit]:
    """Pemda units that have been surveyed or assessed, by code."""
    surveyed = select(CrawlRun.scope)
    scored = select(Score.pemda_code)
    query = select(Unit).where(Unit.kind == UnitKind.PEMDA.value, col(Unit.code).in_(surveyed) | col(Unit.code).in_(scored))
    return list(session.exec(query.order_by(col(Unit.code))))


def website_with_unit(session: Session, website_id: int) -> tuple[Website, Unit] | None:
    row = session.exec(select(Website, Unit).join(Unit, col(Unit.code) == col(Website.unit_code)).where(Website.id == website_id)).first()
    return (row[0], row[1]) if row else None


def site_history(session: Session, website_id: int, limit: int = 50) -> list[tuple[SiteCheck, CrawlRun]]:
    """The website's health in each survey that checked it, oldest first (at most ``limit``, newest kept)."""
    query = (
        select(SiteCheck, CrawlRun)
        .join(CrawlRun, col(CrawlRun.id) == col(SiteCheck.run_id))
        .where(SiteCheck.website_id == website_id)
        .order_by(col(SiteCheck.run_id).desc())
        .limit(limit)
    )
    rows = [(check, run) for check, run in session.exec(query)]
    return rows[::-1]


def website_findings(session: Session, website_id: int, run_id: int) -> list[Finding]:
    query = select(Finding).where(Finding.website_id == website_id, Finding.run_id == run_id)
    return list(session.exec(query.order_by(col(Finding.service), col(Finding.id))))


def recent_probes(session: Session, website_id: int, limit: int = 20) -> list[Probe]:
    query = select(Probe).where(Probe.website_id == website_id).order_by(col(Probe.id).desc()).limit(limit)
    return list(session.exec(query))


def probe_count(session: Session, website_id: int) -> int:
    return int(session.exec(select(func.count()).select_from(Probe).where(Probe.website_id == website_id)).one())


def pemda_of_site(session: Session, host: str, website_id: int | None = None) -> str | None:
    """The pemda whose scope holds the (non-rejected) website ``host`` (or website ``website_id`` on it)."""
    query = select(Unit.code, Unit.pemda_code).join(Website, col(Website.unit_code) == col(Unit.code))
    query = query.where(Website.host == host, Website.state != WebsiteState.REJECTED.value)
    if website_id is not None:
        query = query.where(Website.id == website_id)
    row = session.exec(query.limit(1)).first()
    return (row[1] or row[0]) if row else None
