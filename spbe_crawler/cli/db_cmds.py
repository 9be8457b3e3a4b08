"""``spbe db``: the store's schema (upgrade to the newest revision, version, new revisions)."""

from __future__ import annotations

import typer
from rich.markup import escape

from spbe_crawler import config
from spbe_crawler.cli.app import app, console, err_console

db_app = typer.Typer(help="Basis data: skema dan migrasinya.", no_args_is_help=True)
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
    from sqlalchemy import create_engine

    from spbe_crawler.store import schema

    url = config.database_url()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = schema.status(connection)
    finally:
        engine.dispose()
    console.print(f"Basis data: {_where(url)}")
    console.print(f"Revisi skema: {escape(found.revision or '-')} ({_STATE_TEXT[found.state.value]})")
    console.print(f"Revisi terbaru: {escape(found.head)}")


@db_app.command("revision", hidden=True)
def revision_cmd(message: str = typer.Option(..., "-m", "--message", help="Apa yang diubah, dalam bahasa Inggris")) -> None:
    """Untuk pengembang: buat revisi migrasi dari perubahan model (autogenerate)."""
    from spbe_crawler.store import schema

    path = schema.new_revision(message)
    console.print(f"Revisi baru: {escape(str(path))} — periksa isinya sebelum commit.")
