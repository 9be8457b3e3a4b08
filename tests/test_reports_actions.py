"""The "perlu tindakan" ranking: harm order, plain texts, evidence, fixes, and the rules file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from spbe_crawler.health.status import Status
from spbe_crawler.reports.actions import (
    NO_ACTION,
    ActionsConfigError,
    RegistryFix,
    SiteFacts,
    UnitRef,
    group_counts,
    load_problems,
    rank_actions,
)

CHECKED = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
PEMDA = UnitRef("18.71", "Kota Bandar Lampung", "pemda")
DINAS = UnitRef("18.71/diskominfo", "Dinas Komunikasi dan Informatika", "opd")
KEL = UnitRef("18.71.01.1001", "Kelurahan Kupang Kota", "kelurahan", kecamatan="Teluk Betung Utara")
KEC = UnitRef("18.71.01", "Kecamatan Teluk Betung Utara", "kecamatan")


def site(unit: UnitRef, status: str, **kw) -> SiteFacts:
    return SiteFacts(
        unit=unit, url=kw.pop("url", f"https://{unit.code.replace('/', '-')}.example.go.id/"), status=status, checked_at=CHECKED, **kw
    )


def test_harm_order_hacked_then_tls_then_down_then_default_then_stale_then_registry():
    sites = [
        site(KEL, Status.STALE.value, detail="Konten terbaru 1 Januari 2024"),
        site(DINAS, Status.DEFAULT_PAGE.value),
        site(KEC, Status.TIMEOUT.value),
        site(
            KEL,
            Status.OK.value,
            url="https://kupang.example.go.id/",
            registry_fix=RegistryFix("https://kupang.example.go.id/lama/profil.php", "https://kupang.example.go.id/"),
        ),
        site(PEMDA, Status.TLS_ERROR.value, detail="TLS: sertifikat self-signed"),
        site(KEL, Status.HACKED_GAMBLING.value, snippet="slot gacor maxwin"),
    ]
    actions = rank_actions(sites)
    assert [a.group for a in actions] == ["diretas", "tls", "mati", "bawaan", "basi", "registri"]
    assert [a.rank for a in actions] == [1, 2, 3, 4, 5, 6]
    assert actions[0].unit == KEL and "judi" in actions[0].problem
    assert "slot gacor maxwin" in actions[0].evidence


def test_sites_that_work_ask_for_nothing():
    quiet = [site(PEMDA, s) for s in (Status.OK.value, Status.ROBOTS_DISALLOWED.value, Status.BLOCKED.value)]
    assert rank_actions(quiet) == []


def test_within_a_group_pemda_before_opd_before_kelurahan():
    actions = rank_actions([site(KEL, "defaced"), site(DINAS, "defaced"), site(PEMDA, "defaced")])
    assert [a.unit.kind for a in actions] == ["pemda", "opd", "kelurahan"]


def test_same_kind_follows_the_rules_order_and_larger_units_come_first():
    actions = rank_actions([site(KEL, "defaced"), site(KEL, "hacked_gambling"), site(DINAS, "hacked_cloaked")])
    assert [(a.unit.kind, a.problem_key) for a in actions] == [
        ("opd", "hacked_cloaked"),
        ("kelurahan", "hacked_gambling"),
        ("kelurahan", "defaced"),
    ]


def test_expired_certificate_is_told_apart_from_other_tls_errors():
    expired = site(PEMDA, "tls_error", tls_expires_at=datetime(2026, 10, 1, tzinfo=UTC))
    wrong_host = site(DINAS, "tls_error", tls_expires_at=datetime(2027, 10, 1, tzinfo=UTC), detail="TLS: nama host tidak cocok")
    first, second = rank_actions([wrong_host, expired])
    assert first.problem_key == "tls_expired" and "kedaluwarsa" in first.problem
    assert "Perpanjang" in first.fix
    assert "Sertifikat berakhir 1 Oktober 2026" in first.evidence
    assert second.problem_key == "tls_error" and "Sertifikat berlaku sampai 1 Oktober 2027" in second.evidence


def test_evidence_names_http_code_redirect_and_check_date_in_the_pemdas_zone():
    (action,) = rank_actions(
        [
            site(
                DINAS,
                "http_error",
                url="http://a.example.go.id/",
                http_status=503,
                final_url="https://a.example.go.id/maintenance",
                detail="HTTP 503",
            )
        ]
    )
    assert "Kode jawaban HTTP 503" in action.evidence
    assert "Dialihkan ke https://a.example.go.id/maintenance" in action.evidence
    assert action.evidence_url == "https://a.example.go.id/maintenance"
    assert "Diperiksa 30 November 2026" in action.evidence


def test_check_date_moves_to_the_local_zone():
    late = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 1 December in Jayapura (UTC+9), still 30 November in WIB
    papua = UnitRef("91.71/diskominfo", "Dinas Kominfo", "opd")
    (wit,) = rank_actions([SiteFacts(papua, "https://x.example/", "timeout", checked_at=late)])
    (wib,) = rank_actions([SiteFacts(DINAS, "https://x.example/", "timeout", checked_at=late)])
    assert "Diperiksa 1 Desember 2026" in wit.evidence
    assert "Diperiksa 30 November 2026" in wib.evidence


def test_registry_fix_names_the_address_to_write():
    fix = RegistryFix("https://kupang.example.go.id/index.php/profil-lama", "https://kupang.example.go.id/", "HTTP 404 di alamat terdaftar")
    (action,) = rank_actions([site(KEL, "ok", url="https://kupang.example.go.id/", registry_fix=fix)])
    assert action.group == "registri"
    assert action.fix == "Perbaiki alamat di registri menjadi https://kupang.example.go.id/."
    assert action.url == fix.registered_url and action.evidence_url == fix.suggested_url
    assert "HTTP 404 di alamat terdaftar" in action.evidence


def test_a_hacked_site_with_a_registry_fix_gives_two_actions():
    fix = RegistryFix("https://k.example.go.id/a/b", "https://k.example.go.id/")
    actions = rank_actions([site(KEL, "hacked_cloaked", registry_fix=fix)])
    assert [a.group for a in actions] == ["diretas", "registri"]


def test_long_snippets_are_cut_and_whitespace_collapsed():
    (action,) = rank_actions([site(PEMDA, "defaced", snippet="hacked\n\n  by   " + "x" * 1000)])
    snippet = action.evidence[0]
    assert snippet.startswith("hacked by xxx") and len(snippet) == 300 and snippet.endswith("…")


def test_stale_without_detail_shows_the_newest_post():
    (action,) = rank_actions([site(KEC, "stale", newest_post=date(2024, 3, 5))])
    assert "Konten terbaru 5 Maret 2024" in action.evidence


def test_group_counts_follow_harm_order():
    actions = rank_actions([site(KEL, "stale"), site(DINAS, "parked"), site(KEC, "parked"), site(PEMDA, "defaced")])
    assert group_counts(actions) == [
        ("diretas", "Diretas", 1),
        ("bawaan", "Halaman bawaan, parkir atau kosong", 2),
        ("basi", "Konten tidak diperbarui", 1),
    ]


def test_every_status_that_is_not_fine_has_plain_texts():
    problems = load_problems()
    for status in Status:
        if status.value in NO_ACTION:
            continue
        problem = problems[status.value]
        assert problem.problem.endswith(".") and problem.fix.endswith(".")
        assert "_" not in problem.problem, "status codes are not plain words"


def test_rules_file_missing_a_status_is_refused(tmp_path: Path):
    path = tmp_path / "actions.yaml"
    path.write_text("groups:\n  - key: a\n    label: A\n    problems:\n      defaced: {problem: x., fix: y.}\n")
    with pytest.raises(ActionsConfigError, match="tidak ada tindakan untuk"):
        load_problems(path)


def test_rules_file_with_an_unknown_status_is_refused(tmp_path: Path):
    path = tmp_path / "actions.yaml"
    path.write_text("groups:\n  - key: a\n    label: A\n    problems:\n      kebakaran: {problem: x., fix: y.}\n")
    with pytest.raises(ActionsConfigError, match="kebakaran"):
        load_problems(path)
