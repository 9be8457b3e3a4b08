"""``spbe registry ...``: load Kemendagri regions and OPD lists, import a user's registry, show a pemda."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from spbe_crawler import config
from spbe_crawler.cli.app import app, console
from spbe_crawler.cli.app import fail as _fail
from spbe_crawler.cli.app import say as _say
from spbe_crawler.registry import (
    LoadStats,
    RegistryError,
    import_registry_csv,
    load_country,
    load_opd,
    load_pemda,
    units_in_scope,
    websites_of,
)
from spbe_crawler.registry.decisions import decide_website
from spbe_crawler.registry.pemda_sites import load_pemda_websites
from spbe_crawler.registry.scope import KIND_ORDER
from spbe_crawler.reports.formatting import angka
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import Unit, Website
from spbe_crawler.vocab import UnitKind

registry_app = typer.Typer(help="Daftar unit kerja pemda dan situs webnya.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

SHOWN_PROBLEMS = 20


@registry_app.command("load")
def load_cmd(
    pemda: str | None = typer.Option(None, "--pemda", help="Kode kabupaten/kota, misalnya 18.71."),
    all_regions: bool = typer.Option(False, "--all", help="Muat seluruh kode wilayah Indonesia."),
    file: Path | None = typer.Option(None, "--file", help="Berkas data wilayah lain (format code,name)."),
) -> None:
    """Muat unit dari data wilayah Kemendagri (dan daftar OPD pemda bila ada)."""
    if bool(pemda) == all_regions:
        _fail("Pilih salah satu: --pemda KODE atau --all.")
    try:
        with session_scope(config.database_url()) as session:
            if all_regions:
                stats = load_country(session, file)
            else:
                stats = load_pemda(session, pemda or "", file)
                added = load_pemda_websites(session, (pemda or "").strip())
                stats = stats + load_opd(session, (pemda or "").strip())
                stats.websites_added += added
    except RegistryError as exc:
        _fail(str(exc))
    _print_stats(stats)


def _print_stats(stats: LoadStats) -> None:
    _say(stats.summary())
    if stats.upgraded:
        _print_upgrade(stats)
    if stats.kept:
        _say("Unit isian pengguna yang tidak ditimpa: " + ", ".join(stats.kept[:SHOWN_PROBLEMS]))
    for problem in stats.skipped[:SHOWN_PROBLEMS]:
        _say(f"  - {problem}")
    if len(stats.skipped) > SHOWN_PROBLEMS:
        _say(f"  ... dan {len(stats.skipped) - SHOWN_PROBLEMS} baris lainnya")


def _print_upgrade(stats: LoadStats) -> None:
    """What changed against the stored registry: moved, renamed, gone, and the user's own codes."""
    _say(stats.upgrade_summary())
    regions = [move for move in stats.moved if move.kind in (UnitKind.PROVINSI, UnitKind.PEMDA)]
    _list("Pindah kode", [f"{m.old_code} {m.old_name} → {m.new_code}" for m in regions])
    if len(stats.moved) > len(regions):
        _say(f"  beserta {angka(len(stats.moved) - len(regions))} unit di bawahnya (situs, temuan, dan riwayatnya ikut pindah)")
    _list("Berganti nama", [f"{unit.code}: {unit.old_name} → {unit.name}" for unit in stats.renamed])
    _list("Tidak ada lagi, dihapus (tanpa situs)", [f"{unit.code} {unit.name}" for unit in stats.removed])
    _list("Tidak ada lagi, tetap disimpan karena punya situs", [f"{unit.code} {unit.name}" for unit in stats.retained])
    _list("Hanya ada di registri pengguna (disimpan)", [f"{unit.code} {unit.name}" for unit in stats.user_only])


def _list(title: str, lines: list[str]) -> None:
    if not lines:
        return
    _say(f"{title}:")
    for line in lines[:SHOWN_PROBLEMS]:
        _say(f"  - {line}")
    if len(lines) > SHOWN_PROBLEMS:
        _say(f"  ... dan {angka(len(lines) - SHOWN_PROBLEMS)} lainnya")


@registry_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="CSV: code,name,kind,parent_code,website."),
    update_names: bool = typer.Option(
        False, "--perbarui", help="Ganti nama unit yang sudah tersimpan dengan nama di berkas (kode dan jenis sama)."
    ),
) -> None:
    """Impor daftar unit dan situs dari CSV; baris yang salah dilewati dan dilaporkan."""
    with session_scope(config.database_url()) as session:
        report = import_registry_csv(session, file, update_names=update_names)
    _say(report.summary())
    if report.errors:
        raise typer.Exit(1 if report.rows_read else 2)


@registry_app.command("show")
def show_cmd(
    pemda: str = typer.Option(..., "--pemda", help="Kode kabupaten/kota, misalnya 18.71."),
    limit: int = typer.Option(30, "--limit", min=0, help="Paling banyak unit tanpa situs yang ditampilkan."),
) -> None:
    """Tampilkan jumlah unit per jenis dan unit yang belum punya situs."""
    with session_scope(config.database_url()) as session:
        units = units_in_scope(session, pemda.strip())
        websites = websites_of(session, [unit.code for unit in units])
    if not units:
        _fail(f"Belum ada unit untuk pemda {pemda}; jalankan 'spbe registry load --pemda {pemda}'.", 1)
    without = [unit for unit in units if not websites[unit.code]]
    console.print(_counts_table(units, websites))
    if without:
        console.print(_without_table(without, limit))


def _counts_table(units: list[Unit], websites: dict[str, list[Website]]) -> Table:
    table = Table(title=Text(f"Unit {units[0].name} ({units[0].pemda_code})"))
    for header in ("Jenis unit", "Jumlah", "Punya situs", "Tanpa situs"):
        table.add_column(header, justify="left" if header == "Jenis unit" else "right")
    for kind in dict.fromkeys([*KIND_ORDER, *(unit.kind for unit in units)]):
        of_kind = [unit for unit in units if unit.kind == kind]
        if of_kind:
            with_site = sum(1 for unit in of_kind if websites[unit.code])
            table.add_row(kind, str(len(of_kind)), str(with_site), str(len(of_kind) - with_site))
    return table


def _without_table(units: list[Unit], limit: int) -> Table:
    table = Table(title=f"Unit tanpa situs: {len(units)}")
    for header in ("Kode", "Nama", "Jenis"):
        table.add_column(header)
    for unit in units[:limit]:
        table.add_row(Text(unit.code), Text(unit.name), unit.kind)
    if len(units) > limit:
        table.add_row("…", Text(f"dan {len(units) - limit} unit lainnya"), "")
    return table


@registry_app.command("confirm")
def confirm_cmd(
    unit: str = typer.Option(..., "--unit", help="Kode unit, mis. 18.71.13.1010 atau 18.71/dinkes."),
    url: str = typer.Option(..., "--url", help="Alamat situs."),
    who: str = typer.Option("", "--oleh", help="Nama yang mengonfirmasi."),
) -> None:
    """Konfirmasi situs temuan (atau kandidat ambigu) sebagai situs resmi unit."""
    _decide(unit, url, True, who)


@registry_app.command("reject")
def reject_cmd(
    unit: str = typer.Option(..., "--unit", help="Kode unit."),
    url: str = typer.Option(..., "--url", help="Alamat situs."),
    who: str = typer.Option("", "--oleh", help="Nama yang menolak."),
) -> None:
    """Tolak situs sebuah unit: situs itu tidak lagi disurvei dan tidak dihitung dalam cakupan."""
    _decide(unit, url, False, who)


def _decide(unit: str, url: str, confirm: bool, who: str) -> None:
    try:
        with session_scope(config.database_url()) as session:
            website = decide_website(session, unit, url, confirm, who)
            _say(f"{website.url} untuk unit {unit}: {website.state}")
    except RegistryError as exc:
        _fail(str(exc))
