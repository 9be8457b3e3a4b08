"""What to fix first: steps tied to an indicator, the missing evidence, the gain and the owner."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring.catalog import Catalog
from scoring.framework import Framework
from scoring.priorities import ServiceFacts, next_steps
from scoring.rationale import page_name, readable
from scoring.rubric import Rubric
from spbe_crawler import config
from spbe_crawler.reports.owners import EvidenceRow, ServiceInfo, load_service_info, service_facts

FRAMEWORKS = config.DATA_DIR / "frameworks"
JDIH = ServiceFacts("jdih", "JDIH", "Bagian Hukum", {"interaksi": "pencarian peraturan (judul, nomor, tahun, jenis)"})


@pytest.fixture(scope="module")
def spbe() -> tuple[Framework, Rubric]:
    catalog = Catalog(FRAMEWORKS)
    return catalog.framework("spbe-2020"), catalog.rubric("spbe-2020")


def test_jdih_without_search_needs_level_2(spbe):
    fw, rubric = spbe
    levels: dict[int, int | None] = {n: None for n in fw.indicators}
    levels[44] = 1
    (step, *_) = [s for s in next_steps(fw, levels, rubric, {44: JDIH}) if s.indicator == 44]
    assert step.crawlable and step.next_level == 2 and step.next_level_name == "Interaksi"
    assert step.missing == "JDIH belum punya pencarian peraturan (judul, nomor, tahun, jenis)."
    assert step.owner == "Bagian Hukum"
    assert step.gain == fw.indicators[44].weight / fw.total_weight


def test_steps_crawling_cannot_show_are_kept_apart_and_marked(spbe):
    fw, rubric = spbe
    levels = {n: 4 for n in fw.indicators}  # services at 4: only 4 -> 5 steps are left
    levels[35] = 3
    steps = next_steps(fw, levels, rubric, limit=None)
    crawl = [s for s in steps if s.crawlable]
    documents = [s for s in steps if not s.crawlable]
    assert [s.indicator for s in crawl] == [35], "only 3 -> 4 of a service can be shown by a crawl"
    assert steps[0].indicator == 35, "steps a crawl can show come first"
    assert len(documents) == len(fw.indicators) - 1
    assert all(s.missing.startswith("Perlu dokumen") for s in documents)
    assert {s.next_level for s in documents if s.indicator >= 32} == {5}


def test_document_indicators_without_a_level_are_left_to_the_assessor(spbe):
    fw, rubric = spbe
    steps = next_steps(fw, {n: None for n in fw.indicators}, rubric, limit=None)
    assert steps and all(s.indicator >= 32 and s.crawlable and s.gain is None for s in steps)
    assert all(s.missing.startswith("Belum ditemukan layanan") for s in steps)


def test_heavier_indicators_first_and_the_limit_holds(spbe):
    fw, rubric = spbe
    levels = {n: 1 for n in fw.indicators}
    steps = next_steps(fw, levels, rubric, limit=3)
    crawl = [s for s in steps if s.crawlable]
    assert len(crawl) == 3
    weights = [fw.indicators[s.indicator].weight for s in crawl]
    assert weights == sorted(weights, reverse=True)
    assert all(s.gain and s.gain > Decimal(0) for s in crawl)


def test_without_needs_the_rubric_criterion_is_named(spbe):
    fw, rubric = spbe
    levels = {n: None for n in fw.indicators} | {42: 2}
    lapor = ServiceFacts("x", "kanal pengaduan", None)
    (step,) = [s for s in next_steps(fw, levels, rubric, {42: lapor}) if s.indicator == 42]
    assert step.missing.startswith("Kanal pengaduan belum menunjukkan transaksi")


def test_owner_is_the_opd_whose_site_shows_the_evidence():
    rows = [EvidenceRow("jdih", "18.71", "pemda", "Kota X"), EvidenceRow("jdih", "18.71/hukum", "opd", "Bagian Hukum Setda")]
    facts = service_facts({44: rows}, ["Dinas Kesehatan"])
    assert facts[44].owner == "Bagian Hukum Setda" and facts[44].name == "JDIH"


def test_owner_is_matched_in_the_pemdas_opd_list_by_words():
    rows = [EvidenceRow("kesehatan", "18.71", "pemda", "Kota X")]
    facts = service_facts({46: rows}, ["Dinas Pendidikan", "Dinas Kesehatan Kota X"])
    assert facts[46].owner == "Dinas Kesehatan Kota X"


def test_owner_falls_back_to_the_usual_opd_and_unknown_services_keep_their_key():
    info = {"jdih": ServiceInfo("JDIH", "Bagian Hukum", (("hukum",),), {})}
    facts = service_facts(
        {44: [EvidenceRow("jdih", "18.71", "pemda", "Kota X")], 45: [EvidenceRow("baru", "18.71", "pemda", "Kota X")]}, [], info=info
    )
    assert facts[44].owner == "Bagian Hukum"
    assert facts[45].name == "baru" and facts[45].owner is None


def test_service_owner_file_names_known_signals_only():
    for key, item in load_service_info().items():
        assert item.owner and item.match, key
        assert set(item.needs) <= {"informasi", "interaksi", "transaksi", "kolaborasi"}, key


def test_rationale_names_pages_instead_of_ids():
    text = "Kriteria terpenuhi: tingkat 1 – informasi (#3, #4); tingkat 2 – interaksi (#9)."
    pages = {3: "https://jdih.x.go.id/", 4: "https://jdih.x.go.id/", 9: "https://jdih.x.go.id/produk-hukum?q=1"}
    out = readable(text, pages)
    assert "#" not in out
    assert out == "Kriteria terpenuhi: tingkat 1 – informasi (jdih.x.go.id); tingkat 2 – interaksi (jdih.x.go.id/produk-hukum)."
    assert readable("bukti (#77)", {}) == "bukti (bukti tersimpan)"
    assert page_name("not a url") == "not a url"
