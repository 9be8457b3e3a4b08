"""'Used well' signals and staleness, on a synthetic unit site and on a real OpenSID village page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from spbe_crawler.health.page import PageFacts, parse_page
from spbe_crawler.health.usage import (
    SIGNAL_KEYS,
    UsageConfigError,
    UsageTally,
    is_stale,
    load_usage_specs,
    usage_signals,
)

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 28)
SITE = "https://kel-sukamaju.bandarlampungkota.go.id"
HEAD = '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>'


def page(path: str, body: str, scheme_site: str = SITE) -> PageFacts:
    html = f"<html>{HEAD}<body>{body}</body></html>"
    return parse_page(scheme_site + path, 200, {}, html.encode("utf-8"), today=TODAY)


def synthetic_site() -> list[PageFacts]:
    clock = "<div class='topbar'>Sabtu, 28 November 2026</div>"
    home = page(
        "/",
        clock
        + """
        <nav><a href="/profil">Profil</a><a href="/profil/struktur-organisasi">Struktur Organisasi</a>
        <a href="/layanan/standar-pelayanan">Standar Pelayanan</a><a href="/maklumat">Maklumat Pelayanan</a>
        <a href="https://ppid.bandarlampungkota.go.id">PPID</a><a href="https://www.lapor.go.id">SP4N-LAPOR!</a>
        <a href="/berita">Berita</a></nav>
        <article><a href="/berita/posyandu">Posyandu</a> <time datetime="2026-11-20">20 Nov</time></article>
        <article><a href="/berita/kerja-bakti">Kerja bakti</a> 12 November 2026</article>""",
    )
    news = page("/berita", clock + "<p>Pelatihan UMKM, 2 Oktober 2026</p><p>Lomba 17-an, 17 Agustus 2026</p><p>Musrenbang 14/02/2026</p>")
    contact = page("/kontak", clock + "<p>Alamat: Jl. Contoh Raya No. 1, Kota Bandar Lampung</p>")
    return [home, news, contact]


def test_tally_fed_page_by_page_keeps_no_page() -> None:
    """The crawl feeds the tally as pages are analysed; the result is the same and no page is kept."""
    import gc
    import weakref

    tally = UsageTally()
    alive = []
    for facts in synthetic_site():
        _ = facts.parts.link_texts  # derived parts are cached on the page, not in the tally
        tally.add(facts)
        alive.append(weakref.ref(facts))
        del facts
    gc.collect()
    assert [ref() for ref in alive] == [None, None, None]
    assert tally.pages == 3 and tally.signals(TODAY) == usage_signals(synthetic_site(), TODAY)
    assert tally.signals(TODAY).item("kontak").evidence == SITE + "/kontak"


def test_synthetic_unit_site_shows_every_signal_with_evidence() -> None:
    signals = usage_signals(synthetic_site(), TODAY)
    evidence = {item.key: item.evidence for item in signals.checklist()}
    assert [item.key for item in signals.checklist()] == list(SIGNAL_KEYS)
    assert all(item.found for item in signals.checklist())
    assert evidence["profil"] == f"{SITE}/profil"
    assert evidence["struktur_organisasi"] == f"{SITE}/profil/struktur-organisasi"
    assert evidence["layanan"] == f"{SITE}/layanan/standar-pelayanan"
    assert evidence["maklumat"] == f"{SITE}/maklumat"
    assert evidence["ppid"] == "https://ppid.bandarlampungkota.go.id"
    assert evidence["pengaduan"] == "https://www.lapor.go.id"
    assert evidence["kontak"] == f"{SITE}/kontak"
    assert evidence["viewport"] == f"{SITE}/"
    assert signals.has_pengaduan and signals.has_https and signals.has_berita
    assert signals.item("pengaduan").label == "Layanan Pengaduan Pelayanan Publik (SP4N-LAPOR!)"
    # the clock widget's "today" on every page is not content
    assert signals.newest_post == date(2026, 11, 20)
    assert signals.newest_post_url == f"{SITE}/"
    assert signals.posts_last_90_days == 3  # 20 Nov, 12 Nov, 2 Oct; not 17 Aug nor 14 Feb
    stored = json.loads(json.dumps(signals.as_dict()))
    assert stored["checklist"]["pengaduan"] == "https://www.lapor.go.id"
    assert stored["newest_post"] == "2026-11-20" and stored["posts_last_90_days"] == 3
    assert stored["labels"]["maklumat"] == "Maklumat Pelayanan"


def test_a_bare_site_lacks_the_signals() -> None:
    bare = parse_page(
        "http://kel-kosong.bandarlampungkota.go.id/",
        200,
        {},
        b"<html><body><h1>Kelurahan</h1><a href='/galeri'>Galeri</a></body></html>",
        today=TODAY,
    )
    signals = usage_signals([bare], TODAY)
    assert not any(item.found for item in signals.checklist())
    assert all(item.evidence is None for item in signals.checklist())
    assert set(signals.as_dict()["checklist"].values()) == {None}
    assert signals.newest_post is None and signals.posts_last_90_days == 0
    assert is_stale(signals, TODAY) is None  # nothing dated: nothing to measure


@pytest.mark.parametrize(
    "newest, threshold, stale",
    [
        (date(2025, 11, 27), 365, True),
        (date(2025, 11, 28), 365, False),
        (date(2026, 9, 1), 60, True),
        (date(2026, 9, 1), 365, False),
    ],
)
def test_is_stale_threshold(newest: date, threshold: int, stale: bool) -> None:
    site = [page("/", f"<p>Berita {newest.day}/{newest.month}/{newest.year}</p>")]
    verdict = is_stale(usage_signals(site, TODAY), TODAY, threshold_days=threshold)
    assert (verdict is not None) == stale
    if verdict is not None:
        assert verdict.status == "stale" and verdict.rule_id == "stale-content"
        assert verdict.detail.startswith("Konten terbaru ") and str(newest.year) in verdict.detail


def test_real_opensid_village_page() -> None:
    body = (ROOT / "tests/sample_data/real/negari.desa.id__home-opensid-batudaa.html").read_bytes()
    facts = parse_page("https://negari.desa.id/", 200, {"content-type": "text/html"}, body, today=TODAY)
    signals = usage_signals([facts], TODAY)
    found = {item.key for item in signals.checklist() if item.found}
    assert found == {"profil", "struktur_organisasi", "layanan", "ppid", "pengaduan", "berita", "viewport", "https"}
    assert signals.item("profil").evidence.startswith("https://negari.desa.id/index.php/first/artikel/")
    assert signals.newest_post == date(2019, 11, 13)
    stale = is_stale(signals, TODAY)
    assert stale is not None and stale.detail.startswith("Konten terbaru 13 November 2019")
    at_capture = usage_signals([facts], date(2019, 11, 20))
    assert at_capture.posts_last_90_days == 3 and is_stale(at_capture, date(2019, 11, 20)) is None


def _good_usage() -> str:
    return (ROOT / "spbe_crawler/data/health_rules/usage.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content, fragment",
    [
        pytest.param("signals: {}\n", "signals", id="missing-keys"),
        pytest.param(_good_usage().replace("link_text: '\\bprofil|", "link_text: 'a.*b|\\bprofil|", 1), "'profil'", id="unbounded-pattern"),
        pytest.param(_good_usage().replace("label: HTTPS", "label: ''"), "'https'", id="empty-label"),
    ],
)
def test_bad_usage_file_is_rejected_with_file_and_key(tmp_path: Path, content: str, fragment: str) -> None:
    assert content != _good_usage()
    path = tmp_path / "usage.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageConfigError) as caught:
        load_usage_specs(path)
    assert str(path) in str(caught.value) and fragment in str(caught.value)
