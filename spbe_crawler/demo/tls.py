"""The demo's certificates: a demo CA (trustme), one valid certificate per host issued on first use,
and the broken ones (expired, self-signed, wrong host), chosen per TLS SNI name.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

WRONG_HOST_NAME = "server1.hostingdaerah.net"
_ORGANIZATION = "Web Demo SPBE"


class DemoTLS:
    """Server-side TLS contexts by SNI name; ``special`` maps a host to tls_expired/self_signed/wrong_host."""

    def __init__(self, directory: Path, default_host: str, special: dict[str, str], known: set[str]):
        self.directory = directory
        self.default_host = default_host
        self.known = set(known) | set(special)  # only these get their own certificate
        self.ca = trustme.CA(organization_name=f"{_ORGANIZATION} CA")
        self.ca_file = directory / "demo-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.special = dict(special)
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.server_context = self._context_for(default_host)
        self.server_context.sni_callback = self._on_sni

    def _on_sni(self, sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        if server_name:
            sock.context = self.context_for(server_name)

    def context_for(self, host: str) -> ssl.SSLContext:
        """The context for an SNI name; a name the demo does not serve gets the portal's certificate."""
        host = host.lower().rstrip(".")
        if host not in self.known:
            host = self.default_host
        with self._lock:
            context = self._contexts.get(host)
            if context is None:
                context = self._contexts[host] = self._context_for(host)
            return context

    def _context_for(self, host: str) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        kind = self.special.get(host)
        now = dt.datetime.now(dt.UTC)
        if kind == "tls_expired":
            leaf = self.ca.issue_cert(
                host, organization_name=_ORGANIZATION, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=30)
            )
            leaf.configure_cert(context)
        elif kind == "tls_wrong_host":
            self.ca.issue_cert(WRONG_HOST_NAME, organization_name=_ORGANIZATION).configure_cert(context)
        elif kind == "tls_self_signed":
            cert_file, key_file = self._self_signed(host, now)
            context.load_cert_chain(cert_file, key_file)
        else:
            self.ca.issue_cert(host, organization_name=_ORGANIZATION).configure_cert(context)
        return context

    def _self_signed(self, host: str, now: dt.datetime) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, _ORGANIZATION), x509.NameAttribute(NameOID.COMMON_NAME, host)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256())
        )
        cert_file, key_file = self.directory / f"self-signed-{host}.pem", self.directory / f"self-signed-{host}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert_file, key_file
