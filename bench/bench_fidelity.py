"""Fidelity of a survey of the offline demo region against the demo's truth (issue #9).

    python bench/bench_fidelity.py [--home DIR] [--reuse]

Runs ``spbe run --pemda 18.71`` on the demo web (as a user would: registry load, registry import,
run) in ``--home`` (default: a temporary folder), then prints four figures with their targets:

* working/not-working verdict accuracy over all units            target >= 0.98
* discovery recall of unlinked sites, at discovery precision      target >= 0.95 at >= 0.98
* service indicators whose estimate is inside the assessor band   target >= 0.90
* evidence precision (evidence URLs that belong to a true service) target >= 0.80

``--reuse`` reads an existing finished survey in ``--home`` instead of crawling again. Exit status 1
when a figure misses its target. The misses are listed, so a regression names its units.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from spbe_crawler.demo import fidelity  # noqa: E402
from spbe_crawler.demo.profile import CRAWL_ENV  # noqa: E402
from spbe_crawler.demo.server import DemoWeb  # noqa: E402

PEMDA = "18.71"
TARGETS = {"verdicts": 0.98, "recall": 0.95, "precision": 0.98, "bands": 0.90, "evidence": 0.80}


def _spbe(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "spbe_crawler", *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"spbe {' '.join(args)} gagal:\n{result.stdout}\n{result.stderr[-3000:]}")


def survey(home: Path) -> float:
    """Crawl the demo into ``home``; returns the seconds the run took. Keeps manifest and bands."""
    with DemoWeb(home / "demo") as web:
        env = {**os.environ, **web.env, **CRAWL_ENV, "SPBE_HOME": str(home), "SPBE_PROGRESS": "0"}
        env.pop("SPBE_DATABASE_URL", None)
        _spbe(["registry", "load", "--pemda", PEMDA], env)
        _spbe(["registry", "import", str(web.registry_csv)], env)
        started = time.perf_counter()
        _spbe(["run", "--pemda", PEMDA], env)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    home = (args.home or Path(tempfile.mkdtemp(prefix="spbe-fidelity-"))).resolve()
    if not args.reuse:
        print(f"Survei demo di {home} ...", flush=True)
        print(f"  waktu survei: {survey(home):.0f} s")
    manifest = json.loads((home / "demo" / "manifest.json").read_text(encoding="utf-8"))
    assessor = json.loads((home / "demo" / "assessor-bands.json").read_text(encoding="utf-8"))
    from sqlmodel import Session

    from spbe_crawler.store.db import get_engine

    with Session(get_engine(f"sqlite:///{home / 'spbe.sqlite3'}")) as session:
        figures = {"verdicts": fidelity.verdicts(session, PEMDA, manifest)}
        figures["recall"], figures["precision"] = fidelity.discovery(session, manifest)
        figures["bands"] = fidelity.bands(session, PEMDA, assessor)
        figures["evidence"] = fidelity.evidence(session, PEMDA, manifest, assessor["framework"])
    labels = {
        "verdicts": "Putusan berfungsi/tidak (semua unit)",
        "recall": "Recall penemuan situs tanpa tautan",
        "precision": "Presisi penemuan situs unit",
        "bands": "Perkiraan di dalam rentang penilai",
        "evidence": "Presisi bukti (URL layanan sejati)",
    }
    failed = 0
    for key, ratio in figures.items():
        ok = ratio.value >= TARGETS[key]
        failed += not ok
        verdict = "ok" if ok else "GAGAL"
        print(f"{labels[key]:<40} {ratio.hits:>4}/{ratio.total:<4} = {ratio.value:.3f}  (target >= {TARGETS[key]:.2f}) {verdict}")
        for miss in ratio.misses[:8]:
            print(f"    - {miss}")
        if len(ratio.misses) > 8:
            print(f"    ... dan {len(ratio.misses) - 8} lainnya")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
