"""What the registry loaders return: counts and row problems as values, summarised in Bahasa Indonesia."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass
class LoadStats:
    """Outcome of loading units from a data file (Kemendagri codes or an OPD list)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    websites_added: int = 0
    kept: list[str] = field(default_factory=list)
    skipped: list[RowError] = field(default_factory=list)

    def __add__(self, other: LoadStats) -> LoadStats:
        return LoadStats(
            added=self.added + other.added,
            updated=self.updated + other.updated,
            unchanged=self.unchanged + other.unchanged,
            websites_added=self.websites_added + other.websites_added,
            kept=self.kept + other.kept,
            skipped=self.skipped + other.skipped,
        )

    def summary(self) -> str:
        text = (
            f"{self.added} unit ditambahkan, {self.updated} diperbarui, "
            f"{self.unchanged} tidak berubah, {self.websites_added} situs ditambahkan"
        )
        if self.kept:
            text += f"; {len(self.kept)} unit isian pengguna dibiarkan (nama berbeda)"
        if self.skipped:
            text += f"; {len(self.skipped)} baris dilewati"
        return text + "."


@dataclass
class ImportReport:
    """Outcome of importing a user registry CSV."""

    rows_read: int = 0
    units_added: int = 0
    units_existing: int = 0
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
        lines = [
            f"{self.rows_read} baris dibaca: {self.units_added} unit baru, "
            f"{self.units_existing} unit sudah tersimpan, {self.websites_added} situs baru.",
        ]
        if self.errors:
            lines.append(f"{len(self.rejected_lines)} baris ditolak ({len(self.errors)} kesalahan):")
            lines.extend(f"  - {error}" for error in self.errors)
        if self.warnings:
            lines.append("Peringatan:")
            lines.extend(f"  - {warning}" for warning in self.warnings)
        return "\n".join(lines)
