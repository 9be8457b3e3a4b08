"""Pages of the generated sites (unit sites, the pemda portal, national apps), rendered per request.

Nothing is pre-rendered: a page is built from the site's spec and a few facts drawn from a
random generator seeded by the host name, so every request for a page gives the same page (until
the date changes: news posts are dated relative to today).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from spbe_crawler.demo.dates import hari, tanggal
from spbe_crawler.demo.region import Link, Region, SiteSpec

TEMPLATES = Path(__file__).with_name("templates")
UNIT_PAGES = {
    "/": "home.html",
    "/profil": "profil.html",
    "/struktur-organisasi": "struktur.html",
    "/kontak": "kontak.html",
    "/layanan": "layanan.html",
    "/ppid": "ppid.html",
    "/berita": "berita.html",
}
SECTION_TITLES = {
    "opd": "Perangkat Daerah",
    "layanan": "Layanan Publik",
    "nasional": "Aplikasi Nasional",
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
}
STALE_AGE_DAYS = 3 * 365
_STREETS = (
    "Jl. Raden Intan",
    "Jl. Teuku Umar",
    "Jl. Sultan Agung",
    "Jl. Pangeran Antasari",
    "Jl. Zainal Abidin Pagar Alam",
    "Jl. Ahmad Yani",
    "Jl. Wolter Monginsidi",
    "Jl. Soekarno-Hatta",
    "Jl. Kartini",
    "Jl. Diponegoro",
    "Jl. Gatot Subroto",
    "Jl. Imam Bonjol",
)
_GIVEN = (
    "Ahmad",
    "Budi",
    "Siti",
    "Dewi",
    "Rahmat",
    "Hendra",
    "Nurul",
    "Fitri",
    "Agus",
    "Yusuf",
    "Ratna",
    "Iwan",
    "Rina",
    "Hasan",
    "Wahyu",
    "Lestari",
)
_FAMILY = (
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Kurniawan",
    "Lestari",
    "Pratama",
    "Rahmawati",
    "Susanto",
    "Setiawan",
    "Permata",
    "Hakim",
    "Fauzi",
)
_TITLES = {
    "kelurahan": (
        "Posyandu Balita dan Lansia di {place}",
        "Kerja Bakti Bersama Warga {place}",
        "Musyawarah Perencanaan Pembangunan Kelurahan {year}",
        "Penyaluran Bantuan Sosial di {place}",
        "Sosialisasi Pencegahan Demam Berdarah",
        "Pelayanan Administrasi Kependudukan Keliling",
        "Rapat Koordinasi Ketua RT se-{place}",
        "Lomba Kebersihan Lingkungan Tingkat Kelurahan",
        "Vaksinasi dan Pemeriksaan Kesehatan Gratis",
        "Peringatan Hari Jadi {pemda}",
    ),
    "default": (
        "Rapat Koordinasi {place} Tahun {year}",
        "Sosialisasi Standar Pelayanan {place}",
        "Monitoring dan Evaluasi Program Kerja Triwulan",
        "Apel Pagi dan Pembinaan Pegawai",
        "Musrenbang {pemda} Tahun {year}",
        "Pelatihan Peningkatan Kapasitas Aparatur",
        "Penyerahan Bantuan kepada Masyarakat",
        "Peringatan Hari Jadi {pemda}",
        "Gotong Royong Bersih Lingkungan Kantor",
        "Pelayanan Keliling untuk Warga",
    ),
}
_SERVICES = {
    "kelurahan": ("Surat Keterangan Domisili", "Surat Pengantar SKCK", "Surat Keterangan Tidak Mampu", "Surat Keterangan Usaha"),
    "kecamatan": (
        "Legalisasi Dokumen Kependudukan",
        "Rekomendasi Izin Keramaian",
        "Surat Keterangan Ahli Waris",
        "Pelayanan Administrasi Terpadu Kecamatan (PATEN)",
    ),
    "default": ("Pelayanan Informasi Publik", "Penerimaan Pengaduan Masyarakat", "Konsultasi Layanan", "Permohonan Rekomendasi"),
}


@dataclass(frozen=True)
class Post:
    title: str
    slug: str
    date: date
    summary: str
    body: tuple[str, ...]
    link: tuple[str, str] | None = None  # (url, text) a service-naming post links to

    @property
    def date_text(self) -> str:
        return tanggal(self.date)

    @property
    def weekday(self) -> str:
        return hari(self.date)


@dataclass(frozen=True)
class Facts:
    address: str
    phone: str
    email: str
    head_title: str
    head: str
    staff: tuple[tuple[str, str], ...]
    services: tuple[str, ...]

    @property
    def phone_digits(self) -> str:
        return re.sub(r"\D", "", self.phone)


class Renderer:
    """Renders every generated page; one per running demo (the jinja2 templates compile once)."""

    def __init__(self, region: Region):
        self.region = region
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), auto_reload=False)
        self.pemda = {"name": region.pemda_name, "root": region.root, "code": region.pemda_code}
        ppid = f"ppid.{region.root}"
        self.ppid_url = region.sites[ppid].url if ppid in region.sites else None

    def render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(pemda=self.pemda, **context)

    def unit_page(self, spec: SiteSpec, path: str, today: date, extra: dict[str, Any] | None = None) -> str | None:
        """A page of a unit site or of the pemda portal, or None when ``path`` is not one of them."""
        posts = make_posts(spec, today, self.region)
        context = {
            "site": spec,
            "facts": make_facts(spec, self.region),
            "posts": posts,
            "today": today,
            "ppid_url": self.ppid_url,
            **(extra or {}),
        }
        if path.startswith("/berita/"):
            post = next((p for p in posts if p.slug == path[len("/berita/") :]), None)
            return self.render("post.html", title=post.title, post=post, **context) if post else None
        template = UNIT_PAGES.get(path)
        if template is None:
            return None
        if path == "/" and spec.content == "pemda_portal":
            return self.render("portal.html", title="Beranda", sections=self._sections(spec), **context)
        links = self.region.links.get(spec.host, [])
        return self.render(template, title=_page_title(path), links=links, **context)

    def _sections(self, spec: SiteSpec) -> list[dict[str, Any]]:
        links: list[Link] = self.region.links.get(spec.host, [])
        return [
            {"key": key, "title": title, "links": [link for link in links if link.section == key]}
            for key, title in SECTION_TITLES.items()
            if any(link.section == key for link in links)
        ]

    def national_page(self, spec: SiteSpec, path: str) -> str:
        info = spec.national or {}
        pages = sorted((info.get("pages") or {}).items())
        heading = (info.get("pages") or {}).get(path, info.get("title", spec.name))
        app = {"name": info.get("name", spec.name), "title": info.get("title", spec.name), "description": info.get("description", "")}
        return self.render("national.html", app=app, heading=heading, pages=pages)

    def simple(
        self,
        title: str,
        paragraphs: list[str],
        links: Sequence[tuple[str, str]] = (),
        heading: str | None = None,
        footer: str | None = None,
    ) -> str:
        return self.render("simple.html", title=title, heading=heading, paragraphs=paragraphs, links=list(links), footer=footer)


def _page_title(path: str) -> str:
    return {
        "/": "Beranda",
        "/profil": "Profil",
        "/struktur-organisasi": "Struktur Organisasi",
        "/kontak": "Kontak",
        "/layanan": "Layanan",
        "/ppid": "PPID",
        "/berita": "Berita",
    }[path]


def _rng(spec: SiteSpec, region: Region, topic: str) -> random.Random:
    return random.Random(f"{region.plan['seed']}:{spec.host}:{topic}")


@lru_cache(maxsize=1024)
def _person(seed: str) -> str:
    rng = random.Random(seed)
    return f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"


def make_facts(spec: SiteSpec, region: Region) -> Facts:
    rng = _rng(spec, region, "facts")
    kind = spec.kind if spec.kind in ("kelurahan", "kecamatan") else "default"
    head_title = {"kelurahan": "Lurah", "kecamatan": "Camat", "pemda": "Wali Kota"}.get(spec.kind, "Kepala")
    street = rng.choice(_STREETS)
    address = f"{street} No. {rng.randint(1, 180)}, {spec.name}, {region.pemda_name}, Lampung {rng.randint(35111, 35245)}"
    if spec.kind == "pemda":
        address = region.plan["address"]
    staff = [(head_title, _person(f"{spec.host}:0")), ("Sekretaris", _person(f"{spec.host}:1"))]
    staff += [
        (f"Kepala Seksi {n}", _person(f"{spec.host}:{i + 2}"))
        for i, n in enumerate(("Pemerintahan", "Pelayanan Umum", "Pemberdayaan Masyarakat"))
    ]
    label = spec.host.split(".")[0] if spec.host != region.root else "humas"
    return Facts(
        address, f"(0721) {rng.randint(250000, 789999)}", f"{label}@{region.root}", head_title, staff[0][1], tuple(staff), _SERVICES[kind]
    )


def make_posts(spec: SiteSpec, today: date, region: Region) -> list[Post]:
    """5-10 posts, newest first: the newest within 3 weeks of today, or 3 years old for stale sites."""
    rng = _rng(spec, region, "posts")
    titles = list(_TITLES["kelurahan" if spec.kind == "kelurahan" else "default"])
    heavy = (region.plan["opd"].get("news_heavy") or {}) if spec.kind == "opd" else {}
    links: dict[str, tuple[str, str]] = {}
    if (spec.unit_code or "").split("/")[-1] in (heavy.get("slugs") or ()):
        news = region.plan.data.get("service_news") or []
        links = {item["title"]: (item["link"], item["text"]) for item in news}
        titles = (titles + list(links)) * 3
    rng.shuffle(titles)
    newest_age = rng.randint(1, 20) + (STALE_AGE_DAYS + 30 if spec.behaviour == "stale" else 0)
    day = today - timedelta(days=newest_age)
    place = spec.name
    posts = []
    count = rng.randint(5, 10)
    for title in titles[: int(heavy.get("posts", count)) if links else count]:
        text = title.format(place=place, year=day.year, pemda=region.pemda_name)
        slug = f"{day:%Y%m%d}-{re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')}"
        summary = f"{place} menyelenggarakan kegiatan {text.lower()} pada {hari(day)}, {tanggal(day)}."
        body = (
            summary,
            f"Kegiatan ini dihadiri oleh jajaran {place} dan perwakilan masyarakat.",
            "Diharapkan kegiatan serupa dapat dilaksanakan secara rutin untuk meningkatkan pelayanan publik.",
        )
        posts.append(Post(text, slug, day, summary, body, links.get(title)))
        day -= timedelta(days=rng.randint(7, 40))
    return posts
