"""Certificates per SNI name: valid ones verify against the demo CA, the broken ones do not."""

from __future__ import annotations

import socket
import ssl

import httpcore
import httpx
import pytest

from spbe_crawler.net.policy import NetworkPolicy


def handshake(web, host: str) -> dict:
    """TLS handshake with ``host`` (SNI + hostname check) on the demo HTTPS port; the peer certificate."""
    context = ssl.create_default_context(cafile=str(web.ca_file))
    with socket.create_connection(("127.0.0.1", web.https_port), timeout=5) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        return tls.getpeercert()


@pytest.mark.parametrize(
    "host, verifies, reason",
    [
        ("bandarlampungkota.go.id", True, None),
        ("dinkes.bandarlampungkota.go.id", True, None),
        ("www.lapor.go.id", True, None),
        ("dispusip.bandarlampungkota.go.id", False, "certificate has expired"),
        ("ssl-kadaluarsa.bandarlampungkota.go.id", False, "certificate has expired"),
        ("disparekraf.bandarlampungkota.go.id", False, "self-signed certificate"),
        ("ssl-swasertifikasi.bandarlampungkota.go.id", False, "self-signed certificate"),
        ("dispora.bandarlampungkota.go.id", False, "Hostname mismatch"),
        ("ssl-salah-nama.bandarlampungkota.go.id", False, "Hostname mismatch"),
    ],
)
def test_certificate_verification_per_host(demo_web, host, verifies, reason):
    assert demo_web.manifest[host]["expected_status"] == ("ok" if verifies else "tls_error")
    if verifies:
        cert = handshake(demo_web, host)
        assert ("DNS", host) in cert["subjectAltName"]
    else:
        with pytest.raises(ssl.SSLCertVerificationError, match=reason):
            handshake(demo_web, host)


def test_unknown_sni_name_gets_no_certificate_of_its_own(demo_web):
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        handshake(demo_web, "tidak-ada.bandarlampungkota.go.id")


def test_valid_demo_certificates_need_the_demo_ca(demo_web):
    """Without the demo CA (SSL_CERT_FILE) even a valid demo certificate is untrusted."""
    with (
        socket.create_connection(("127.0.0.1", demo_web.https_port), timeout=5) as raw,
        pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"),
    ):
        ssl.create_default_context().wrap_socket(raw, server_hostname="bandarlampungkota.go.id")


class PolicyBackend(httpcore.SyncBackend):
    """httpcore backend that connects where the connect-to routes say (URL, SNI, Host unchanged)."""

    def __init__(self, policy: NetworkPolicy):
        self.policy = policy

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address, target_port = self.policy.resolve(host, port)[0]
        return super().connect_tcp(address, target_port, timeout, local_address, socket_options)


def policy_client(env: dict) -> httpx.Client:
    transport = httpx.HTTPTransport()
    transport._pool = httpcore.ConnectionPool(
        ssl_context=ssl.create_default_context(cafile=env["SSL_CERT_FILE"]), network_backend=PolicyBackend(NetworkPolicy.from_env(env))
    )
    return httpx.Client(transport=transport, timeout=5)


def test_httpx_reaches_the_demo_through_the_routes(demo_env):
    with policy_client(demo_env) as client:
        page = client.get("https://bandarlampungkota.go.id/kontak")
        lapor = client.get("https://www.lapor.go.id/")
        with pytest.raises(httpx.ConnectError, match="certificate has expired"):
            client.get("https://dispusip.bandarlampungkota.go.id/")
    assert page.status_code == 200 and "(0721)" in page.text
    assert lapor.status_code == 200 and "LAPOR!" in lapor.text
