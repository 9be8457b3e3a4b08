"""Bring a store loaded from an older region file up to a newer one.

Kemendagri codes change: the 2022 Papua split gave Kabupaten Merauke ``93.01`` instead of ``91.01``
and renumbered its distrik and kampung. A stored Kemendagri unit whose code is gone from the new file
is matched, level by level, to a new code by its name: a province or kabupaten/kota anywhere in the
country (the name of a kabupaten/kota is unique), a kecamatan or desa under its (moved) parent, always
one to one and only to a code not stored yet. A matched unit moves: it is inserted under the new code,
every table that holds its code is rewritten (websites, outcomes, findings, scores, runs, schedules),
then the old row is deleted, so nothing is lost and nothing is duplicated. OPD units
(``<pemda>/<slug>``) move with their pemda.

A gone unit that matches nothing is removed when nothing points to it, and retained (with a note)
when websites do. Units a user entered (other sources) move the same way but keep their name, and are
never removed; region codes of theirs that the file does not know are kept and reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from spbe_crawler.registry import codes
from spbe_crawler.registry.names import compact_name
from spbe_crawler.registry.results import Moved, Named
from spbe_crawler.registry.wilayah_file import WilayahData
from spbe_crawler.store.code_refs import referenced_units, rewrite_codes
from spbe_crawler.store.unit_rows import delete_units, insert_units, stored_pemda_codes, update_units

SOURCE = "kemendagri"
RETAINED_NOTE = "kode tidak ada lagi di data wilayah terbaru; disimpan karena punya situs"


@dataclass
class Upgrade:
    """What loading the file changes in the stored units, before the ordinary insert/update."""

    moves: dict[str, str] = field(default_factory=dict)  # old code -> new code
    moved: list[Moved] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)  # stored Kemendagri units, no new code
    user_only: list[dict[str, Any]] = field(default_factory=list)  # stored user units, no Kemendagri code


def gone_pemda_codes(session: Session, data: WilayahData) -> set[str]:
    """Kabupaten/kota codes the store holds units under that the file does not have."""
    return {code for code in stored_pemda_codes(session) if codes.is_pemda_code(code) and code not in data.regions}


def plan_upgrade(stored: dict[str, dict[str, Any]], data: WilayahData, is_stored: set[str]) -> Upgrade:
    """Match the stored units missing from ``data`` to new codes. ``is_stored``: every stored code
    that a move could target (a move never lands on a code already stored)."""
    plan = Upgrade()
    missing = {code: row for code, row in stored.items() if code not in data.regions and codes.is_region_code(code)}
    taken = set(is_stored)
    index: NameIndex = {}
    for depth in (0, 1, 2, 3):  # dots in the code: province first, so a parent moves before its children
        level = [row for code, row in missing.items() if code.count(".") == depth]
        if level:
            _match_level(plan, data, level, taken, index)
    _move_slug_units(plan, stored, taken)
    unmatched = [row for code, row in sorted(missing.items()) if code not in plan.moves]
    plan.gone = [row for row in unmatched if row["source"] == SOURCE]
    plan.user_only = [row for row in unmatched if row["source"] != SOURCE]
    return plan


NameIndex = dict[tuple[str | None, int], dict[str, list[str]]]


def _names_under(data: WilayahData, parent: str | None, depth: int, index: NameIndex) -> dict[str, list[str]]:
    """The codes of one depth under ``parent`` by compact name, computed once per parent."""
    key = (parent, depth)
    if key not in index:
        found: dict[str, list[str]] = {}
        for code in data.children.get(parent, []):
            if code.count(".") == depth:
                found.setdefault(compact_name(data.regions[code].name), []).append(code)
        index[key] = found
    return index[key]


def _match_level(plan: Upgrade, data: WilayahData, level: list[dict[str, Any]], taken: set[str], index: NameIndex) -> None:
    groups: dict[tuple[str | None, str], list[dict[str, Any]]] = defaultdict(list)
    for row in level:
        code = row["code"]
        parent = codes.parent_of(code)
        new_parent = plan.moves.get(parent or "", parent) if code.count(".") >= 2 else None
        groups[(new_parent, compact_name(row["name"]))].append(row)
    for (new_parent, name), rows in groups.items():
        by_name = _names_under(data, new_parent, rows[0]["code"].count("."), index)
        candidates = [code for code in by_name.get(name, []) if code not in taken]
        if len(rows) == 1 and len(candidates) == 1:
            row, new_code = rows[0], candidates[0]
            region = data.regions[new_code]
            taken.add(new_code)
            plan.moves[row["code"]] = new_code
            plan.moved.append(Moved(row["code"], new_code, row["name"], region.name, region.kind))


def _move_slug_units(plan: Upgrade, stored: dict[str, dict[str, Any]], taken: set[str]) -> None:
    """OPD units ``<pemda>/<slug>`` follow their pemda to its new code."""
    if not plan.moves:
        return
    for code in sorted(code for code in stored if "/" in code):
        row = stored[code]
        pemda, _, slug = code.partition("/")
        if pemda in plan.moves:
            new_code = f"{plan.moves[pemda]}/{slug}"
            if new_code not in taken:
                taken.add(new_code)
                plan.moves[code] = new_code
                plan.moved.append(Moved(code, new_code, row["name"], row["name"], row["kind"]))


def apply_upgrade(session: Session, plan: Upgrade, stored: dict[str, dict[str, Any]], data: WilayahData) -> tuple[list[Named], list[Named]]:
    """Move the matched units and settle the gone ones; returns (removed, retained)."""
    if plan.moves:
        _insert_moved(session, plan, stored, data)
        rewrite_codes(session, plan.moves)
        delete_units(session, list(plan.moves))
    gone_codes = [row["code"] for row in plan.gone]
    referenced = referenced_units(session, gone_codes)
    removed = [Named(row["code"], row["name"]) for row in plan.gone if row["code"] not in referenced]
    retained = [Named(row["code"], row["name"]) for row in plan.gone if row["code"] in referenced]
    delete_units(session, [unit.code for unit in removed])
    update_units(session, [{"code": unit.code, "note": RETAINED_NOTE} for unit in retained], ("note",))
    session.expire_all()
    return removed, retained


def _insert_moved(session: Session, plan: Upgrade, stored: dict[str, dict[str, Any]], data: WilayahData) -> None:
    rows = []
    for old_code, new_code in plan.moves.items():
        row = dict(stored[old_code], code=new_code)
        region = data.regions.get(new_code)
        if region is not None:
            row |= {"kind": region.kind, "parent_code": region.parent_code, "pemda_code": region.pemda_code}
            if row["source"] == SOURCE:  # a user's own name stays
                row["name"] = region.name
        else:
            row["parent_code"] = plan.moves.get(row["parent_code"], row["parent_code"])
            row["pemda_code"] = plan.moves.get(row["pemda_code"], row["pemda_code"])
        rows.append(row)
    insert_units(session, rows)
