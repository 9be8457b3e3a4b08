"""Alert delivery never blocks the sweep: concurrent sends within a budget, an outbox retried
later, SIGTERM at any point; and the Telegram channel against a local fake Bot API server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session, select
from test_monitor_support import ZONE, LocalWeb, quick_settings, seed_sites

from spbe_crawler.monitor.alerts import BUDGET_EXCEEDED, STOPPED, TelegramNotifier, dispatch_alerts, notifiers_from_settings
from spbe_crawler.monitor.lease import current_lease
from spbe_crawler.monitor.sweep import run_sweep
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import CrawlRun
from spbe_crawler.store.models_monitor import AlertLog

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:RAHASIA-token"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


@pytest.fixture
def engine(tmp_path):
    return get_engine(f"sqlite:///{tmp_path / 'outbox.sqlite3'}")


def _logs(engine) -> list[AlertLog]:
    with Session(engine) as session:
        return list(session.exec(select(AlertLog).order_by(AlertLog.id)))


def _runs(engine) -> list[CrawlRun]:
    with Session(engine) as session:
        return list(session.exec(select(CrawlRun).order_by(CrawlRun.id)))


def test_a_webhook_that_never_answers_costs_the_budget_once_then_the_outbox_delivers(engine, web: LocalWeb) -> None:
    seed_sites(engine, [(f"rusak{i}", "opd", f"http://error.{ZONE}/{i}") for i in range(12)])
    hanging = quick_settings(webhook_url=f"http://127.0.0.1:{web.silent_port}/hook", webhook_timeout=60, alert_budget=1.0)
    started = time.monotonic()
    summary = asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=hanging, policy=web.policy()))
    elapsed = time.monotonic() - started
    assert summary.state == "finished" and summary.down == 12 and summary.alerts_sent == 0
    assert elapsed < 10, f"12 alerts to a silent webhook took {elapsed:.1f} s (budget 1 s)"
    assert summary.seconds < elapsed - 0.9, "the sweep's own duration must not include alert delivery"
    logs = _logs(engine)
    assert len(logs) == 12 and all(log.sent_at is None and log.attempts == 1 and log.last_error == BUDGET_EXCEEDED for log in logs)
    assert _runs(engine)[0].state == "finished"

    web.hook_bodies.clear()
    web.modes["hook"] = 200
    working = quick_settings(webhook_url=f"http://127.0.0.1:{web.http_port}/hook", alert_budget=10.0)
    delivered = asyncio.run(dispatch_alerts(engine, notifiers_from_settings(working), "18.71", working))
    assert delivered == 12 and len(web.hook_bodies) == 12
    assert all(log.sent_at is not None and log.attempts == 2 for log in _logs(engine))
    assert asyncio.run(dispatch_alerts(engine, notifiers_from_settings(working), "18.71", working)) == 0


def _sweep_process(tmp_path: Path, web: LocalWeb, **env: str) -> tuple[subprocess.Popen, object]:
    url = f"sqlite:///{tmp_path / 'signal.sqlite3'}"
    engine = get_engine(url)
    full = {**os.environ, **web.env(), "SPBE_DATABASE_URL": url, "PYTHONPATH": str(ROOT), **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "spbe_crawler", "monitor", "sweep", "--pemda", "18.71", "--tunggu-konfirmasi"],
        cwd=ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, engine


def _wait(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.1)
    assert condition(), "timed out waiting"


def test_sigterm_during_the_probes_records_interrupted_and_releases_the_lease(tmp_path, web: LocalWeb) -> None:
    url = f"sqlite:///{tmp_path / 'signal.sqlite3'}"
    seed_sites(get_engine(url), [("diam", "portal", f"http://silent.{ZONE}/"), ("ok", "opd", f"http://ok.{ZONE}/")])
    process, engine = _sweep_process(tmp_path, web, SPBE_MONITOR_READ_TIMEOUT="60", SPBE_MONITOR_TOTAL_TIMEOUT="60")
    try:
        _wait(lambda: current_lease(engine) is not None and _runs(engine))
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Sapuan dihentikan" in err
    assert current_lease(engine) is None
    assert [r.state for r in _runs(engine)] == ["interrupted"]


def test_sigterm_during_alert_delivery_keeps_the_sweep_and_the_outbox(tmp_path, web: LocalWeb) -> None:
    url = f"sqlite:///{tmp_path / 'signal.sqlite3'}"
    seed_sites(get_engine(url), [("rusak", "portal", f"http://error.{ZONE}/")])
    process, engine = _sweep_process(
        tmp_path,
        web,
        SPBE_ALERT_WEBHOOK_URL=f"http://127.0.0.1:{web.silent_port}/hook",
        SPBE_ALERT_WEBHOOK_TIMEOUT="120",
        SPBE_ALERT_BUDGET="120",
        SPBE_MONITOR_CONFIRM_DELAY="0.05",
    )
    try:
        _wait(lambda: bool(_runs(engine)) and _runs(engine)[0].state == "finished")
        time.sleep(0.5)  # now waiting for the silent webhook
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert current_lease(engine) is None
    assert [r.state for r in _runs(engine)] == ["finished"]
    [log] = _logs(engine)
    assert log.sent_at is None and log.attempts == 1 and log.last_error == STOPPED


class FakeBotApi:
    """A local stand-in for api.telegram.org: records sendMessage calls, answers like the Bot API."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.known_chats = {"-100200300"}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server hook name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.calls.append((self.path, body))
                if self.path != f"/bot{TOKEN}/sendMessage":
                    status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
                elif str(body.get("chat_id")) not in outer.known_chats:
                    status, answer = 400, {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
                else:
                    status, answer = 200, {"ok": True, "result": {"message_id": len(outer.calls), "text": body["text"]}}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot():
    api = FakeBotApi()
    yield api
    api.close()


def test_telegram_channel_sends_once_and_records_a_refusal(engine, web: LocalWeb, bot: FakeBotApi) -> None:
    settings = quick_settings(telegram_token=TOKEN, telegram_chat_id="-100200300", telegram_api=bot.url)
    assert [n.channel for n in notifiers_from_settings(settings)] == ["telegram"]
    seed_sites(engine, [("layanan", "portal", f"http://error.{ZONE}/")])
    assert asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy())).alerts_sent == 1
    [(path, body)] = bot.calls
    assert path == f"/bot{TOKEN}/sendMessage" and body["chat_id"] == "-100200300"
    assert body["text"].startswith(f"[SPBE] Situs tidak dapat diakses: http://error.{ZONE}/") and "Galat HTTP" in body["text"]
    assert (
        asyncio.run(run_sweep(engine, "18.71", until_confirmed=True, settings=settings, policy=web.policy())).alerts_sent == 0
    )  # once per event

    wrong_chat = TelegramNotifier(TOKEN, "-999", bot.url)
    from spbe_crawler.monitor.alerts import pending_alerts

    [alert] = pending_alerts(engine, "18.71", settings)
    error = asyncio.run(wrong_chat.send(alert))
    assert error == "Telegram menjawab HTTP 400: Bad Request: chat not found"
    unreachable = asyncio.run(TelegramNotifier(TOKEN, "-100200300", f"http://127.0.0.1:{web.refused_port}").send(alert))
    assert unreachable and TOKEN not in unreachable
