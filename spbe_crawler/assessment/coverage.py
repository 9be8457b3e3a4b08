"""Coverage of units with a working website, per kecamatan, from one survey run's UnitOutcome rows.

A unit "works" when :func:`spbe_crawler.health.status.works` says so for its outcome; kelurahan
and desa are grouped under their kecamatan by ``parent_code``. A unit with no outcome in the run
counts as not surveyed (and not working).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from spbe_crawler.health.status import info
from spbe_crawler.store.models import Unit, UnitOutcome

VILLAGE_KINDS = ("kelurahan", "desa")
NOT_SURVEYED = "Belum disurvei"


@dataclass
class Tally:
    total: int = 0
    working: int = 0
    not_surveyed: int = 0

    def add(self, works: bool | None) -> None:
        self.total += 1
        self.working += bool(works)
        self.not_surveyed += works is None

    @property
    def pct(self) -> int:
        return round(100 * self.working / self.total) if self.total else 0


@dataclass
class KecamatanRow:
    code: str
    name: str
    own_label: str
    own_works: bool | None
    villages: Tally = field(default_factory=Tally)


def status_of(outcome: UnitOutcome | None) -> tuple[str, bool | None]:
    """(label, works) of an outcome; ``works`` is None when the unit was not surveyed."""
    if outcome is None:
        return NOT_SURVEYED, None
    try:
        status = info(outcome.status)
    except ValueError:
        return outcome.status, False
    return status.label, status.works


def coverage(session: Session, pemda_code: str, run_id: int | None) -> dict[str, Any]:
    units = list(session.exec(select(Unit).where(Unit.pemda_code == pemda_code).order_by(col(Unit.code))))
    outcomes: dict[str, UnitOutcome] = {}
    if run_id is not None:
        query = select(UnitOutcome).where(UnitOutcome.run_id == run_id)
        outcomes = {o.unit_code: o for o in session.exec(query)}
    opd, overall = Tally(), Tally()
    kecamatan: dict[str, KecamatanRow] = {}
    for unit in (u for u in units if u.kind == "kecamatan"):
        label, works = status_of(outcomes.get(unit.code))
        kecamatan[unit.code] = KecamatanRow(unit.code, unit.name, label, works)
        overall.add(works)
    orphans = KecamatanRow("", "Tanpa kecamatan", "–", None)
    for unit in units:
        works = status_of(outcomes.get(unit.code))[1]
        if unit.kind == "opd":
            opd.add(works)
            overall.add(works)
        elif unit.kind in VILLAGE_KINDS:
            kecamatan.get(unit.parent_code or "", orphans).villages.add(works)
            overall.add(works)
    rows = list(kecamatan.values()) + ([orphans] if orphans.villages.total else [])
    return {"run_id": run_id, "opd": opd, "overall": overall, "kecamatan": rows}
