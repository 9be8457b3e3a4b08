"""Connect-to routes, private zones and the private-address policy."""

from __future__ import annotations

import pytest

from spbe_crawler.net.policy import AddressBlocked, NameNotFound, NetworkPolicy, parse_route


def test_route_maps_host_and_port_and_keeps_first_match() -> None:
    policy = NetworkPolicy.from_lines(
        [
            "lambat.contoh.go.id:443:127.0.0.1:9001",
            "*.contoh.go.id:443:127.0.0.1:8443",
            "*.contoh.go.id:80:127.0.0.1:8080",
        ]
    )
    assert policy.route("lambat.contoh.go.id", 443) == ("127.0.0.1", 9001)
    assert policy.route("kel-a.contoh.go.id", 443) == ("127.0.0.1", 8443)
    assert policy.route("KEL-A.Contoh.go.id.", 80) == ("127.0.0.1", 8080)
    assert policy.route("contoh.go.id", 80) == ("127.0.0.1", 8080)
    assert policy.route("lain.go.id", 80) is None
    assert policy.route("kel-a.contoh.go.id", 8000) is None


def test_route_with_empty_ports_means_any_and_same() -> None:
    route = parse_route("*:: 10.0.0.5:")
    assert route.port is None and route.target_port is None
    policy = NetworkPolicy(routes=[parse_route("*::127.0.0.2:")])
    assert policy.route("apa.saja", 8443) == ("127.0.0.2", 8443)


@pytest.mark.parametrize("bad", ["", "host:80", "host:80:127.0.0.1", ":80:127.0.0.1:81"])
def test_bad_route_is_rejected_with_its_text(bad: str) -> None:
    with pytest.raises(ValueError, match="connect-to"):
        parse_route(bad)


def test_private_zone_miss_is_nxdomain_without_asking_dns() -> None:
    policy = NetworkPolicy.from_lines(["!*.contoh.go.id", "ada.contoh.go.id:80:127.0.0.1:8080"], ["127.0.0.0/8"])
    with pytest.raises(NameNotFound):
        policy.resolve("tidakada.contoh.go.id", 80)
    assert policy.resolve("ada.contoh.go.id", 80) == [("127.0.0.1", 8080)]


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.1.1", "172.16.0.9", "169.254.169.254", "::1", "fe80::1", "0.0.0.0", "224.0.0.1"]
)
def test_private_addresses_are_forbidden_by_default(address: str) -> None:
    assert NetworkPolicy().forbidden_reason(address)


def test_public_and_allow_listed_addresses_pass() -> None:
    policy = NetworkPolicy.from_lines([], ["127.0.0.0/8"])
    assert policy.forbidden_reason("127.0.0.9") is None
    assert policy.forbidden_reason("10.0.0.1")
    assert NetworkPolicy().forbidden_reason("103.10.20.30") is None


def test_resolution_to_loopback_is_blocked_without_allow_list() -> None:
    policy = NetworkPolicy.from_lines(["intranet.contoh.go.id:80:127.0.0.1:8080"])
    with pytest.raises(AddressBlocked, match="127.0.0.1"):
        policy.resolve("intranet.contoh.go.id", 80)


def test_from_env_reads_variables_and_file(tmp_path) -> None:
    routes = tmp_path / "routes.txt"
    routes.write_text("# demo\n!*.contoh.go.id\n*.contoh.go.id:443:127.0.0.1:8443\n", encoding="utf-8")
    policy = NetworkPolicy.from_env(
        {"SPBE_CONNECT_TO": "x.go.id:80:127.0.0.1:81", "SPBE_CONNECT_TO_FILE": str(routes), "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8"}
    )
    assert policy.route("x.go.id", 80) == ("127.0.0.1", 81)
    assert policy.route("a.contoh.go.id", 443) == ("127.0.0.1", 8443)
    assert policy.in_private_zone("b.contoh.go.id")
    assert policy.forbidden_reason("127.0.0.1") is None


def test_the_environment_and_a_crawls_settings_give_the_same_policy(tmp_path) -> None:
    from scrapy.settings import Settings as ScrapySettings

    from spbe_crawler.config import load_settings, scrapy_settings
    from spbe_crawler.net.twisted_resolver import policy_from_settings

    routes = tmp_path / "routes.txt"
    routes.write_text("!*.contoh.go.id\n", encoding="utf-8")
    # Spaces around the comma-separated entries, as people write them: one rule (the settings object's) reads them.
    environ = {"SPBE_CONNECT_TO": " x.go.id:80:127.0.0.1:81 , y.go.id:443:127.0.0.1:8443", "SPBE_CONNECT_TO_FILE": str(routes)}
    environ["SPBE_ALLOWED_NETWORKS"] = "127.0.0.0/8 , 10.0.0.0/8"
    for policy in (NetworkPolicy.from_env(environ), policy_from_settings(ScrapySettings(scrapy_settings(load_settings(environ))))):
        assert policy.route("x.go.id", 80) == ("127.0.0.1", 81)
        assert policy.route("y.go.id", 443) == ("127.0.0.1", 8443)
        assert policy.in_private_zone("a.contoh.go.id")
        assert policy.forbidden_reason("10.1.2.3") is None and policy.forbidden_reason("192.168.1.1") is not None


def test_a_bad_setting_in_the_environment_is_named(tmp_path) -> None:
    from spbe_crawler.config import SettingsError

    with pytest.raises(SettingsError, match="SPBE_DOWNLOAD_TIMEOUT"):
        NetworkPolicy.from_env({"SPBE_DOWNLOAD_TIMEOUT": "lama"})
