"""A damaged database file: recognise it, say so in one message, check it, back it up.

SQLite only (the default store): a truncated file, a garbage header or overwritten pages. The
header is checked before the engine touches the file; errors SQLite raises later for damaged pages
(``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) are recognised by :func:`is_corruption`. PostgreSQL keeps
its own integrity; :func:`pg_dump_hint` tells how to back it up.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

MAGIC = b"SQLite format 3\x00"
CORRUPTION_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
CORRUPTION_TEXTS = ("file is not a database", "database disk image is malformed", "malformed database schema")


class BrokenDatabase(RuntimeError):
    """The database file is damaged; the message names the file and what to do."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(broken_message(path, reason))


def broken_message(path: Path | str, reason: str) -> str:
    return (
        f"Basis data {path} rusak: {reason}. Tidak ada yang diubah. Hentikan semua proses spbe, pulihkan berkas "
        "dari cadangan terakhir (README, bagian \u201cCadangan dan pemulihan\u201d), lalu periksa dengan: spbe db check"
    )


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or ``None`` (another database, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def header_problem(path: Path) -> str | None:
    """What is wrong with the file's header and size, without opening it with SQLite (``None``: looks sound).

    A missing or empty file is sound (SQLite creates it). A file shorter than the page count its own
    header states was truncated.
    """
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"berkas tidak dapat dibaca ({exc.strerror})"
    if not header.startswith(MAGIC):
        return "berkas bukan basis data SQLite (kepala berkas tidak dikenal)"
    if len(header) < 100:
        return f"berkas terpotong ({size} byte, kepala berkas saja 100 byte)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return f"ukuran halaman {page_size} di kepala berkas tidak sah"
    pages = int.from_bytes(header[28:32], "big")
    valid = header[24:28] == header[92:96]  # the page count is valid only when these match
    if valid and pages and size < pages * page_size:
        return f"berkas terpotong: {_n(size)} byte, padahal kepala berkas menyebut {_n(pages)} halaman × {_n(page_size)} byte"
    return None


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def corruption_reason(error: BaseException) -> str:
    """SQLite's own words for a damaged file, introduced in Indonesian."""
    return f"isi berkas rusak (SQLite: {getattr(error, 'orig', None) or error})"


def is_corruption(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps) is SQLite saying the file is damaged."""
    seen: set[int] = set()
    item: BaseException | None = error
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        code = getattr(item, "sqlite_errorname", "") or ""
        if code.startswith(CORRUPTION_CODES) or (
            isinstance(item, sqlite3.DatabaseError) and any(text in str(item).lower() for text in CORRUPTION_TEXTS)
        ):
            return True
        item = getattr(item, "orig", None) or item.__cause__ or item.__context__
    return False


def check_engine_url(url: str) -> None:
    """Raise :class:`BrokenDatabase` when the SQLite file behind ``url`` is visibly damaged (cheap)."""
    path = sqlite_path(url)
    if path is not None:
        problem = header_problem(path)
        if problem:
            raise BrokenDatabase(path, problem)


@dataclass
class CheckResult:
    path: Path
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def check_file(path: Path, limit: int = 20) -> CheckResult:
    """Header check, then SQLite's full ``PRAGMA integrity_check`` (reads every page; nothing is written)."""
    result = CheckResult(path)
    if not path.exists():
        result.problems.append("berkas tidak ada")
        return result
    result.size = path.stat().st_size
    problem = header_problem(path)
    if problem:
        result.problems.append(problem)
        return result
    try:
        with closing(_connect(path)) as connection:
            rows = [row[0] for row in connection.execute(f"PRAGMA integrity_check({limit})")]
            result.tables = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        result.problems.append(corruption_reason(exc) if is_corruption(exc) else str(exc))
        return result
    if rows != ["ok"]:
        result.problems.extend(rows)
    return result


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10)
    connection.execute("PRAGMA busy_timeout=10000")
    return connection


def backup_file(source: Path, target: Path) -> CheckResult:
    """Copy a live SQLite database with the online backup API (writers may go on), then check the copy."""
    problem = header_problem(source)
    if problem:
        raise BrokenDatabase(source, problem)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".sebagian")
    partial.unlink(missing_ok=True)
    try:
        with closing(_connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=1024)
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        if is_corruption(exc):
            raise BrokenDatabase(source, corruption_reason(exc)) from None
        raise
    partial.replace(target)
    return check_file(target)


def default_backup_path(home: Path, now: datetime | None = None) -> Path:
    return home / "cadangan" / f"spbe-{(now or datetime.now()):%Y%m%d-%H%M%S}.sqlite3"


def pg_dump_hint(url: str, now: datetime | None = None) -> str:
    """How to back up and restore a PostgreSQL store with its own tools (the password is not shown)."""
    parsed = make_url(url).set(drivername="postgresql")
    shown = parsed.render_as_string(hide_password=True)
    name = f"spbe-{(now or datetime.now()):%Y%m%d-%H%M%S}.dump"
    return (
        "Basis data PostgreSQL dicadangkan dengan alat PostgreSQL sendiri:\n"
        f'  pg_dump --format=custom --file={name} "{shown}"\n'
        "Pemulihan (hentikan dulu semua proses spbe):\n"
        f'  pg_restore --clean --if-exists --dbname="{shown}" {name}'
    )


def server_problem(url: str) -> str | None:
    """Why the database server at ``url`` cannot be reached (a ``SELECT 1`` fails), or None."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from spbe_crawler.store.db import get_engine

    try:
        with get_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return str(getattr(exc, "orig", exc))
    return None
