"""``spbe db``: check and back up the store (restore: README, "Cadangan dan pemulihan"); its schema
(upgrade to the newest revision, version, new revisions)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from spbe_crawler import config
from spbe_crawler.cli.app import app, console, err_console

db_app = typer.Typer(help="Basis data: pemeriksaan, cadangan, skema dan migrasinya.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# SchemaState value -> what it means for the user
_STATE_TEXT = {
    "empty": "kosong (skema dibuat saat pertama dipakai)",
    "current": "terbaru",
    "behind": "lama: jalankan spbe db upgrade",
    "unversioned": "dari rilis sebelum migrasi: jalankan spbe db upgrade",
    "unknown": "revisi tidak dikenal (dibuat versi spbe yang lebih baru?)",
}


def _where(url: str) -> str:
    from sqlalchemy.engine import make_url

    return escape(make_url(url).render_as_string(hide_password=True))


@db_app.command("upgrade")
def upgrade_cmd() -> None:
    """Perbarui skema basis data ($SPBE_DATABASE_URL) ke revisi terbaru; data yang ada tetap."""
    from spbe_crawler.store import schema

    url = config.database_url()
    try:
        result = schema.upgrade(url)
    except schema.SchemaError as problem:
        err_console.print(str(problem), style="red", markup=False)
        raise typer.Exit(2) from None
    before = result.before.revision or ("kosong" if result.before.state is schema.SchemaState.EMPTY else "tanpa revisi")
    if result.before.revision == result.after:
        console.print(f"Skema {_where(url)} sudah terbaru (revisi {escape(result.after)}).")
    else:
        console.print(f"Skema {_where(url)} diperbarui: {escape(before)} → {escape(result.after)}.")
    if result.differences:
        err_console.print("[red]Skema masih berbeda dari model setelah upgrade:[/]")
        for difference in result.differences:
            err_console.print(f"  {difference}", markup=False)
        raise typer.Exit(1)


@db_app.command("version")
def version_cmd() -> None:
    """Tampilkan revisi skema basis data dan revisi terbaru versi spbe ini."""
    from spbe_crawler.store import schema

    url = config.database_url()
    found = schema.status_of(url)
    console.print(f"Basis data: {_where(url)}")
    console.print(f"Revisi skema: {escape(found.revision or '-')} ({_STATE_TEXT[found.state.value]})")
    console.print(f"Revisi terbaru: {escape(found.head)}")


@db_app.command("revision", hidden=True)
def revision_cmd(message: str = typer.Option(..., "-m", "--message", help="Apa yang diubah, dalam bahasa Inggris")) -> None:
    """Untuk pengembang: buat revisi migrasi dari perubahan model (autogenerate)."""
    from spbe_crawler.store import schema

    path = schema.new_revision(message)
    console.print(f"Revisi baru: {escape(str(path))} — periksa isinya sebelum commit.")


def _say(text: str, error: bool = False) -> None:
    (err_console if error else console).print(text, markup=False, highlight=False, soft_wrap=True)


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


@db_app.command("check")
def check_cmd() -> None:
    """Periksa keutuhan basis data (SQLite: PRAGMA integrity_check atas setiap halaman)."""
    from spbe_crawler import config
    from spbe_crawler.store.integrity import check_file, sqlite_path

    url = config.database_url()
    path = sqlite_path(url)
    if path is None:
        _check_server(url)
        return
    if not path.exists():
        _say(f"Basis data {path} belum ada (dibuat oleh perintah spbe pertama yang menyimpan data).", error=True)
        raise typer.Exit(1)
    result = check_file(path)
    if result.ok:
        _say(f"Basis data {path} utuh: {result.tables} tabel, {_size(result.size)}.")
        return
    _say(f"Basis data {path} rusak:", error=True)
    for problem in result.problems:
        _say(f"  - {problem}", error=True)
    _say("Pulihkan dari cadangan terakhir (README, bagian \u201cCadangan dan pemulihan\u201d).", error=True)
    raise typer.Exit(1)


def _check_server(url: str) -> None:
    from sqlalchemy.engine import make_url

    from spbe_crawler.store.integrity import server_problem

    shown = make_url(url).render_as_string(hide_password=True)
    problem = server_problem(url)
    if problem is not None:
        _say(f"Basis data {shown} tidak dapat dihubungi: {problem}", error=True)
        raise typer.Exit(1)
    _say(f"Basis data {shown} terhubung. Keutuhan berkasnya dijaga server; periksa dengan alat server (pg_amcheck).")


@db_app.command("backup")
def backup_cmd(
    to: Path | None = typer.Option(None, "--out", help="Berkas cadangan (bawaan: $SPBE_HOME/cadangan/spbe-<waktu>.sqlite3)"),
) -> None:
    """Cadangkan basis data SQLite selagi berjalan (API backup daring SQLite), lalu periksa salinannya."""
    from spbe_crawler import config
    from spbe_crawler.store.integrity import backup_file, default_backup_path, pg_dump_hint, sqlite_path

    url = config.database_url()
    path = sqlite_path(url)
    if path is None:
        _say(pg_dump_hint(url), error=True)
        raise typer.Exit(2)
    if not path.exists():
        _say(f"Basis data {path} belum ada: tidak ada yang dicadangkan.", error=True)
        raise typer.Exit(1)
    target = to or default_backup_path(config.home_dir())
    result = backup_file(path, target)  # a damaged source raises BrokenDatabase: one message, exit 3
    if not result.ok:
        _say(f"Cadangan {target} ditulis tetapi pemeriksaannya gagal: {'; '.join(result.problems)}", error=True)
        raise typer.Exit(1)
    _say(f"Cadangan {target} ditulis dan utuh ({result.tables} tabel, {_size(result.size)}).")
