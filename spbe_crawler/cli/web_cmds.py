"""``spbe serve`` and ``spbe user add | list | set``: the web workspace and its accounts.

Heavy imports (Starlette, uvicorn, argon2) happen inside the commands, so other commands start fast.
"""

from __future__ import annotations

import getpass
import secrets
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from spbe_crawler.cli.app import app, console
from spbe_crawler.cli.app import fail as _fail
from spbe_crawler.cli.app import say as _say

user_app = typer.Typer(help="Akun ruang kerja web (spbe serve): tambah, daftar, ubah.", no_args_is_help=True)
app.add_typer(user_app, name="user")

ROLE_HELP = "Peran: viewer (membaca), assessor (menilai pemda yang ditugaskan), admin (akun, registri)"
PEMDA_HELP = "Kode pemda yang boleh dinilai penilai (boleh diulang), mis. 18.71"
DEMO_USERS = (
    ("penilai", "Penilai Demo", "assessor"),
    ("penilai2", "Penilai Kedua Demo", "assessor"),
    ("pembaca", "Pembaca Demo", "viewer"),
    ("admin", "Admin Demo", "admin"),
)


def _password(given: str | None) -> str:
    if given:
        return given
    from spbe_crawler.web.settings import WebSettings

    from_env = WebSettings.from_env().password
    if from_env:
        return from_env
    first = getpass.getpass("Kata sandi: ")
    if first != getpass.getpass("Ulangi kata sandi: "):
        _fail("Kedua kata sandi tidak sama.")
    return first


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Nama pengguna (huruf kecil, angka, . _ -)"),
    role: str = typer.Option("viewer", "--role", help=ROLE_HELP),
    pemda: list[str] = typer.Option([], "--pemda", help=PEMDA_HELP),
    name: str = typer.Option("", "--nama", help="Nama lengkap, tercatat di riwayat penilaian"),
    password: str | None = typer.Option(None, "--password", help="Kata sandi (bawaan: ditanyakan, atau $SPBE_WEB_PASSWORD)"),
) -> None:
    """Tambah akun ruang kerja web; kata sandi disimpan sebagai hash Argon2."""
    from spbe_crawler.store.db import session_scope
    from spbe_crawler.web.accounts import AccountError, add_user, parse_role

    try:
        wanted = parse_role(role)
        with session_scope() as session:
            user = add_user(session, username, _password(password), wanted, name, pemda)
            _say(f"Akun {user.username} dibuat: {user.role}" + (f", pemda {', '.join(user.pemda_codes)}" if user.pemda_codes else ""))
    except AccountError as exc:
        _fail(str(exc))


@user_app.command("list")
def user_list() -> None:
    """Daftar akun ruang kerja web."""
    from spbe_crawler.store import web_queries
    from spbe_crawler.store.db import session_scope

    table = Table(title="Akun ruang kerja")
    for column in ("Nama pengguna", "Nama", "Peran", "Pemda", "Aktif"):
        table.add_column(column)
    with session_scope() as session:
        for user in web_queries.all_users(session):
            table.add_row(Text(user.username), Text(user.name), user.role, ", ".join(user.pemda_codes), "ya" if user.active else "tidak")
    console.print(table)


@user_app.command("set")
def user_set(
    username: str = typer.Argument(..., help="Nama pengguna"),
    role: str | None = typer.Option(None, "--role", help=ROLE_HELP),
    pemda: list[str] = typer.Option([], "--pemda", help=PEMDA_HELP + " (mengganti daftar lama)"),
    active: bool | None = typer.Option(None, "--aktif/--nonaktif", help="Aktifkan atau nonaktifkan akun"),
    new_password: bool = typer.Option(False, "--password", help="Ganti kata sandi (ditanyakan, atau $SPBE_WEB_PASSWORD)"),
) -> None:
    """Ubah peran, pemda, status aktif, atau kata sandi sebuah akun."""
    from spbe_crawler.store.db import session_scope
    from spbe_crawler.web.accounts import AccountError, parse_role, update_user

    try:
        with session_scope() as session:
            user = update_user(
                session,
                username,
                role=parse_role(role) if role else None,
                pemda_codes=pemda or None,
                active=active,
                password=_password(None) if new_password else None,
            )
            _say(f"Akun {user.username}: {user.role}, pemda {', '.join(user.pemda_codes) or '–'}, {'aktif' if user.active else 'nonaktif'}")
    except AccountError as exc:
        _fail(str(exc))


@app.command("serve")
def serve_command(
    host: str | None = typer.Option(None, "--host", help="Alamat yang didengarkan (bawaan 127.0.0.1, $SPBE_WEB_HOST)"),
    port: int | None = typer.Option(None, "--port", help="Port (bawaan 8000, $SPBE_WEB_PORT)"),
) -> None:
    """Jalankan ruang kerja web (Diskominfo dan penilai) di atas basis data yang sama."""
    import uvicorn

    from spbe_crawler.web.app import create_app
    from spbe_crawler.web.settings import WebSettings

    try:
        settings = WebSettings.from_env()
    except ValueError as exc:
        _fail(str(exc))
    overrides: dict[str, Any] = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = WebSettings.from_env(**overrides)
    from spbe_crawler.store.db import get_engine

    get_engine()  # an old, newer or damaged database is refused here, with the CLI's message, not as a 500 per page
    _say(f"Ruang kerja web: http://{settings.host}:{settings.port}/  (hentikan dengan Ctrl+C)")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning", proxy_headers=False)


def demo_accounts(pemda_code: str) -> list[tuple[str, str, str]]:
    """Create (or reset) the demo accounts with fresh random passwords: (username, role, password)."""
    from spbe_crawler.store import web_queries
    from spbe_crawler.store.db import session_scope
    from spbe_crawler.web.accounts import add_user, parse_role, update_user

    made = []
    with session_scope() as session:
        for username, name, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            codes = [pemda_code] if role == "assessor" else []
            if web_queries.user_by_name(session, username) is None:
                add_user(session, username, password, parse_role(role), name, codes)
            else:
                update_user(session, username, role=parse_role(role), pemda_codes=codes, active=True, password=password)
            made.append((username, role, password))
    return made


def print_demo_login(pemda_code: str) -> None:
    """The last lines of ``spbe demo``: how to open the workspace and with which accounts."""
    accounts = demo_accounts(pemda_code)
    _say("")
    _say("Ruang kerja web: jalankan  .venv/bin/spbe serve  lalu buka http://127.0.0.1:8000/")
    for username, role, password in accounts:
        _say(f"  masuk sebagai {username:<9} kata sandi {password}  ({role})")
