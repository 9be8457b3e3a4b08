"""The one exception of the assessment glue; its message is Bahasa Indonesia, shown as-is."""

from __future__ import annotations


class AssessmentError(Exception):
    """A request the assessment cannot fulfil (unknown pemda, no survey, invalid review input)."""
