"""The one settings object: one boolean rule, bad values named, Scrapy settings derived from it."""

from __future__ import annotations

import pytest

from spbe_crawler import config
from spbe_crawler.config import Settings, SettingsError, load_settings, parse_bool, scrapy_settings


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "yes", "on", " On ", "ya"])
def test_true_words(word):
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "OFF", "tidak"])
def test_false_words(word):
    assert parse_bool(word) is False


@pytest.mark.parametrize("word", ["", "2", "enabled", "benar"])
def test_other_words_are_errors_naming_the_variable(word):
    with pytest.raises(SettingsError, match="SPBE_X"):
        parse_bool(word, "SPBE_X")


def test_cloak_check_true_turns_the_check_on():
    # The old rule compared with "1": SPBE_CLOAK_CHECK=true turned the check off.
    assert load_settings({"SPBE_CLOAK_CHECK": "true"}).cloak_check is True
    assert load_settings({"SPBE_CLOAK_CHECK": "off"}).cloak_check is False
    assert scrapy_settings(load_settings({"SPBE_CLOAK_CHECK": "yes"}))["SPBE_CLOAK_CHECK"] is True


def test_defaults_without_environment():
    s = load_settings({})
    assert s == Settings()
    assert s.cloak_check and s.discovery and s.site_max_pages == 15
    assert s.data_path == config.PACKAGE_DATA_DIR


def test_numbers_lists_and_bad_numbers():
    s = load_settings({"SPBE_SITE_MAX_PAGES": "7", "SPBE_DOWNLOAD_TIMEOUT": "2.5", "SPBE_CONNECT_TO": "a:443:b:8443, ,c:80:d:81"})
    assert (s.site_max_pages, s.download_timeout, s.connect_to) == (7, 2.5, ("a:443:b:8443", "c:80:d:81"))
    with pytest.raises(SettingsError, match="SPBE_SITE_MAX_PAGES"):
        load_settings({"SPBE_SITE_MAX_PAGES": "banyak"})


def test_survey_settings_read_the_environment_when_the_survey_starts(monkeypatch):
    from spbe_crawler.survey.job import survey_settings

    monkeypatch.setenv("SPBE_CLOAK_CHECK", "false")
    monkeypatch.setenv("SPBE_SITE_MAX_PAGES", "3")
    settings = survey_settings({"SPBE_SITE_MAX_DEPTH": 1})
    assert settings.getbool("SPBE_CLOAK_CHECK") is False
    assert settings.getint("SPBE_SITE_MAX_PAGES") == 3
    assert settings.getint("SPBE_SITE_MAX_DEPTH") == 1


def test_home_and_database_url_follow_spbe_home(tmp_path):
    s = load_settings({"SPBE_HOME": str(tmp_path / "h")})
    assert config.home_dir(s) == (tmp_path / "h").resolve()
    assert config.database_url(s) == f"sqlite:///{(tmp_path / 'h').resolve() / 'spbe.sqlite3'}"
    assert config.database_url(load_settings({"SPBE_DATABASE_URL": "postgresql+psycopg://x/y"})) == "postgresql+psycopg://x/y"


def test_monitor_settings_use_the_same_boolean_rule():
    from spbe_crawler.monitor.settings import MonitorSettings

    assert MonitorSettings.from_env({"SPBE_MONITOR_TLS_INSPECT": "off"}).tls_inspect is False
    assert MonitorSettings.from_env({"SPBE_MONITOR_TLS_INSPECT": "on"}).tls_inspect is True
    with pytest.raises(ValueError, match="SPBE_MONITOR_TLS_INSPECT"):
        MonitorSettings.from_env({"SPBE_MONITOR_TLS_INSPECT": "mungkin"})


@pytest.mark.parametrize(
    ("settings_class", "variable", "attribute"),
    [
        ("spbe_crawler.config:Settings", "SPBE_CLOAK_CHECK", "cloak_check"),
        ("spbe_crawler.monitor.settings:MonitorSettings", "SPBE_MONITOR_TLS_INSPECT", "tls_inspect"),
        ("spbe_crawler.web.settings:WebSettings", "SPBE_WEB_SECURE_COOKIES", "secure_cookies"),
    ],
)
def test_every_settings_object_reads_the_environment_by_one_rule(settings_class: str, variable: str, attribute: str) -> None:
    import importlib

    module, name = settings_class.split(":")
    cls = getattr(importlib.import_module(module), name)
    for word, expected in (("on", True), ("YA", True), ("1", True), ("off", False), ("tidak", False), ("0", False)):
        assert getattr(cls.from_env({variable: word}), attribute) is expected
    assert getattr(cls.from_env({variable: "  "}), attribute) == getattr(cls(), attribute)  # empty: the default
    with pytest.raises(SettingsError, match=variable):
        cls.from_env({variable: "mungkin"})
    assert variable in {row[0] for row in cls.table()}


def test_cluster_settings_read_by_the_one_rule() -> None:
    from spbe_crawler.cluster.settings import ClusterSettings

    assert ClusterSettings.from_env({}) == ClusterSettings(redis_url="", redis_prefix="spbe", lease_seconds=60.0, per_ip=0, open_sites=0)
    environ = {"SPBE_REDIS_URL": "redis://10.0.0.5:6379/0", "SPBE_WORKER_LEASE": "90", "SPBE_CLUSTER_PER_IP": " 16 "}
    knobs = ClusterSettings.from_env(environ)
    assert (knobs.redis_url, knobs.lease_seconds, knobs.per_ip) == ("redis://10.0.0.5:6379/0", 90.0, 16)
    for variable, value in (("SPBE_WORKER_LEASE", "semenit"), ("SPBE_CLUSTER_PER_IP", "4.5"), ("SPBE_CLUSTER_OPEN_SITES", "banyak")):
        with pytest.raises(SettingsError, match=variable):
            ClusterSettings.from_env({variable: value})


def test_readme_documents_every_cluster_setting() -> None:
    from spbe_crawler.cluster.settings import ClusterSettings

    readme = (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for env, _, doc in ClusterSettings.table():
        assert f"| `{env}` |" in readme and doc in readme, env


def test_secrets_stay_out_of_the_settings_repr() -> None:
    from spbe_crawler.web.settings import WebSettings

    secrets = {"SPBE_WEB_PASSWORD": "sandi-rahasia-1", "SPBE_WEB_SECRET": "kunci-2", "SPBE_WEB_METRICS_TOKEN": "token-3"}
    shown = repr(WebSettings.from_env(secrets))
    assert "SPBE" not in shown and "sandi-rahasia-1" not in shown and "kunci-2" not in shown and "token-3" not in shown
    assert "framework='spbe-2020'" in shown


def test_a_bad_setting_stops_the_cli_with_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    from spbe_crawler.cli import main

    monkeypatch.setenv("SPBE_WORKER_LEASE", "semenit")
    monkeypatch.setenv("SPBE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(sys, "argv", ["spbe", "worker"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "SPBE_WORKER_LEASE='semenit' tidak sah" in err and "Traceback" not in err
