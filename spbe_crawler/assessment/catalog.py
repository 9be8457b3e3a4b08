"""The frameworks and rubrics of ``$SPBE_DATA_DIR/frameworks``, loaded once per process."""

from __future__ import annotations

from scoring._parse import DataFileError
from scoring.catalog import Catalog, catalog
from scoring.framework import Framework
from scoring.rubric import Rubric
from spbe_crawler import config
from spbe_crawler.assessment.errors import AssessmentError

DEFAULT_FRAMEWORK = "spbe-2020"


def frameworks_dir() -> str:
    return str(config.DATA_DIR / "frameworks")


def get_catalog() -> Catalog:
    try:
        return catalog(frameworks_dir())
    except DataFileError as exc:
        raise AssessmentError(str(exc)) from None


def get_framework(framework_id: str) -> Framework:
    try:
        return get_catalog().framework(framework_id)
    except DataFileError as exc:
        raise AssessmentError(str(exc)) from None


def get_rubric(framework_id: str) -> Rubric:
    try:
        return get_catalog().rubric(framework_id)
    except DataFileError as exc:
        raise AssessmentError(str(exc)) from None
