"""Issue #6 on the demo region: a sweep of every demo website opens incidents for exactly the broken
sites (network and HTTP failures), none for working ones, and the status page shows them."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from sqlmodel import select
from survey_support import cli_env, prepare_registry, session_for, spbe

from spbe_crawler.demo.profile import MONITOR_ENV
from spbe_crawler.store.models import Incident, Probe, Website

DOWN = {"dns_error", "connect_refused", "timeout", "tls_error", "http_error", "redirect_loop"}


def test_demo_sweep_opens_incidents_for_broken_sites_only(demo_web, tmp_path) -> None:
    env = {**cli_env({**os.environ, **demo_web.env}, tmp_path), **MONITOR_ENV}
    prepare_registry(env, demo_web.registry_csv)
    output = spbe(["monitor", "sweep", "--pemda", "18.71", "--tunggu-konfirmasi"], env).stdout
    assert "Sapuan #" in output and "0 menunggu konfirmasi" in output  # every failure confirmed or cleared
    with session_for(tmp_path) as session:
        websites = {w.id: w for w in session.exec(select(Website)).all()}
        incidents = session.exec(select(Incident)).all()
    down_hosts = {urlsplit(websites[i.website_id].url).hostname: i for i in incidents}
    planned = {h: p["expected_status"] for h, p in demo_web.manifest.items()}
    # A messy registry entry (stale deep link, https on an http-only host, www.<host>) may be down as
    # registered: the monitor probes the registered URL, the survey's fallbacks find the working site.
    messy = {urlsplit(p.get("registered_url") or p["url"]).hostname for p in demo_web.manifest.values() if p.get("fallback")}
    down_hosts = {h: i for h, i in down_hosts.items() if h not in messy}
    declared = {urlsplit(w.url).hostname for w in websites.values()}
    expected_down = {h for h in declared if planned.get(h) in DOWN and planned.get(h) != "http_error"}
    assert expected_down and expected_down <= set(down_hosts)
    for host, incident in down_hosts.items():
        assert planned.get(host) in DOWN, (host, incident.status)
        assert incident.ended_at is None and incident.detail
    assert all(planned.get(h) not in ("ok", "stale", "blocked") for h in down_hosts)
    with session_for(tmp_path) as session:
        blocked = [p for p in session.exec(select(Probe)).all() if planned.get(urlsplit(p.url).hostname) == "blocked"]
    assert blocked and all(p.status == "blocked" and "peramban" in p.detail for p in blocked)

    page = tmp_path / "status"
    spbe(["monitor", "page", "--pemda", "18.71", "--out", str(page)], env)
    html = (page / "index.html").read_text(encoding="utf-8")
    assert "Linimasa gangguan (30 hari)" in html and "Situs unit kerja" in html and "Sebagian layanan terganggu" in html
    assert all(host in html for host in expected_down)
    assert "zona privat" not in html and "kebijakan jaringan" not in html and "127.0.0.1" not in html  # internal words stay out
