"""What a site's TLS certificate says, and why a verified handshake rejects it.

:func:`inspect_certificate` does two handshakes through the network policy (so connect-to routes
and the address policy apply, with SNI = the original host name): an *unverified* one that always
yields the leaf certificate, parsed with ``cryptography``, and a *verified* one whose failure text
("sertifikat kedaluwarsa", "self-signed", "nama host tidak cocok", "tidak dipercaya") explains a
``tls_error``. Blocking; async callers run it in a thread.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from spbe_crawler.net.httpx_errors import verify_error_text
from spbe_crawler.net.httpx_transport import default_ssl_context
from spbe_crawler.net.policy import NetworkPolicy

MAX_NAME = 200


@dataclass(frozen=True)
class CertInfo:
    expires_at: datetime  # aware UTC
    not_before: datetime  # aware UTC
    issuer: str
    subject: str
    self_signed: bool
    hostname_matches: bool
    verify_error: str | None  # None: a verified handshake succeeds


def _name(name: x509.Name) -> str:
    """``CN, O`` of a distinguished name, else its RFC 4514 form; bounded plain text."""
    parts = [a.value for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME) for a in name.get_attributes_for_oid(oid)]
    text = ", ".join(str(p) for p in parts) or name.rfc4514_string()
    return text[:MAX_NAME]


def _dns_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def hostname_matches(cert: x509.Certificate, host: str) -> bool:
    """RFC 6125 matching against the subjectAltName (DNS names, one left-most wildcard label; IPs)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return any(_dns_matches(name, host) for name in san.get_values_for_type(x509.DNSName))
    return ip in san.get_values_for_type(x509.IPAddress)


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):  # signature mismatch or unsupported key type
        return False
    return True


def cert_info_from_der(der: bytes, host: str, verify_error: str | None = None) -> CertInfo:
    """Parse a DER leaf certificate into :class:`CertInfo`."""
    cert = x509.load_der_x509_certificate(der)
    return CertInfo(
        expires_at=cert.not_valid_after_utc,
        not_before=cert.not_valid_before_utc,
        issuer=_name(cert.issuer),
        subject=_name(cert.subject),
        self_signed=_is_self_signed(cert),
        hostname_matches=hostname_matches(cert, host),
        verify_error=verify_error,
    )


def _handshake(host: str, address: tuple[str, int], context: ssl.SSLContext, timeout: float) -> bytes | None:
    with socket.create_connection(address, timeout=timeout) as raw, context.wrap_socket(raw, server_hostname=host) as tls:
        return tls.getpeercert(binary_form=True)


def _unverified_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def inspect_certificate(
    host: str,
    port: int,
    policy: NetworkPolicy,
    timeout: float = 10.0,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> CertInfo | None:
    """The certificate of ``host:port`` with its verify error; None when no TLS handshake completes.

    ``ssl_context`` is the trust used for the verified handshake (default: the probes' trust store).
    """
    try:
        address = policy.resolve(host, port)[0]
        der = _handshake(host, address, _unverified_context(), timeout)
    except (OSError, IndexError, ValueError):
        return None
    if not der:
        return None
    verify_error: str | None = None
    try:
        _handshake(host, address, ssl_context or default_ssl_context(), timeout)
    except ssl.SSLCertVerificationError as exc:
        verify_error = verify_error_text(exc)
    except (ssl.SSLError, OSError) as exc:
        verify_error = f"jabat tangan TLS gagal: {exc}"[:MAX_NAME]
    return cert_info_from_der(der, host, verify_error)
