"""Benchmark of the content-health checks (area ``health``).

Prints, for the sample pages and the demo problem pages:
* pages/s of ``parse_page`` + ``RuleSet.classify`` against a baseline of plain
  ``lxml.html.fromstring`` over the same bodies, measured in the same run, and their ratio;
* the time for hostile 5 MB pages (regex-backtracking bait, deep nesting, link floods), again as a
  ratio to parsing the same body with plain lxml.

Run: ``python bench/bench_health.py [--rounds N]``. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spbe_crawler.health.page import parse_page  # noqa: E402
from spbe_crawler.health.rules import load_rules  # noqa: E402

URL = "https://kel-contoh.bandarlampungkota.go.id/"
FIVE_MB = 5 * 1024 * 1024


def sample_bodies() -> list[bytes]:
    paths = sorted((ROOT / "tests/sample_data/health").glob("*.html")) + sorted((ROOT / "tests/sample_data/real").glob("*.html"))
    paths += sorted((ROOT / "spbe_crawler/demo/problem_pages").glob("*.html"))
    return [path.read_bytes() for path in paths]


def hostile_bodies() -> dict[str, bytes]:
    """Inputs built to hurt: near-misses for every pattern family, no closing tags, floods."""

    def fill(unit: bytes) -> bytes:
        return (unit * (FIVE_MB // len(unit) + 1))[:FIVE_MB]

    return {
        "near-miss words": b"<html><title>"
        + b"slot " * 50
        + b"</title><body><p>"
        + fill(b"slot gaco situs judi onlin togel1 maxwi rtp liv index of domain ini diju ")
        + b"</p></body></html>",
        "one giant word": b"<html><body><p>" + fill(b"a") + b"</p></body></html>",
        "whitespace sea": b"<html><body><p>situs" + fill(b" \t\n") + b"x</p></body></html>",
        "deep nesting": fill(b"<div style='display:none'><span>"),
        "link flood": b"<html><body>" + fill(b"<a href='/x?slot=gacor'>slot gacor</a>"),
        "hidden flood": b"<html><body>" + fill(b"<div style='position:absolute;left:-9999px'>togel</div>"),
        "date bait": b"<html><body><p>" + fill(b"12/12/20 12-12-2 2024-1 31 Des 20 ") + b"</p></body></html>",
    }


def timed(action: Callable[[], object], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        action()
    return time.perf_counter() - start


def bench_samples(rounds: int) -> None:
    rules = load_rules(ROOT / "spbe_crawler/data/health_rules")
    bodies = sample_bodies()
    total = len(bodies) * rounds
    baseline = timed(lambda: [lxml.html.fromstring(body) for body in bodies if body.strip()], rounds)
    ours = timed(lambda: [rules.classify(parse_page(URL, 200, {}, body)) for body in bodies], rounds)
    print(f"sample pages: {len(bodies)} pages x {rounds} rounds, {len(rules)} rules")
    print(f"  baseline lxml.html.fromstring : {total / baseline:8.1f} pages/s")
    print(f"  parse_page + classify         : {total / ours:8.1f} pages/s")
    print(f"  ratio (ours / baseline time)  : {ours / baseline:8.2f}x")


def bench_hostile() -> None:
    rules = load_rules(ROOT / "spbe_crawler/data/health_rules")
    print("hostile 5 MB pages (parse_page + classify vs lxml.html.fromstring of the same body):")
    for name, body in hostile_bodies().items():
        baseline = timed(lambda body=body: lxml.html.fromstring(body), 1)
        start = time.perf_counter()
        verdict = rules.classify(parse_page(URL, 200, {}, body))
        ours = time.perf_counter() - start
        status = verdict.status if verdict else "-"
        print(f"  {name:16s} {ours:6.2f} s  (baseline {baseline:5.2f} s, ratio {ours / baseline:5.2f}x)  -> {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    bench_samples(args.rounds)
    bench_hostile()


if __name__ == "__main__":
    main()
