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


MIN_LITERAL = 2
"""Required literals shorter than this many UTF-8 bytes filter too little to be worth checking."""
MAX_EXPANSION = 16
"""A run of literal characters and small classes (``l[o0]gin``) yields at most this many alternatives."""
RARE_LITERAL = 6
"""Required literals of this many UTF-8 bytes are rare on most pages: between candidates at least this
selective, the one with fewer alternatives is preferred ("deposit " over "deposit pulsa|deposit dana")."""

_CASE_TWINS = frozenset(
    # Folded by the fold's own table (the text side); refused as pattern characters all the same.
    "\u0130\u0131\u017f\u212a"  # İ ı ſ K (Kelvin sign)
    # Characters whose case-insensitive match includes one that lower() does not map to their own
    # lower case (σ matches ς, κ matches ϰ, с matches ᲃ...).
    "\u00b5\u0345"  # µ (micro sign), combining ypogegrammeni
    "\u0390\u0392\u0395\u0398\u0399\u039a\u039c\u03a0\u03a1\u03a3\u03a6\u03b0\u03b2\u03b5\u03b8\u03b9\u03ba"
    "\u03bc\u03c0\u03c1\u03c2\u03c3\u03c6\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f4\u03f5\u1fbe\u1fd3\u1fe3"  # Greek
    "\u0412\u0414\u041e\u0421\u0422\u042a\u0432\u0434\u043e\u0441\u0442\u044a\u0462\u0463"
    "\u1c80\u1c81\u1c82\u1c83\u1c84\u1c85\u1c86\u1c87\u1c88\ua64a\ua64b"  # Cyrillic
    "\u1e60\u1e61\u1e9b\ufb05\ufb06"  # Ṡ ṡ ẛ, the ligatures ſt and st
)
"""Characters that may not be part of a required literal: ``re`` matches them, case-insensitively,
with a character that :func:`~spbe_crawler.matching.parts.fold` does not fold to their own lower
case, so a literal holding them could skip a real match. Found by brute force over every code point
(tests/test_patterns.py recomputes the table and fails when it changes, e.g. with a new Unicode)."""


def _foldable(char: str) -> bool:
    """Whether every character ``re`` matches with ``char`` (case-insensitively) folds to ``char.lower()``."""
    return char not in _CASE_TWINS and len(char.lower()) == 1


def required_literals(source: str) -> tuple[str, ...] | None:
    """Lower-case strings, one of which occurs in the :func:`~spbe_crawler.matching.parts.fold` of
    every text ``source`` matches (case-insensitively); else ``None``.

    Only :func:`_foldable` characters are part of a literal: the fold maps the few non-ASCII
    characters that ``re`` matches with an ASCII letter (the Kelvin sign for "k", the long s, dotted
    and dotless i), and any other character ``re`` matches with a foldable one lower-cases to the
    same character, so the prefilter never skips a real match. Small classes are expanded
    (``l[o0]gin`` requires "login" or "l0gin"), at most :data:`MAX_EXPANSION` alternatives per run.
    """
    found = _required(list(sre_parse.parse(source, _FLAGS)))
    if not found or _selectivity(found) < MIN_LITERAL:
        return None
    return tuple(sorted(found))


def _required(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The best set of alternatives required by one parsed sequence (see :func:`_best`)."""
    items = _flatten(items)
    candidates: list[set[str]] = []
    run: set[str] = set()  # the alternatives of the current run of characters; empty: no run
    start = 0  # where the current run begins in ``items``
    for index, (op, av) in enumerate(items + [(None, None)]):
        chars = _chars(op, av)
        if chars is not None:
            if run and len(run) * len(chars) > MAX_EXPANSION:
                candidates.append(run)  # too many alternatives: the run ends, a new one begins
                run = set()
            if not run:
                start = index
            run = {prefix + char for prefix in run or {""} for char in chars}
            continue
        if op is sre_c.BRANCH:
            # The run before and the characters after take part in each branch: the parser moves
            # a prefix common to all branches out of them ("wbs|whistle" is parsed as w(bs|histle)).
            inner = _branches(av[1], items[start:index] if run else [], _run_after(items, index + 1))
        elif op is sre_c.SUBPATTERN:
            inner = _required(list(av[-1]))
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(list(av[2]))
        else:
            inner = None
        if run:
            candidates.append(run)
            run = set()
        if inner:
            candidates.append(inner)
    if not candidates:
        return None
    return max(candidates, key=_best)


def _flatten(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """``items`` with the items of its groups spliced in (groups only capture), unless a group sets flags."""
    if not any(op is sre_c.SUBPATTERN and not av[1] and not av[2] for op, av in items):
        return items
    flat: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre_c.SUBPATTERN and not av[1] and not av[2]:
            flat.extend(_flatten(list(av[-1])))
        else:
            flat.append((op, av))
    return flat


def _run_after(items: list[tuple[Any, Any]], start: int) -> list[tuple[Any, Any]]:
    """The items from ``start`` on that :func:`_chars` reads (a run of characters)."""
    end = start
    while end < len(items) and _chars(*items[end]) is not None:
        end += 1
    return items[start:end]


def _chars(op: Any, av: Any) -> set[str] | None:
    """The folded characters one parsed item matches, when it matches exactly one character that is
    a foldable literal or one of a small class of them; else ``None`` (the item ends a run)."""
    if op is sre_c.LITERAL:
        char = chr(av)
        return {char.lower()} if _foldable(char) else None
    if op is not sre_c.IN:
        return None  # ., \s, [^...]: too many characters
    codes: list[int] = []
    for member_op, member in av:
        if member_op is sre_c.LITERAL:
            codes.append(member)
        elif member_op is sre_c.RANGE and member[1] - member[0] < MAX_EXPANSION:
            codes.extend(range(member[0], member[1] + 1))
        else:
            return None  # NEGATE, a category (\w, \d), a large range
    if not all(_foldable(chr(code)) for code in codes):
        return None
    chars = {chr(code).lower() for code in codes}
    return chars if len(chars) <= MAX_EXPANSION else None


_COMMON = ("https://www.", "http://", ".go.id/", "<a href=", "<script", "src=", "<iframe", "<input", "<form")
"""Markup and URL fragments found on nearly every page: useless as a prefilter."""


def _selectivity(alternatives: set[str]) -> int:
    """UTF-8 length of the shortest alternative, or 0 when an alternative is a common fragment."""
    if any(any(a in common for common in _COMMON) for a in alternatives):
        return 0
    return min(len(a.encode("utf-8")) for a in alternatives)


def _best(alternatives: set[str]) -> tuple[int, int, int]:
    """Rank of a candidate set: the longest shortest alternative up to :data:`RARE_LITERAL` bytes,
    then the fewest alternatives (each one is a search of the page), then the longest."""
    selectivity = _selectivity(alternatives)
    return min(selectivity, RARE_LITERAL), -len(alternatives), selectivity


def _branches(branches: list[Any], before: list[tuple[Any, Any]], after: list[tuple[Any, Any]]) -> set[str] | None:
    """Alternatives one of which every branch requires, each read between ``before`` and ``after``."""
    union: set[str] = set()
    for branch in branches:
        found = _required(before + list(branch) + after)
        if not found:
            return None
        union |= found
    return union
