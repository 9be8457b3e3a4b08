"""The demo region as ground truth: manifest, routes, registry CSV, plan checks."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from spbe_crawler.demo.assets import scan_portals, scan_problem_pages
from spbe_crawler.demo.naming import dashed, joined
from spbe_crawler.demo.plan import HOW_FOUND, PLAN_FILE, PlanError, load_plan
from spbe_crawler.demo.region import build_region
from spbe_crawler.demo.units import read_opds, read_units, wilayah_path
from spbe_crawler.health.status import Status
from spbe_crawler.net.policy import NameNotFound, NetworkPolicy

ROOT = "bandarlampungkota.go.id"


def kemendagri_units() -> dict[str, str]:
    """code -> name of every kecamatan and kelurahan of 18.71, read straight from the CSV."""
    with open(wilayah_path(), encoding="utf-8", newline="") as handle:
        return {row[0]: row[1] for row in csv.reader(handle) if re.fullmatch(r"18\.71\.\d\d(\.\d{4})?", row[0])}


def test_every_kecamatan_and_kelurahan_is_in_the_manifest(demo_web):
    units = kemendagri_units()
    by_unit: dict[str, list[dict]] = {}
    for entry in demo_web.manifest.values():
        by_unit.setdefault(entry["unit_code"], []).append(entry)
    assert len(units) == 146  # 20 kecamatan + 126 kelurahan
    for code in units:
        entries = by_unit.get(code)
        assert entries, code
        no_site = [e for e in entries if e["expected_status"] == "no_website"]
        assert not no_site or (len(entries) == 1 and not no_site[0]["routed"]), code


def test_site_mix(demo_web):
    entries = demo_web.manifest.values()
    kecamatan = [e for e in entries if e["kind"] == "kecamatan"]
    kelurahan = [e for e in entries if e["kind"] == "kelurahan"]
    with_site = [e for e in kelurahan if e["expected_status"] != "no_website"]
    assert len(kecamatan) == 20 and all(e["routed"] for e in kecamatan)
    assert 2 <= sum(e["how_found"] == "guessable" for e in kecamatan) <= 3
    assert 0.5 <= len(with_site) / len(kelurahan) <= 0.7
    hows = {how: sum(e["how_found"] == how for e in with_site) for how in HOW_FOUND}
    assert hows["declared"] > 0 and hows["linked"] > 0 and hows["guessable"] > 0 and hows["ambiguous"] == 2
    assert all(e["how_found"] in HOW_FOUND for e in entries)
    assert all(e["expected_status"] in {s.value for s in Status} for e in entries)


def test_ambiguous_sites_fit_two_kelurahan(demo_web):
    units = kemendagri_units()
    ambiguous = [e for e in demo_web.manifest.values() if e["how_found"] == "ambiguous"]
    for entry in ambiguous:
        names = [units[code] for code in entry["candidates"]]
        stem = entry["link_text"].removeprefix("Kelurahan ")
        assert len(names) == 2 and entry["unit_code"] in entry["candidates"]
        assert all(name.startswith(stem) and name != stem for name in names)


def test_some_linked_kelurahan_have_drifted_host_spellings(demo_web):
    units = kemendagri_units()
    drifted = []
    for host, entry in demo_web.manifest.items():
        if entry["kind"] == "kelurahan" and entry["how_found"] == "linked":
            name = units[entry["unit_code"]]
            label = re.sub(r"^(kelurahan-|kel-|kel)", "", host.split(".")[0])
            if label not in (joined(name), dashed(name)):
                drifted.append(host)
    assert len(drifted) >= 3


def test_unlinked_kelurahan_sites_follow_two_naming_patterns_and_drift(demo_web):
    """Issue #9: sites found only by the pemda's own naming, incl. glued multi-word names and drift."""
    units = kemendagri_units()
    guessable = {h: e for h, e in demo_web.manifest.items() if e["kind"] == "kelurahan" and e["how_found"] == "guessable"}
    labels = [h.split(".")[0] for h in guessable]
    glued_multiword = [
        lab
        for h, lab in zip(guessable, labels, strict=True)
        if " " in units[guessable[h]["unit_code"]] and lab == "kel" + joined(units[guessable[h]["unit_code"]])
    ]
    assert len(glued_multiword) >= 2
    assert any(lab.startswith("kel-") for lab in labels) and any(lab.startswith("kelurahan-") for lab in labels)
    spelled = [
        lab
        for h, lab in zip(guessable, labels, strict=True)
        if joined(units[guessable[h]["unit_code"]]) not in lab and dashed(units[guessable[h]["unit_code"]]) not in lab
    ]
    assert len(spelled) >= 2  # Kemendagri spelling drift


def test_routes_file_maps_hosts_and_keeps_private_zones(demo_web):
    policy = NetworkPolicy.from_lines(demo_web.routes_file.read_text().splitlines(), ["127.0.0.0/8"])
    ports = demo_web.ports
    assert policy.route(ROOT, 443) == ("127.0.0.1", ports.https)
    assert policy.route("www." + ROOT, 80) == ("127.0.0.1", ports.http)
    assert policy.route("www.lapor.go.id", 443) == ("127.0.0.1", ports.https)
    assert policy.route("bpbd." + ROOT, 443) == ("127.0.0.1", ports.blackhole)
    assert policy.route("dpupr." + ROOT, 80) == ("127.0.0.1", ports.refused)
    assert policy.route("tetes." + ROOT, 443) == ("127.0.0.1", ports.drip_https)
    assert policy.resolve("dinkes." + ROOT, 443) == [("127.0.0.1", ports.https)]
    for missing in ("disdag." + ROOT, "kel-tidakada." + ROOT, "tidakada.lapor.go.id", "situs-lain.go.id"):
        with pytest.raises(NameNotFound):
            policy.resolve(missing, 443)


def test_every_routed_manifest_host_has_a_route_and_no_other(demo_web):
    policy = NetworkPolicy.from_lines(demo_web.routes_file.read_text().splitlines())
    for host, entry in demo_web.manifest.items():
        assert (policy.route(host, 443) is not None) == entry["routed"], host


def test_registry_csv_lists_exactly_the_declared_non_opd_sites(demo_web):
    with open(demo_web.registry_csv, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["code", "name", "kind", "parent_code", "website"]
    declared = {
        (e["unit_code"], e.get("registered_url") or e["url"].rstrip("/"))  # a messy entry keeps its registered URL
        for e in demo_web.manifest.values()
        if e["declared"] and e["kind"] in ("pemda", "kecamatan", "kelurahan")
    }
    assert {(r["code"], r["website"]) for r in rows} == declared
    units = kemendagri_units()
    for row in rows:
        if row["kind"] != "pemda":
            assert units[row["code"]] == row["name"] and row["code"].startswith(row["parent_code"] + ".")


def test_manifest_file_matches_the_attribute(demo_web):
    import json

    assert json.loads(demo_web.manifest_file.read_text(encoding="utf-8")) == demo_web.manifest


def test_region_is_deterministic():
    plan = load_plan()
    units, opds = read_units("18.71"), read_opds("18.71")
    first, second = build_region(plan, units, opds), build_region(plan, units, opds)
    assert [(s.host, s.unit_code, s.how_found, s.behaviour) for s in first.sites.values()] == [
        (s.host, s.unit_code, s.how_found, s.behaviour) for s in second.sites.values()
    ]


def _plan_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: None, None),
        (lambda d: d.pop("root"), "kunci wajib tidak ada: root"),
        (lambda d: d["opd"]["behaviours"].update(dinkes="meledak"), "opd.behaviours.dinkes"),
        (lambda d: d["opd"]["traps"].update(dinkes=["lubang_hitam"]), "opd.traps.dinkes"),
        (lambda d: d["test_hosts"].update(uji="tls_kadaluarsa"), "test_hosts.uji"),
        (lambda d: d["kelurahan"]["overrides"].update({"Kedaton": {"how_found": "dicari"}}), "how_found"),
        (lambda d: d["kelurahan"].pop("site_ratio"), "site_ratio"),
    ],
)
def test_plan_is_checked_when_loaded(tmp_path, change, message):
    path = _plan_with(tmp_path, change)
    if message is None:
        assert load_plan(path)["root"] == ROOT
    else:
        with pytest.raises(PlanError, match=re.escape(message)) as error:
            load_plan(path)
        assert str(path) in str(error.value)


def test_plan_naming_an_unknown_kelurahan_fails_with_the_file_name(tmp_path):
    path = _plan_with(tmp_path, lambda d: d["kelurahan"]["overrides"].update({"Atlantis": {}}))
    with pytest.raises(PlanError, match=r"plan\.yaml: kelurahan\.Atlantis"):
        build_region(load_plan(path), read_units("18.71"), read_opds("18.71"))


def test_bundled_problem_pages_and_portals_are_all_placed(demo_web):
    placed = {e.get("asset") for e in demo_web.manifest.values()} | {e.get("browser_asset") for e in demo_web.manifest.values()}
    for page in scan_problem_pages():
        assert page.path.name in placed
    for tree in scan_portals():
        assert demo_web.manifest[tree.host]["asset"] == tree.host
