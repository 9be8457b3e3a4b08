"""How the workspace writes numbers and times: Indonesian format (``1.234,5``) and the pemda's own
zone (WIB/WITA/WIT, from ``data/wilayah/zona_waktu.yaml`` by province code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache

import yaml

from spbe_crawler import config

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember")


@dataclass(frozen=True)
class Zone:
    name: str  # WIB | WITA | WIT
    tz: timezone


@lru_cache(maxsize=1)
def _zones() -> tuple[dict[str, Zone], dict[str, str], str]:
    with (config.DATA_DIR / "wilayah" / "zona_waktu.yaml").open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    zones = {name: Zone(name, timezone(timedelta(hours=int(z["offset"])), name)) for name, z in raw["zones"].items()}
    return zones, {str(k): str(v) for k, v in raw["provinces"].items()}, str(raw["default"])


def zone_of(pemda_code: str | None) -> Zone:
    """The zone of a region code (its province's first two digits); WIB when unknown."""
    zones, provinces, default = _zones()
    return zones[provinces.get((pemda_code or "")[:2], default)]


def aware(value: datetime) -> datetime:
    """Stored times are UTC; SQLite returns them without a zone."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def when(value: datetime | None, zone: Zone, with_date: bool = True) -> str:
    """``05-03-2026 14:07 WIB`` in the zone of the pemda; ``–`` for no time."""
    if value is None:
        return "–"
    local = aware(value).astimezone(zone.tz)
    text = local.strftime("%d-%m-%Y %H:%M") if with_date else local.strftime("%H:%M")
    return f"{text} {zone.name}"


def day(value: date | datetime | str | None, zone: Zone | None = None) -> str:
    """``5 Maret 2026``."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = aware(value).astimezone(zone.tz) if zone else value
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def num(value: float | int | Decimal | str | None, places: int = 0) -> str:
    """``1.234.567`` / ``98,75``: thousands with a dot, decimals with a comma; ``–`` for None."""
    if value is None or value == "":
        return "–"
    number = Decimal(str(value))
    text = f"{number:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def pct(value: float | Decimal | None, places: int = 1) -> str:
    return "–" if value is None else f"{num(value, places)}%"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{num(value)} md"


SITE_STATES = {"declared": "terdaftar", "discovered": "temuan", "confirmed": "dikonfirmasi", "rejected": "ditolak"}


def site_state(state: str) -> str:
    return SITE_STATES.get(state, state)
