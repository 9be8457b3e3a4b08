"""One place that loads the frameworks and rubrics of a directory once and hands them out."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from scoring.framework import Framework
from scoring.framework_loader import FrameworkError, load_frameworks
from scoring.rubric import Rubric, RubricError, load_rubric, rubric_path


class Catalog:
    """Frameworks of ``directory`` loaded eagerly; rubrics loaded on first use and kept."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.frameworks = load_frameworks(self.directory)
        self._rubrics: dict[str, Rubric] = {}

    def ids(self) -> list[str]:
        return sorted(self.frameworks)

    def framework(self, framework_id: str) -> Framework:
        try:
            return self.frameworks[framework_id]
        except KeyError:
            raise FrameworkError(f"kerangka '{framework_id}' tidak dikenal; tersedia: {', '.join(self.ids()) or '-'}") from None

    def rubric(self, framework_id: str) -> Rubric:
        if framework_id not in self._rubrics:
            framework = self.framework(framework_id)
            path = rubric_path(self.directory, framework_id)
            if not path.exists():
                raise RubricError(f"{path.name}: rubrik untuk kerangka {framework_id} tidak ada")
            self._rubrics[framework_id] = load_rubric(path, framework)
        return self._rubrics[framework_id]


@lru_cache(maxsize=8)
def catalog(directory: str) -> Catalog:
    """The cached catalog of ``directory`` (a string so it can be a cache key)."""
    return Catalog(directory)
