"""Load the whole country (91k Kemendagri codes) into a fresh SQLite file, against a baseline; and
upgrade a store loaded from the pre-2022 snapshot (Papua as 91/92) to the bundled codes.

Baseline, measured in the same run: plain ``sqlite3`` ``executemany`` of the same rows into a table
of the same shape, one transaction, same pragmas. Figures are printed as ratios against it; nothing
here asserts a time.

    python bench/bench_registry.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session  # noqa: E402

from spbe_crawler.registry import wilayah_file  # noqa: E402
from spbe_crawler.registry.wilayah import load_country  # noqa: E402
from spbe_crawler.store.db import get_engine  # noqa: E402

UNIT_DDL = (
    "CREATE TABLE unit (code VARCHAR(64) PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,"
    " category VARCHAR, parent_code VARCHAR, pemda_code VARCHAR, source VARCHAR NOT NULL, note VARCHAR)"
)
INDEXES = ("kind", "parent_code", "pemda_code")
ROOT = Path(__file__).resolve().parent.parent
OLD_PAPUA = ROOT / "tests" / "sample_data" / "registry" / "wilayah_lama_papua.csv"
SPLIT_PROVINCES = ("91", "92", "93", "94", "95", "96")


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def baseline(path: Path) -> float:
    """Plain sqlite3: create the table and its indexes, executemany every region, commit."""
    rows = [
        (r.code, r.name, r.kind, None, r.parent_code, r.pemda_code, "kemendagri", None)
        for r in wilayah_file.read_wilayah().regions.values()
    ]
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    connection.execute(UNIT_DDL)
    for column in INDEXES:
        connection.execute(f"CREATE INDEX ix_unit_{column} ON unit ({column})")
    connection.executemany("INSERT INTO unit VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def registry_load(path: Path) -> tuple[float, float, int]:
    """load_country into a fresh file (file already parsed), then the idempotent second pass."""
    engine = get_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        start = time.perf_counter()
        stats = load_country(session)
        session.commit()
        first = time.perf_counter() - start
        second = timed(lambda: (load_country(session), session.commit()))
    engine.dispose()
    return first, second, stats.added


def upgrade_load(path: Path, tmp: Path) -> tuple[float, int]:
    """A national store as the old snapshot left it (today's codes outside Papua, the old 91/92 codes),
    then ``load_country`` with the bundled file: the upgrade (codes moved, gone ones removed)."""
    others = tmp / "others.csv"
    lines = wilayah_file.default_wilayah_path().read_text(encoding="utf-8").splitlines(keepends=True)
    others.write_text("".join(line for line in lines if not line.startswith(SPLIT_PROVINCES)), encoding="utf-8")
    engine = get_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        load_country(session, others)
        load_country(session, OLD_PAPUA)
        session.commit()
        wilayah_file.read_wilayah()  # parsed already, as in the other figures
        start = time.perf_counter()
        stats = load_country(session)
        session.commit()
        elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, len(stats.moved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is reported")
    args = parser.parse_args()
    wilayah_file._read_cached.cache_clear()
    parse = timed(wilayah_file.read_wilayah)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            base = baseline(Path(tmp) / f"baseline-{run}.sqlite3")
            results.append((base, *registry_load(Path(tmp) / f"registry-{run}.sqlite3")))
        upgrade, moved = min(upgrade_load(Path(tmp) / f"upgrade-{run}.sqlite3", Path(tmp)) for run in range(args.repeat))
    base, first, second, added = min(results, key=lambda r: r[1])
    print(f"regions loaded            : {added}")
    print(f"parse CSV (once, cached)  : {parse:.3f} s")
    print(f"baseline sqlite3 execmany : {base:.3f} s   (1.00x)")
    print(f"load_country, fresh file  : {first:.3f} s   ({first / base:.2f}x baseline)")
    print(f"load_country, second pass : {second:.3f} s   ({second / base:.2f}x baseline, adds nothing)")
    print(f"load_country, upgrade     : {upgrade:.3f} s   ({upgrade / base:.2f}x baseline, {moved} codes moved)")


if __name__ == "__main__":
    main()
