"""The policy-aware httpx transport, the error classifier and the certificate inspector."""

from __future__ import annotations

import asyncio
import socket
import ssl

import httpcore
import httpx
import pytest
from test_monitor_support import ZONE, LocalWeb

from spbe_crawler.health.status import Status
from spbe_crawler.net.httpx_errors import classify_httpx_error
from spbe_crawler.net.httpx_transport import PolicyBackend, bypasses_proxy, environment_proxies, make_client
from spbe_crawler.net.policy import AddressBlocked, NameNotFound, NetworkPolicy
from spbe_crawler.net.tls_inspect import inspect_certificate
from spbe_crawler.store.models import utcnow


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    with LocalWeb(tmp_path_factory.mktemp("web")) as running:
        yield running


def _get(client: httpx.AsyncClient, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with client:
            return await client.get(url)

    return asyncio.run(go())


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


def _refused() -> BaseException:
    error = OSError("All connection attempts failed")
    error.__context__ = ConnectionRefusedError(111, "Connect call failed")
    return _chained(httpx.ConnectError("All connection attempts failed"), _chained(httpcore.ConnectError("x"), error))


def _verify_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code, error.verify_message = code, message
    return error


CLASSIFY_CASES = [
    (_chained(httpx.ConnectError("x"), httpcore.ConnectError("x")), Status.CONNECT_ERROR, "gagal terhubung"),
    (_chained(httpx.ConnectError("x"), NameNotFound("nama a.test tidak ada")), Status.DNS_ERROR, "tidak ditemukan"),
    (socket.gaierror(-2, "Name or service not known"), Status.DNS_ERROR, "tidak ditemukan"),
    (_chained(httpx.ConnectError("x"), AddressBlocked("a.test: alamat 10.0.0.1 terlarang")), Status.ADDRESS_BLOCKED, "10.0.0.1"),
    (_refused(), Status.CONNECT_REFUSED, "ditolak"),
    (httpx.ConnectTimeout("x"), Status.TIMEOUT, "menghubungkan"),
    (httpx.ReadTimeout("x"), Status.TIMEOUT, "tidak menjawab"),
    (httpx.PoolTimeout("x"), Status.TIMEOUT, "koneksi bebas"),
    (TimeoutError(), Status.TIMEOUT, "batas waktu"),
    (_chained(httpx.ConnectError("x"), _verify_error(10, "certificate has expired")), Status.TLS_ERROR, "kedaluwarsa"),
    (_chained(httpx.ConnectError("x"), _verify_error(18, "self-signed certificate")), Status.TLS_ERROR, "self-signed"),
    (_chained(httpx.ConnectError("x"), _verify_error(62, "Hostname mismatch")), Status.TLS_ERROR, "nama host tidak cocok"),
    (_chained(httpx.ConnectError("x"), _verify_error(20, "unable to get local issuer")), Status.TLS_ERROR, "tidak dipercaya"),
    (_chained(httpx.ConnectError("x"), _verify_error(99, "odd")), Status.TLS_ERROR, "tidak dipercaya: odd"),
    (_chained(httpx.ConnectError("x"), ssl.SSLError(1, "wrong version number")), Status.TLS_ERROR, "jabat tangan"),
    (httpx.TooManyRedirects("loop"), Status.REDIRECT_LOOP, "berputar"),
    (_chained(httpx.ReadError("x"), ConnectionResetError(104, "reset")), Status.CONNECT_ERROR, "diputus"),
    (httpx.RemoteProtocolError("Server disconnected"), Status.ERROR, "tidak sah"),
    (httpx.UnsupportedProtocol("javascript:"), Status.ERROR, "tidak dapat diminta"),
    (ValueError("something else"), Status.ERROR, "tak terduga"),
]


@pytest.mark.parametrize(
    ("exc", "status", "words"), CLASSIFY_CASES, ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None
)
def test_classify_httpx_error(exc: BaseException, status: Status, words: str) -> None:
    got_status, detail = classify_httpx_error(exc)
    assert got_status is status
    assert words in detail
    assert len(detail) <= 300


def test_route_keeps_host_header_and_sni(web: LocalWeb) -> None:
    client = make_client(web.policy(), verify=web.client_context(), environ={})
    response = _get(client, f"https://echo.{ZONE}/jalur?q=1")
    assert response.status_code == 200
    assert response.text == f"echo.{ZONE}|/jalur?q=1"  # Host kept; certificate checked for echo.monitor.test


def test_ssl_cert_file_is_the_trust_store(web: LocalWeb, tmp_path) -> None:
    ca_file = tmp_path / "ca.pem"
    web.ca.cert_pem.write_to_path(str(ca_file))
    trusted = make_client(web.policy(), environ={"SSL_CERT_FILE": str(ca_file)})
    assert _get(trusted, f"https://secure.{ZONE}/").status_code == 200
    with pytest.raises(httpx.ConnectError) as caught:
        _get(make_client(web.policy(), environ={}), f"https://secure.{ZONE}/")  # system store: CA unknown
    assert classify_httpx_error(caught.value)[0] is Status.TLS_ERROR


def test_proxy_from_environment(web: LocalWeb) -> None:
    proxy = f"http://127.0.0.1:{web.http_port}"
    policy = web.policy()
    via_proxy = _get(make_client(policy, environ={"HTTP_PROXY": proxy}), "http://portal.contoh.example/")
    assert via_proxy.text == "lewat proksi: http://portal.contoh.example/"
    bypass = make_client(policy, environ={"HTTP_PROXY": proxy, "NO_PROXY": "127.0.0.1"})
    assert "Selamat datang" in _get(bypass, f"http://127.0.0.1:{web.http_port}/").text
    routed = _get(make_client(policy, environ={"http_proxy": proxy}), f"http://echo.{ZONE}/")
    assert routed.text == f"echo.{ZONE}|/"  # a connect-to route wins over the proxy


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".go.id, localhost"}, ({"https": "http://p:3128"}, [".go.id", "localhost"])),
        ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}, ({"https": "http://lower:1"}, [])),
        ({"ALL_PROXY": "http://all:8"}, ({"http": "http://all:8", "https": "http://all:8"}, [])),
        ({}, ({}, [])),
    ],
)
def test_environment_proxies(environ: dict[str, str], expected: tuple) -> None:
    assert environment_proxies(environ) == expected


@pytest.mark.parametrize(
    ("host", "no_proxy", "bypass"),
    [
        ("dinkes.bandarlampungkota.go.id", [".go.id"], True),
        ("dinkes.bandarlampungkota.go.id", ["go.id"], True),
        ("bandarlampungkota.go.id", ["bandarlampungkota.go.id"], True),
        ("anything.example", ["*"], True),
        ("notgo.id", [".go.id"], False),
        ("lapor.go.id", ["localhost", "127.0.0.1"], False),
    ],
)
def test_bypasses_proxy(host: str, no_proxy: list[str], bypass: bool) -> None:
    assert bypasses_proxy(host, no_proxy) is bypass


class CountingPolicy(NetworkPolicy):
    calls: int = 0

    def resolve(self, host: str, port: int) -> list[tuple[str, int]]:
        self.calls += 1
        return super().resolve(host, port)


def test_backend_caches_resolution_but_not_failures(web: LocalWeb) -> None:
    policy = CountingPolicy.from_lines(web.route_lines(), ["127.0.0.0/8"])
    backend = PolicyBackend(policy, dns_ttl=60)

    async def go() -> None:
        for _ in range(3):
            assert await backend.resolve(f"ok.{ZONE}", 80) == [("127.0.0.1", web.http_port)]
        for _ in range(2):
            with pytest.raises(httpcore.ConnectError):
                await backend.resolve("tidakada.hilang.test", 80)

    asyncio.run(go())
    assert policy.calls == 1 + 2


@pytest.mark.parametrize(
    ("label", "verify_words", "self_signed", "matches", "expired"),
    [
        ("secure", None, False, True, False),
        ("expired", "kedaluwarsa", False, True, True),
        ("selfsigned", "self-signed", True, True, False),
        ("wronghost", "nama host tidak cocok", False, False, False),
        ("untrusted", "tidak dipercaya", False, True, False),
    ],
)
def test_inspect_certificate(web: LocalWeb, label: str, verify_words: str | None, self_signed: bool, matches: bool, expired: bool) -> None:
    cert = inspect_certificate(f"{label}.{ZONE}", 443, web.policy(), 3.0, ssl_context=web.client_context())
    assert cert is not None
    assert (cert.verify_error is None) is (verify_words is None)
    if verify_words:
        assert verify_words in cert.verify_error
    assert cert.self_signed is self_signed
    assert cert.hostname_matches is matches
    assert (cert.expires_at < utcnow()) is expired
    assert cert.issuer


def test_inspect_certificate_without_tls_is_none(web: LocalWeb) -> None:
    policy = web.policy()
    assert inspect_certificate(f"refused.{ZONE}", 443, policy, 1.0) is None
    assert inspect_certificate("tidakada.hilang.test", 443, policy, 1.0) is None
    assert inspect_certificate(f"ok.{ZONE}", 80, policy, 1.0) is None  # plain HTTP answers, no handshake
