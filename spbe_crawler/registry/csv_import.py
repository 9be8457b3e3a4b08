"""Import a user's registry CSV (``code,name,kind,parent_code,website``).

Every row is checked first; the good rows are then written together in the caller's transaction
and the bad rows are reported with their line and column. Nothing stored is overwritten: a code
already stored under another kind is a conflict, a website declared for another unit is refused. A
code stored under a slightly different name keeps its stored name and gets the row's websites (with a
warning), or takes the file's name with ``update_names`` (``--perbarui``). A parent that is not stored
but is a Kemendagri code (a pemda row naming its province ``18``) is taken from the bundled region
data. Re-importing the same file adds nothing.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlmodel import Session

from spbe_crawler.discovery.names import normalise
from spbe_crawler.net.policy import NetworkPolicy
from spbe_crawler.registry import codes as region_codes
from spbe_crawler.registry.results import ImportReport, RegistryError, RowError
from spbe_crawler.registry.text_table import TableRow, read_table
from spbe_crawler.registry.unit_store import same_name
from spbe_crawler.registry.urls import host_of, normalise_url
from spbe_crawler.registry.wilayah_file import WilayahData, read_wilayah
from spbe_crawler.store.unit_rows import existing_units, insert_units, insert_websites, stored_website_pairs, update_units, website_claims
from spbe_crawler.vocab import UnitKind

IMPORT_KINDS = tuple(kind.value for kind in (UnitKind.PEMDA, UnitKind.OPD, UnitKind.KECAMATAN, UnitKind.KELURAHAN, UnitKind.DESA))
REQUIRED_COLUMNS = ("code", "name", "kind")
OPTIONAL_COLUMNS = ("parent_code", "website")
UNIT_SOURCE = "import"
WEBSITE_SOURCE = "registry"
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 200
SIMILAR_NAME = 85  # rapidfuzz ratio of the normalised names: "Kel. Penarukan" ~ "Panarukan"
KEMENDAGRI_SOURCE = "kemendagri"


def import_registry_csv(session: Session, path: str | Path, update_names: bool = False) -> ImportReport:
    """Check every row of the file, then add the units and websites of the good rows.

    The writes join the caller's transaction (nothing is committed here), so the good rows land
    together or not at all. A file that cannot be read is reported in ``errors``, never raised; a
    line that cannot be read is reported with its number and the other rows are imported.
    ``update_names``: a code stored under another name takes the file's name.
    """
    report = ImportReport()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        report.errors.append(RowError(0, "", f"berkas {path} tidak dapat dibaca: {exc.strerror}"))
        return report
    table = read_table(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    report.warnings.extend(table.warnings)
    if table.error:
        report.errors.append(table.error)
        return report
    report.rows_read = len(table.rows) + len(table.problems)
    report.errors.extend(table.problems)
    checker = _RowChecker.prepare(session, table.rows, update_names)
    for row in table.rows:
        report.errors.extend(checker.check(row))
    report.errors.sort(key=lambda error: error.line)
    report.warnings.extend(checker.warnings)
    _write(session, checker, report)
    return report


def _write(session: Session, checker: _RowChecker, report: ImportReport) -> None:
    insert_units(session, checker.parents_added)
    insert_units(session, checker.new_units)
    renamed = [{"code": code, "name": name, "source": UNIT_SOURCE} for code, name in checker.renames.items()]
    update_units(session, renamed, ("name", "source"))
    report.units_added = len(checker.new_units)
    report.units_existing = checker.existing_count
    report.units_renamed = len(checker.renames)
    report.parents_added = len(checker.parents_added)
    report.websites_added = insert_websites(session, checker.new_websites, WEBSITE_SOURCE)


def _urls_of(row: TableRow) -> list[str]:
    return [part.strip() for part in row.values.get("website", "").split(";") if part.strip()]


@dataclass
class _RowChecker:
    """What the rows are checked against: the store (fetched once) and the rows accepted so far."""

    stored: dict[str, dict[str, Any]]
    claims: dict[str, set[str]]
    stored_pairs: set[tuple[str, str]]
    update_names: bool = False
    policy: NetworkPolicy = field(default_factory=NetworkPolicy)
    regions: WilayahData | None = None  # the bundled Kemendagri codes, read when a parent is missing
    first_line: dict[str, int] = field(default_factory=dict)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_units: list[dict[str, Any]] = field(default_factory=list)
    new_websites: list[tuple[str, str]] = field(default_factory=list)
    parents_added: list[dict[str, Any]] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)
    warnings: list[RowError] = field(default_factory=list)
    existing_count: int = 0

    @classmethod
    def prepare(cls, session: Session, rows: list[TableRow], update_names: bool = False) -> _RowChecker:
        codes = {row.values["code"] for row in rows} | {row.values.get("parent_code", "") for row in rows}
        urls = set()
        for row in rows:
            for text in _urls_of(row):
                try:
                    urls.add(normalise_url(text))
                except ValueError:
                    continue
        try:
            policy = NetworkPolicy.from_env()
        except (OSError, ValueError):  # a broken route file is the survey's error to report
            policy = NetworkPolicy()
        return cls(
            stored=existing_units(session, codes - {""}),
            claims=website_claims(session, urls),
            stored_pairs=stored_website_pairs(session, codes - {""}),
            update_names=update_names,
            policy=policy,
        )

    def check(self, row: TableRow) -> list[RowError]:
        """Errors of one row; a row without errors is accepted and queued for writing."""
        code, name = row.values["code"], " ".join(row.values["name"].split())
        kind = row.values["kind"].lower()
        problems = self._shape_problems(row, code, name, kind)
        pemda_code: str | None = None
        if kind in IMPORT_KINDS and code:
            pemda_code, parent_problems = self._parent(row, code, kind)
            problems += parent_problems
        urls, url_problems = self._urls(row, code)
        problems += url_problems
        note: RowError | None = None
        if code and kind in IMPORT_KINDS and name:
            conflict, note = self._conflicts(row.line, code, name, kind)
            problems += conflict
        if problems:
            return [RowError(row.line, column, message) for column, message in problems]
        if note is not None:
            self.warnings.append(note)
            if self.update_names:
                self.renames[code] = name
        self._accept(row, code, name, kind, pemda_code, urls)
        return []

    def _shape_problems(self, row: TableRow, code: str, name: str, kind: str) -> list[tuple[str, str]]:
        problems = []
        if row.extra_cells:
            problems.append(
                ("", "baris memuat lebih banyak kolom daripada baris judul; apit nilai yang memuat tanda pemisah dengan tanda kutip")
            )
        if not code:
            problems.append(("code", "kode kosong"))
        elif len(code) > MAX_CODE_LENGTH or any(ch.isspace() for ch in code):
            rule = f"tanpa spasi, paling panjang {MAX_CODE_LENGTH} karakter"
            problems.append(("code", f"kode '{code[:80]}' tidak sah ({rule})"))
        elif code in self.first_line:
            problems.append(("code", f"kode {code} sudah muncul di baris {self.first_line[code]}"))
        else:
            self.first_line[code] = row.line
        if not name:
            problems.append(("name", "nama kosong"))
        elif len(name) > MAX_NAME_LENGTH:
            problems.append(("name", f"nama lebih dari {MAX_NAME_LENGTH} karakter"))
        if kind not in IMPORT_KINDS:
            shown = f"'{kind[:40]}'" if kind else "kosong"
            choices = ", ".join(IMPORT_KINDS)
            problems.append(("kind", f"jenis unit {shown} tidak dikenal; gunakan salah satu dari: {choices}"))
        return problems

    def _parent(self, row: TableRow, code: str, kind: str) -> tuple[str | None, list[tuple[str, str]]]:
        """The pemda code the unit belongs to, found through its parent, and the parent problems."""
        parent_code = row.values.get("parent_code", "")
        if not parent_code:
            if kind == UnitKind.PEMDA:
                return code, []
            return None, [("parent_code", f"kode induk wajib diisi untuk unit jenis {kind}")]
        if parent_code == code:
            return None, [("parent_code", "unit tidak boleh menjadi induk dirinya sendiri")]
        parent = self.accepted.get(parent_code) or self.stored.get(parent_code) or self._kemendagri_parent(row.line, parent_code)
        if parent is None:
            parent_line = self.first_line.get(parent_code, row.line)
            if parent_line < row.line:
                message = f"induk {parent_code} (baris {parent_line}) ditolak, maka baris ini ikut dilewati"
            else:
                message = f"induk {parent_code} tidak ada di basis data maupun di baris sebelumnya"
            return None, [("parent_code", message)]
        pemda_code = code if kind == UnitKind.PEMDA else parent["pemda_code"]
        if pemda_code is None:
            message = f"induk {parent_code} ({parent['kind']}) tidak berada di bawah pemda mana pun"
            return None, [("parent_code", message)]
        return pemda_code, []

    def _kemendagri_parent(self, line: int, parent_code: str) -> dict[str, Any] | None:
        """A parent that is not stored but is a Kemendagri code: it is added from the bundled region
        data, with its own missing ancestors (a province row for a pemda, say)."""
        if not region_codes.is_region_code(parent_code):
            return None
        if self.regions is None:
            try:
                self.regions = read_wilayah()
            except RegistryError:
                return None
        chain: list[str] = []
        code: str | None = parent_code
        while code and code not in self.stored and code not in self.accepted:
            if code not in self.regions.regions:
                return None
            chain.append(code)
            code = region_codes.parent_of(code)
        for code in reversed(chain):
            region = self.regions.regions[code]
            unit = {
                "code": code,
                "name": region.name,
                "kind": region.kind,
                "category": None,
                "parent_code": region.parent_code,
                "pemda_code": region.pemda_code,
                "source": KEMENDAGRI_SOURCE,
                "note": None,
            }
            self.parents_added.append(unit)
            self.stored[code] = unit
        names = ", ".join(f"{code} ({self.regions.regions[code].name})" for code in reversed(chain))
        self.warnings.append(RowError(line, "parent_code", f"induk {names} diambil dari data wilayah Kemendagri bawaan"))
        return self.stored[parent_code]

    def _urls(self, row: TableRow, code: str) -> tuple[list[str], list[tuple[str, str]]]:
        urls, problems = [], []
        for text in _urls_of(row):
            try:
                url = normalise_url(text)
            except ValueError as exc:
                problems.append(("website", f"alamat situs '{text[:100]}' tidak sah: {exc}"))
                continue
            others = self.claims.get(url, set()) - {code}
            if others:
                problems.append(("website", f"situs {url} sudah dinyatakan untuk unit {min(others)}"))
            else:
                self._warn_private(row.line, url)
            urls.append(url)
        return urls, problems

    def _warn_private(self, line: int, url: str) -> None:
        """A website on a loopback, link-local or private address is imported, with a warning: the
        survey refuses such addresses (``address_blocked``) unless ``SPBE_ALLOWED_NETWORKS`` allows them."""
        host = host_of(url).strip("[]")
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            address = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else ""
        reason = self.policy.forbidden_reason(address) if address else None
        if reason:
            message = (
                f"situs {url} menunjuk ke {reason}; survei akan menolaknya (address_blocked) "
                "kecuali jaringannya diizinkan lewat SPBE_ALLOWED_NETWORKS"
            )
            self.warnings.append(RowError(line, "website", message))

    def _conflicts(self, line: int, code: str, name: str, kind: str) -> tuple[list[tuple[str, str]], RowError | None]:
        """(problems, note) of a code already stored. Under another kind it is refused; under another
        name it keeps the stored name (the note says so) when the names are alike, takes the file's
        name with ``update_names``, and is refused otherwise."""
        old = self.stored.get(code)
        if old is None or (same_name(old["name"], name) and old["kind"] == kind):
            return [], None
        stored_as = f"'{old['name']}' ({old['kind']})"
        if old["kind"] != kind:
            return [("code", f"kode {code} sudah tersimpan sebagai {stored_as}; tidak ditimpa")], None
        if self.update_names:
            return [], RowError(line, "name", f"nama {code} diganti dari '{old['name']}' menjadi '{name}' (--perbarui)")
        if fuzz.ratio(normalise(old["name"]), normalise(name)) >= SIMILAR_NAME:
            message = (
                f"kode {code} tersimpan sebagai '{old['name']}'; nama '{name}' di berkas tidak dipakai, "
                "situsnya tetap ditambahkan (pakai --perbarui untuk mengganti nama)"
            )
            return [], RowError(line, "name", message)
        hint = "pakai --perbarui bila nama di berkas yang benar"
        return [("code", f"kode {code} sudah tersimpan sebagai {stored_as}; tidak ditimpa ({hint})")], None

    def _accept(self, row: TableRow, code: str, name: str, kind: str, pemda_code: str | None, urls: list[str]) -> None:
        if code in self.stored:
            self.existing_count += 1
        else:
            unit = {
                "code": code,
                "name": name,
                "kind": kind,
                "category": None,
                "parent_code": row.values.get("parent_code") or None,
                "pemda_code": pemda_code,
                "source": UNIT_SOURCE,
                "note": None,
            }
            self.new_units.append(unit)
            self.accepted[code] = unit
        for url in dict.fromkeys(urls):
            if (code, url) not in self.stored_pairs:
                self.stored_pairs.add((code, url))
                self.new_websites.append((code, url))
            self.claims.setdefault(url, set()).add(code)
