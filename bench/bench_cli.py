"""Start-up time of the ``spbe`` command line against ``scrapy version``, measured in the same run.

Each command runs ``--rounds`` times, interleaved with the others (so a busy machine slows all of
them alike); the median wall time of each is compared with the median of ``scrapy version``.
Target (issue #12): ``spbe --help`` and ``spbe monitor status`` at most 0.6x ``scrapy version``.
``spbe monitor status`` reads a seeded SQLite store (40 sites, a week of probes, incidents).

    python bench/bench_cli.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
TARGET = 0.6


def seed(url: str, sites: int = 40, days: int = 7) -> None:
    from sqlalchemy import insert

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Incident, Probe, Unit, Website

    engine = get_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(insert(Unit), [{"code": "99.01", "name": "Kabupaten Bench", "kind": "pemda", "pemda_code": "99.01"}])
        connection.execute(
            insert(Website),
            [
                {"id": i + 1, "unit_code": "99.01", "url": f"https://situs{i}.bench.test/", "host": f"situs{i}.bench.test"}
                for i in range(sites)
            ],
        )
        probes = []
        for hour in range(days * 24):
            at = now - timedelta(hours=hour)
            for i in range(sites):
                down = i % 10 == 0 and hour < 5
                probes.append(
                    {
                        "website_id": i + 1,
                        "url": f"https://situs{i}.bench.test/",
                        "started_at": at,
                        "status": "timeout" if down else "ok",
                        "total_ms": None if down else 40.0 + (hour * 7 + i) % 60,
                        "tls_expires_at": now + timedelta(days=5 + i),
                        "tls_issuer": "Bench CA",
                    }
                )
        connection.execute(insert(Probe), probes)
        connection.execute(
            insert(Incident),
            [{"website_id": i + 1, "status": "timeout", "started_at": now - timedelta(hours=5)} for i in range(0, sites, 10)],
        )


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SPBE_HOME": tmp, "COLUMNS": "120"}
        env.pop("SPBE_DATABASE_URL", None)
        seed(f"sqlite:///{Path(tmp) / 'spbe.sqlite3'}")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "scrapy version (baseline)": [str(BIN / "scrapy"), "version"],
            "spbe --help": [str(BIN / "spbe"), "--help"],
            "spbe monitor --help": [str(BIN / "spbe"), "monitor", "--help"],
            "spbe monitor status": [str(BIN / "spbe"), "monitor", "status", "--pemda", "99.01"],
        }
        for command in commands.values():  # warm the file cache and byte-code
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["scrapy version (baseline)"]
    print(f"rounds: {args.rounds} (median wall time of each, interleaved)")
    failed = False
    for name, median in medians.items():
        ratio = median / base
        checked = name in ("spbe --help", "spbe monitor status")
        verdict = ("  ok" if ratio <= TARGET else f"  ABOVE TARGET {TARGET}x") if checked else ""
        failed |= checked and ratio > TARGET
        print(f"{name:28s} {median * 1000:7.0f} ms   {ratio:5.2f}x scrapy version{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
