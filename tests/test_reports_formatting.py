"""Indonesian numbers, dates and times in the pemda's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from spbe_crawler.reports.formatting import angka, bagian, persen, tanggal, waktu, zone_name


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (1234567, 0, "1.234.567"),
        (2.465, 2, "2,47"),
        (Decimal("2.465"), 2, "2,47"),
        (100, 2, "100,00"),
        (-1234.5, 1, "-1.234,5"),
        (0.5, 0, "1"),
        (None, 2, "–"),
    ],
)
def test_angka(value, places, text):
    assert angka(value, places) == text


def test_persen_and_bagian():
    assert persen(12.5, 1) == "12,5%"
    assert bagian(1, 3) == "33%"
    assert bagian(0, 0) == "0%"


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("18.71", "WIB"),
        ("31.74", "WIB"),
        ("51.71", "WITA"),
        ("64.72/dinas", "WITA"),
        ("73.71", "WITA"),
        ("81.71", "WIT"),
        ("91.71", "WIT"),
        ("96.01", "WIT"),
        ("", "WIB"),
    ],
)
def test_zone_from_province_code(code, zone):
    assert zone_name(code) == zone


def test_waktu_in_the_pemdas_zone():
    moment = datetime(2026, 11, 30, 16, 5, tzinfo=UTC)
    assert waktu(moment, "18.71") == "30 November 2026 23.05 WIB"
    assert waktu(moment, "51.71") == "1 Desember 2026 00.05 WITA"
    assert waktu(moment, "94.01", with_date=False) == "01.05 WIT"
    assert waktu(datetime(2026, 11, 30, 16, 5), "18.71") == "30 November 2026 23.05 WIB"  # naive = UTC


def test_tanggal():
    assert tanggal(date(2026, 3, 5)) == "5 Maret 2026"
    assert tanggal(datetime(2026, 3, 5, 20, 0, tzinfo=UTC), "81.71") == "6 Maret 2026"
    assert tanggal(None) == "–"
