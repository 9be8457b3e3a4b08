from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from spbe_crawler import config
from spbe_crawler.discovery.rules import PLACEHOLDERS, DiscoveryDataError, load_rules


def test_bundled_rules_load_once_and_cover_every_kind() -> None:
    rules = load_rules()
    assert rules is load_rules()
    assert set(rules.patterns) == {"kecamatan", "kelurahan", "desa"} == set(rules.kinds)
    assert rules.kind_of_word["kel"] == "kelurahan"
    assert rules.thresholds.extension_cap < rules.thresholds.link_accept
    for patterns in rules.patterns.values():
        for pattern in patterns:
            assert "{name}" in pattern.template


def _edit(file: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data), encoding="utf-8")

    return apply


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _write(file: str, text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / file).write_text(text, encoding="utf-8")


BAD_DATA = [
    (
        "words not a list",
        _edit("names.yaml", _set(["kinds", "kelurahan", "words"], "kel")),
        "names.yaml: kinds.kelurahan",
    ),
    ("upper-case word", _edit("names.yaml", _set(["extension_words"], ["Baru"])), "names.yaml: extension_words"),
    (
        "unknown placeholder",
        _edit("host_patterns.yaml", _set(["kinds", "kelurahan", 0, "host"], "kel-{name}.{kota}")),
        "host_patterns.yaml: kelurahan-kel-dash",
    ),
    (
        "pattern without name",
        _edit("host_patterns.yaml", _set(["kinds", "desa", 0, "host"], "desa.{root}")),
        "host_patterns.yaml: desa-id",
    ),
    (
        "duplicate id",
        _edit("host_patterns.yaml", _set(["kinds", "desa", 1, "id"], "desa-id")),
        "host_patterns.yaml: desa-id",
    ),
    (
        "kind unknown to names",
        _edit("host_patterns.yaml", _set(["kinds", "dusun"], [{"id": "d", "host": "{name}.{root}"}])),
        "host_patterns.yaml: kinds.dusun",
    ),
    (
        "kind outside the unit vocabulary",
        _edit("names.yaml", _set(["kinds", "dusun"], {"label": "Dusun", "words": ["dusun"], "host_prefixes": ["dusun"]})),
        "names.yaml: kinds.dusun",
    ),
    ("zero max", _edit("host_patterns.yaml", _set(["max_guesses"], 0)), "host_patterns.yaml: max_guesses"),
    ("score above one", _edit("thresholds.yaml", _set(["link_accept"], 1.5)), "thresholds.yaml: link_accept"),
    ("unknown key", _edit("thresholds.yaml", _set(["link_acept"], 0.8)), "thresholds.yaml: link_acept"),
    ("weights", _edit("thresholds.yaml", _set(["host_weight"], 0.9)), "thresholds.yaml: host_weight"),
    ("bad yaml", _write("names.yaml", "kinds: [unclosed"), "names.yaml: YAML tidak sah"),
    ("not a mapping", _write("thresholds.yaml", "- 1\n- 2\n"), "thresholds.yaml: isi berkas"),
    (
        "missing file",
        lambda folder: (folder / "host_patterns.yaml").unlink(),
        "host_patterns.yaml: berkas tidak dapat dibaca",
    ),
]


@pytest.mark.parametrize("label, damage, message", BAD_DATA, ids=[case[0] for case in BAD_DATA])
def test_bad_data_fails_with_file_and_entry(tmp_path: Path, label: str, damage: Callable[[Path], None], message: str) -> None:
    shutil.copytree(Path(config.DATA_DIR) / "discovery", tmp_path / "discovery")
    load_rules(tmp_path)  # the untouched copy loads
    damaged = tmp_path / "damaged"
    shutil.copytree(Path(config.DATA_DIR) / "discovery", damaged / "discovery")
    damage(damaged / "discovery")
    with pytest.raises(DiscoveryDataError) as error:
        load_rules(damaged)
    assert message in str(error.value)


def test_placeholders_documented_in_the_pattern_file() -> None:
    header = (Path(config.DATA_DIR) / "discovery" / "host_patterns.yaml").read_text(encoding="utf-8")
    for placeholder in PLACEHOLDERS:
        assert "{" + placeholder + "}" in header
