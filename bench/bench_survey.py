"""Benchmark of the survey spider (issue #3): pages/s and peak memory with every rule on, against a
bare Scrapy spider crawling the same local multi-site web in the same run; 100 vs 1,000 sites.

Each measurement runs in its own process (Twisted's reactor cannot restart, and peak RSS is per
process). Both spiders use the same download settings, robots.txt handling and page caps; the bare
one only follows links and counts responses (no analysis, no storage).

The ``--profile pemda`` run looks like a real pemda instead (issue #17): HTTPS with real
certificates for thousands of distinct host names, one site in five failing (names that do not
resolve, refused connections, hosts that never answer), and discovery on (a quarter more units
without a website, whose guessed names do not resolve). It prints the survey's peak RSS at each
size and the growth ratio.

Besides pages per second (wall clock, which a busy machine distorts) each side reports its CPU time
per page (user + system time of the crawling process, measured over the same span as the wall
clock: the crawl, not the imports before it): "rasio CPU" is the bare spider's CPU per
page divided by the survey's, the share of the survey's work that any Scrapy crawl must do anyway.

Runs of the same code differ (the bare spider's CPU per page by up to a third on a shared virtual
machine), so each spider runs ``--rounds`` times per size, in turns, and the medians are printed
with the range of the rounds' ratios. The local web answers at once, so both spiders are bound by
CPU; ``--latency-ms`` delays every answer as a distant server would (real pemda sites are tens to
hundreds of milliseconds away), to see how much of the difference remains when the network sets
the pace. Each synthetic site has 7 pages unless ``--pages`` says otherwise; both spiders stop at 16
(the survey's default ``SPBE_SITE_MAX_PAGES`` of 15 links after the homepage), and what the survey
does once per site (robots.txt, the search-engine copy of the homepage, the site check) weighs less
on sites of that size, which most pemda sites reach. "permintaan/hlm" is each spider's HTTP
requests per stored page: the survey also fetches every homepage as a search engine (the cloaking
check), a bare spider does not; with ``--bare-bot-copy`` the bare spider fetches that copy too, so
both make the same requests and what is left of the difference is the survey's analysis and storage.

On a shared virtual machine the speed drifts within a minute, so even neighbouring runs can differ
by a fifth. ``--side-by-side`` runs the two spiders of a round at the same time on the same web:
whatever slows the machine slows both, and the CPU per page of each (its own process's time) gives
a steadier "rasio CPU". Their pages per second are then not comparable (they share the cores, and
the one that finishes first leaves the other alone).

Run: ``python bench/bench_survey.py [--sizes 100 1000] [--rounds 3] [--pages 7] [--latency-ms 0] [--bare-bot-copy]
[--side-by-side]`` or
``python bench/bench_survey.py --profile pemda [--sizes 200 2000]``. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from statistics import median
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PEMDA = "99.01"
DOMAIN = "bench.go.id"


def make_registry(home: Path, sites: int) -> None:
    from sqlmodel import Session

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Unit, Website

    with Session(get_engine(f"sqlite:///{home / 'spbe.sqlite3'}")) as session:
        session.add(Unit(code=PEMDA, name="Kota Bench", kind="pemda", pemda_code=PEMDA, source="bench"))
        session.add(Unit(code=f"{PEMDA}.01", name="Bench", kind="kecamatan", parent_code=PEMDA, pemda_code=PEMDA, source="bench"))
        for i in range(sites):
            code = f"{PEMDA}.01.{1000 + i}"
            session.add(Unit(code=code, name=f"Situs {i}", kind="kelurahan", parent_code=f"{PEMDA}.01", pemda_code=PEMDA, source="bench"))
            session.add(Website(unit_code=code, url=f"http://site-{i}.{DOMAIN}/", host=f"site-{i}.{DOMAIN}"))
        session.commit()


def make_pemda_registry(home: Path, sites: int) -> None:
    """A pemda portal, ``sites`` kelurahan sites (80 % working, 20 % failing) and sites/4 units without one."""
    from sqlmodel import Session

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Unit, Website

    failing = {16: "nx", 17: "refused", 18: "slow", 19: "nx"}
    with Session(get_engine(f"sqlite:///{home / 'spbe.sqlite3'}")) as session:
        session.add(Unit(code=PEMDA, name="Kota Bench", kind="pemda", pemda_code=PEMDA, source="bench"))
        session.add(Website(unit_code=PEMDA, url=f"https://{DOMAIN}/", host=DOMAIN))
        session.add(Unit(code=f"{PEMDA}.01", name="Bench", kind="kecamatan", parent_code=PEMDA, pemda_code=PEMDA, source="bench"))
        for i in range(sites + sites // 4):
            code = f"{PEMDA}.01.{1000 + i}"
            session.add(Unit(code=code, name=f"Situs {i}", kind="kelurahan", parent_code=f"{PEMDA}.01", pemda_code=PEMDA, source="bench"))
            if i < sites:
                host = f"kel-{i}.{failing.get(i % 20, 'ok')}.{DOMAIN}"
                session.add(Website(unit_code=code, url=f"https://{host}/", host=host))
        session.commit()


def child_env(home: Path, port: int) -> dict[str, str]:
    from spbe_crawler.demo.profile import CRAWL_ENV

    return {
        **os.environ,
        **CRAWL_ENV,
        "SPBE_HOME": str(home),
        "SPBE_CONNECT_TO": f"*.{DOMAIN}:80:127.0.0.1:{port}",
        "SPBE_ALLOWED_NETWORKS": "127.0.0.0/8",
        "SPBE_PROGRESS": "0",
    }


def run_child(mode: str, sites: int, port: int, web: Any = None) -> dict[str, float]:
    return run_children([mode], sites, port, web)[0]


def run_children(modes: list[str], sites: int, port: int, web: Any = None) -> list[dict[str, float]]:
    """One child process per mode, each with its own store, all running at the same time."""
    with ExitStack() as stack:
        started = []
        for mode in modes:
            home = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            env = child_env(home, port)
            if web is not None:  # the pemda profile
                make_pemda_registry(home, sites)
                env.update(
                    {"SPBE_CONNECT_TO": web.routes(), "SSL_CERT_FILE": web.ca_file, "SPBE_DISCOVERY": "1", "SPBE_DOWNLOAD_TIMEOUT": "5"}
                )
            else:
                make_registry(home, sites)
            errors = stack.enter_context(open(home / "stderr.txt", "w+"))  # a file: a full pipe would stall the child
            command = [sys.executable, __file__, "--child", mode, str(sites)]
            started.append((subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True), errors))
        results = []
        for process, errors in started:
            output, _ = process.communicate()
            if process.returncode:
                errors.seek(0)
                raise subprocess.CalledProcessError(process.returncode, process.args, output, errors.read()[-4000:])
            results.append(json.loads(output.strip().splitlines()[-1]))
    return results


# --- child side ------------------------------------------------------------------------------------
def child_survey(sites: int) -> dict[str, float]:
    from scrapy.utils.misc import walk_modules_iter
    from sqlmodel import Session, func, select

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Page
    from spbe_crawler.survey.job import run_survey, survey_settings

    # The bare side creates its CrawlerProcess, which imports the project's spider modules, before its
    # clock starts; the survey's does so inside run_survey, so import them here first: both clocks
    # then time the crawl, not the imports.
    for module in survey_settings().getlist("SPIDER_MODULES"):
        list(walk_modules_iter(module))
    started, cpu = time.perf_counter(), _cpu_seconds()
    stats = run_survey(PEMDA, overrides={"LOG_LEVEL": "ERROR"})
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    with Session(get_engine()) as session:
        pages = session.exec(select(func.count()).select_from(Page)).one()
    return {"pages": pages, "requests": stats.get("downloader/request_count", 0), "seconds": elapsed, "cpu_seconds": cpu}


def child_bare(sites: int, bot_copy: bool = False) -> dict[str, float]:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from spbe_crawler.survey.job import survey_settings

    settings = survey_settings({"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "LOG_LEVEL": "ERROR", "REDIRECT_ENABLED": True})
    max_links, max_depth = settings.getint("SPBE_SITE_MAX_PAGES"), settings.getint("SPBE_SITE_MAX_DEPTH")  # the survey's caps
    bot_ua = settings.get("SPBE_SEARCH_BOT_USER_AGENT")
    counted = {"pages": 0}

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for i in range(sites):
                yield scrapy.Request(f"http://site-{i}.{DOMAIN}/", cb_kwargs={"depth": 0}, meta={"seen": set()})
                if bot_copy:  # the homepage as a search engine gets it, as the survey's cloaking check asks
                    yield scrapy.Request(f"http://site-{i}.{DOMAIN}/", self.ignore, headers={"User-Agent": bot_ua}, dont_filter=True)

        def ignore(self, response):  # type: ignore[no-untyped-def]
            return None

        def parse(self, response, depth):  # type: ignore[no-untyped-def]
            counted["pages"] += 1
            seen = response.meta["seen"]
            if depth >= max_depth:
                return
            for href in response.css("a::attr(href)").getall():
                url = urljoin(response.url, href)
                if urlsplit(url).hostname == urlsplit(response.url).hostname and url not in seen and len(seen) < max_links:
                    seen.add(url)
                    yield scrapy.Request(url, cb_kwargs={"depth": depth + 1}, meta={"seen": seen})

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    started, cpu = time.perf_counter(), _cpu_seconds()
    process.crawl(crawler)
    process.start()
    elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    requests = crawler.stats.get_value("downloader/request_count", 0) if crawler.stats else 0
    return {"pages": counted["pages"], "requests": requests, "seconds": elapsed, "cpu_seconds": cpu}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_main(mode: str, sites: int) -> None:
    result = child_survey(sites) if mode == "survey" else child_bare(sites, bot_copy=mode == "bare-bot")
    result["cpu_ms_per_page"] = result["cpu_seconds"] * 1000 / max(1, result["pages"])
    result["requests_per_page"] = result["requests"] / max(1, result["pages"])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["pages_per_s"] = result["pages"] / result["seconds"]
    print(json.dumps(result))


# --- parent side -----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--profile", choices=["plain", "pemda"], default="plain")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each spider per size (median)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every answer of the plain web")
    parser.add_argument("--pages", type=int, default=7, help="pages of each site of the plain web (home included)")
    parser.add_argument(
        "--bare-bot-copy", action="store_true", help="the bare spider also fetches each homepage as a search engine, as the survey does"
    )
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="both spiders crawl at the same time in each round (the machine's drift touches both alike)",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SITES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], int(args.child[1]))
        return
    if args.profile == "pemda":
        pemda_main(args.sizes or [200, 2000])
        return
    plain_main(args.sizes or [100, 1000], args.rounds, args.latency_ms / 1000, args.pages, args.bare_bot_copy, args.side_by_side)


def plain_main(sizes: list[int], rounds: int, latency: float, pages: int, bot_copy: bool = False, side_by_side: bool = False) -> None:
    """Bare and survey in turns (the first alternates per round), or at the same time with
    ``side_by_side``, per size; each figure is the median of the rounds, each ratio the median of the
    rounds' ratios (a round's two runs are neighbours in time, so a slow spell of the machine touches both)."""
    from multisite import MultiSiteWeb

    from spbe_crawler.config import load_settings

    runs: dict[int, list[tuple[dict[str, float], dict[str, float]]]] = {sites: [] for sites in sizes}
    with MultiSiteWeb(latency, pages) as web:
        for round_no in range(rounds):
            for sites in sizes:
                order = ("bare", "survey") if round_no % 2 == 0 else ("survey", "bare")
                modes = ["bare-bot" if bot_copy and mode == "bare" else mode for mode in order]
                results = run_children(modes, sites, web.port) if side_by_side else [run_child(m, sites, web.port) for m in modes]
                done = dict(zip(order, results, strict=True))
                runs[sites].append((done["bare"], done["survey"]))
    print(
        f"{'situs':>6} {'bare hlm/s':>11} {'survei hlm/s':>13} {'rasio':>6} {'CPU bare ms/hlm':>16} "
        f"{'CPU survei ms/hlm':>18} {'rasio CPU':>10} {'RSS bare MB':>12} {'RSS survei MB':>14} {'permintaan/hlm':>15}"
    )
    for sites, pairs in runs.items():
        bare, survey = (_medians([pair[side] for pair in pairs]) for side in (0, 1))
        ratio = median(s["pages_per_s"] / b["pages_per_s"] for b, s in pairs)
        cpu_ratio = median(b["cpu_ms_per_page"] / s["cpu_ms_per_page"] for b, s in pairs)
        print(
            f"{sites:>6} {bare['pages_per_s']:>11.1f} {survey['pages_per_s']:>13.1f} {ratio:>6.2f} "
            f"{bare['cpu_ms_per_page']:>16.2f} {survey['cpu_ms_per_page']:>18.2f} {cpu_ratio:>10.2f} "
            f"{bare['peak_rss_mb']:>12.0f} {survey['peak_rss_mb']:>14.0f} "
            f"{bare['requests_per_page']:>6.2f} / {survey['requests_per_page']:.2f}"
        )
    if rounds > 1:
        for sites, pairs in runs.items():
            ratios = sorted(s["pages_per_s"] / b["pages_per_s"] for b, s in pairs)
            cpu = sorted(b["cpu_ms_per_page"] / s["cpu_ms_per_page"] for b, s in pairs)
            print(f"{sites} situs, {rounds} putaran: rasio {ratios[0]:.2f}–{ratios[-1]:.2f}, rasio CPU {cpu[0]:.2f}–{cpu[-1]:.2f}")
    if len(sizes) > 1:
        first, last = (_medians([pair[1] for pair in runs[s]]) for s in (sizes[0], sizes[-1]))
        first_bare, last_bare = (_medians([pair[0] for pair in runs[s]]) for s in (sizes[0], sizes[-1]))
        print(
            f"Memori survei {sizes[-1]} vs {sizes[0]} situs: {last['peak_rss_mb'] / first['peak_rss_mb']:.2f}× "
            f"(bare: {last_bare['peak_rss_mb'] / first_bare['peak_rss_mb']:.2f}×)"
        )
    cap = 1 + load_settings().site_max_pages
    print(f"Setiap situs {pages} halaman (beranda termasuk); kedua perayap berhenti pada {cap} halaman per situs.")
    if latency:
        print(f"Setiap jawaban server ditunda {latency * 1000:.0f} ms (seperti jarak jaringan ke situs).")
    print("permintaan/hlm: permintaan HTTP per halaman tersimpan, bare / survei (robots.txt dan salinan mesin pencari ikut dihitung).")
    if bot_copy:
        print("Perayap bare juga mengambil beranda sebagai mesin pencari, seperti pemeriksaan cloaking survei.")
    if side_by_side:
        print(
            "Kedua perayap berjalan bersamaan di setiap putaran dan berbagi CPU: rasio CPU adalah angka utamanya; "
            "hlm/s dan rasionya terdistorsi (yang lebih cepat selesai lebih dulu, sisanya berjalan sendiri)."
        )


def _medians(results: list[dict[str, float]]) -> dict[str, float]:
    return {key: median(r[key] for r in results) for key in results[0]}


def pemda_main(sizes: list[int]) -> None:
    from multisite import PemdaWeb

    rows = []
    with tempfile.TemporaryDirectory() as tmp, PemdaWeb(tmp) as web:
        for sites in sizes:
            rows.append((sites, run_child("survey", sites, 0, web)))
    print(f"{'situs':>6} {'halaman':>8} {'detik':>7} {'hlm/s':>7} {'RSS puncak MB':>14}")
    for sites, result in rows:
        print(f"{sites:>6} {result['pages']:>8.0f} {result['seconds']:>7.1f} {result['pages_per_s']:>7.1f} {result['peak_rss_mb']:>14.0f}")
    if len(rows) > 1:
        (small, first), (large, last) = rows[0], rows[-1]
        print(
            f"Memori survei {large} vs {small} situs (profil pemda, HTTPS, 20 % gagal): {last['peak_rss_mb'] / first['peak_rss_mb']:.2f}×"
        )


if __name__ == "__main__":
    main()
