"""Store glue on a temporary SQLite DB: estimates, reviews, worksheet import, summary and export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select
from test_scoring_seed import PEMDA, Seeded, seeded  # noqa: F401  (fixture)

from spbe_crawler.assessment import (
    AssessmentError,
    apply_worksheet,
    estimate_pemda,
    export_assessment,
    export_worksheet,
    index_summary,
    record_review,
    set_manual_level,
)
from spbe_crawler.store.db import session_scope
from spbe_crawler.store.models import Review, Score

SPBE = "spbe-2020"


def estimate(seeded: Seeded, run_id: int | None = None) -> dict[int, Score]:
    with session_scope(seeded.url) as session:
        return {s.indicator: s for s in estimate_pemda(session, PEMDA, SPBE, run_id)}


def test_estimates_come_from_the_latest_finished_survey(seeded: Seeded) -> None:
    scores = estimate(seeded)
    assert len(scores) == 47 and {s.run_id for s in scores.values()} == {seeded.latest_run}
    assert scores[35].level == 3 and sorted(scores[35].finding_ids) == sorted(seeded.finding_ids["spse"])
    assert scores[45].level == 3 and scores[46].level == 2 and scores[47].level is None
    assert scores[43].level is None  # satu_data is only in the older run
    assert scores[39].level is None  # wbs is only in the run still running
    assert scores[5].level is None and "Tidak diperkirakan" in scores[5].rationale


def test_estimating_again_is_idempotent(seeded: Seeded) -> None:
    first = estimate(seeded)
    second = estimate(seeded)
    assert {i: s.id for i, s in first.items()} == {i: s.id for i, s in second.items()}
    with session_scope(seeded.url) as session:
        assert len(session.exec(select(Score)).all()) == 47


def test_an_older_run_can_be_estimated_explicitly(seeded: Seeded) -> None:
    scores = estimate(seeded, seeded.old_run)
    # the older run only saw the pemda's LPSE site: SPSE (a national application) is in use, so the
    # estimate is the level its functions reach, with low confidence (issue #9)
    assert scores[43].level == 2 and scores[35].level == 3 and scores[35].confidence < 0.5
    assert "aplikasi nasional" in scores[35].rationale
    with session_scope(seeded.url) as session:
        summary = index_summary(session, PEMDA, SPBE)
    assert summary["run_id"] == seeded.old_run  # the newest estimation is the current one


def test_no_survey_or_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kosong.sqlite3'}"
    with session_scope(url) as session:
        with pytest.raises(AssessmentError, match="Belum ada survei yang selesai untuk pemda 18.71"):
            estimate_pemda(session, PEMDA, SPBE)
        with pytest.raises(AssessmentError, match="Survei #42 tidak ada"):
            estimate_pemda(session, PEMDA, SPBE, 42)
        with pytest.raises(AssessmentError, match="kerangka 'spbe-1999' tidak dikenal"):
            estimate_pemda(session, PEMDA, "spbe-1999")


def test_reviews_win_and_keep_history(seeded: Seeded) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        first = record_review(session, PEMDA, SPBE, 35, 2, "Ani", "persetujuan tidak daring")
        second = record_review(session, PEMDA, SPBE, 35, 3, "Budi", "ada e-kontrak")
        other = record_review(session, PEMDA, SPBE, 35, 2, "Citra", second=True)
        summary = index_summary(session, PEMDA, SPBE)
    assert (first.previous_level, first.level) == (3, 2)
    assert (second.previous_level, second.level) == (2, 3)
    assert other.role == "second"
    row35 = summary["indicators"][34]
    assert (row35["level"], row35["source"], row35["reviewer"]) == (3, "confirmed", "Budi")
    assert summary["disagreements"] == [
        {"indicator": 35, "first_level": 3, "first_reviewer": "Budi", "second_level": 2, "second_reviewer": "Citra"}
    ]
    with session_scope(seeded.url) as session:
        assert len(session.exec(select(Review)).all()) == 3


def test_invalid_review_and_unknown_pemda_are_refused(seeded: Seeded) -> None:
    with session_scope(seeded.url) as session:
        with pytest.raises(AssessmentError, match="tingkat harus bilangan bulat 1–5, berisi 6"):
            record_review(session, PEMDA, SPBE, 35, 6, "Ani")
        with pytest.raises(AssessmentError, match="Kode pemda 99.99 tidak dikenal"):
            record_review(session, "99.99", SPBE, 35, 2, "Ani")


def test_domain_levels_are_entered_by_people(seeded: Seeded) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        for indicator in range(1, 32):
            set_manual_level(session, PEMDA, SPBE, indicator, 2, "Ani", "dokumen kebijakan")
        with pytest.raises(AssessmentError, match="diperkirakan dari perayapan; gunakan 'spbe review'"):
            set_manual_level(session, PEMDA, SPBE, 35, 2, "Ani")
        summary = index_summary(session, PEMDA, SPBE)
    domains = {g["number"]: g for g in summary["groups"]["domain"]}
    assert domains[1]["value"] == "2.00" and domains[1]["predikat"] == "Cukup"
    assert not domains[4]["complete"]  # indicator 47 (and others) still without evidence
    assert summary["shares"]["confirmed"] == 31
    index = summary["index"]
    assert index["value"] is None and index["range"]["min"] < index["range"]["max"]
    assert "Belum lengkap" in index["label"]


def test_summary_of_a_complete_assessment(seeded: Seeded) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        for indicator in range(1, 48):
            level = 2 if indicator <= 10 else 1
            if indicator in range(32, 40) or indicator in range(42, 48):
                level = 2
            record_review(session, PEMDA, SPBE, indicator, level, "Ani")
        summary = index_summary(session, PEMDA, SPBE)
    assert summary["index"]["value"] == "1.53" and summary["index"]["predikat"] == "Kurang"
    assert summary["index"]["range"] is None and summary["shares"]["confirmed"] == 47
    assert [g["value"] for g in summary["groups"]["domain"]] == ["2.00", "1.00", "1.00", "1.88"]


def fill(path: Path, entries: dict[int, tuple[object, str, str]]) -> None:
    wb = load_workbook(path)
    ws = wb["Penilaian"]
    cols = {c.value: c.column for c in ws[4]}
    for row in ws.iter_rows(min_row=5):
        number = row[cols["No"] - 1].value
        if number in entries:
            level, note, reviewer = entries[number]
            row[cols["Tingkat dikonfirmasi"] - 1].value = level
            row[cols["Catatan"] - 1].value = note
            row[cols["Penilai"] - 1].value = reviewer
    wb.save(path)


def test_worksheet_round_trip_through_the_store(seeded: Seeded, tmp_path: Path) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        path = export_worksheet(session, PEMDA, SPBE, "xlsx", tmp_path / "lk.xlsx")
    fill(path, {35: (2, "tanpa e-kontrak", "Ani"), 3: (3, "Perwali", "Ani")})
    with session_scope(seeded.url) as session:
        result = apply_worksheet(session, path, PEMDA)
    assert result.ok and len(result.applied) == 2 and result.unchanged == 0
    assert {(r.indicator, r.previous_level, r.level) for r in result.applied} == {(35, 3, 2), (3, None, 3)}
    with session_scope(seeded.url) as session:  # importing the same file again changes nothing
        again = apply_worksheet(session, path)
    assert again.ok and again.applied == [] and again.unchanged == 2
    with session_scope(seeded.url) as session:  # a fresh export carries the confirmed values
        fresh = export_worksheet(session, PEMDA, SPBE, "json", tmp_path / "lk.json")
    rows = json.loads(fresh.read_text(encoding="utf-8"))["rows"]
    assert rows[34]["confirmed_level"] == 2 and rows[34]["estimate"] == 3
    assert rows[34]["evidence_urls"] == [
        "https://spse.inaproc.id/bandarlampungkota/lelang",
        "https://spse.inaproc.id/bandarlampungkota/login",
    ]


def test_a_bad_worksheet_applies_nothing(seeded: Seeded, tmp_path: Path) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        path = export_worksheet(session, PEMDA, SPBE, "xlsx", tmp_path / "lk.xlsx")
    fill(path, {35: (2, "", "Ani"), 36: (7, "", "Ani"), 37: ("tiga", "", "Ani")})
    with session_scope(seeded.url) as session:
        result = apply_worksheet(session, path)
        wrong = apply_worksheet(session, path, "35.07")
    assert not result.ok and result.applied == []
    assert any("tingkat 7 di luar rentang" in e for e in result.errors)
    assert any("'tiga'" in e for e in result.errors)
    assert any("bukan 35.07" in e for e in wrong.errors)
    with session_scope(seeded.url) as session:
        assert session.exec(select(Review)).all() == []


def test_worksheet_for_a_pemda_missing_from_the_store_is_refused(seeded: Seeded, tmp_path: Path) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        path = export_worksheet(session, PEMDA, SPBE, "xlsx", tmp_path / "lk.xlsx")
    wb = load_workbook(path)
    wb["meta"]["B3"] = "12.34"
    wb.save(path)
    fill(path, {35: (2, "", "Ani")})
    with session_scope(seeded.url) as session:
        result = apply_worksheet(session, path)
    assert result.errors == ["meta: kode pemda 12.34 tidak dikenal di basis data"]


def test_export_assessment_for_the_lead_export(seeded: Seeded) -> None:
    estimate(seeded)
    with session_scope(seeded.url) as session:
        record_review(session, PEMDA, SPBE, 44, 3, "Ani", "JDIHN terhubung", now=datetime(2026, 5, 1, tzinfo=UTC))
        data = export_assessment(session, PEMDA)
    assert list(data["frameworks"]) == [SPBE]
    block = data["frameworks"][SPBE]
    assert len(block["scores"]) == 47 and block["reviews"][0]["reviewed_at"] == "2026-05-01T00:00:00+00:00"
    assert block["index"]["indicators"][43]["source"] == "confirmed"
    json.dumps(data)  # plain JSON values only
