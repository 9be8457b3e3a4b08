"""The one status vocabulary of site health, shared by the survey spider and the httpx probes.

Each status has a Bahasa Indonesia label for reports, a severity used to pick a unit's overall
outcome among several websites (lower is better), and whether the site "works" for coverage figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    OK = "ok"
    STALE = "stale"
    REDIRECT_TO_PARENT = "redirect_to_parent"
    ROBOTS_DISALLOWED = "robots_disallowed"
    BLOCKED = "blocked"
    EMPTY = "empty"
    UNDER_CONSTRUCTION = "under_construction"
    DEFAULT_PAGE = "default_page"
    DIRECTORY_LISTING = "directory_listing"
    PARKED = "parked"
    HOSTING_SUSPENDED = "hosting_suspended"
    DOMAIN_SUSPENDED = "domain_suspended"
    HACKED_GAMBLING = "hacked_gambling"
    HACKED_CLOAKED = "hacked_cloaked"
    DEFACED = "defaced"
    HTTP_ERROR = "http_error"
    REDIRECT_LOOP = "redirect_loop"
    TLS_ERROR = "tls_error"
    TIMEOUT = "timeout"
    CONNECT_REFUSED = "connect_refused"
    CONNECT_ERROR = "connect_error"
    DNS_ERROR = "dns_error"
    ADDRESS_BLOCKED = "address_blocked"
    TOO_LARGE = "too_large"
    ERROR = "error"
    NO_WEBSITE = "no_website"
    NOT_CHECKED = "not_checked"  # the unit has a website but the run has no outcome for it yet


@dataclass(frozen=True)
class StatusInfo:
    label: str
    works: bool
    severity: int


STATUS_INFO: dict[Status, StatusInfo] = {
    Status.OK: StatusInfo("Berfungsi", True, 0),
    Status.STALE: StatusInfo("Berfungsi, konten tidak diperbarui", True, 1),
    Status.REDIRECT_TO_PARENT: StatusInfo("Hanya dialihkan ke portal pemda", False, 10),
    Status.ROBOTS_DISALLOWED: StatusInfo("Perayapan dilarang robots.txt", True, 2),
    Status.BLOCKED: StatusInfo("Memblokir perayap", True, 3),
    Status.EMPTY: StatusInfo("Halaman kosong", False, 11),
    Status.UNDER_CONSTRUCTION: StatusInfo("Sedang dibangun", False, 12),
    Status.DEFAULT_PAGE: StatusInfo("Halaman bawaan server", False, 13),
    Status.DIRECTORY_LISTING: StatusInfo("Daftar direktori terbuka", False, 14),
    Status.PARKED: StatusInfo("Domain parkir/dijual", False, 15),
    Status.HOSTING_SUSPENDED: StatusInfo("Hosting ditangguhkan", False, 16),
    Status.DOMAIN_SUSPENDED: StatusInfo("Domain ditangguhkan (PANDI)", False, 17),
    Status.HACKED_GAMBLING: StatusInfo("Diretas: konten judi online", False, 30),
    Status.HACKED_CLOAKED: StatusInfo("Diretas: judi tersembunyi untuk mesin pencari", False, 31),
    Status.DEFACED: StatusInfo("Diretas: deface", False, 32),
    Status.HTTP_ERROR: StatusInfo("Galat HTTP", False, 20),
    Status.REDIRECT_LOOP: StatusInfo("Pengalihan berputar", False, 21),
    Status.TLS_ERROR: StatusInfo("Sertifikat TLS bermasalah", False, 22),
    Status.TIMEOUT: StatusInfo("Waktu habis", False, 23),
    Status.CONNECT_REFUSED: StatusInfo("Koneksi ditolak", False, 24),
    Status.CONNECT_ERROR: StatusInfo("Gagal terhubung", False, 25),
    Status.DNS_ERROR: StatusInfo("Nama domain tidak ditemukan", False, 26),
    Status.ADDRESS_BLOCKED: StatusInfo("Alamat IP privat/terlarang", False, 27),
    Status.TOO_LARGE: StatusInfo("Halaman terlalu besar", False, 19),
    Status.ERROR: StatusInfo("Galat lain", False, 28),
    Status.NO_WEBSITE: StatusInfo("Belum punya situs", False, 40),
    Status.NOT_CHECKED: StatusInfo("Belum diperiksa", False, 39),
}


def info(status: str | Status) -> StatusInfo:
    return STATUS_INFO[Status(status)]


def works(status: str | Status) -> bool:
    """Does a site with this status count as a working website for coverage?"""
    return info(status).works


def best(statuses: Iterable[str]) -> str:
    """The best (least severe) status among a unit's websites; ``no_website`` when there are none."""
    return min(statuses, key=lambda s: info(s).severity, default=Status.NO_WEBSITE.value)
