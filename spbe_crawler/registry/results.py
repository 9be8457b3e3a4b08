"""What the registry loaders return: counts and row problems as values, summarised in Bahasa Indonesia."""

from __future__ import annotations

from dataclasses import dataclass, field

from spbe_crawler.reports.formatting import angka


class RegistryError(Exception):
    """A problem the user must fix before anything can be loaded; the message is shown as is."""


@dataclass(frozen=True)
class RowError:
    """A problem on one line of a source file (line 0: the file as a whole)."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"baris {self.line}" if self.line else "berkas"
        if self.column:
            where += f", kolom {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Moved:
    """A stored unit whose code changed (a kabupaten that moved to a new province, say)."""

    old_code: str
    new_code: str
    old_name: str
    name: str
    kind: str


@dataclass(frozen=True)
class Named:
    """A unit named in a report: ``old_name`` set when it was renamed."""

    code: str
    name: str
    old_name: str = ""


@dataclass
class LoadStats:
    """Outcome of loading units from a data file (Kemendagri codes or an OPD list).

    ``moved``, ``renamed``, ``removed``, ``retained`` and ``user_only`` describe the upgrade of a
    store loaded from an older region file: codes that changed, names that changed, codes gone from
    the file (removed, or retained because they hold websites) and user units absent from the file.
    """

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    websites_added: int = 0
    kept: list[str] = field(default_factory=list)
    skipped: list[RowError] = field(default_factory=list)
    moved: list[Moved] = field(default_factory=list)
    renamed: list[Named] = field(default_factory=list)
    removed: list[Named] = field(default_factory=list)
    retained: list[Named] = field(default_factory=list)
    user_only: list[Named] = field(default_factory=list)

    def __add__(self, other: LoadStats) -> LoadStats:
        return LoadStats(
            added=self.added + other.added,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            websites_added=self.websites_added + other.websites_added,
            kept=self.kept + other.kept,
            skipped=self.skipped + other.skipped,
            moved=self.moved + other.moved,
            renamed=self.renamed + other.renamed,
            removed=self.removed + other.removed,
            retained=self.retained + other.retained,
            user_only=self.user_only + other.user_only,
        )

    @property
    def upgraded(self) -> bool:
        """True when the load changed codes or names, or found codes gone from the file."""
        return bool(self.moved or self.renamed or self.removed or self.retained or self.user_only)

    def summary(self) -> str:
        text = (
            f"{angka(self.added)} unit ditambahkan, {angka(self.updated)} diperbarui, "
            f"{angka(self.unchanged)} tidak berubah, {angka(self.websites_added)} situs ditambahkan"
        )
        if self.kept:
            text += f"; {angka(len(self.kept))} unit isian pengguna dibiarkan (nama berbeda)"
        if self.skipped:
            text += f"; {angka(len(self.skipped))} baris dilewati"
        return text + "."

    def upgrade_summary(self) -> str:
        """One line on what changed against the stored registry: moved / renamed / new / gone."""
        gone = len(self.removed) + len(self.retained)
        text = (
            f"Pembaruan kode wilayah: {angka(len(self.moved))} unit pindah kode, "
            f"{angka(len(self.renamed))} berganti nama, {angka(self.added)} baru, {angka(gone)} tidak ada lagi"
        )
        if gone:
            text += f" ({angka(len(self.removed))} dihapus, {angka(len(self.retained))} disimpan karena punya situs)"
        if self.user_only:
            text += f"; {angka(len(self.user_only))} kode hanya ada di registri pengguna (disimpan)"
        return text + "."


@dataclass
class ImportReport:
    """Outcome of importing a user registry CSV."""

    rows_read: int = 0
    units_added: int = 0
    units_existing: int = 0
    units_renamed: int = 0
    parents_added: int = 0
    websites_added: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def rejected_lines(self) -> list[int]:
        """Lines of rows that were not imported (sorted, each once)."""
        return sorted({error.line for error in self.errors if error.line > 0})

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors and not self.rows_read:
            lines = ["Berkas tidak diimpor:"] + [f"  - {error}" for error in self.errors]
            lines += [f"  - peringatan, {warning}" for warning in self.warnings]
            return "\n".join(lines)
        first = (
            f"{angka(self.rows_read)} baris dibaca: {angka(self.units_added)} unit baru, "
            f"{angka(self.units_existing)} unit sudah tersimpan, {angka(self.websites_added)} situs baru"
        )
        if self.units_renamed:
            first += f", {angka(self.units_renamed)} nama diperbarui"
        if self.parents_added:
            first += f", {angka(self.parents_added)} unit induk dari data wilayah Kemendagri"
        lines = [first + "."]
        if self.errors:
            lines.append(f"{angka(len(self.rejected_lines))} baris ditolak ({angka(len(self.errors))} kesalahan):")
            lines.extend(f"  - {error}" for error in self.errors)
        if self.warnings:
            lines.append("Peringatan:")
            lines.extend(f"  - {warning}" for warning in self.warnings)
        return "\n".join(lines)
