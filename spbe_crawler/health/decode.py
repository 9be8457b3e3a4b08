"""Turn a response body into text, surviving wrong or missing charsets.

Government sites often declare one charset and serve another (a server default of ISO-8859-1 in
front of a UTF-8 CMS, or the reverse). We follow the browser order (BOM, the HTTP header or the
caller's hint, ``<meta charset>``), then correct the two common lies, and never raise.
"""

from __future__ import annotations

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

_SINGLE_BYTE_DEFAULTS = {"cp1252", "latin-1", "iso8859-1", "ascii"}


def decode_body(body: bytes, content_type: str | None = None, encoding_hint: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding used)``; undecodable bytes become U+FFFD, never an exception."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding and bom:
        return body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding
    declared = (
        _known(encoding_hint) or _known(http_content_type_encoding(content_type or "")) or _known(html_body_declared_encoding(body[:4096]))
    )
    encoding = _correct(body, declared)
    return body.decode(encoding, errors="replace"), encoding


def _known(name: str | None) -> str | None:
    if not name:
        return None
    return resolve_encoding(name.strip().strip("\"'"))


def _correct(body: bytes, declared: str | None) -> str:
    """Pick the encoding that the bytes actually support when the declaration is missing or a lie."""
    if declared is None or declared == "utf-8":
        if _is_utf8(body):
            return "utf-8"
        return "cp1252" if declared is None or _mostly_not_utf8(body) else "utf-8"
    if declared in _SINGLE_BYTE_DEFAULTS and _has_high_bytes(body) and _is_utf8(body):
        return "utf-8"
    return declared


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut by a size limit at the very end is still UTF-8.
        return exc.start >= len(body) - 3 and exc.reason == "unexpected end of data"
    return True


def _has_high_bytes(body: bytes) -> bool:
    return any(b > 0x7F for b in body[:200_000])


def _mostly_not_utf8(body: bytes) -> bool:
    """More than a few invalid sequences: the page is in a single-byte charset despite saying UTF-8."""
    text = body[:200_000].decode("utf-8", errors="replace")
    return text.count("\ufffd") > 3
