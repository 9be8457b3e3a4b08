"""Framework and rubric files: the shipped ones validate; broken ones fail with file, id and problem."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scoring.catalog import Catalog
from scoring.framework_loader import FrameworkError, load_framework
from scoring.rubric import RubricError, load_rubric

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = ROOT / "spbe_crawler" / "data" / "frameworks"
SAMPLE = Path(__file__).parent / "sample_data" / "scoring"
BROKEN = sorted((SAMPLE / "frameworks_broken").glob("*.yaml"))
BROKEN_RUBRICS = sorted((SAMPLE / "rubrics_broken").glob("*.yaml"))


def expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first.removeprefix("# expect: ")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(FRAMEWORKS)


def test_spbe_2020_structure_and_weights(catalog: Catalog) -> None:
    fw = catalog.framework("spbe-2020")
    assert len(fw.indicators) == 47
    assert [(g.number, g.weight) for g in fw.groups["domain"]] == [
        (1, Decimal("13")),
        (2, Decimal("25")),
        (3, Decimal("16.5")),
        (4, Decimal("45.5")),
    ]
    assert [g.weight for g in fw.groups["aspect"]] == [Decimal(w) for w in ("13", "10", "10", "5", "12", "4.5", "27.5", "18")]
    expected = {
        **dict.fromkeys(range(1, 11), "1.3"),
        **dict.fromkeys(range(11, 21), "2.5"),
        **dict.fromkeys(range(21, 32), "1.5"),
        **dict.fromkeys(range(32, 42), "2.75"),
        **dict.fromkeys(range(42, 48), "3.0"),
    }
    assert {n: i.weight for n, i in fw.indicators.items()} == {n: Decimal(w) for n, w in expected.items()}
    assert fw.total_weight == Decimal(100)
    assert fw.group_of(35, "domain").name == "Layanan SPBE"
    assert fw.group_of(35, "aspect").name == "Layanan Administrasi Pemerintahan Berbasis Elektronik"
    assert fw.group_of(45, "aspect").name == "Layanan Publik Berbasis Elektronik"


def test_spbe_2020_levels_criteria_and_uncertainty(catalog: Catalog) -> None:
    fw = catalog.framework("spbe-2020")
    assert [fw.level_name(35, n) for n in range(1, 6)] == ["Informasi", "Interaksi", "Transaksi", "Kolaborasi", "Optimum"]
    assert [fw.level_name(3, n) for n in range(1, 6)] == ["Rintisan", "Terkelola", "Terdefinisi", "Terpadu dan Terukur", "Optimum"]
    informasi = fw.maturity_models["kapabilitas_fungsi_teknis"].levels[1]
    assert informasi.certainty == "I" and "disimpulkan" in (informasi.note or "")
    for number in range(32, 48):
        criteria = fw.indicators[number].criteria
        assert sorted(criteria) == [1, 2, 3, 4, 5], number
        for level in range(2, 6):
            assert criteria[level].kriteria.startswith(f"Kriteria tingkat {level - 1} telah terpenuhi"), (number, level)
        assert criteria[1].bukti_dukung and criteria[3].pemenuhan
    assert not fw.indicators[1].criteria
    assert "59 Tahun 2020" in fw.regulation and fw.sources


def test_spbe_2020_predikat_bands(catalog: Catalog) -> None:
    fw = catalog.framework("spbe-2020")
    assert [(b.name, b.min, b.max) for b in fw.bands] == [
        ("Kurang", Decimal("1.0"), Decimal("1.8")),
        ("Cukup", Decimal("1.8"), Decimal("2.6")),
        ("Baik", Decimal("2.6"), Decimal("3.5")),
        ("Sangat Baik", Decimal("3.5"), Decimal("4.2")),
        ("Memuaskan", Decimal("4.2"), Decimal("5.0")),
    ]
    assert fw.band_for(Decimal("5.0")).name == "Memuaskan"  # type: ignore[union-attr]
    assert fw.band_for(Decimal("1.79")).name == "Kurang"  # type: ignore[union-attr]


def test_pemdi_2026_is_unconfirmed_with_its_own_shape(catalog: Catalog) -> None:
    fw = catalog.framework("pemdi-2026")
    assert fw.status == "unconfirmed" and "salinan resmi" in fw.status_reason
    assert len(fw.indicators) == 20 and [lvl.key for lvl in fw.levels] == ["aspect"]
    assert [g.weight for g in fw.groups["aspect"]] == [Decimal(w) for w in ("10", "10", "15", "15", "10", "15", "25")]
    assert [fw.level_name(1, n) for n in range(1, 6)] == ["Merintis", "Membangun", "Berkembang", "Melembaga", "Unggul"]
    assert [(b.name, str(b.min)) for b in fw.bands] == [
        ("Kurang", "1.0"),
        ("Cukup", "1.5"),
        ("Baik", "2.5"),
        ("Sangat Baik", "3.5"),
        ("Memuaskan", "4.0"),
    ]


def test_catalog_lists_frameworks_and_rejects_unknown_ids(catalog: Catalog) -> None:
    assert catalog.ids() == ["pemdi-2026", "spbe-2020"]
    with pytest.raises(FrameworkError, match="kerangka 'spbe-2099' tidak dikenal; tersedia: pemdi-2026, spbe-2020"):
        catalog.framework("spbe-2099")


def test_a_third_framework_is_just_a_data_file() -> None:
    catalog = Catalog(SAMPLE / "frameworks")
    fw = catalog.framework("mini-test")
    assert (fw.scale_min, fw.scale_max) == (1, 4)
    assert fw.group_of(3, "pilar").name == "Pilar A" and fw.groups["pilar"][0].indicators == (1, 2, 3)
    assert catalog.rubric("mini-test").rule_for(4).cap.level == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_framework_fails_with_file_name_and_problem(path: Path) -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    message = str(caught.value)
    assert message.startswith(path.name)
    assert expectation(path) in message
    if "id: mini-test" in path.read_text(encoding="utf-8"):
        assert "(id mini-test)" in message


@pytest.mark.parametrize("framework_id", ["spbe-2020", "pemdi-2026"])
def test_shipped_rubrics_cover_every_indicator(catalog: Catalog, framework_id: str) -> None:
    fw, rubric = catalog.framework(framework_id), catalog.rubric(framework_id)
    for number in fw.indicators:
        rule = rubric.rule_for(number)
        if not rule.manual:
            assert rule.cap is not None and rule.cap.level < fw.scale_max and rule.cap.reason
    with pytest.raises(KeyError, match="tidak ada aturan untuk indikator 99"):
        rubric.rule_for(99)


def test_spbe_rubric_caps_level_5_and_marks_level_4_as_a_hint(catalog: Catalog) -> None:
    rubric = catalog.rubric("spbe-2020")
    rule = rubric.rule_for(35)
    assert rule.cap.level == 4 and "Tingkat 5 (Optimum)" in rule.cap.reason  # type: ignore[union-attr]
    confidences = [lvl.confidence for lvl in rule.levels]
    assert confidences == sorted(confidences, reverse=True) and confidences[-1] <= 0.5
    assert rubric.rule_for(46).distinct_services and 44 in rubric.rule_for(46).exclude_services_of
    assert rubric.rule_for(12).manual


@pytest.mark.parametrize("path", BROKEN_RUBRICS, ids=lambda p: p.stem)
def test_broken_rubric_fails_with_file_name_and_problem(path: Path) -> None:
    framework = load_framework(SAMPLE / "frameworks" / "mini-test.yaml")
    with pytest.raises(RubricError) as caught:
        load_rubric(path, framework)
    message = str(caught.value)
    assert message.startswith(path.name) and expectation(path) in message


def test_missing_rubric_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "mini-test.yaml").write_text((SAMPLE / "frameworks" / "mini-test.yaml").read_text(encoding="utf-8"))
    with pytest.raises(RubricError, match="rubric-mini-test.yaml: rubrik untuk kerangka mini-test tidak ada"):
        Catalog(tmp_path).rubric("mini-test")
