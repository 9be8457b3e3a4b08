"""The benchmark scripts run (``make bench`` is not part of the suite, so a renamed attribute would
otherwise break a script unnoticed): the quick ones on a tiny budget, the survey on three sites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_health_and_inventory_benchmarks_print_their_figures():
    assert "parse_page + classify" in run(str(BENCH / "bench_health.py"), "--rounds", "1")
    out = run(str(BENCH / "bench_inventory.py"), "--seconds", "0.05")
    assert "inventory pack" in out and "hostile" in out


@pytest.mark.e2e
def test_survey_benchmark_prints_pages_and_cpu_per_page_for_both_spiders():
    out = run(str(BENCH / "bench_survey.py"), "--sizes", "3", "--rounds", "1", "--pages", "18", "--latency-ms", "5", "--bare-bot-copy")
    header, row = out.splitlines()[:2]
    assert "rasio CPU" in header and "CPU survei ms/hlm" in header and "permintaan/hlm" in header
    cells = row.split()
    assert cells[0] == "3" and all(float(cell) > 0 for cell in cells[1:] if cell != "/")
    bare_requests, survey_requests = cells[-3], cells[-1]
    assert bare_requests == survey_requests, "with the search-engine copy both spiders make the same requests"
    assert float(survey_requests) == pytest.approx((1 + 16 + 1) / 16, abs=0.01)  # robots.txt, 16 pages, the copy
    assert "18 halaman" in out and "16 halaman per situs" in out and "ditunda 5 ms" in out


@pytest.mark.e2e
def test_survey_benchmark_side_by_side_runs_both_spiders_at_once():
    out = run(str(BENCH / "bench_survey.py"), "--sizes", "2", "--rounds", "1", "--pages", "3", "--side-by-side")
    cells = out.splitlines()[1].split()
    assert cells[0] == "2" and all(float(cell) > 0 for cell in cells[1:] if cell != "/")
    assert float(cells[-3]) == pytest.approx((1 + 3) / 3, abs=0.01)  # bare: robots.txt and 3 pages
    assert float(cells[-1]) == pytest.approx((1 + 3 + 1) / 3, abs=0.01)  # survey: and the search-engine copy
    assert "berjalan bersamaan" in out


def test_synthetic_sites_link_as_many_pages_as_asked(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    from multisite import PAGES, menu

    assert menu(7) == PAGES and menu(1) == () and menu(3) == PAGES[:2]
    big = menu(20)
    assert len(big) == len(set(big)) == 19 and big[: len(PAGES)] == PAGES
