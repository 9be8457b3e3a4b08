"""``python -m spbe_crawler.demo`` and the DemoWeb life cycle."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from spbe_crawler.demo.client import fetch

pytestmark = pytest.mark.e2e


def test_module_prints_env_lines_and_stops_on_ctrl_c(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "spbe_crawler.demo", "--dir", str(tmp_path / "demo")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = []
        while not (lines and lines[-1].startswith("# Tekan Ctrl-C")):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line.rstrip("\n"))
        env = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
        assert set(env) == {"SPBE_CONNECT_TO_FILE", "SPBE_ALLOWED_NETWORKS", "SSL_CERT_FILE"}
        assert fetch("https://bandarlampungkota.go.id/", env).status == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "dihentikan" in out and err == ""


def test_stop_closes_every_port(tmp_path):
    from spbe_crawler.demo import DemoWeb

    web = DemoWeb(tmp_path).start()
    ports = [web.http_port, web.https_port, web.ports.blackhole, web.ports.drip_http]
    assert fetch("http://bandarlampungkota.go.id/", web.env).status == 200
    web.stop()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_ports_before_start_are_an_error(tmp_path):
    from spbe_crawler.demo import DemoWeb

    with pytest.raises(RuntimeError, match="belum dijalankan"):
        _ = DemoWeb(tmp_path).http_port
