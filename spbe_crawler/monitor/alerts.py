"""Alerts: a site went down, recovered, or its certificate is about to expire.

Events come from the database (open incidents, closed incidents, latest certificates), so an
alert missed by a crashed process is sent by the next sweep. ``AlertLog`` has one row per
(event, channel): a delivered row is never sent again, a failed one is retried up to
``SPBE_ALERT_MAX_ATTEMPTS`` times. A recovery is announced only on channels that announced the outage.
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from spbe_crawler.health.status import info
from spbe_crawler.monitor.maintenance import active_windows, window_for
from spbe_crawler.monitor.settings import MonitorSettings
from spbe_crawler.net.httpx_errors import MAX_DETAIL, classify_httpx_error
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_monitor import AlertLog
from spbe_crawler.store.monitor_queries import alert_logs, certificates_expiring, incidents_to_alert

RECOVERY_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Alert:
    kind: str  # down | recovered | cert_expiring
    event_key: str
    website_id: int
    url: str
    unit_name: str
    status: str = ""
    detail: str = ""
    incident_id: int | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    cert_expires_at: datetime | None = None
    days_left: int | None = None

    @property
    def subject(self) -> str:
        if self.kind == "down":
            return f"[SPBE] Situs tidak dapat diakses: {self.url}"
        if self.kind == "recovered":
            return f"[SPBE] Situs pulih: {self.url}"
        return f"[SPBE] Sertifikat TLS kedaluwarsa dalam {self.days_left} hari: {self.url}"

    @property
    def text(self) -> str:
        lines = [self.subject, f"Unit: {self.unit_name}", f"Alamat: {self.url}"]
        if self.kind in ("down", "recovered"):
            lines.append(f"Status: {info(self.status).label} ({self.status}) {self.detail}".rstrip())
            lines.append(f"Mulai: {self.started_at:%Y-%m-%d %H:%M} UTC" if self.started_at else "")
        if self.kind == "recovered" and self.started_at and self.ended_at:
            minutes = round((self.ended_at - self.started_at).total_seconds() / 60)
            lines.append(f"Pulih: {self.ended_at:%Y-%m-%d %H:%M} UTC (durasi {minutes} menit)")
        if self.cert_expires_at:
            lines.append(f"Sertifikat berlaku hingga: {self.cert_expires_at:%Y-%m-%d %H:%M} UTC")
        return "\n".join(line for line in lines if line)

    def payload(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "event": self.kind,
            "event_key": self.event_key,
            "website_id": self.website_id,
            "url": self.url,
            "unit": self.unit_name,
            "status": self.status,
            "status_label": info(self.status).label if self.status else "",
            "detail": self.detail,
            "incident_id": self.incident_id,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at),
            "cert_expires_at": iso(self.cert_expires_at),
            "days_left": self.days_left,
            "message": self.text,
        }


class Notifier(Protocol):
    """An alert channel. ``send`` returns None when delivered, else the error text (never raises)."""

    channel: str

    async def send(self, alert: Alert) -> str | None: ...


class WebhookNotifier:
    """POSTs the alert as JSON; any 2xx answer counts as delivered."""

    channel = "webhook"

    def __init__(self, url: str, timeout: float = 10.0):
        self.url, self.timeout = url, timeout

    async def send(self, alert: Alert) -> str | None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json=alert.payload())
        except Exception as exc:  # a failed delivery is recorded, not raised
            return classify_httpx_error(exc)[1]
        return None if response.is_success else f"webhook menjawab HTTP {response.status_code}"


class EmailNotifier:
    """Sends the alert as a plain-text e-mail over SMTP (optionally STARTTLS and login)."""

    channel = "email"

    def __init__(self, settings: MonitorSettings):
        self.settings = settings
        self.recipients = [a.strip() for a in settings.email_to.split(",") if a.strip()]

    def _send_sync(self, alert: Alert) -> None:
        s = self.settings
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = alert.subject, s.email_from, ", ".join(self.recipients)
        message.set_content(alert.text)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.webhook_timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(message)

    async def send(self, alert: Alert) -> str | None:
        try:
            await asyncio.to_thread(self._send_sync, alert)
        except (smtplib.SMTPException, OSError) as exc:
            return f"pengiriman surel gagal: {exc}"[:MAX_DETAIL]
        return None


class TelegramNotifier:
    """Sends the alert text to a Telegram chat through the Bot API (``sendMessage``).

    ``api`` is the Bot API base URL (a local Bot API server, or a test's fake one); the bot
    token is part of the URL path, so it never appears in a recorded error."""

    channel = "telegram"

    def __init__(self, token: str, chat_id: str, api: str = "https://api.telegram.org", timeout: float = 10.0):
        self.token, self.chat_id, self.api, self.timeout = token, chat_id, api.rstrip("/"), timeout

    async def send(self, alert: Alert) -> str | None:
        payload = {"chat_id": self.chat_id, "text": alert.text[:4096], "disable_web_page_preview": True}
        try:
            async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
                response = await client.post(f"{self.api}/bot{self.token}/sendMessage", json=payload)
                answer = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        except Exception as exc:  # a failed delivery is recorded, not raised
            return classify_httpx_error(exc)[1].replace(self.token, "<token>")
        if response.is_success and answer.get("ok"):
            return None
        reason = str(answer.get("description", ""))[:200].replace(self.token, "<token>")
        return f"Telegram menjawab HTTP {response.status_code}" + (f": {reason}" if reason else "")


def notifiers_from_settings(settings: MonitorSettings) -> list[Notifier]:
    chosen: list[Notifier] = []
    if settings.webhook_url:
        chosen.append(WebhookNotifier(settings.webhook_url, settings.webhook_timeout))
    if settings.smtp_host and settings.email_to:
        chosen.append(EmailNotifier(settings))
    if settings.telegram_token and settings.telegram_chat_id:
        chosen.append(TelegramNotifier(settings.telegram_token, settings.telegram_chat_id, settings.telegram_api, settings.webhook_timeout))
    return chosen


def _incident_alerts(session: Session, scope: str, now: datetime) -> list[Alert]:
    windows = active_windows(session, now)
    alerts = []
    for incident, url, unit_name, unit_code in incidents_to_alert(session, scope, now - RECOVERY_WINDOW):
        kind = "down" if incident.ended_at is None else "recovered"
        if kind == "down" and window_for(windows, incident.website_id, unit_code) is not None:
            continue  # planned maintenance: alerted only if still down when the window ends
        alerts.append(
            Alert(
                kind,
                f"{kind}:{incident.id}",
                incident.website_id,
                url,
                unit_name,
                incident.status,
                incident.detail,
                incident.id,
                incident.started_at,
                incident.ended_at,
            )
        )
    return alerts


def _cert_alerts(session: Session, scope: str, settings: MonitorSettings, now: datetime) -> list[Alert]:
    thresholds = settings.cert_thresholds
    if not thresholds:
        return []
    alerts = []
    for probe, url, unit_name in certificates_expiring(session, scope, now - timedelta(days=2), now + timedelta(days=max(thresholds))):
        expires = probe.tls_expires_at
        days_left = int((expires - now).total_seconds() // 86400)  # type: ignore[operator]
        if days_left < 0:
            continue  # already expired: the probe is a tls_error and the outage alert covers it
        threshold = min(t for t in thresholds if t >= days_left)
        key = f"cert:{probe.website_id}:{expires:%Y%m%d}:{threshold}"
        alerts.append(Alert("cert_expiring", key, probe.website_id, url, unit_name, cert_expires_at=expires, days_left=days_left))
    return alerts


def pending_alerts(engine: Engine, scope: str, settings: MonitorSettings, now: datetime | None = None) -> list[Alert]:
    now = now or utcnow()
    with Session(engine) as session:
        return _incident_alerts(session, scope, now) + _cert_alerts(session, scope, settings, now)


def _logs(engine: Engine, keys: list[str]) -> dict[tuple[str, str], AlertLog]:
    with Session(engine, expire_on_commit=False) as session:
        return alert_logs(session, keys)


def _record(engine: Engine, outcomes: list[tuple[Alert, str, str | None]]) -> None:
    """Record delivery attempts in the outbox (``AlertLog``): sent, or failed with the reason."""
    if not outcomes:
        return
    now = utcnow()
    with Session(engine) as session:
        rows = alert_logs(session, {alert.event_key for alert, _, _ in outcomes})
        for alert, channel, error in outcomes:
            row = rows.get((alert.event_key, channel)) or AlertLog(
                event_key=alert.event_key, channel=channel, kind=alert.kind, website_id=alert.website_id, incident_id=alert.incident_id
            )
            rows[(alert.event_key, channel)] = row
            row.attempts += 1
            row.updated_at = now
            row.sent_at, row.last_error = (now, "") if error is None else (None, error[:MAX_DETAIL])
            session.add(row)
        session.commit()


def _due(alert: Alert, channel: str, logs: dict[tuple[str, str], AlertLog], max_attempts: int) -> bool:
    log = logs.get((alert.event_key, channel))
    if log is not None and (log.sent_at is not None or log.attempts >= max_attempts):
        return False
    if alert.kind == "recovered":
        down = logs.get((f"down:{alert.incident_id}", channel))
        return down is not None and down.sent_at is not None
    return True


BUDGET_EXCEEDED = "batas waktu pengiriman peringatan habis; dicoba lagi pada sapuan berikutnya"
STOPPED = "pengiriman dihentikan (proses dihentikan); dicoba lagi pada sapuan berikutnya"


async def dispatch_alerts(
    engine: Engine,
    notifiers: list[Notifier],
    scope: str,
    settings: MonitorSettings,
    now: datetime | None = None,
    shard: tuple[int, int] | None = None,
) -> int:
    """Send every due alert of ``scope`` on every channel once; returns how many were delivered.

    Deliveries run concurrently (``SPBE_ALERT_CONCURRENCY``) within a total budget
    (``SPBE_ALERT_BUDGET`` seconds): a channel that never answers costs the budget at most, once.
    Every attempt is recorded in the outbox; what failed or ran out of time is retried by the next
    dispatch, up to ``SPBE_ALERT_MAX_ATTEMPTS``. Cancelled (SIGTERM), it records what it knows.
    """
    if not notifiers:
        return 0
    alerts = await asyncio.to_thread(pending_alerts, engine, scope, settings, now)
    if shard is not None and shard[1] > 1:  # a shard alerts about its own websites only
        alerts = [a for a in alerts if a.website_id % shard[1] == shard[0]]
    keys = [a.event_key for a in alerts] + [f"down:{a.incident_id}" for a in alerts if a.kind == "recovered"]
    logs = await asyncio.to_thread(_logs, engine, keys)
    jobs = [(alert, n) for alert in alerts for n in notifiers if _due(alert, n.channel, logs, settings.alert_max_attempts)]
    if not jobs:
        return 0
    gate = asyncio.Semaphore(max(1, settings.alert_concurrency))

    async def deliver(alert: Alert, notifier: Notifier) -> str | None:
        async with gate:
            return await notifier.send(alert)

    tasks = [asyncio.create_task(deliver(alert, notifier)) for alert, notifier in jobs]
    unfinished = BUDGET_EXCEEDED
    try:
        await asyncio.wait(tasks, timeout=max(0.1, settings.alert_budget))
    except asyncio.CancelledError:
        unfinished = STOPPED
        raise
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        outcomes: list[tuple[Alert, str, str | None]] = []
        for (alert, notifier), task in zip(jobs, tasks, strict=True):
            done = task.done() and not task.cancelled() and task.exception() is None
            outcomes.append((alert, notifier.channel, task.result() if done else unfinished))
        await asyncio.shield(asyncio.to_thread(_record, engine, outcomes))
    return sum(error is None for _, _, error in outcomes)
