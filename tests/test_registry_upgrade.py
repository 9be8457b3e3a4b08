"""Upgrading a store loaded from the pre-2022 region snapshot (Papua as 91/92) to the bundled
Kepmendagri 300.2.2-2138/2025 codes: moved codes keep their websites, findings and history, nothing is
lost and nothing is duplicated; Merauke (93.01) loads with the source's counts per level."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_support import fresh_database
from sqlmodel import Session, SQLModel, col, func, select
from typer.testing import CliRunner

from spbe_crawler import config
from spbe_crawler.cli import app
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.registry.upgrade import RETAINED_NOTE
from spbe_crawler.registry.wilayah import load_country, load_pemda
from spbe_crawler.store.code_refs import CODE_COLUMNS, CODE_LIST_COLUMNS, SCOPED_KEYS
from spbe_crawler.store.db import get_engine
from spbe_crawler.store.models import (
    CrawlRun,
    DiscoveryCandidate,
    Finding,
    Score,
    SiteCheck,
    Unit,
    UnitOutcome,
    Website,
)
from spbe_crawler.store.models_monitor import MaintenanceWindow, MonitorSchedule
from spbe_crawler.store.models_web import WebUser
from spbe_crawler.store.unit_rows import insert_websites

OLD_PAPUA = Path(__file__).parent / "sample_data" / "registry" / "wilayah_lama_papua.csv"
PORTAL = "https://merauke.go.id/"
DISTRIK_SITE = "https://distrik-merauke.merauke.go.id/"
GONE_SITE = "https://efkab-makmur.merauke.go.id/"  # 91.01.02.2013 Efkab Makmur: no code in the new file
USER_SITE = "https://kampung-contoh.merauke.go.id/"


def source_counts(prefix: str) -> Counter[str]:
    """Units per kind under a code prefix, counted straight from the bundled file's text."""
    counted: Counter[str] = Counter()
    for line in (Path(config.DATA_DIR) / "wilayah" / "kemendagri_base.csv").read_text(encoding="utf-8").splitlines():
        code = line.split(",", 1)[0]
        if not prefix or code == prefix or code.startswith(prefix + "."):
            parts = code.split(".")
            village = "kelurahan" if parts[-1].startswith("1") else "desa"
            counted[["provinsi", "pemda", "kecamatan", village][len(parts) - 1]] += 1
    return counted


def kemendagri_kinds(session: Session, pemda_code: str) -> Counter[str]:
    """Kemendagri units of a pemda, without those retained only for their websites."""
    statement = select(Unit).where(Unit.pemda_code == pemda_code, Unit.source == "kemendagri", col(Unit.note).is_(None))
    units = session.exec(statement).all()
    return Counter(unit.kind for unit in units)


POSTGRES_ADMIN_URL = os.environ.get("SPBE_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    """A fresh store on SQLite, and on PostgreSQL when ``SPBE_TEST_POSTGRES_URL`` names a server."""
    if request.param == "sqlite":
        with Session(get_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")) as db:
            yield db
        return
    if not POSTGRES_ADMIN_URL:
        pytest.skip("SPBE_TEST_POSTGRES_URL tidak diatur: tidak ada server PostgreSQL")
    with fresh_database("spbe_test") as url:
        engine = get_engine(url)
        try:
            with Session(engine) as db:
                yield db
        finally:
            engine.dispose()


@pytest.fixture
def old_store(session: Session) -> Session:
    """The Papua part of the old snapshot, with a portal, a distrik site, an OPD, a user's kampung,
    a site on a kampung the new file lacks, and one survey's history of Merauke (91.01)."""
    load_country(session, OLD_PAPUA)
    session.add(Unit(code="91.01/diskominfo", name="Dinas Kominfo", kind="opd", parent_code="91.01", pemda_code="91.01", source="opd-list"))
    session.add(Unit(code="91.01.01.2999", name="Kampung Contoh", kind="desa", parent_code="91.01.01", pemda_code="91.01", source="import"))
    session.flush()
    insert_websites(
        session,
        [("91.01", PORTAL), ("91.01.01", DISTRIK_SITE), ("91.01.02.2013", GONE_SITE), ("91.01.01.2999", USER_SITE)],
        "registry",
    )
    insert_websites(session, [("91.01/diskominfo", "https://diskominfo.merauke.go.id/")], "opd-list")
    run = CrawlRun(scope="91.01", state="finished")
    session.add(run)
    session.flush()
    site = session.exec(select(Website).where(Website.url == DISTRIK_SITE)).one()
    session.add(SiteCheck(run_id=run.id, website_id=site.id, unit_code="91.01.01", url=DISTRIK_SITE, status="ok"))
    session.add(UnitOutcome(run_id=run.id, unit_code="91.01.01", status="ok", website_id=site.id))
    session.add(UnitOutcome(run_id=run.id, unit_code="91.01.02", status="no_website"))
    finding = Finding(
        run_id=run.id,
        pemda_code="91.01",
        unit_code="91.01.01",
        website_id=site.id,
        rule_id="ppid",
        service="PPID",
        url=DISTRIK_SITE + "ppid",
    )
    session.add(finding)
    session.add(Score(framework="spbe-2020", pemda_code="91.01", indicator=44, run_id=run.id, level=2))
    session.add(
        DiscoveryCandidate(
            run_id=run.id, url="https://muting.merauke.go.id/", host="muting.merauke.go.id", unit_codes=["91.01.02", "91.01.03"]
        )
    )
    session.add(MonitorSchedule(key="91.01:portal", scope="91.01", target_class="portal", next_due=run.started_at))
    session.add(MaintenanceWindow(scope="91.01.01", starts_at=run.started_at, ends_at=run.started_at))
    session.add(WebUser(username="penilai", name="Penilai", password_hash="x", role="assessor", pemda_codes=["91.01", "18.71"]))
    session.commit()
    return session


def snapshot(session: Session) -> dict[str, object]:
    return {
        "websites": sorted((w.id, w.url) for w in session.exec(select(Website))),
        "findings": session.exec(select(func.count()).select_from(Finding)).one(),
        "outcomes": session.exec(select(func.count()).select_from(UnitOutcome)).one(),
    }


def test_merauke_loads_with_the_source_counts_per_level(session: Session) -> None:
    stats = load_pemda(session, "93.01")
    session.commit()
    expected = source_counts("93.01")
    assert expected["kecamatan"] > 0 and expected["desa"] > 0 and expected["kelurahan"] > 0
    assert kemendagri_kinds(session, "93.01") == expected
    assert stats.added == sum(expected.values()) + 1  # and the province row
    assert (session.get(Unit, "93.01").name, session.get(Unit, "93.01").parent_code) == ("Kabupaten Merauke", "93")
    assert session.get(Unit, "93").name == "Papua Selatan"
    distrik = session.exec(select(Unit).where(Unit.kind == "kecamatan", Unit.pemda_code == "93.01")).all()
    villages = session.exec(select(Unit).where(col(Unit.kind).in_(["kelurahan", "desa"]), Unit.pemda_code == "93.01")).all()
    assert {v.parent_code for v in villages} <= {d.code for d in distrik}
    assert not stats.upgraded


def test_upgrade_moves_units_with_their_websites_and_history(old_store: Session) -> None:
    session = old_store
    before = snapshot(session)
    stats = load_pemda(session, "93.01")
    session.commit()

    assert session.get(Unit, "91.01") is None and session.get(Unit, "91.01.01") is None
    assert any(m.old_code == "91.01" and m.new_code == "93.01" for m in stats.moved)
    assert any(m.old_code == "91.01/diskominfo" and m.new_code == "93.01/diskominfo" for m in stats.moved)
    # nothing lost: the same website rows (same ids), now under the new codes
    assert snapshot(session) == before
    by_url = {w.url: w.unit_code for w in session.exec(select(Website))}
    assert by_url[PORTAL] == "93.01" and by_url[DISTRIK_SITE] == "93.01.01"
    assert by_url["https://diskominfo.merauke.go.id/"] == "93.01/diskominfo"
    # the history follows the codes
    assert session.exec(select(CrawlRun.scope)).one() == "93.01"
    assert session.exec(select(SiteCheck.unit_code)).one() == "93.01.01"
    assert sorted(session.exec(select(UnitOutcome.unit_code))) == ["93.01.01", "93.01.02"]
    finding = session.exec(select(Finding)).one()
    assert (finding.pemda_code, finding.unit_code) == ("93.01", "93.01.01")
    assert session.exec(select(Score.pemda_code)).one() == "93.01"
    assert session.exec(select(DiscoveryCandidate.unit_codes)).one() == ["93.01.02", "93.01.03"]
    schedule = session.exec(select(MonitorSchedule)).one()
    assert (schedule.key, schedule.scope) == ("93.01:portal", "93.01")
    assert session.exec(select(MaintenanceWindow.scope)).one() == "93.01.01"
    assert session.exec(select(WebUser.pemda_codes)).one() == ["93.01", "18.71"]
    opd = session.get(Unit, "93.01/diskominfo")
    assert (opd.parent_code, opd.pemda_code, opd.source) == ("93.01", "93.01", "opd-list")

    # nothing duplicated: exactly the source's units, plus what only the store had
    assert kemendagri_kinds(session, "93.01") == source_counts("93.01")
    gone = session.get(Unit, "91.01.02.2013")
    assert gone.note == RETAINED_NOTE and gone.pemda_code == "93.01" and gone.parent_code == "93.01.02"
    assert [unit.code for unit in stats.retained] == ["91.01.02.2013"]
    assert stats.removed and all(session.get(Unit, unit.code) is None for unit in stats.removed)
    user = session.get(Unit, "91.01.01.2999")
    assert (user.name, user.parent_code, user.pemda_code, user.source) == ("Kampung Contoh", "93.01.01", "93.01", "import")
    assert [unit.code for unit in stats.user_only] == ["91.01.01.2999"]
    no_unit = session.exec(select(Website.unit_code).where(col(Website.unit_code).not_in(select(Unit.code)))).all()
    assert no_unit == []
    # the rest of the old Papua is left for its own load
    assert session.get(Unit, "91.02").name == "Kabupaten Jayawijaya"

    again = load_pemda(session, "93.01")
    assert (again.added, again.updated, again.moved, again.removed) == (0, 0, [], [])
    assert snapshot(session) == before


def test_whole_country_upgrade_leaves_exactly_the_new_codes(old_store: Session) -> None:
    session = old_store
    before = snapshot(session)
    stats = load_country(session)
    session.commit()
    assert snapshot(session) == before
    kemendagri = session.exec(select(func.count()).select_from(Unit).where(Unit.source == "kemendagri")).one()
    retained = session.exec(select(func.count()).select_from(Unit).where(Unit.note == RETAINED_NOTE)).one()
    assert kemendagri - retained == sum(source_counts("").values()) == stats.added + stats.unchanged + stats.updated
    assert retained == len(stats.retained) == 1
    moved_pemda = {(m.old_code, m.new_code) for m in stats.moved if m.kind == "pemda"}
    assert {("91.01", "93.01"), ("91.02", "95.01"), ("92.01", "96.01"), ("92.71", "96.71")} <= moved_pemda
    assert len(moved_pemda) == 26  # every kabupaten/kota of the four new provinces
    for old, new in moved_pemda:
        assert session.get(Unit, old) is None and session.get(Unit, new).kind == "pemda"
    assert session.get(Unit, "91.03").name == "Kabupaten Jayapura"  # stayed in Papua: unchanged


def test_old_pemda_code_names_the_new_one(old_store: Session, tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"Kabupaten Merauke kini berkode 93\.01"):
        load_pemda(old_store, "91.01")
    fresh = Session(get_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}"))  # from the bundled list
    with fresh, pytest.raises(RegistryError, match=r"Kabupaten Sorong kini berkode 96\.01"):
        load_pemda(fresh, "92.01")


def test_every_code_column_is_known_to_the_upgrade() -> None:
    """A new table that keeps unit codes must follow the column names the upgrade rewrites."""
    handled = set(CODE_COLUMNS) | set(CODE_LIST_COLUMNS)
    keyed = {(table, key) for table, key, _ in SCOPED_KEYS}
    not_codes = {("unit", "code"), ("loginthrottle", "key")}
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            name = column.name
            if ("code" in name or "scope" in name or name == "key") and name not in handled:
                assert (table.name, name) in keyed | not_codes, f"{table.name}.{name}: add it to code_refs"


def test_cli_prints_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPBE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    old = runner.invoke(app, ["registry", "load", "--all", "--file", str(OLD_PAPUA)])
    assert old.exit_code == 0, old.output
    moved = runner.invoke(app, ["registry", "load", "--pemda", "93.01"])
    assert moved.exit_code == 0, moved.output
    assert "Pembaruan kode wilayah:" in moved.output and "unit pindah kode" in moved.output
    assert "91.01 Kabupaten Merauke → 93.01" in moved.output
    assert "tidak ada lagi" in moved.output and "dihapus" in moved.output
    refused = runner.invoke(app, ["registry", "load", "--pemda", "91.01"])
    assert refused.exit_code == 2 and "93.01" in refused.output + refused.stderr
