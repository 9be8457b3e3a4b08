"""The regex safety policy of the signature pack: the one policy of every rule, in :mod:`spbe_crawler.patterns`."""

from spbe_crawler.patterns import MAX_PATTERN_LENGTH, MAX_REPEAT, MAX_STEPS, PatternError, compile_bounded, required_literals

__all__ = ["MAX_PATTERN_LENGTH", "MAX_REPEAT", "MAX_STEPS", "PatternError", "compile_bounded", "required_literals"]
