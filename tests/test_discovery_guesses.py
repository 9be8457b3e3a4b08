from __future__ import annotations

import pytest

from spbe_crawler.discovery import UnitIndex, UnitRef, guess_hosts, load_rules

ROOT = "bandarlampungkota.go.id"
KAB_ROOT = "bandungkab.go.id"


def _hosts(guesses: list) -> list[str]:
    return [guess.host for guess in guesses]


def _pattern_guesses(guesses: list) -> list:
    """The guesses from the host patterns, without the spelling-drift ones appended after them."""
    return [guess for guess in guesses if not guess.pattern.endswith("+ejaan")]


def test_kecamatan_guesses_in_pattern_order_then_dashed_then_abbreviated() -> None:
    unit = UnitRef("18.71.03", "Tanjungkarang Barat", "kecamatan", "18.71")
    assert _hosts(_pattern_guesses(guess_hosts(unit, None, ROOT))) == [
        "tanjungkarangbarat.bandarlampungkota.go.id",
        "kec-tanjungkarangbarat.bandarlampungkota.go.id",
        "kecamatantanjungkarangbarat.bandarlampungkota.go.id",
        "kecamatan-tanjungkarangbarat.bandarlampungkota.go.id",
        "tanjungkarang-barat.bandarlampungkota.go.id",
        "kec-tanjungkarang-barat.bandarlampungkota.go.id",
        "kecamatan-tanjungkarang-barat.bandarlampungkota.go.id",  # no glued prefix + dashed name
        "tkbarat.bandarlampungkota.go.id",
    ]


def test_kelurahan_guesses_use_only_kelurahan_patterns() -> None:
    guesses = _pattern_guesses(guess_hosts(("18.71.06.1006", "Kaliawi", "kelurahan", "18.71.06"), "Tanjungkarang Pusat", ROOT))
    assert [(g.url, g.pattern) for g in guesses] == [
        ("https://kel-kaliawi.bandarlampungkota.go.id/", "kelurahan-kel-dash"),
        ("https://kelurahan-kaliawi.bandarlampungkota.go.id/", "kelurahan-dash"),
        ("https://kelurahankaliawi.bandarlampungkota.go.id/", "kelurahan-glued"),
    ]
    assert guesses[0].http_url == "http://kel-kaliawi.bandarlampungkota.go.id/"


def test_desa_guesses_use_kecamatan_and_kabupaten() -> None:
    unit = UnitRef("32.04.40.2002", "Sukaresmi", "desa", "32.04.40")
    assert _hosts(_pattern_guesses(guess_hosts(unit, "Rancabali", KAB_ROOT, "KAB. BANDUNG"))) == [
        "sukaresmi.desa.id",
        "sukaresmi-rancabali.desa.id",
        "sukaresmi-bandung.desa.id",
        "sukaresmi.bandungkab.go.id",
    ]


def test_desa_without_parent_skips_the_kecamatan_pattern_and_takes_kabupaten_from_root() -> None:
    hosts = _hosts(_pattern_guesses(guess_hosts(UnitRef("x", "Sukaresmi", "desa"), None, KAB_ROOT)))
    assert hosts == ["sukaresmi.desa.id", "sukaresmi-bandung.desa.id", "sukaresmi.bandungkab.go.id"]


def test_guesses_are_bounded_deduplicated_and_https_first() -> None:
    rules = load_rules()
    unit = UnitRef("x", "Jagabaya II", "desa", "p")
    guesses = guess_hosts(unit, "Way Halim", ROOT)
    assert len(_pattern_guesses(guesses)) == rules.max_guesses
    assert len(guesses) <= rules.max_guesses + rules.max_drift_guesses
    assert len(set(_hosts(guesses))) == len(guesses)
    assert all(guess.url.startswith("https://") and guess.url.endswith("/") for guess in guesses)


def test_kinds_without_patterns_and_names_that_make_no_label_give_nothing() -> None:
    assert guess_hosts(UnitRef("18.71/dinkes", "Dinas Kesehatan", "opd"), None, ROOT) == []
    assert guess_hosts(UnitRef("x", "---", "kelurahan"), None, ROOT) == []
    long_name = "Sukamaju " * 10
    assert all(
        len(label) <= 63 for guess in guess_hosts(UnitRef("x", long_name, "kelurahan"), None, ROOT) for label in guess.host.split(".")
    )


# Every host pattern, walked once: the guessed host leads back to its unit (positive), and the same
# pattern written for a sibling name ("... Baru") does not (negative).
UNITS = {
    "kecamatan": (UnitRef("9.01.01", "Sukamaju", "kecamatan", "9.01"), None, ROOT),
    "kelurahan": (UnitRef("9.01.01.1001", "Panarukan", "kelurahan", "9.01.01"), "Sukamaju", ROOT),
    "desa": (UnitRef("9.02.05.2001", "Cibodas", "desa", "9.02.05"), "Pasirjambu", KAB_ROOT),
}
PATTERNS = [(kind, pattern.id) for kind, patterns in load_rules().patterns.items() for pattern in patterns]


@pytest.mark.parametrize("kind, pattern_id", PATTERNS, ids=[p for _, p in PATTERNS])
def test_every_pattern_round_trips_to_its_unit_and_not_to_a_sibling(kind: str, pattern_id: str) -> None:
    unit, parent_name, root = UNITS[kind]
    parent = UnitRef(unit.parent_code or "", parent_name or "", "kecamatan", None)
    sibling = unit._replace(name=unit.name + " Baru")
    index = UnitIndex([unit, parent] if parent_name else [unit], root)
    own = next(g for g in guess_hosts(unit, parent_name, root) if g.pattern == pattern_id)
    match = index.match_link(own.url)
    assert match is not None and match.best[0] == unit.code and not match.ambiguous
    other = next(g for g in guess_hosts(sibling, parent_name, root) if g.pattern == pattern_id)
    assert index.match_link(other.url) is None
