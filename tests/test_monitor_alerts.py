"""Alerts over a real webhook receiver and a real SMTP server (aiosmtpd): once per event and channel."""

from __future__ import annotations

import asyncio
import email

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select
from test_monitor_support import ZONE, LocalWeb, free_port, quick_settings, seed_sites

from spbe_crawler.monitor.alerts import WebhookNotifier, dispatch_alerts, notifiers_from_settings
from spbe_crawler.monitor.sweep import run_sweep
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models_monitor import AlertLog


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def inbox():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'alerts.sqlite3'}")


def _settings(web: LocalWeb, smtp_port: int, **extra: object):
    return quick_settings(
        webhook_url=f"http://127.0.0.1:{web.http_port}/hook",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        email_to="admin@bandarlampungkota.go.id",
        **extra,
    )


def _sweep(engine, web: LocalWeb, settings) -> int:
    summary = asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy()))
    return summary.alerts_sent


def test_down_and_recovery_are_alerted_once_per_channel(engine, web: LocalWeb, inbox) -> None:
    handler, port = inbox
    settings = _settings(web, port)
    assert [n.channel for n in notifiers_from_settings(settings)] == ["webhook", "email"]
    seed_sites(engine, [("layanan", "portal", f"http://toggle.{ZONE}/")])
    web.hook_bodies.clear()
    web.modes.update(toggle=503, hook=200)
    assert _sweep(engine, web, settings) == 2
    assert _sweep(engine, web, settings) == 0  # same incident: no repeat
    assert [b["event"] for b in web.hook_bodies] == ["down"]
    body = web.hook_bodies[0]
    assert body["url"] == f"http://toggle.{ZONE}/" and body["status"] == "http_error" and body["incident_id"]
    assert handler.messages[0]["Subject"] == f"[SPBE] Situs tidak dapat diakses: http://toggle.{ZONE}/"
    assert "Galat HTTP" in handler.messages[0].get_payload()

    web.modes["toggle"] = 200
    assert _sweep(engine, web, settings) == 0  # one success does not close the incident (K=2)
    assert _sweep(engine, web, settings) == 2
    assert _sweep(engine, web, settings) == 0
    assert [b["event"] for b in web.hook_bodies] == ["down", "recovered"]
    assert [m["Subject"].split(":")[0] for m in handler.messages] == ["[SPBE] Situs tidak dapat diakses", "[SPBE] Situs pulih"]
    assert web.hook_bodies[1]["ended_at"] is not None


def test_failed_delivery_is_retried_until_it_succeeds_or_gives_up(engine, web: LocalWeb) -> None:
    settings = quick_settings(alert_max_attempts=3)
    seed_sites(engine, [("mati", "opd", "http://tidakada.hilang.test/")])
    asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy(), notifiers=[]))
    hook = WebhookNotifier(f"http://127.0.0.1:{web.http_port}/hook", timeout=2)
    web.hook_bodies.clear()
    web.modes["hook"] = 500
    assert asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings)) == 0
    with Session(engine) as session:
        log = session.exec(select(AlertLog)).one()
        assert (log.attempts, log.sent_at, log.last_error) == (1, None, "webhook menjawab HTTP 500")
    web.modes["hook"] = 200
    assert asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings)) == 1
    assert asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings)) == 0
    assert len(web.hook_bodies) == 2  # one refused, one delivered

    seed_sites(engine, [("mati2", "opd", "http://juga-tidakada.hilang.test/")])
    asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy(), notifiers=[]))
    web.modes["hook"] = 500
    for _ in range(5):
        asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings))
    with Session(engine) as session:
        logs = {log.attempts for log in session.exec(select(AlertLog).where(AlertLog.sent_at == None))}  # noqa: E711
    assert logs == {3}  # gave up after SPBE_ALERT_MAX_ATTEMPTS
    web.modes["hook"] = 200


def test_unreachable_webhook_is_a_value(engine, web: LocalWeb) -> None:
    seed_sites(engine, [("mati", "opd", "http://tidakada.hilang.test/")])
    settings = quick_settings()
    asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy(), notifiers=[]))
    hook = WebhookNotifier(f"http://127.0.0.1:{web.refused_port}/hook", timeout=2)
    assert asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings)) == 0
    with Session(engine) as session:
        assert "ditolak" in session.exec(select(AlertLog)).one().last_error


def test_recovery_is_not_announced_when_the_outage_was_not(engine, web: LocalWeb) -> None:
    seed_sites(engine, [("layanan", "portal", f"http://toggle.{ZONE}/")])
    web.modes["toggle"] = 500
    settings = quick_settings()
    asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy(), notifiers=[]))
    web.modes["toggle"] = 200
    for _ in range(2):
        asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy(), notifiers=[]))
    web.hook_bodies.clear()
    hook = WebhookNotifier(f"http://127.0.0.1:{web.http_port}/hook")
    assert asyncio.run(dispatch_alerts(engine, [hook], "18.71", settings)) == 0
    assert web.hook_bodies == []


@pytest.mark.parametrize(
    ("cert_days", "alerts", "threshold"),
    [("14,7", 1, 7), ("30", 1, 30), ("3", 0, None), ("", 0, None)],
)
def test_certificate_expiry_alert(engine, web: LocalWeb, inbox, cert_days: str, alerts: int, threshold: int | None) -> None:
    handler, port = inbox
    settings = _settings(web, port, cert_days=cert_days)
    seed_sites(engine, [("aman", "portal", f"https://soon.{ZONE}/")])
    web.hook_bodies.clear()

    async def sweep() -> int:
        from spbe_crawler.monitor.probe import Prober

        async with Prober(settings, web.policy(), ssl_context=web.client_context()) as prober:
            return (await run_sweep(engine, "18.71", until_confirmed=True, settings=settings, prober=prober)).alerts_sent

    assert asyncio.run(sweep()) == 2 * alerts
    assert asyncio.run(sweep()) == 0
    assert len(web.hook_bodies) == alerts
    if alerts:
        body = web.hook_bodies[0]
        assert body["event"] == "cert_expiring" and body["days_left"] == 5
        assert body["event_key"].endswith(f":{threshold}")
        assert "Sertifikat TLS kedaluwarsa dalam 5 hari" in handler.messages[0]["Subject"]
