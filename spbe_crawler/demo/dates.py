"""Indonesian calendar words for the demo pages ("12 Oktober 2026", "Senin")."""

from __future__ import annotations

from datetime import date

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def tanggal(day: date) -> str:
    """``date(2026, 10, 12)`` -> ``12 Oktober 2026``."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def hari(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def bulan(year: int, month: int) -> str:
    """``(2026, 11)`` -> ``November 2026``."""
    return f"{MONTHS[month - 1]} {year}"
