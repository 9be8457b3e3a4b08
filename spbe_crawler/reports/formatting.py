"""The one place that writes numbers, dates and times the Indonesian way for users.

Numbers use a dot between thousands and a comma before decimals (``1.234,5``); dates are written
``12 Oktober 2026``; times are shown in the pemda's own zone (WIB, WITA or WIT, from the province
part of its Kemendagri code) as ``14.05 WIB``. Reports, the CLI and web pages all call these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")

# Province codes (first two digits of a Kemendagri code) by time zone; everything else is WIB.
_WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
_WIT_PREFIXES = ("8", "9")  # Maluku, Maluku Utara and every Papua province
ZONES = {"WIB": ZoneInfo("Asia/Jakarta"), "WITA": ZoneInfo("Asia/Makassar"), "WIT": ZoneInfo("Asia/Jayapura")}


def zone_name(code: str | None) -> str:
    """WIB, WITA or WIT for a pemda (or any unit) code such as ``18.71`` or ``51.71/dinas-x``."""
    province = (code or "").strip()[:2]
    if province in _WITA_PROVINCES:
        return "WITA"
    if province.startswith(_WIT_PREFIXES) and province.isdigit():
        return "WIT"
    return "WIB"


def zone_of(code: str | None) -> tzinfo:
    return ZONES[zone_name(code)]


def angka(value: float | int | Decimal | None, places: int = 0) -> str:
    """``1234.5`` -> ``1.234,5`` (``places`` digits after the comma, half rounded up); None -> ``–``."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{abs(number):,.{places}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if number < 0 else text


def angka_teks(value: str | None) -> str:
    """A figure already rounded and written with a dot (``"2.47"``, from JSON) the Indonesian way."""
    if value is None:
        return "–"
    places = len(value.split(".", 1)[1]) if "." in value else 0
    return angka(Decimal(value), places)


def persen(value: float | int | Decimal | None, places: int = 0) -> str:
    """A percentage already multiplied by 100: ``12.5`` -> ``12,5%``."""
    return "–" if value is None else f"{angka(value, places)}%"


def bagian(part: int, whole: int, places: int = 0) -> str:
    """``part`` of ``whole`` as a percentage, ``0%`` when ``whole`` is zero."""
    return persen(100 * part / whole if whole else 0, places)


def tanggal(value: date | datetime | None, code: str | None = None) -> str:
    """``12 Oktober 2026``; an aware datetime is first moved to the pemda's zone."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = _local(value, code).date()
    return f"{value.day} {BULAN[value.month - 1]} {value.year}"


def waktu(value: datetime | None, code: str | None = None, with_date: bool = True) -> str:
    """``12 Oktober 2026 14.05 WIB`` in the zone of the pemda ``code`` (naive datetimes are UTC)."""
    if value is None:
        return "–"
    local = _local(value, code)
    clock = f"{local:%H.%M} {zone_name(code)}"
    return f"{tanggal(local.date())} {clock}" if with_date else clock


def _local(value: datetime, code: str | None) -> datetime:
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone_of(code))


def ms(value: float | None) -> str:
    """A latency in milliseconds, the Indonesian way (``1.234 md``); ``–`` when there is none."""
    return "–" if value is None else f"{angka(value)} md"


def format_duration(seconds: int) -> str:
    """``"3 hari 4 jam"``, ``"2 jam 5 menit"``, ``"7 menit"``: the two largest units."""
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    parts = [(days, "hari"), (hours, "jam"), (rest // 60, "menit")]
    shown = [f"{value} {unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "kurang dari 1 menit"


def cert_label(days_left: int | None) -> str:
    """How long a certificate has left: ``30 hari lagi``, ``sudah kedaluwarsa``, ``–``."""
    if days_left is None:
        return "–"
    return "sudah kedaluwarsa" if days_left < 0 else f"{days_left} hari lagi"
