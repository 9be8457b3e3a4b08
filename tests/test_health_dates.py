"""Publication dates from markup and Indonesian text."""

from __future__ import annotations

from datetime import date

import pytest

from spbe_crawler.health.dates import dates_from_text, extract_dates, format_tanggal
from spbe_crawler.health.page import parse_page

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Diterbitkan 12 Oktober 2026 oleh Admin", [date(2026, 10, 12)]),
        ("Senin, 3 Nov 2025 | 10:15 WIB", [date(2025, 11, 3)]),
        ("Rabu, 1 Nopember 2023", [date(2023, 11, 1)]),
        ("17 Agustus 2025 upacara; 5 Agt 2024; 9 Ags. 2022", [date(2025, 8, 17), date(2024, 8, 5), date(2022, 8, 9)]),
        ("Tanggal: 03/11/2025", [date(2025, 11, 3)]),
        ("Tgl 3-11-2025 dan 04.11.2025", [date(2025, 11, 3), date(2025, 11, 4)]),
        ("Dibuat 2025-11-03 08:00", [date(2025, 11, 3)]),
        ("Posted on November 3, 2025", [date(2025, 11, 3)]),
        ("12-Des-2024", [date(2024, 12, 12)]),
        ("31 Februari 2025 bukan tanggal; 13/13/2025 juga bukan", []),
        ("Telp. 0721-123456, NIP 19800101 200501 1 001, versi 2.4.58", []),
        ("Copyright © 2019 Pemerintah Kota", []),
    ],
)
def test_dates_in_text(text: str, expected: list[date]) -> None:
    assert sorted(dates_from_text(text)) == sorted(expected)


def test_dates_from_markup_and_text_newest_first() -> None:
    html = """<html><head>
      <meta property="article:published_time" content="2026-10-01T08:00:00+07:00">
      <meta property="article:modified_time" content="2026-10-05T09:30:00+07:00">
      <script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-09-30",
         "dateModified": "2026-10-06T10:00:00Z"}</script>
      <script type="application/ld+json">{ broken json "datePublished" : "2026-09-29" </script>
      </head><body><time datetime="2026-09-28T07:00">Senin pagi</time>
      <p>Rapat koordinasi, Kamis, 24 September 2026.</p>
      <div style="display:none">Arsip 1 Januari 2021</div></body></html>"""
    assert extract_dates(html, today=TODAY) == [
        date(2026, 10, 6),
        date(2026, 10, 5),
        date(2026, 10, 1),
        date(2026, 9, 30),
        date(2026, 9, 29),
        date(2026, 9, 28),
        date(2026, 9, 24),
        date(2021, 1, 1),
    ]


def test_future_and_ancient_dates_are_ignored() -> None:
    html = (
        "<p>Agenda 29 November 2026, acara 30 November 2026, 15 Maret 2027; sejarah 17 Agustus 1945 "
        "dan 1 Januari 1999; berita 27 November 2026</p>"
    )
    assert extract_dates(html, today=TODAY) == [date(2026, 11, 29), date(2026, 11, 27)]


def test_extract_dates_accepts_parsed_facts_and_bytes() -> None:
    body = b"<p>Kegiatan 10 Juni 2026</p>"
    facts = parse_page("https://contoh.go.id/", 200, {}, body, today=TODAY)
    assert extract_dates(facts, today=TODAY) == [date(2026, 6, 10)]
    assert extract_dates(body, today=TODAY) == [date(2026, 6, 10)]
    assert extract_dates(facts, today=date(2026, 6, 1)) == []


def test_indonesian_date_format() -> None:
    assert format_tanggal(date(2026, 10, 12)) == "12 Oktober 2026"
    assert format_tanggal(date(2025, 5, 3)) == "3 Mei 2025"


def test_windowed_scan_finds_what_a_whole_text_scan_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates are matched only around year-like numbers (for speed); random texts built from date
    fragments must give exactly what scanning the whole text with every pattern gives."""
    import random

    from spbe_crawler.health import dates

    atoms = ["12 Oktober 2025", "2025-11-03", "3/11/2025", "Nov 3, 2025", "30 september, 2024", "2019", "20", "1", "31", "-", "/"]
    atoms += [".", " ", ",", "a", "Sept ", "nop", "Mei ", "des.", "\n", "x", "9", "1999"]
    rng = random.Random(7)
    texts = ["".join(rng.choice(atoms) for _ in range(rng.randint(0, 30))) for _ in range(2000)]
    windowed = [dates_from_text(text) for text in texts]
    monkeypatch.setattr(dates, "_year_spans", lambda text: [(0, len(text))])
    assert windowed == [dates_from_text(text) for text in texts]
    assert sum(map(len, windowed)) > 1000  # the texts do hold dates
