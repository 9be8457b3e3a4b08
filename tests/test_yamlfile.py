"""Data files are read by one safe YAML loader, the C one where PyYAML has libyaml."""

from __future__ import annotations

import pytest
import yaml

from spbe_crawler.config import PACKAGE_DATA_DIR
from spbe_crawler.yamlfile import SAFE_LOADER, load_yaml


def test_the_c_loader_is_used_where_pyyaml_has_libyaml() -> None:
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def test_every_data_file_reads_the_same_as_with_the_python_loader() -> None:
    files = sorted(PACKAGE_DATA_DIR.rglob("*.yaml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


@pytest.mark.parametrize("text", ["!!python/object/apply:os.system ['true']", "a: !!python/name:os.system"])
def test_python_tags_are_refused(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)
