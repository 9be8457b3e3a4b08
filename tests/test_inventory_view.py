"""The inventory view (indicator -> services -> evidence) and the run-to-run diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from inventory import build_view, diff
from inventory.view import framework_indicator_names

NAMES = {35: "Tingkat Kematangan Layanan Pengadaan Barang dan Jasa", 44: "Tingkat Kematangan Layanan JDIH"}


def _finding(
    fid: int, service: str, indicators: list[int], unit: str, signals: list[str], confidence: float, url: str = "", kind: str = "link"
) -> dict[str, Any]:
    return {
        "id": fid,
        "run_id": 1,
        "pemda_code": "18.71",
        "unit_code": unit,
        "website_id": None,
        "rule_id": service.replace("_", "-"),
        "service": service,
        "indicators": {"spbe-2020": indicators, "pemdi-2026": [17]},
        "url": url or f"https://{service}.example.go.id/{fid}",
        "kind": kind,
        "snippet": f"bukti {fid}",
        "signals": signals,
        "confidence": confidence,
        "seen_at": None,
    }


FINDINGS = [
    _finding(1, "jdih", [44], "18.71/bag-hukum", ["informasi", "interaksi"], 0.9, kind="host"),
    _finding(2, "jdih", [44], "18.71", ["informasi"], 0.54),
    _finding(3, "jdih", [44], "18.71/diskominfo", ["kolaborasi", "informasi"], 0.9, kind="api"),
    _finding(4, "spse", [35], "18.71/bag-pbj", ["informasi"], 0.54),
    _finding(5, "sirup", [35], "18.71/bag-pbj", ["informasi"], 0.51),
    _finding(6, "ppid", [], "18.71/diskominfo", ["informasi", "transaksi"], 0.85, kind="host"),
    _finding(7, "perizinan", [45, 46, 47], "18.71/dpmptsp", ["informasi"], 0.8, kind="host"),
]


def test_view_groups_findings_per_indicator_with_lainnya_last() -> None:
    view = build_view(FINDINGS, indicator_names=NAMES, service_names={"jdih": "JDIH"})
    assert [entry["indicator"] for entry in view] == [35, 44, 45, 46, 47, None]
    assert [entry["name"] for entry in view][:2] == [NAMES[35], NAMES[44]]
    assert view[2]["name"] == "Indikator 45" and view[-1]["name"] == "Lainnya"
    assert [s["service"] for s in view[0]["services"]] == ["sirup", "spse"]
    assert [s["service"] for s in view[-1]["services"]] == ["ppid"]
    assert all([s["service"] for s in view[i]["services"]] == ["perizinan"] for i in (2, 3, 4))


def test_service_entry_merges_signals_units_and_ranks_evidence() -> None:
    view = build_view(FINDINGS, indicator_names=NAMES, service_names={"jdih": "JDIH"})
    (jdih,) = view[1]["services"]
    assert jdih["name"] == "JDIH"
    assert jdih["signals"] == ["informasi", "interaksi", "kolaborasi"]
    assert jdih["units"] == ["18.71", "18.71/bag-hukum", "18.71/diskominfo"]
    assert jdih["confidence"] == 0.9
    assert [e["finding_id"] for e in jdih["evidence"]] == [1, 3, 2]
    assert jdih["evidence"][0] == {
        "finding_id": 1,
        "url": "https://jdih.example.go.id/1",
        "snippet": "bukti 1",
        "rule_id": "jdih",
        "kind": "host",
        "unit_code": "18.71/bag-hukum",
        "confidence": 0.9,
    }


def test_view_for_another_framework_uses_its_mapping() -> None:
    view = build_view(FINDINGS, framework="pemdi-2026", indicator_names={17: "Portal Layanan Digital Pemerintah"})
    assert [(e["indicator"], e["name"]) for e in view] == [(17, "Portal Layanan Digital Pemerintah")]
    assert len(view[0]["services"]) == 5


def test_service_names_default_to_the_pack_catalog() -> None:
    view = build_view(FINDINGS[:1], indicator_names=NAMES)
    assert view[0]["services"][0]["name"] == "JDIH (Jaringan Dokumentasi dan Informasi Hukum)"


def test_indicator_names_are_read_by_the_framework_loader(tmp_path: Path) -> None:
    names = framework_indicator_names("spbe-2020")
    assert len(names) == 47 and names[44] == "Tingkat Kematangan Layanan Jaringan Dokumentasi dan Informasi Hukum (JDIH)"
    assert framework_indicator_names("tidak-ada", data_dir=tmp_path) == {}


def test_unreadable_framework_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "frameworks").mkdir()
    (tmp_path / "frameworks" / "rusak.yaml").write_text("indicators: [tidak ditutup\n", encoding="utf-8")
    with pytest.raises(ValueError, match="rusak.yaml"):
        framework_indicator_names("rusak", data_dir=tmp_path)
    (tmp_path / "frameworks" / "kurang.yaml").write_text("indicators:\n  - {no: 44, name: Layanan JDIH}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kurang.yaml"):  # the loader's rules hold here too
        framework_indicator_names("kurang", data_dir=tmp_path)


def test_empty_inventory_has_no_groups() -> None:
    assert build_view([], indicator_names={}) == []


def test_diff_reports_appeared_disappeared_and_changed_signals() -> None:
    previous = [FINDINGS[0], FINDINGS[3], FINDINGS[5]]
    current = [FINDINGS[0], FINDINGS[2], FINDINGS[4], _finding(8, "ppid", [], "18.71/diskominfo", ["informasi"], 0.8)]
    assert diff(previous, current) == {
        "appeared": ["sirup"],
        "disappeared": ["spse"],
        "changed": {
            "jdih": {"gained": ["kolaborasi"], "lost": []},
            "ppid": {"gained": [], "lost": ["transaksi"]},
        },
    }


def test_diff_of_identical_runs_is_empty() -> None:
    assert diff(FINDINGS, list(reversed(FINDINGS))) == {"appeared": [], "disappeared": [], "changed": {}}
