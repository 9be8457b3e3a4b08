"""Probes against real local servers: every failure status, redirects, TTFB/size, certificates,
and the N-of-M confirmation of a failure."""

from __future__ import annotations

import asyncio

import pytest
from test_monitor_support import ZONE, LocalWeb, quick_settings

from spbe_crawler.health.status import Status
from spbe_crawler.monitor.probe import Prober, Target
from spbe_crawler.store.models import Probe


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web"), slow_seconds=3.0) as running:
        yield running


def _probe(web: LocalWeb, url: str, **settings: object) -> Probe:
    async def go() -> Probe:
        async with Prober(quick_settings(**settings), web.policy(), ssl_context=web.client_context()) as prober:
            return await prober.probe(url, website_id=7)

    return asyncio.run(go())


STATUS_CASES = [
    ("http://ok.monitor.test/", Status.OK, ""),
    ("https://secure.monitor.test/", Status.OK, ""),
    ("http://tidakada.hilang.test/", Status.DNS_ERROR, "zona privat"),
    ("http://refused.monitor.test/", Status.CONNECT_REFUSED, "ditolak"),
    ("http://silent.monitor.test/", Status.TIMEOUT, "tidak menjawab"),
    ("http://blocked.monitor.test/", Status.ADDRESS_BLOCKED, "10.255.0.1"),
    ("https://expired.monitor.test/", Status.TLS_ERROR, "sertifikat kedaluwarsa"),
    ("https://selfsigned.monitor.test/", Status.TLS_ERROR, "self-signed"),
    ("https://wronghost.monitor.test/", Status.TLS_ERROR, "nama host tidak cocok"),
    ("https://untrusted.monitor.test/", Status.TLS_ERROR, "tidak dipercaya"),
    ("http://error.monitor.test/", Status.HTTP_ERROR, "HTTP 500"),
    ("http://loop.monitor.test/", Status.REDIRECT_LOOP, "berputar"),
]


@pytest.mark.parametrize(("url", "status", "words"), STATUS_CASES, ids=[c[0].split("//")[1].split(".")[0] for c in STATUS_CASES])
def test_probe_status(web: LocalWeb, url: str, status: Status, words: str) -> None:
    probe = _probe(web, url)
    assert probe.status == status.value
    assert words in probe.detail
    assert probe.website_id == 7 and probe.url == url
    assert probe.total_ms is not None and probe.total_ms >= 0
    if status is Status.OK:
        assert probe.http_status == 200 and probe.ttfb_ms is not None and probe.size and probe.size > 0
    else:
        assert probe.http_status in (None, 500)


def test_expired_certificate_is_described(web: LocalWeb) -> None:
    probe = _probe(web, f"https://expired.{ZONE}/")
    assert probe.tls_expires_at is not None and probe.tls_expires_at < probe.started_at
    assert probe.tls_issuer and "trustme" in probe.tls_issuer


def test_redirects_are_recorded_hop_by_hop(web: LocalWeb) -> None:
    probe = _probe(web, f"http://hop.{ZONE}/")
    assert probe.status == "ok"
    assert probe.redirect_chain == [f"http://hop.{ZONE}/"]
    assert probe.final_url == f"https://secure.{ZONE}/beranda"
    assert probe.tls_expires_at is not None and probe.tls_expires_at > probe.started_at  # certificate of the https hop


def test_redirect_loop_keeps_the_chain(web: LocalWeb) -> None:
    probe = _probe(web, f"http://loop.{ZONE}/")
    assert probe.redirect_chain == [f"http://loop.{ZONE}/", f"http://loop.{ZONE}/b"]


def test_a_visitor_check_by_cookie_is_followed_within_one_probe(web: LocalWeb) -> None:
    """302 to the same address with a cookie, then the page: a working site. The cookie lives for
    one probe only (the next probe is a first visit again); a check that never accepts its cookie
    is a loop."""

    async def twice(url: str) -> list[Probe]:
        async with Prober(quick_settings(), web.policy(), ssl_context=web.client_context()) as prober:
            return [await prober.probe(url), await prober.probe(url)]

    for probe in asyncio.run(twice(f"http://cookie.{ZONE}/")):
        assert (probe.status, probe.http_status) == ("ok", 200)
        assert probe.redirect_chain == [f"http://cookie.{ZONE}/"] and probe.final_url == f"http://cookie.{ZONE}/"
    probe = _probe(web, f"http://cookieloop.{ZONE}/")
    assert probe.status == "redirect_loop" and probe.redirect_chain == [f"http://cookieloop.{ZONE}/"] * 2


def test_a_probe_asks_what_the_survey_asks(web: LocalWeb) -> None:
    """The same Accept and Accept-Language as the survey (a site negotiating the language or a
    firewall refusing requests without them answers both alike)."""
    from spbe_crawler.survey.job import survey_settings

    _probe(web, f"http://ok.{ZONE}/bahasa")
    [sent] = [h for r, h in zip(web.requests, web.request_headers, strict=True) if r.endswith("/bahasa")][-1:]
    survey = survey_settings().getdict("DEFAULT_REQUEST_HEADERS")
    assert sent["accept-language"] == survey["Accept-Language"] and sent["accept-language"].startswith("id-ID")
    assert sent["accept"] == survey["Accept"] and sent["user-agent"] == quick_settings().user_agent


def test_redirect_limit(web: LocalWeb) -> None:
    assert _probe(web, f"http://hop.{ZONE}/", max_redirects=1).status == "ok"
    probe = _probe(web, f"http://hop.{ZONE}/", max_redirects=0)
    assert probe.status == "redirect_loop" and "lebih dari 0" in probe.detail


def test_body_read_is_bounded(web: LocalWeb) -> None:
    probe = _probe(web, f"http://big.{ZONE}/", max_bytes=10_000)
    assert probe.status == "ok"
    assert 10_000 <= probe.size < 200_000  # the 2 MB body is not read to the end


def test_total_timeout_covers_slow_answers(web: LocalWeb) -> None:
    probe = _probe(web, f"http://slow.{ZONE}/", read_timeout=30.0, total_timeout=0.5)
    assert probe.status == "timeout" and probe.total_ms < 2500


CONFIRM_CASES = [
    # answers of the server in order, N failures of M attempts, expected status, requests made
    ([200], 2, 3, "ok", 1),
    ([500, 200], 2, 3, "ok", 3),  # F S: a third answer could still make 2 of 3
    ([500, 500], 2, 3, "http_error", 2),
    ([500, 200, 500], 2, 3, "http_error", 3),
    ([500, 200, 200], 2, 3, "ok", 3),
    ([500, 200], 3, 3, "ok", 2),
    ([500], 1, 1, "http_error", 1),
]


@pytest.mark.parametrize(("answers", "need", "attempts", "status", "requests"), CONFIRM_CASES)
def test_n_of_m_confirmation(web: LocalWeb, answers: list[int], need: int, attempts: int, status: str, requests: int) -> None:
    web.modes["toggle"] = list(answers) + [answers[-1]]
    before = len(web.requests)

    async def go() -> Probe:
        settings = quick_settings(confirm_failures=need, confirm_attempts=attempts, confirm_delay=0.01)
        async with Prober(settings, web.policy()) as prober:
            return await prober.confirmed(Target(website_id=3, url=f"http://toggle.{ZONE}/", host=f"toggle.{ZONE}"))

    probe = asyncio.run(go())
    assert probe.status == status
    assert len(web.requests) - before == requests
    if status != "ok" and requests > 1:
        assert "percobaan gagal" in probe.detail


def _confirm_seconds(web: LocalWeb, host: str, delay: float) -> tuple[float, Probe]:
    async def go() -> tuple[float, Probe]:
        settings = quick_settings(read_timeout=1.0, confirm_delay=delay)
        async with Prober(settings, web.policy()) as prober:
            began = asyncio.get_running_loop().time()
            probe = await prober.confirmed(Target(website_id=4, url=f"http://{host}.{ZONE}/", host=f"{host}.{ZONE}"))
            return asyncio.get_running_loop().time() - began, probe

    return asyncio.run(go())


def test_attempts_start_the_delay_apart_so_a_silent_host_is_not_waited_for_twice(web: LocalWeb) -> None:
    # a silent host times out after 1 s; with a 1 s delay counted from the start of the attempt,
    # the second attempt starts as soon as the first has timed out: about 2 s, never 3 s
    seconds, probe = _confirm_seconds(web, "silent", delay=1.0)
    assert probe.status == Status.TIMEOUT.value and "2 dari 2 percobaan gagal" in probe.detail
    assert 1.9 <= seconds < 2.8


def test_a_fast_failure_still_waits_the_whole_delay(web: LocalWeb) -> None:
    seconds, probe = _confirm_seconds(web, "refused", delay=1.0)
    assert probe.status == Status.CONNECT_REFUSED.value and "2 dari 2 percobaan gagal" in probe.detail
    assert seconds >= 1.0
