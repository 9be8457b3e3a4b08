"""docs/monitoring.md documents every monitor setting with its real default."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_crawler.monitor.settings import MonitorSettings, settings_table

DOC = (Path(__file__).resolve().parent.parent / "docs" / "monitoring.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("env", "default", "meaning"), settings_table(), ids=[row[0] for row in settings_table()])
def test_setting_is_documented(env: str, default: str, meaning: str) -> None:
    shown = f"`{default}`" if default else "(kosong)"
    assert f"| `{env}` | {shown} | {meaning} |" in DOC


@pytest.mark.parametrize(
    ("environ", "field", "value"),
    [
        ({"SPBE_MONITOR_CONCURRENCY": "7"}, "concurrency", 7),
        ({"SPBE_MONITOR_CONFIRM_DELAY": "0.5"}, "confirm_delay", 0.5),
        ({"SPBE_MONITOR_TLS_INSPECT": "tidak"}, "tls_inspect", False),
        ({"SPBE_ALERT_SMTP_STARTTLS": "ya"}, "smtp_starttls", True),
        ({"SPBE_MONITOR_CONCURRENCY": " "}, "concurrency", 100),
        ({}, "cert_days", "14,7"),
    ],
)
def test_settings_from_env(environ: dict[str, str], field: str, value: object) -> None:
    assert getattr(MonitorSettings.from_env(environ), field) == value


@pytest.mark.parametrize("environ", [{"SPBE_MONITOR_CONCURRENCY": "banyak"}, {"SPBE_MONITOR_TLS_INSPECT": "mungkin"}])
def test_bad_setting_names_its_variable(environ: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=next(iter(environ))):
        MonitorSettings.from_env(environ)
