"""Evidence sentences (Bahasa Indonesia) quoting untrusted text safely: one line, bounded length."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def quote(text: str, limit: int) -> str:
    """Crawled text as a single bounded line, for plain-text evidence (rendering escapes it later)."""
    line = " ".join(_CONTROL.sub(" ", text or "").split())
    return line if len(line) <= limit else line[: max(limit - 1, 0)].rstrip() + "…"


def unit_phrase(label: str, name: str) -> str:
    """``Kelurahan Panarukan``; a name that already starts with its label is not doubled."""
    if not label or name.lower().startswith(label.lower() + " "):
        return name
    return f"{label} {name}"


def score_text(score: float) -> str:
    return f"{score:.2f}"
