"""What the pages show and do: the units table and its CSV, site detail, assessment and review,
discovery decisions, monitoring, accounts page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from test_scoring_seed import PEMDA, T0
from web_support import AMBIGUOUS, FORMULA, OTHER_PEMDA, WebSeed, client_for, web_app, web_seed, web_template  # noqa: F401

from spbe_crawler.assessment import index_summary
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import CrawlRun, Review, Unit, Website
from spbe_crawler.store.models_web import WebUser


def _units(html: str) -> list[str]:
    return re.findall(r'<td data-label="Kode">([^<]+)</td>', html)


def test_units_filter_by_kind_kecamatan_status_and_search(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    everything = _units(client.get(f"/pemda/{PEMDA}/unit").text)
    assert len(everything) == 10
    kelurahan = _units(client.get(f"/pemda/{PEMDA}/unit", params={"jenis": "kelurahan"}).text)
    assert sorted(kelurahan) == ["18.71.01.1001", "18.71.01.1002", "18.71.01.1003", "18.71.02.1001", "18.71.02.1002"]
    in_tbb = _units(client.get(f"/pemda/{PEMDA}/unit", params={"kecamatan": "Teluk Betung Barat", "jenis": "kelurahan"}).text)
    assert sorted(in_tbb) == ["18.71.01.1001", "18.71.01.1002", "18.71.01.1003"]
    hacked = _units(client.get(f"/pemda/{PEMDA}/unit", params={"status": "diretas"}).text)
    assert hacked == ["18.71.02"]
    broken = set(_units(client.get(f"/pemda/{PEMDA}/unit", params={"status": "bermasalah"}).text))
    assert {"18.71.02", "18.71/bappeda", "18.71.01.1003"} <= broken and PEMDA not in broken
    assert _units(client.get(f"/pemda/{PEMDA}/unit", params={"cari": "kel-bakung"}).text) == ["18.71.01.1001"]
    assert _units(client.get(f"/pemda/{PEMDA}/unit", params={"cari": "BAPPEDA"}).text) == ["18.71/bappeda"]


def test_units_sort_by_name_both_ways(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    names = re.findall(r'<td data-label="Unit"><strong>([^<]+)</strong>', client.get(f"/pemda/{PEMDA}/unit", params={"urut": "nama"}).text)
    assert names == sorted(names, key=str.lower) and len(names) == 10
    down = re.findall(
        r'<td data-label="Unit"><strong>([^<]+)</strong>', client.get(f"/pemda/{PEMDA}/unit", params={"urut": "nama", "arah": "turun"}).text
    )
    assert down == names[::-1]


def test_csv_is_the_filtered_view_with_formulas_neutralised(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    response = client.get(f"/pemda/{PEMDA}/unit.csv", params={"jenis": "opd"})
    assert response.headers["content-type"].startswith("text/csv") and "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted(r["kode"] for r in rows) == ["18.71/bappeda", "18.71/dinkes"]
    bappeda = next(r for r in rows if r["kode"] == "18.71/bappeda")
    assert bappeda["detail"] == "'" + FORMULA  # a spreadsheet shows it as text, never runs it
    assert bappeda["status"] == "parked" and bappeda["berfungsi"] == "tidak"


def test_site_detail_shows_history_evidence_checklist_and_uptime(web_app, web_seed: WebSeed) -> None:
    client, _ = client_for(web_app, "pembaca")
    hacked = client.get(f"/pemda/{PEMDA}/situs/{web_seed.hacked_site}").text
    assert "Diretas: konten judi online" in hacked and "gambling-spam" in hacked
    assert len(re.findall(r"<rect class=\"t-", hacked)) == 2  # one bar per survey
    assert 'class="t-hacked"' in hacked and 'class="t-ok"' in hacked
    assert "check-yes" in hacked and "check-no" in hacked  # Profil found, Kontak missing
    portal = client.get(f"/pemda/{PEMDA}/situs/{web_seed.site_ids[PEMDA]}").text
    assert "Probe terakhir" in portal and "Waktu habis" in portal
    assert re.search(r"Uptime 24 jam</dt><dd>85,71%", portal)  # 6 of 7 probes worked


def test_times_are_shown_in_the_pemda_zone(web_app, web_seed: WebSeed) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{PEMDA}/situs/{web_seed.hacked_site}").text
    # T0 + 7 days = 8 March 2026 08:00 UTC = 15.00 WIB (Lampung)
    assert "8 Maret 2026 15.00 WIB" in html and "UTC" not in html
    with session_scope(web_seed.url) as session:
        session.add(Unit(code="73.71", name="KOTA MAKASSAR", kind="pemda", pemda_code="73.71"))
        session.add(CrawlRun(kind="survey", scope="73.71", state="finished", started_at=T0, finished_at=T0))
    makassar = client.get("/pemda/73.71").text
    assert "selesai 1 Maret 2026 16.00 WITA" in makassar and "waktu ditampilkan dalam WITA" in makassar


def test_overview_shows_provisional_index_and_coverage(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{PEMDA}").text
    assert "Nilai sementara, belum lengkap" in html and "Indeks akhir masih dapat berada di antara" in html
    assert re.search(r"Kelurahan</strong>: 2 dari 5 berfungsi", html)


def _index(url: str) -> dict:
    with session_scope(url) as session:
        return index_summary(session, PEMDA, "spbe-2020")


def test_confirming_an_estimate_changes_the_index_and_is_in_the_history(web_app, web_seed: WebSeed) -> None:
    before = _index(web_seed.url)["index"]["known"]
    client, csrf = client_for(web_app, "penilai")
    page = client.get(f"/pemda/{PEMDA}/penilaian").text
    assert 'action="/pemda/18.71/penilaian/35"' in page
    done = client.post(f"/pemda/{PEMDA}/penilaian/35", data={"csrf": csrf, "level": "5", "note": "e-kontrak penuh", "peran": "first"})
    assert done.status_code == 200 and "Indikator 35: tingkat 3 → 5 (penilai pertama)" in done.text
    after = _index(web_seed.url)["index"]["known"]
    assert after != before and f"sementara {before.replace('.', ',')}" in done.text and f"sementara {after.replace('.', ',')}" in done.text
    assert re.search(
        r"<td>3 → 5</td><td>Ani Penilai \(penilai\)</td><td>penilai pertama</td><td class=\"small\">e-kontrak penuh</td>", done.text
    )


def test_second_reviewer_disagreeing_is_listed(web_app, web_seed: WebSeed) -> None:
    first, csrf1 = client_for(web_app, "penilai")
    first.post(f"/pemda/{PEMDA}/penilaian/44", data={"csrf": csrf1, "level": "3", "peran": "first"})
    # the first reviewer cannot also be the second on the same indicator
    refused = first.post(f"/pemda/{PEMDA}/penilaian/44", data={"csrf": csrf1, "level": "2", "peran": "second"})
    assert "penilai kedua harus orang lain" in refused.text
    second, csrf2 = client_for(web_app, "penilai2")
    assert "Mode penilai kedua" in second.get(f"/pemda/{PEMDA}/penilaian", params={"mode": "kedua"}).text
    shown = second.post(f"/pemda/{PEMDA}/penilaian/44", data={"csrf": csrf2, "level": "2", "peran": "second"})
    assert "Perbedaan pada indikator 44: Ani Penilai (penilai) memberi 3, Budi Pembanding (penilai2) memberi 2" in shown.text
    page = second.get(f"/pemda/{PEMDA}/penilaian").text
    assert re.search(r'<ul id="perbedaan">\s*<li><a href="#i44">Indikator 44</a>', page)
    summary = _index(web_seed.url)
    assert summary["indicators"][43]["level"] == 3  # the second reviewer does not change the level used


def test_domain_1_to_3_levels_are_entered_here(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "penilai")
    before = _index(web_seed.url)["shares"]["confirmed"]
    client.post(f"/pemda/{PEMDA}/penilaian/1", data={"csrf": csrf, "level": "4", "note": "Perwali SPBE 2024"})
    summary = _index(web_seed.url)
    assert summary["indicators"][0]["level"] == 4 and summary["shares"]["confirmed"] == before + 1


def test_a_bad_level_is_a_message_not_a_change(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "penilai")
    for level in ("", "9", "x"):
        response = client.post(f"/pemda/{PEMDA}/penilaian/35", data={"csrf": csrf, "level": level})
        assert response.status_code == 200 and 'class="flash error"' in response.text
    with session_scope(web_seed.url) as session:
        assert session.exec(select(Review)).all() == []


def test_assessor_sees_no_form_for_another_pemda_and_viewer_none_at_all(web_app) -> None:
    metro, _ = client_for(web_app, "metro")
    assert "/penilaian/35" not in metro.get(f"/pemda/{PEMDA}/penilaian").text
    viewer, _ = client_for(web_app, "pembaca")
    page = viewer.get(f"/pemda/{PEMDA}/penilaian").text
    assert '<form class="review' not in page and "hanya dapat membaca" in page
    assert metro.get(f"/pemda/{OTHER_PEMDA}").status_code == 200


def test_discovery_confirm_reject_and_ambiguous_candidate(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "admin")
    page = client.get(f"/pemda/{PEMDA}/penemuan").text
    assert "kel-bakung.bandarlampungkota.go.id" in page and AMBIGUOUS in page
    client.post(
        f"/pemda/{PEMDA}/penemuan",
        data={"csrf": csrf, "unit": "18.71.01.1001", "url": "https://kel-bakung.bandarlampungkota.go.id/", "keputusan": "konfirmasi"},
    )
    client.post(f"/pemda/{PEMDA}/penemuan", data={"csrf": csrf, "unit": "18.71.01.1002", "url": AMBIGUOUS, "keputusan": "konfirmasi"})
    rejected = client.post(
        f"/pemda/{PEMDA}/penemuan",
        data={"csrf": csrf, "unit": "18.71/bappeda", "url": "https://bappeda.bandarlampungkota.go.id/", "keputusan": "tolak"},
    )
    assert "ditolak" in rejected.text
    with session_scope(web_seed.url) as session:
        states = {(w.unit_code, w.url): w.state for w in session.exec(select(Website))}
    assert states[("18.71.01.1001", "https://kel-bakung.bandarlampungkota.go.id/")] == "confirmed"
    assert states[("18.71.01.1002", AMBIGUOUS)] == "confirmed"
    assert states[("18.71/bappeda", "https://bappeda.bandarlampungkota.go.id/")] == "rejected"
    unknown = client.post(
        f"/pemda/{PEMDA}/penemuan", data={"csrf": csrf, "unit": "18.71.01.1003", "url": "https://tidak-ada.go.id/", "keputusan": "tolak"}
    )
    assert 'class="flash error"' in unknown.text


def test_monitoring_banner_incident_and_auto_refresh(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{PEMDA}/pemantauan").text
    assert '<meta http-equiv="refresh" content="60">' in html
    assert re.search(r'<div class="banner bad"[^>]*>Gangguan: 1 portal layanan tidak berfungsi', html)
    assert "masih berlangsung" in html


def test_monitoring_without_probes_says_how_to_start(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{OTHER_PEMDA}/pemantauan").text
    assert "Belum ada data pemantauan" in html and "spbe monitor run --pemda 18.72" in html


def test_monitoring_shows_a_failure_waiting_for_its_confirmation(web_app, web_seed: WebSeed) -> None:
    """A site whose first failure waits for its confirmation is not "no data" nor "down": the page
    says it is being checked again, on the banner and in its row."""
    from spbe_crawler.store.models_monitor import PendingCheck

    with session_scope(web_seed.url) as session:
        website = Website(unit_code=OTHER_PEMDA, url="https://metrokota.go.id/", host="metrokota.go.id")
        session.add(website)
        session.flush()
        started = datetime.now(UTC) - timedelta(seconds=3)
        session.add(PendingCheck(website_id=website.id, started_at=started, status="timeout", due_at=started + timedelta(seconds=5)))
        session.commit()
        website_id = website.id
    try:
        client, _ = client_for(web_app, "pembaca")
        html = client.get(f"/pemda/{OTHER_PEMDA}/pemantauan").text
        assert re.search(r'<div class="banner warn"[^>]*>1 situs gagal diakses dan sedang diperiksa ulang', html)
        assert "menunggu konfirmasi" in html and "Waktu habis, diperiksa ulang" in html and "Belum ada data pemantauan" not in html
    finally:
        with session_scope(web_seed.url) as session:
            session.delete(session.get(PendingCheck, website_id))
            session.delete(session.get(Website, website_id))
            session.commit()


def test_admin_adds_and_changes_accounts_in_the_browser(web_app, web_seed: WebSeed) -> None:
    client, csrf = client_for(web_app, "admin")
    client.post(
        "/admin/pengguna",
        data={"csrf": csrf, "username": "eko", "name": "Eko", "role": "assessor", "pemda": "18.71", "password": "sandi-eko-12345"},
    )
    bad = client.post("/admin/pengguna", data={"csrf": csrf, "username": "eko", "role": "viewer", "password": "pendek"})
    assert "sudah dipakai" in bad.text
    client.post("/admin/pengguna/eko", data={"csrf": csrf, "role": "viewer", "pemda": "", "active": "0"})
    with session_scope(web_seed.url) as session:
        eko = session.exec(select(WebUser).where(WebUser.username == "eko")).one()
    assert (eko.role, eko.active, eko.pemda_codes) == ("viewer", False, [])
    assert eko.password_hash.startswith("$argon2id$")
    own = client.post("/admin/pengguna/admin", data={"csrf": csrf, "role": "admin", "active": "0"})
    assert own.status_code == 400


def test_overview_lists_what_to_act_on_most_harmful_first(web_app, web_seed: WebSeed) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{PEMDA}").text
    items = re.findall(r'<li class="card" id="tindakan-\d+">\s*<span class="pill ([a-z]+)">([^<]+)</span>\s*<strong>([^<]+)</strong>', html)
    assert items[0][0] == "hacked" and items[0][2] == "Teluk Betung Selatan"
    assert [name for _, _, name in items].index("Badan Perencanaan Pembangunan Daerah") > 0  # parked comes after hacked
    assert f'href="/pemda/18.71/situs/{web_seed.hacked_site}"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Yang perlu dilakukan:" in html


def test_inventory_groups_services_under_indicators_with_evidence_links(web_app) -> None:
    client, _ = client_for(web_app, "pembaca")
    html = client.get(f"/pemda/{PEMDA}/inventaris").text
    assert "Indikator 35" in html and "Indikator 44" in html
    assert 'href="https://spse.inaproc.id/bandarlampungkota/lelang"' in html
    assert html.index("Indikator 35") < html.index("Indikator 44")
