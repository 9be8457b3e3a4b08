"""The one regex safety policy of every rule (health rules, usage signals, signature pack).

Rules run over untrusted pages of up to a megabyte, so a pattern such as ``(a+)+$`` or
``<a.*lapor`` could take seconds or hours on a hostile page. Instead of timing out at run time we
refuse such patterns when the pack loads:

* every repetition has a finite upper bound of at most :data:`MAX_REPEAT` (write ``\\s{0,20}``
  or ``.{0,80}``, never ``*``, ``+`` or ``{n,}``);
* a repetition with an upper bound above 1 may only repeat one character (a literal, ``.``, a
  class, ``\\s``...), never a group, so backtracking cannot nest;
* the product of all repetition bounds (the worst number of steps from one start position) stays
  under :data:`MAX_STEPS`;
* no backreferences; patterns are at most :data:`MAX_PATTERN_LENGTH` characters.

For speed, :func:`required_literals` derives from a pattern the literal strings one of which must
occur in any text it matches (like RE2's prefilter); the engine runs the regex only on pages whose
folded text contains one of them.

The matcher engine (:mod:`spbe_crawler.matching`) compiles every rule pattern through
:func:`compile_bounded`. Signature patterns are compiled case-insensitive and multi-line: ``^`` and ``$`` anchor each item of
a list part (one link text, one form field), which is how rules say "the whole menu label". Health
patterns are case-insensitive only (their parts are single collapsed strings).

Why not RE2 (``google-re2``, linear time by construction): its Python binding encodes every ``str``
subject to UTF-8 on each call, so the pack's ~150 patterns over a 1 MB page would copy the page
~150 times, and its syntax lacks the look-arounds rules use. The load-time bound below gives the
same guarantee for the patterns we accept, at ``re`` speed.
"""

from __future__ import annotations

import re
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_REPEAT = 200
MAX_STEPS = 20_000
MAX_PATTERN_LENGTH = 500
_FLAGS = re.IGNORECASE | re.MULTILINE

_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT)}
_SINGLE_CHAR = {sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.IN, sre_c.CATEGORY}
_BACKREFS = {sre_c.GROUPREF, sre_c.GROUPREF_EXISTS, getattr(sre_c, "GROUPREF_IGNORE", sre_c.GROUPREF)}


class PatternError(ValueError):
    """A pattern that does not compile or whose matching cost is not bounded."""


def compile_bounded(source: str, flags: int = _FLAGS) -> re.Pattern[str]:
    """Compile ``source`` (case-insensitive, multi-line by default) after checking that its cost is bounded."""
    if not isinstance(source, str) or not source:
        raise PatternError("pattern must be a non-empty string")
    if len(source) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = sre_parse.parse(source, flags)
    except re.error as exc:
        raise PatternError(f"invalid regex {source!r}: {exc}") from None
    steps = _steps(list(parsed), source)
    if steps > MAX_STEPS:
        raise PatternError(f"pattern {source!r} may take {steps} steps per position (limit {MAX_STEPS}); use smaller repetition bounds")
    return re.compile(source, flags)


def _steps(items: list[tuple[Any, Any]], source: str) -> int:
    """Check one parsed sequence; return the product of its repetition bounds."""
    total = 1
    for op, av in items:
        if op in _REPEATS:
            total *= _repeat_steps(av, source)
        elif op is sre_c.SUBPATTERN:
            total *= _steps(list(av[-1]), source)
        elif op is sre_c.BRANCH:
            for branch in av[1]:
                total *= _steps(list(branch), source)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            total *= _steps(list(av[1]), source)
        elif op is getattr(sre_c, "ATOMIC_GROUP", None):
            total *= _steps(list(av), source)
        elif op in _BACKREFS:
            raise PatternError(f"pattern {source!r} uses a backreference")
    return total


def _repeat_steps(av: tuple[int, int, Any], source: str) -> int:
    low, high, body = av
    if high == sre_c.MAXREPEAT or high > MAX_REPEAT:
        raise PatternError(f"pattern {source!r} has an unbounded repetition; write {{0,{MAX_REPEAT}}} at most")
    body_items = list(body)
    if high > 1 and not (len(body_items) == 1 and body_items[0][0] in _SINGLE_CHAR):
        raise PatternError(f"pattern {source!r} repeats a group more than once; repeat single characters only")
    return (high + 1) * _steps(body_items, source)


MIN_LITERAL = 3
"""Shorter required literals filter too little to be worth checking."""


def required_literals(source: str) -> tuple[str, ...] | None:
    """Lower-case ASCII strings, one of which occurs in the :func:`~spbe_crawler.matching.parts.fold`
    of every text ``source`` matches (case-insensitively); else ``None``.

    The fold maps the few non-ASCII characters that ``re`` matches with an ASCII letter (the Kelvin
    sign for "k", the long s, dotted and dotless i), so the prefilter never skips a real match.
    """
    found = _required(list(sre_parse.parse(source, _FLAGS)))
    if not found or _selectivity(found) < MIN_LITERAL or not all(a.isascii() for a in found):
        return None  # non-ASCII literals: lower-cased bytes would not fold them like the regex does
    return tuple(sorted(found))


def _required(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The best set of alternatives required by one parsed sequence (the one whose shortest is longest)."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items + [(None, None)]:
        if op is sre_c.LITERAL:
            run.append(chr(av).lower())
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        if op is sre_c.SUBPATTERN:
            inner = _required(list(av[-1]))
        elif op is sre_c.BRANCH:
            inner = _branches(av[1])
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(list(av[2]))
        else:
            inner = None
        if inner:
            candidates.append(inner)
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


_COMMON = ("https://www.", "http://", ".go.id/", "<a href=", "<script", "src=", "<iframe", "<input", "<form")
"""Markup and URL fragments found on nearly every page: useless as a prefilter."""


def _selectivity(alternatives: set[str]) -> int:
    """Length of the shortest alternative, or 0 when an alternative is a common fragment."""
    if any(any(a in common for common in _COMMON) for a in alternatives):
        return 0
    return min(len(a) for a in alternatives)


def _branches(branches: list[Any]) -> set[str] | None:
    union: set[str] = set()
    for branch in branches:
        found = _required(list(branch))
        if not found:
            return None
        union |= found
    return union
