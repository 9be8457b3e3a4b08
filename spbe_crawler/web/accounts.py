"""Local accounts of the workspace: Argon2 password hashes, roles, and a throttled login.

Roles are ordered: a *viewer* reads every page; an *assessor* also reviews the indicators of the
pemda it is assigned to; an *admin* also manages accounts and registry decisions and may review any
pemda. Messages are Bahasa Indonesia; they never say whether a user name exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from spbe_crawler.store import web_queries as q
from spbe_crawler.store.models import utcnow
from spbe_crawler.store.models_web import WebRole, WebUser
from spbe_crawler.web.settings import WebSettings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
ROLE_LABELS = {WebRole.VIEWER: "pembaca", WebRole.ASSESSOR: "penilai", WebRole.ADMIN: "admin"}
PEMDA_CODE = re.compile(r"^\d{2}\.\d{2}$")

_hasher = PasswordHasher()
# Verified when the user name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("spbe-crawler-dummy-password")


class AccountError(ValueError):
    """A rejected account change; the message is for the person who asked."""


def role_of(user: WebUser) -> WebRole:
    try:
        return WebRole(user.role)
    except ValueError:
        return WebRole.VIEWER


def has_role(user: WebUser | None, wanted: WebRole) -> bool:
    return user is not None and user.active and role_of(user).rank >= wanted.rank


def can_review(user: WebUser | None, pemda_code: str) -> bool:
    """May this account record reviews for ``pemda_code``?"""
    if not has_role(user, WebRole.ASSESSOR):
        return False
    assert user is not None
    return role_of(user) is WebRole.ADMIN or pemda_code in (user.pemda_codes or [])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Kata sandi minimal {MIN_PASSWORD} karakter.")
    if len(password) > 1024:
        raise AccountError("Kata sandi terlalu panjang.")


def _check_pemda(codes: list[str]) -> list[str]:
    cleaned = [c.strip() for c in codes if c.strip()]
    bad = [c for c in cleaned if not PEMDA_CODE.match(c)]
    if bad:
        raise AccountError(f"Kode pemda tidak sah: {', '.join(bad)} (contoh yang benar: 18.71).")
    return list(dict.fromkeys(cleaned))


def parse_role(value: str) -> WebRole:
    try:
        return WebRole(value.strip().lower())
    except ValueError:
        raise AccountError(f"Peran harus salah satu dari: {', '.join(r.value for r in WebRole)}.") from None


def add_user(
    session: Session, username: str, password: str, role: WebRole, name: str = "", pemda_codes: list[str] | None = None
) -> WebUser:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("Nama pengguna 2–64 karakter: huruf kecil, angka, titik, garis bawah, tanda hubung.")
    if q.user_by_name(session, username) is not None:
        raise AccountError(f"Nama pengguna {username} sudah dipakai.")
    _check_password(password)
    codes = _check_pemda(pemda_codes or [])
    if role is WebRole.ASSESSOR and not codes:
        raise AccountError("Penilai harus ditugaskan ke sedikitnya satu pemda (--pemda).")
    user = WebUser(
        username=username,
        name=(name.strip() or username)[:120],
        password_hash=_hasher.hash(password),
        role=role.value,
        pemda_codes=codes,
    )
    return q.save_user(session, user)


def update_user(
    session: Session,
    username: str,
    role: WebRole | None = None,
    pemda_codes: list[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
    name: str | None = None,
) -> WebUser:
    user = q.user_by_name(session, username.strip().lower())
    if user is None:
        raise AccountError(f"Pengguna {username} tidak ada.")
    if role is not None:
        user.role = role.value
    if pemda_codes is not None:
        user.pemda_codes = _check_pemda(pemda_codes)
    if role_of(user) is WebRole.ASSESSOR and not user.pemda_codes:
        raise AccountError("Penilai harus ditugaskan ke sedikitnya satu pemda.")
    if active is not None:
        user.active = active
    if password is not None:
        _check_password(password)
        user.password_hash = _hasher.hash(password)
    if name is not None and name.strip():
        user.name = name.strip()[:120]
    return q.save_user(session, user)


def session_version(user: WebUser) -> str:
    """Changes when the password changes, so that older sessions of the account end."""
    return user.password_hash[-16:]


@dataclass
class LoginResult:
    user: WebUser | None
    message: str = ""


def authenticate(
    session: Session, username: str, password: str, client: str, settings: WebSettings, now: datetime | None = None
) -> LoginResult:
    """Check a login; failures are counted per user name and per client address and lock both."""
    now = now or utcnow()
    username = username.strip().lower()[:64]
    keys = [f"user:{username}", f"ip:{client}"]
    lock = q.locked_until(session, keys, now)
    if lock is not None:
        minutes = max(1, int((lock - now).total_seconds() // 60) + 1)
        return LoginResult(None, f"Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit.")
    user = q.user_by_name(session, username) if username else None
    ok = _verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None and user.active
    if not ok:
        window, lockout = timedelta(minutes=settings.login_window_minutes), timedelta(minutes=settings.lockout_minutes)
        for key in keys:
            q.record_failure(session, key, now, settings.login_limit, window, lockout)
        return LoginResult(None, "Nama pengguna atau kata sandi salah.")
    assert user is not None
    for key in keys:
        q.clear_failures(session, key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    q.mark_login(session, user, now)
    return LoginResult(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
