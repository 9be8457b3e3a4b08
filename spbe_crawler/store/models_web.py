"""Tables of the web workspace (``spbe serve``): local accounts and the login throttle.

Passwords are stored only as Argon2 hashes. Times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from spbe_crawler.store.models import utcnow


class WebRole(str, Enum):
    """What an account may do; each role includes the rights of the ones before it."""

    VIEWER = "viewer"  # read every page
    ASSESSOR = "assessor"  # + review the indicators of its assigned pemda
    ADMIN = "admin"  # + accounts, registry decisions (discovery), review anywhere

    @property
    def rank(self) -> int:
        return list(WebRole).index(self)


class WebUser(SQLModel, table=True):
    """A local account of the web workspace."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=120)  # shown in the review history
    password_hash: str
    role: str = WebRole.VIEWER.value
    pemda_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # assessor: where it may review
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed logins of one key (``user:<name>`` or ``ip:<address>``) in the current window."""

    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    window_start: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
