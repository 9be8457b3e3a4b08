"""The vocabularies of the store, as enums (the site-health statuses are :class:`spbe_crawler.health.status.Status`).

They are ``str`` enums: a member equals its stored value (``UnitKind.KELURAHAN == "kelurahan"``), so
columns stay plain text. Write ``.value`` into a column; compare with the member.
"""

from __future__ import annotations

from enum import Enum


class UnitKind(str, Enum):
    PROVINSI = "provinsi"
    PEMDA = "pemda"
    OPD = "opd"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    DESA = "desa"


VILLAGE_KINDS = (UnitKind.KELURAHAN, UnitKind.DESA)
KIND_LABELS = {
    UnitKind.PEMDA.value: ("pemda", "Pemerintah daerah"),
    UnitKind.OPD.value: ("OPD", "Perangkat daerah (OPD)"),
    UnitKind.KECAMATAN.value: ("kecamatan", "Kecamatan"),
    UnitKind.KELURAHAN.value: ("kelurahan", "Kelurahan"),
    UnitKind.DESA.value: ("desa", "Desa"),
}
"""The kinds a pemda's units have: (short word in a sentence, label of a list), Bahasa Indonesia; keyed
by the stored value (an enum member hashes by its name, not its value)."""


class WebsiteState(str, Enum):
    DECLARED = "declared"  # from a registry; never overwritten by discovery
    DISCOVERED = "discovered"  # found by the survey, confirmed by its content
    CONFIRMED = "confirmed"  # confirmed by a person
    REJECTED = "rejected"  # rejected by a person: not surveyed


class WebsiteRole(str, Enum):
    UNIT = "unit"
    PORTAL = "portal"  # a service portal (jdih., lpse. ...): monitored more often


class RunKind(str, Enum):
    SURVEY = "survey"  # a survey of a pemda (spbe run, a worker's batch)
    MONITOR = "monitor"  # a probe sweep or confirmation round (spbe monitor)


class RunState(str, Enum):
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"
