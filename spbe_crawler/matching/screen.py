"""Which rules of a rule set can hold on a page, decided once per page from the needles it contains.

Every compiled condition has a literal prefilter at its entry (:func:`entry_gates`): an ``all``
matcher that needs one of its literals, or the ``any`` matchers when each of them does. Where that
prefilter finds nothing the condition cannot hold. Asking each rule's prefilter in turn cost a
Python call per rule and page, most of the time the rule sets took on an ordinary page that holds
none of their literals. A :class:`Screen` indexes a rule set by those literals instead: per page it
reads the needles found in each folded part (:meth:`NeedleSet.found`, one RE2 pass per part, shared
by every rule set) and returns the rules one of them admits, in their order, with every rule that
has no prefilter. The rules it leaves out are exactly those whose conditions could not hold, so
evaluating only the rules it returns gives the same findings (``tests/test_matching.py`` checks
that over the shipped rules and the sample pages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from spbe_crawler.matching.engine import Condition, Literals, NeedleSet

if TYPE_CHECKING:
    from spbe_crawler.health.page import PageFacts

T = TypeVar("T")


def entry_gates(condition: Condition) -> tuple[Literals, ...] | None:
    """Prefilters of which one must find a needle for ``condition`` to hold; ``None``: no such prefilter.

    One gated ``all`` matcher is enough (every ``all`` matcher must hit); else the ``any`` matchers'
    prefilters, when each of them has one (one ``any`` matcher must hit).
    """
    for matcher in condition.all:
        if matcher.gate is not None:
            return (matcher.gate,)
    return condition.any_gates


class Screen(Generic[T]):
    """Items (rules, matchers...) each with the prefilters of which one must find a needle for the
    item to apply (``None``: it always may). :meth:`candidates` keeps the order of ``entries``."""

    __slots__ = ("items", "_always", "_index")

    def __init__(self, entries: Iterable[tuple[T, tuple[Literals, ...] | None]]) -> None:
        self.items: list[T] = []
        always: list[int] = []
        index: dict[NeedleSet, dict[str, set[int]]] = {}
        for position, (item, gates) in enumerate(entries):
            self.items.append(item)
            if not gates:
                always.append(position)
                continue
            for gate in gates:
                by_needle = index.setdefault(gate.needle_set, {})
                for needle in gate.needles:
                    by_needle.setdefault(needle, set()).add(position)
        self._always = frozenset(always)
        self._index = tuple(
            (needle_set, {needle: frozenset(found) for needle, found in by_needle.items()}) for needle_set, by_needle in index.items()
        )

    def candidates(self, facts: PageFacts) -> list[T]:
        """The items that may apply to ``facts``, in their order."""
        admitted = set(self._always)
        for needle_set, by_needle in self._index:
            found = needle_set.found(facts)
            if found:
                for needle in by_needle.keys() & found:
                    admitted |= by_needle[needle]
        if len(admitted) == len(self.items):
            return list(self.items)
        items = self.items
        return [items[position] for position in sorted(admitted)]
