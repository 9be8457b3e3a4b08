"""The one mapping from httpx / httpcore / ssl / network-policy exceptions to a site-health status.

httpx wraps httpcore errors, which wrap ``OSError``/``ssl`` errors, so the decisive exception is
often a cause or context further down the chain: :func:`classify_httpx_error` looks at the whole
chain and picks by priority (a name that does not exist beats the connect error that carries it).
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable

import httpcore
import httpx

from spbe_crawler.health.status import Status
from spbe_crawler.net.policy import AddressBlocked, NameNotFound

MAX_DETAIL = 300

# OpenSSL X509_V_ERR_* codes -> the words an assessor reads.
_VERIFY_TEXT = {
    9: "sertifikat belum berlaku",
    10: "sertifikat kedaluwarsa",
    18: "sertifikat self-signed",
    19: "sertifikat self-signed dalam rantai",
    2: "sertifikat tidak dipercaya (penerbit tidak dikenal)",
    20: "sertifikat tidak dipercaya (penerbit tidak dikenal)",
    21: "sertifikat tidak dipercaya (rantai tidak lengkap)",
    23: "sertifikat dicabut",
    62: "nama host tidak cocok dengan sertifikat",
    64: "alamat IP tidak cocok dengan sertifikat",
}


def verify_error_text(exc: ssl.SSLCertVerificationError) -> str:
    """Bahasa Indonesia text for a certificate verification failure."""
    text = _VERIFY_TEXT.get(exc.verify_code or -1)
    return text or f"sertifikat tidak dipercaya: {exc.verify_message or exc.reason or exc}"


def exception_chain(exc: BaseException, limit: int = 12) -> list[BaseException]:
    """``exc`` and its causes/contexts, depth-first, without repeats."""
    chain: list[BaseException] = []
    pending = [exc]
    while pending and len(chain) < limit:
        current = pending.pop(0)
        if current in chain:
            continue
        chain.append(current)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return chain


def _first(chain: list[BaseException], kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    return next((e for e in chain if isinstance(e, kinds)), None)


_TIMEOUTS = (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)
_TIMEOUT_TEXT = {
    "ConnectTimeout": "waktu habis saat menghubungkan",
    "ReadTimeout": "server tidak menjawab dalam batas waktu",
    "WriteTimeout": "waktu habis saat mengirim permintaan",
    "PoolTimeout": "waktu habis menunggu koneksi bebas",
}
_CONNECT_ERRORS = (httpx.TransportError, httpcore.NetworkError, httpcore.ProxyError, OSError)
_PROTOCOL_ERRORS = (httpx.RemoteProtocolError, httpx.LocalProtocolError, httpcore.ProtocolError, httpx.DecodingError)
_URL_ERRORS = (httpx.UnsupportedProtocol, httpcore.UnsupportedProtocol, httpx.InvalidURL)

Rule = tuple[tuple[type[BaseException], ...], Status, Callable[[BaseException], str]]

_RULES: list[Rule] = [
    ((NameNotFound, socket.gaierror), Status.DNS_ERROR, lambda e: f"nama domain tidak ditemukan: {e}"),
    ((AddressBlocked,), Status.ADDRESS_BLOCKED, lambda e: f"alamat diblokir kebijakan jaringan: {e}"),
    ((ssl.SSLCertVerificationError,), Status.TLS_ERROR, lambda e: verify_error_text(e)),  # type: ignore[arg-type]
    ((httpx.TooManyRedirects,), Status.REDIRECT_LOOP, lambda e: f"pengalihan berputar: {e}"),
    (_TIMEOUTS, Status.TIMEOUT, lambda e: _TIMEOUT_TEXT.get(type(e).__name__, "batas waktu terlampaui")),
    ((ssl.SSLError,), Status.TLS_ERROR, lambda e: f"jabat tangan TLS gagal: {e}"),
    ((ConnectionRefusedError,), Status.CONNECT_REFUSED, lambda e: "koneksi ditolak server"),
    (_URL_ERRORS, Status.ERROR, lambda e: f"alamat tidak dapat diminta: {e}"),
    (_PROTOCOL_ERRORS, Status.ERROR, lambda e: f"respons HTTP tidak sah: {e}"),
    ((ConnectionResetError, BrokenPipeError), Status.CONNECT_ERROR, lambda e: "koneksi diputus server"),
    (_CONNECT_ERRORS, Status.CONNECT_ERROR, lambda e: f"gagal terhubung: {e}"),
]


def classify_httpx_error(exc: BaseException) -> tuple[Status, str]:
    """``(status, Bahasa Indonesia detail)`` for an exception raised while probing a site."""
    chain = exception_chain(exc)
    for kinds, status, describe in _RULES:
        found = _first(chain, kinds)
        if found is not None:
            return status, describe(found)[:MAX_DETAIL]
    return Status.ERROR, f"galat tak terduga: {type(exc).__name__}: {exc}"[:MAX_DETAIL]
