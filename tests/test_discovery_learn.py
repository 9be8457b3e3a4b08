"""Naming habits learned from a pemda's known sites, spelling drift, and the bounded guessing budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from spbe_crawler.discovery import UnitRef, guess_hosts, load_rules
from spbe_crawler.discovery.learn import KnownSite, learn_patterns, template_of
from spbe_crawler.discovery.names import drift_variants
from spbe_crawler.store.models import Unit
from spbe_crawler.survey.discover import Discoverer, DnsCache

ROOT = "contohkota.go.id"


def _learned(*sites: KnownSite):
    return learn_patterns(sites, ROOT)


def test_a_prefix_nobody_listed_is_learned_from_a_known_site() -> None:
    assert template_of(KnownSite("Way Halim Permai", "kelurahan", None, "pemkel-wayhalimpermai.contohkota.go.id"), ROOT) == (
        "pemkel-{name}.{root}",
        "glued",
    )
    assert template_of(KnownSite("Kedaton", "kelurahan", None, "https://www.kelkedaton.contohkota.go.id/"), ROOT) == (
        "kel{name}.{root}",
        "single",
    )
    assert template_of(KnownSite("Gedong Air", "kelurahan", None, "gedong-air.kel.contohkota.go.id"), ROOT) == (
        "{name}.kel.{root}",
        "dashed",
    )


def test_the_kecamatan_part_of_a_host_becomes_a_placeholder() -> None:
    site = KnownSite("Sukaresmi", "desa", "Rancabali", "sukaresmi-rancabali.desa.id")
    assert template_of(site, ROOT) == ("{name}-{parent}.desa.id", "single")
    nested = KnownSite("Kaliawi", "kelurahan", "Tengah", "kel-kaliawi.kec-tengah.contohkota.go.id")
    assert template_of(nested, ROOT) == ("kel-{name}.kec-{parent}.{root}", "single")


def test_hosts_that_do_not_spell_the_name_teach_nothing() -> None:
    assert template_of(KnownSite("Segalamider", "kelurahan", None, "kel-segalamidar.contohkota.go.id"), ROOT) is None
    assert template_of(KnownSite("Kedaton", "kelurahan", None, "kedaton.example.com"), ROOT) is None
    # a name inside a longer word is no name: "sari" in "gunungsari" of another unit
    assert template_of(KnownSite("Sari", "kelurahan", None, "kel-gunungsarimulya.contohkota.go.id"), ROOT) is None


def test_templates_are_ranked_by_use_and_the_name_style_is_counted() -> None:
    learned = _learned(
        KnownSite("Kedaton", "kelurahan", None, "kelurahan-kedaton.contohkota.go.id"),
        KnownSite("Way Dadi", "kelurahan", None, "kelurahan-way-dadi.contohkota.go.id"),
        KnownSite("Gedong Air", "kelurahan", None, "kelurahan-gedong-air.contohkota.go.id"),
        KnownSite("Pahoman", "kelurahan", None, "kel-pahoman.contohkota.go.id"),
        KnownSite("Enggal", "kecamatan", None, "kecamatanenggal.contohkota.go.id"),
    )
    assert learned["kelurahan"].ranked() == ["kelurahan-{name}.{root}", "kel-{name}.{root}"]
    assert learned["kelurahan"].prefers_dashed and (learned["kelurahan"].dashed, learned["kelurahan"].glued) == (2, 0)
    assert learned["kecamatan"].ranked() == ["kecamatan{name}.{root}"]


def test_learned_patterns_and_style_come_first_in_the_guesses() -> None:
    learned = _learned(
        KnownSite("Kedaton", "kelurahan", None, "pemkel-kedaton.contohkota.go.id"),
        KnownSite("Way Dadi", "kelurahan", None, "pemkel-way-dadi.contohkota.go.id"),
        KnownSite("Gedong Air", "kelurahan", None, "pemkel-gedong-air.contohkota.go.id"),
    )["kelurahan"]
    guesses = guess_hosts(UnitRef("x", "Way Halim Permai", "kelurahan"), None, ROOT, learned=learned)
    hosts = [g.host for g in guesses]
    assert hosts[0] == "pemkel-way-halim-permai.contohkota.go.id"  # the pemda's prefix, its dashed style
    assert guesses[0].pattern == "pola-pemda:pemkel-{name}.{root}"
    assert "pemkel-wayhalimpermai.contohkota.go.id" in hosts and "kel-way-halim-permai.contohkota.go.id" in hosts
    # without learned habits, the glued spelling and the listed patterns come first
    plain = [g.host for g in guess_hosts(UnitRef("x", "Way Halim Permai", "kelurahan"), None, ROOT)]
    assert plain[:3] == [
        "kel-wayhalimpermai.contohkota.go.id",
        "kelurahan-wayhalimpermai.contohkota.go.id",
        "kelurahanwayhalimpermai.contohkota.go.id",
    ]
    assert "kel-way-halim-permai.contohkota.go.id" in plain


def test_a_mixed_naming_habit_tries_both_spellings_of_a_drifted_name() -> None:
    learned = _learned(
        KnownSite("Way Dadi", "kelurahan", None, "kel-way-dadi.contohkota.go.id"),
        KnownSite("Gedong Air", "kelurahan", None, "kel-gedongair.contohkota.go.id"),
    )["kelurahan"]
    assert learned.style is None
    drift = [g.host for g in guess_hosts(UnitRef("x", "Gedong Meneng", "kelurahan"), None, ROOT, learned=learned) if "+ejaan" in g.pattern]
    assert "kel-gedungmeneng.contohkota.go.id" in drift and "kel-gedung-meneng.contohkota.go.id" in drift


def test_spelling_drift_variants_follow_the_data_rules() -> None:
    assert "segalamidar" in drift_variants("segalamider")
    assert "pangajaran" in drift_variants("pengajaran")
    assert drift_variants("sukaraja")[0] == "sukaradja"  # old spelling j -> dj comes first in the data
    assert "gedungpakuon" in drift_variants("gedongpakuon")
    assert len(drift_variants("gedongpakuon", limit=3)) == 3
    assert drift_variants("xyz") == []


def test_drift_guesses_come_after_the_pattern_guesses_and_are_bounded() -> None:
    rules = load_rules()
    guesses = guess_hosts(UnitRef("x", "Pengajaran", "kelurahan"), None, ROOT)
    drift = [g for g in guesses if g.pattern.endswith("+ejaan")]
    assert 0 < len(drift) <= rules.max_drift_guesses
    assert guesses[-len(drift) :] == drift
    assert "kel-pangajaran.contohkota.go.id" in [g.host for g in drift]


UNITS = (
    [Unit(code="99.01", name="Kota Contoh", kind="pemda")]
    + [
        Unit(code=f"99.01.01.{1000 + i}", name=name, kind="kelurahan", parent_code="99.01.01")
        for i, name in enumerate(["Kedaton", "Pahoman", "Sukamaju", "Way Halim", "Rawalaut"])
    ]
    + [Unit(code="99.01.01", name="Tengah", kind="kecamatan", parent_code="99.01")]
)


def test_the_run_budget_lets_every_unit_take_its_turn_and_says_what_was_skipped() -> None:
    hosts = {"99.01": {ROOT}, "99.01.01": {"kec-tengah." + ROOT}, "99.01.01.1000": {"kelurahan-kedaton." + ROOT}}
    discoverer = Discoverer(UNITS, hosts, "99.01", max_lookups=6)
    attempts = discoverer.guesses()
    assert len(attempts) == 6 == discoverer.budget.used and discoverer.budget.skipped > 0
    first_round = [a.unit_codes[0] for a in attempts[:4]]
    assert sorted(first_round) == ["99.01.01.1001", "99.01.01.1002", "99.01.01.1003", "99.01.01.1004"]
    assert attempts[0].url == f"https://kelurahan-pahoman.{ROOT}/"  # the pemda's learned prefix first
    sentence = discoverer.tried_sentences()["99.01.01.1001"]
    assert f"kelurahan-pahoman.{ROOT}" in sentence and "anggaran pencarian DNS habis" in sentence


def test_failed_lookups_are_cached_between_runs(tmp_path) -> None:
    path = tmp_path / "dns.json"
    hosts = {"99.01": {ROOT}}
    now = datetime(2026, 1, 10, tzinfo=UTC)
    first = Discoverer(UNITS, hosts, "99.01", max_lookups=100, cache=DnsCache(path, 7, now=now))
    attempts = first.guesses()
    for attempt in attempts:
        first.dns_failed(attempt.url)
    first.cache.save()
    second = Discoverer(UNITS, hosts, "99.01", max_lookups=100, cache=DnsCache(path, 7, now=now + timedelta(days=1)))
    assert second.guesses() == [] and second.budget.cached == len(attempts)
    assert "dari cache DNS" in second.tried_sentences()["99.01.01.1000"]
    later = Discoverer(UNITS, hosts, "99.01", max_lookups=100, cache=DnsCache(path, 7, now=now + timedelta(days=8)))
    assert len(later.guesses()) == len(attempts)  # expired: looked up again


def test_a_broken_cache_file_is_an_empty_cache(tmp_path) -> None:
    path = tmp_path / "dns.json"
    path.write_text("{not json", encoding="utf-8")
    cache = DnsCache(path, 7)
    assert not cache.fresh("kel-x." + ROOT)
    cache.record("kel-x." + ROOT)
    cache.save()
    assert DnsCache(path, 7).fresh("kel-x." + ROOT)


def test_a_first_run_says_up_front_what_discovery_will_do() -> None:
    from spbe_crawler.survey.discover import preview

    lines = preview(UNITS, {"99.01": {ROOT}}, "99.01", 12, DnsCache(None, 7))
    text = " ".join(lines)
    assert lines[0].startswith("6 dari 6 unit belum punya situs yang diketahui (1 kecamatan, 5 kelurahan)")
    assert "menebak 12 nama host" in text and "tebakan lain tidak dicoba" in text
    assert "spbe registry import" in text  # most units unknown: say how to import a site list
    hosts = {u.code: {f"kel-{u.code[-4:]}.{ROOT}"} for u in UNITS if u.kind == "kelurahan"}
    assert "spbe registry import" not in " ".join(preview(UNITS, {"99.01": {ROOT}, **hosts}, "99.01", 100, DnsCache(None, 7)))
