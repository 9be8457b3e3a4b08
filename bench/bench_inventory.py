"""Throughput of the signature pack over saved pages of 100-500 KB, against plain lxml parsing.

Targets (one core): the whole pack at >= 100 pages/s, and a hostile 5 MB page in < 1 s. Figures
are printed as measured and as a ratio to the baseline measured in the same run (plain
``lxml.html.document_fromstring`` of the same pages), so slower or faster machines compare.

Run: ``python bench/bench_inventory.py [--seconds 3]``
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inventory import PageData, load_pack  # noqa: E402
from spbe_crawler.health.page import MAX_TEXT_CHARS  # noqa: E402

REAL = ROOT / "tests" / "sample_data" / "real"


def corpus() -> list[tuple[str, str]]:
    """Saved real pages of 100 KB and more, plus two 300-500 KB pages joined from them."""
    pages = []
    for path in sorted(REAL.glob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if len(text.encode()) >= 100_000:
            pages.append((f"https://{path.name.split('__')[0]}/", text))
    bodies = [text for _, text in pages]
    pages.append(("https://gabungan-satu.go.id/", bodies[0] + bodies[1]))
    pages.append(("https://gabungan-dua.go.id/", bodies[0] + bodies[1] + bodies[2]))
    return pages


def hostile_page() -> str:
    """About 5 MB: deep nesting, 60 000 links, a 500 KB attribute, near-miss markers, padding."""
    parts = ['<a href="https://jdih.x.go.id/">JDIH</a>', "<div>" * 20_000 + "</div>" * 20_000]
    parts.append('<a title="' + "a" * 500_000 + '">x</a>')
    parts.append("".join(f'<a href="/berita/{i}">lapor lapor lapor {i}</a>' for i in range(60_000)))
    parts.append("<p>" + "sipd.kemendagri.go " * 20_000 + "</p>")
    html = "".join(parts)
    return html + " " * (5_200_000 - len(html))


def rate(work: Callable[[str, str], object], pages: list[tuple[str, str]], seconds: float) -> float:
    """Pages per second of ``work`` over ``pages``, repeated for about ``seconds``."""
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for url, html in pages:
            work(url, html)
        done += len(pages)
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    args = parser.parse_args()

    pack = load_pack()
    pages = corpus()
    sizes = [len(html.encode()) // 1024 for _, html in pages]
    print(f"pack: {len(pack.rules)} rules; corpus: {len(pages)} pages, {min(sizes)}-{max(sizes)} KB")

    baseline = rate(lambda url, html: lxml.html.document_fromstring(html.encode()), pages, args.seconds)
    full = rate(lambda url, html: pack.match_page(PageData(url=url, html=html)), pages, args.seconds)
    print(f"baseline lxml parse : {baseline:8.1f} pages/s")
    print(f"inventory pack      : {full:8.1f} pages/s  (target >= 100)  ratio to baseline {full / baseline:.2f}")

    hostile = hostile_page()
    start = time.perf_counter()
    found = pack.match_page(PageData(url="https://x.go.id/", html=hostile))
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    lxml.html.document_fromstring(hostile.encode())
    parse_only = time.perf_counter() - start
    print(
        f"hostile {len(hostile) / 1e6:.1f} MB page : {elapsed:.3f} s  (target < 1 s)  "
        f"ratio to one plain lxml parse of it {elapsed / parse_only:.2f} (plain lxml gives up at the "
        f"deep nest; the page facts cap the text at {MAX_TEXT_CHARS:,} chars); "
        f"{len(found)} findings"
    )


if __name__ == "__main__":
    main()
