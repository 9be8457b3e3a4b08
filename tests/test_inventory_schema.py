"""The signature pack as data: schema, catalog, coverage of the service indicators, example files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from inventory import load_pack

ROOT = Path(__file__).resolve().parent.parent
SIGNATURES = ROOT / "spbe_crawler" / "data" / "signatures"
RULE_FILES = sorted(p for p in SIGNATURES.rglob("*.yaml") if p.parent != SIGNATURES)
SCHEMA = json.loads((SIGNATURES / "schema.json").read_text(encoding="utf-8"))
SERVICE_KEYS = {
    "sipd",
    "e_planning",
    "e_budgeting",
    "simda",
    "spse",
    "sirup",
    "e_katalog",
    "siasn",
    "simpeg",
    "srikandi",
    "bmd",
    "spip",
    "wbs",
    "esakip",
    "ekinerja",
    "lapor",
    "pengaduan_pemda",
    "satu_data",
    "jdih",
    "ppid",
    "perizinan",
    "dukcapil",
    "kesehatan",
    "pendidikan",
    "opensid",
    "skm",
}


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_matches_schema(path: Path) -> None:
    rule = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(rule), key=str)
    assert not errors, f"{path}: {[e.message for e in errors]}"


def test_schema_rejects_a_matcher_naming_two_parts() -> None:
    rule = yaml.safe_load(RULE_FILES[0].read_text(encoding="utf-8"))
    rule["match"] = {"any": [{"host": "^x\\.", "title": "x"}]}
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(rule))


def test_catalog_holds_exactly_the_service_keys() -> None:
    pack = load_pack(SIGNATURES)
    assert set(pack.catalog.services) == SERVICE_KEYS
    assert {rule.service for rule in pack.rules} == SERVICE_KEYS


def test_pack_covers_every_service_indicator_32_to_47() -> None:
    pack = load_pack(SIGNATURES)
    covered = {n for rule in pack.rules for n in rule.indicators.get("spbe-2020", ())}
    assert set(range(32, 48)) <= covered


@pytest.mark.parametrize("service", ["ppid", "skm", "opensid"])
def test_services_outside_59_2020_have_no_indicator(service: str) -> None:
    pack = load_pack(SIGNATURES)
    rules = [r for r in pack.rules if r.service == service]
    assert rules and all(r.indicators["spbe-2020"] == () for r in rules)


def test_sector_services_map_to_45_46_47() -> None:
    pack = load_pack(SIGNATURES)
    for rule in pack.rules:
        if rule.service in {"perizinan", "dukcapil", "kesehatan", "pendidikan"}:
            assert rule.indicators["spbe-2020"] == (45, 46, 47), rule.id


def test_pemdi_mapping_is_marked_unconfirmed() -> None:
    pack = load_pack(SIGNATURES)
    for rule in pack.rules:
        if rule.indicators.get("pemdi-2026"):
            assert "pemdi-2026" in rule.unconfirmed, rule.id


def test_examples_exist_and_real_pages_carry_their_source() -> None:
    pack = load_pack(SIGNATURES)
    for rule in pack.rules:
        for example in rule.positive + rule.negative:
            path = ROOT / example.file
            assert path.is_file(), f"{rule.id}: missing {example.file}"
            if "/real/" in example.file:
                assert path.with_name(path.name + ".source.txt").is_file(), example.file


def test_every_positive_example_pins_signals_and_one_shows_more_than_existence() -> None:
    """Each rule proves it reads maturity from a service page, not only a menu entry naming it."""
    pack = load_pack(SIGNATURES)
    for rule in pack.rules:
        assert all(e.signals is not None for e in rule.positive), rule.id
        assert any(set(e.signals or ()) - {"informasi"} for e in rule.positive), rule.id
