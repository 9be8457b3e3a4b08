"""The one rule/matcher engine of every page rule: health rules, usage signals and the signature pack.

See :mod:`spbe_crawler.matching.engine` (specs, dialects, evaluation), :mod:`.parts` (the page parts,
derived once per page from its one parse) and :mod:`.snippets` (bounded evidence text).
"""

from spbe_crawler.matching.engine import (
    HEALTH,
    MAX_HITS,
    NUMERIC_PARTS,
    PART_LABELS,
    SIGNATURES,
    Condition,
    Dialect,
    Hit,
    Matcher,
    SpecError,
    compile_condition,
    compile_matcher,
    compile_matchers,
)
from spbe_crawler.matching.parts import PageParts

__all__ = [
    "HEALTH",
    "MAX_HITS",
    "NUMERIC_PARTS",
    "PART_LABELS",
    "SIGNATURES",
    "Condition",
    "Dialect",
    "Hit",
    "Matcher",
    "PageParts",
    "SpecError",
    "compile_condition",
    "compile_matcher",
    "compile_matchers",
]
