"""Aggregation exactly as the regulation: Decimal weights, half-up display, predikat, ranges."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scoring.aggregate import aggregate, display, index_from_groups, predikat, round_half_up
from scoring.catalog import Catalog
from scoring.framework import Framework
from scoring.priorities import next_steps

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).parent / "sample_data" / "scoring" / "frameworks"


@pytest.fixture(scope="module")
def spbe() -> Framework:
    return Catalog(ROOT / "spbe_crawler" / "data" / "frameworks").framework("spbe-2020")


@pytest.fixture(scope="module")
def pemdi() -> Framework:
    return Catalog(ROOT / "spbe_crawler" / "data" / "frameworks").framework("pemdi-2026")


def levels_with(base: int, **ranges: int) -> dict[int, int | None]:
    """All 47 indicators at ``base``, then ``r32_39=2`` style overrides (inclusive ranges)."""
    levels: dict[int, int | None] = {n: base for n in range(1, 48)}
    for key, level in ranges.items():
        lo, hi = (int(x) for x in key[1:].split("_"))
        levels.update({n: level for n in range(lo, hi + 1)})
    return levels


def test_bandar_lampung_2022_from_published_domain_figures(spbe: Framework) -> None:
    index = index_from_groups(spbe, "domain", {1: 2, 2: 1, 3: 1, 4: "1.88"})
    assert index == Decimal("1.5304")
    assert display(index) == "1.53" and predikat(spbe, index) == "Kurang"


def test_bandar_lampung_2022_from_indicator_levels(spbe: Framework) -> None:
    # Kebijakan all 2; Tata Kelola and Manajemen all 1; eight admin + six public services at 2
    result = aggregate(spbe, levels_with(1, r1_10=2, r32_39=2, r42_47=2))
    domains = {g.group.number: g.figure.value for g in result.groups["domain"]}
    assert [display(domains[n]) for n in (1, 2, 3, 4)] == ["2.00", "1.00", "1.00", "1.88"]
    assert domains[4] == Decimal("85.5") / Decimal("45.5")  # exact, not the rounded 1.88
    assert result.index.value == Decimal("1.53") and result.index.complete
    assert predikat(spbe, result.index.value) == "Kurang"


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("2.675"), "2.68"),
        (2.675, "2.68"),  # round(2.675, 2) gives 2.67 on binary floats
        (1.005, "1.01"),  # round(1.005, 2) gives 1.0
        (0.125, "0.13"),  # round(0.125, 2) gives 0.12 (banker's rounding)
        (Decimal("1.795"), "1.80"),
        (Decimal("2.665"), "2.67"),
        (Decimal("3.12499"), "3.12"),
        (4, "4.00"),
        ("1.5304", "1.53"),
    ],
)
def test_display_rounds_half_up(value: object, shown: str) -> None:
    assert display(value) == shown  # type: ignore[arg-type]


def test_display_places_and_indonesian_separator() -> None:
    assert display(Decimal("12.35"), 1, ",") == "12,4"
    assert display(None) == "–"
    assert round_half_up("0.005") == Decimal("0.01")


def test_predikat_is_taken_from_the_rounded_value(spbe: Framework) -> None:
    # Tata Kelola 11-18 at 2, public services 42-47 at 4, two admin services at 2: exactly 1.795
    result = aggregate(spbe, levels_with(1, r11_18=2, r42_47=4, r32_33=2))
    exact = result.index.value
    assert exact == Decimal("1.795")
    assert spbe.band_for(exact).name == "Kurang"  # type: ignore[union-attr]  # the exact value
    assert display(exact) == "1.80" and predikat(spbe, exact) == "Cukup"  # as published


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1.0", "Kurang"),
        ("1.79", "Kurang"),
        ("1.8", "Cukup"),
        ("2.595", "Baik"),
        ("3.49", "Baik"),
        ("3.5", "Sangat Baik"),
        ("4.194", "Sangat Baik"),
        ("4.195", "Memuaskan"),
        ("5.0", "Memuaskan"),
    ],
)
def test_spbe_predikat_boundaries(spbe: Framework, value: str, expected: str) -> None:
    assert predikat(spbe, value) == expected


@pytest.mark.parametrize(
    "value, expected", [("1.49", "Kurang"), ("1.5", "Cukup"), ("2.5", "Baik"), ("3.99", "Sangat Baik"), ("4.0", "Memuaskan")]
)
def test_pemdi_predikat_boundaries(pemdi: Framework, value: str, expected: str) -> None:
    assert predikat(pemdi, value) == expected


def test_extremes(spbe: Framework, pemdi: Framework) -> None:
    assert aggregate(spbe, levels_with(1)).index.value == Decimal(1)
    top = aggregate(spbe, levels_with(5)).index.value
    assert top == Decimal(5) and predikat(spbe, top) == "Memuaskan"  # type: ignore[arg-type]
    assert aggregate(pemdi, {n: 3 for n in range(1, 21)}).index.value == Decimal(3)


def test_incomplete_shows_known_part_and_range(spbe: Framework) -> None:
    levels: dict[int, int | None] = {n: 2 for n in range(32, 48)}  # only Domain Layanan known
    result = aggregate(spbe, levels)
    index = result.index
    assert index.value is None and not index.complete
    assert index.known == Decimal(2)
    assert index.known_weight == Decimal("45.5") and index.known_share == Decimal("0.455")
    assert index.low == Decimal("1.455")  # 54.5 % of the weight at level 1
    assert index.high == Decimal("3.635")  # ... or at level 5
    layanan = next(g for g in result.groups["domain"] if g.group.number == 4).figure
    assert layanan.complete and layanan.value == Decimal(2)
    kebijakan = next(g for g in result.groups["domain"] if g.group.number == 1).figure
    assert kebijakan.known is None and (kebijakan.low, kebijakan.high) == (Decimal(1), Decimal(5))


def test_unknown_as_none_equals_absent(spbe: Framework) -> None:
    a = aggregate(spbe, {35: 3, 36: None})
    b = aggregate(spbe, {35: 3})
    assert a.index == b.index


@pytest.mark.parametrize("bad", [{35: 6}, {35: 0}, {35: "3"}, {35: True}, {99: 2}])
def test_invalid_levels_are_rejected(spbe: Framework, bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises((ValueError, KeyError)):
        aggregate(spbe, bad)


def test_index_from_groups_needs_every_group(spbe: Framework) -> None:
    with pytest.raises(ValueError, match="harus lengkap"):
        index_from_groups(spbe, "domain", {1: 2, 2: 1})


def test_rounding_rule_comes_from_the_framework_file(spbe: Framework) -> None:
    mini = Catalog(SAMPLE).framework("mini-test")  # places 1, predikat on the exact value
    assert (mini.places, mini.predikat_on_rounded) == (1, False)
    assert display("2.46", mini.places) == "2.5"
    assert predikat(mini, "2.46") == "Rendah"  # exact value, although it shows as 2.5
    assert (spbe.places, spbe.predikat_on_rounded) == (2, True)


def test_third_framework_with_another_scale() -> None:
    fw = Catalog(SAMPLE).framework("mini-test")
    result = aggregate(fw, {1: 4, 2: 4, 3: 4, 4: 1})
    assert result.index.value == Decimal("2.8") and predikat(fw, result.index.value) == "Tinggi"
    pilar = {g.group.number: g.figure.value for g in result.groups["pilar"]}
    assert pilar == {1: Decimal(4), 2: Decimal(1)}
    assert aggregate(fw, {}).index.high == Decimal(4)


def test_fix_first_orders_by_index_gain_per_level(spbe: Framework) -> None:
    levels = levels_with(1, r42_47=5)  # public services already at the top
    levels[40] = 3
    steps = next_steps(spbe, levels, limit=12)
    assert [s.indicator for s in steps[:10]] == [32, 33, 34, 35, 36, 37, 38, 39, 41, 40]
    assert steps[0].gain == Decimal("0.0275") and steps[0].next_level_name == "Interaksi"
    assert steps[0].criterion.startswith("Kriteria tingkat 1 telah terpenuhi")
    assert steps[-1].gain == Decimal("0.025")  # then Tata Kelola (2.5 each)
    assert all(s.indicator not in range(42, 48) for s in steps)
    assert next_steps(spbe, {35: None, 36: 5}) == []
