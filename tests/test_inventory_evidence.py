"""Evidence per service (issue #9): news, contact and profile pages are no evidence; a same-site menu
entry that only names a service is "mungkin ada layanan"; the view keeps a few pages per level."""

from __future__ import annotations

from pathlib import Path

from inventory import PageData, load_pack
from inventory.view import PAGES_PER_LEVEL, POSSIBLE_LABEL, build_view

SIGNATURES = Path(__file__).resolve().parent.parent / "spbe_crawler" / "data" / "signatures"
PACK = load_pack(SIGNATURES)
NEWS = """<html><head><title>Sosialisasi SP4N-LAPOR! bagi ASN</title></head><body>
<p>Dinas Perhubungan mengadakan sosialisasi kanal pengaduan.</p>
<a href="https://www.lapor.go.id/">SP4N-LAPOR!</a></body></html>"""
HOME = """<html><head><title>Dinas Perhubungan</title></head><body><nav>
<a href="/ppid">PPID</a> <a href="/berita/2026-sosialisasi-e-kinerja">Sosialisasi e-Kinerja</a>
<a href="/kontak">Pengaduan LAPOR!</a> <a href="https://www.lapor.go.id/">SP4N-LAPOR!</a></nav></body></html>"""


def _services(url: str, html: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for match in PACK.match_page(PageData(url, html=html)):
        found.setdefault(match.service, []).append(match)
    return found


def test_a_news_article_contact_or_profile_page_gives_no_finding() -> None:
    for path in ("/berita/2026-05-01-sosialisasi-lapor", "/kontak", "/profil", "/2026/05/01/lapor/", "/index.php?p=123"):
        assert _services("https://dishub.contohkab.go.id" + path, NEWS) == {}, path
    assert "lapor" in _services("https://dishub.contohkab.go.id/layanan", NEWS)


def test_links_to_news_and_contact_pages_are_not_evidence_and_menu_entries_are_mentions() -> None:
    found = _services("https://dishub.contohkab.go.id/", HOME)
    assert "ekinerja" not in found  # the headline links a news article
    assert [m.url for m in found["lapor"]] == ["https://www.lapor.go.id/"]  # not the contact page
    assert found["lapor"][0].kind != "menu"  # a link to the service's own host
    ppid = found["ppid"][0]
    assert ppid.kind == "menu" and ppid.confidence < 0.3  # the site only names its PPID page


def _finding(id_: int, service: str, url: str, kind: str, signals: list[str], confidence: float) -> dict:
    return {
        "id": id_,
        "service": service,
        "indicators": {"spbe-2020": [42]},
        "url": url,
        "kind": kind,
        "signals": signals,
        "confidence": confidence,
        "rule_id": service,
        "unit_code": "18.71/dishub",
        "snippet": "",
    }


def test_the_view_lists_few_pages_per_level_and_marks_possible_services() -> None:
    findings = [
        _finding(i, "lapor", f"https://lapor.contohkab.go.id/p{i}", "page", ["informasi", "interaksi"], 0.9 - i / 100) for i in range(6)
    ]
    findings += [_finding(10, "lapor", "https://lapor.contohkab.go.id/login", "login", ["informasi", "transaksi"], 0.8)]
    findings += [_finding(11, "lapor", "https://dishub.contohkab.go.id/aduan", "menu", ["informasi"], 0.2)]
    findings += [_finding(12, "pengaduan_pemda", "https://dishub.contohkab.go.id/aduan", "menu", ["informasi"], 0.2)]
    view = build_view(findings, indicator_names={42: "Pengaduan"}, service_names={"lapor": "LAPOR", "pengaduan_pemda": "Aduan"})
    services = {s["service"]: s for s in view[0]["services"]}
    lapor = services["lapor"]
    assert lapor["status"] == "ada" and [lvl["signal"] for lvl in lapor["levels"]] == ["informasi", "interaksi", "transaksi"]
    assert all(len(lvl["evidence"]) <= PAGES_PER_LEVEL for lvl in lapor["levels"])
    assert [e["url"] for e in lapor["levels"][2]["evidence"]] == ["https://lapor.contohkab.go.id/login"]
    assert "https://dishub.contohkab.go.id/aduan" not in [e["url"] for e in lapor["evidence"]]
    assert [e["finding_id"] for e in lapor["possible"]] == [11]
    aduan = services["pengaduan_pemda"]
    assert aduan["status"] == POSSIBLE_LABEL and aduan["evidence"] == [] and aduan["confidence"] == 0.2
