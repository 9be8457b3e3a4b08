"""Issue #15: a second survey of the same pemda is refused up front; an endless body is ``too_large``.

Real ``spbe run`` processes against a hostile server on 127.0.0.1 (see ``hostile_support``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hostile_support import DRIP, ENDLESS, PEMDA, HostileServer, hostile_registry
from sqlmodel import select
from survey_support import session_for, spbe_popen

from spbe_crawler.store.models import CrawlRun, SiteCheck


def _wait_for(home: Path, first: subprocess.Popen[str], what, timeout: float = 180):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert first.poll() is None, first.stdout.read() if first.stdout else ""
        if (home / "spbe.sqlite3").exists():
            with session_for(home) as session:
                found = session.exec(what).first()
            if found is not None:
                return found
        time.sleep(0.5)
    raise AssertionError("the first survey did not get that far")


@pytest.fixture(scope="module")
def contested(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Survey A (an endless body and a dripping site) runs; survey B of the same pemda is started meanwhile."""
    home = tmp_path_factory.mktemp("hostile-home")
    server = HostileServer()
    env = server.env(home, SPBE_DOWNLOAD_MAXSIZE="300000", SPBE_DOWNLOAD_TIMEOUT="120")
    hostile_registry(home, {"tanpa-akhir": f"http://{ENDLESS}/", "menetes": f"http://{DRIP}/"})
    first = spbe_popen(["run", "--pemda", PEMDA], env)
    try:
        endless = _wait_for(home, first, select(SiteCheck).where(SiteCheck.url == f"http://{ENDLESS}/"))
        run = _wait_for(home, first, select(CrawlRun).where(CrawlRun.state == "running"))
        logs = sorted((home / "logs").iterdir())
        second = subprocess.run(
            [sys.executable, "-m", "spbe_crawler", "run", "--pemda", PEMDA], env=env, capture_output=True, text=True, timeout=180
        )
        with session_for(home) as session:
            runs = [(r.id, r.state) for r in session.exec(select(CrawlRun)).all()]
        yield SimpleNamespace(
            home=home,
            server=server,
            endless=endless,
            run=run,
            second=second,
            runs_after=runs,
            logs_before=logs,
            logs_after=sorted((home / "logs").iterdir()),
            reports_after=sorted((home / "reports").glob("*")) if (home / "reports").exists() else [],
            first_alive=first.poll() is None,
        )
    finally:
        os.killpg(first.pid, signal.SIGTERM)
        try:
            first.wait(timeout=3)
        except subprocess.TimeoutExpired:  # still waiting for the dripping download
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        server.stop()


def test_an_endless_chunked_body_is_too_large(contested) -> None:  # type: ignore[no-untyped-def]
    assert contested.server.endless_bytes > 300000  # the server really kept sending past the limit
    assert contested.endless.status == "too_large", contested.endless.detail
    assert "batas unduh" in contested.endless.detail


def test_a_second_survey_of_the_same_pemda_is_refused_up_front(contested) -> None:  # type: ignore[no-untyped-def]
    second = contested.second
    assert second.returncode != 0
    assert "masih berjalan" in second.stderr and PEMDA in second.stderr, second.stderr
    assert "Traceback" not in second.stderr + second.stdout and "Unhandled" not in second.stderr + second.stdout
    # touching nothing: no report, no second run, no second crawl log; the first survey goes on
    assert contested.reports_after == []
    assert contested.logs_after == contested.logs_before
    assert contested.runs_after == [(contested.run.id, "running")]
    assert contested.first_alive


def test_the_lock_is_per_pemda_nests_and_is_released(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from spbe_crawler.survey.runs import RunBusy, exclusive_run

    monkeypatch.setenv("SPBE_HOME", str(tmp_path))
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'spbe.sqlite3'}")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom spbe_crawler.survey.runs import exclusive_run\n"
            "with exclusive_run('18.71'):\n    print('ok', flush=True)\n    time.sleep(60)\n",
        ],
        env={**os.environ},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(RunBusy, match=rf"pemda 18\.71 masih berjalan di proses lain \(pid {holder.pid}\)"), exclusive_run("18.71"):
            pass
        with exclusive_run("35.07"), exclusive_run("35.07"):  # another pemda; nested use in one process
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive_run("18.71"):  # the kernel released the lock of the killed process
        pass
