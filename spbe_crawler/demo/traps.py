"""Resilience traps for the crawler (issue #3), planted on otherwise healthy OPD sites.

Each trap has an entry URL linked from the site's home page and a handler that answers every URL
the trap leads to. None of them may make the crawl of the site fail: the home page stays normal.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import re
import threading
from collections.abc import Callable, Iterator
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qs

from spbe_crawler.demo.dates import bulan
from spbe_crawler.demo.messages import HTML, Request, Response, html, redirect

GZIP_BOMB_SIZE = 110 * 1024 * 1024  # inflated size
HUGE_PAGE_SIZE = 50 * 1024 * 1024
REDIRECT_CHAIN_LENGTH = 30
LONG_URL_LENGTH = 3000
_CHUNK = 64 * 1024

# name -> (entry path pattern, link text); "{month}" is today's YYYY-MM, "{sid}" a session id
TRAP_LINKS: dict[str, tuple[str, str]] = {
    "endless_calendar": ("/agenda?bulan={month}", "Agenda Kegiatan"),
    "session_ids": ("/galeri;jsessionid={sid}", "Galeri Foto"),
    "url_growth": ("/kategori/", "Kategori Berita"),
    "long_url": ("/cari?q=" + "informasi+publik+" * (LONG_URL_LENGTH // 17), "Pencarian Informasi"),
    "redirect_chain": ("/unduhan/tautan/1", "Tautan Unduhan"),
    "gzip_bomb": ("/data/statistik-sekolah.html", "Statistik Sekolah"),
    "huge_page": ("/arsip/semua-berita.html", "Arsip Semua Berita"),
    "wrong_charset": ("/pengumuman/hasil-seleksi.html", "Pengumuman Hasil Seleksi"),
    "no_charset": ("/pengumuman/jadwal-ppdb.html", "Jadwal PPDB"),
    "malformed_html": ("/profil-lama.html", "Profil (versi lama)"),
}
_session_counter = itertools.count(1)
_session_lock = threading.Lock()


def new_session_id() -> str:
    """A fresh id on every call, like a server that starts a session for each cookie-less visit."""
    with _session_lock:
        number = next(_session_counter)
    return hashlib.sha1(f"sesi-{number}".encode()).hexdigest()[:32].upper()


def trap_entry_url(name: str, today: date, sid: str = "0" * 32) -> str:
    return TRAP_LINKS[name][0].format(month=f"{today:%Y-%m}", sid=sid)


def trap_links(names: list[str], today: date) -> list[dict[str, str]]:
    """Links for the home page of a trap site (fresh session ids on each render)."""
    return [{"url": trap_entry_url(n, today, new_session_id()), "text": TRAP_LINKS[n][1]} for n in names]


def respond(names: list[str], request: Request, today: date, render: Callable[..., str]) -> Response | None:
    """The trap response for ``request``, or None when no trap of the site covers its URL."""
    for name in names:
        response = _HANDLERS[name](request, today, render)
        if response is not None:
            return response
    return None


def _calendar(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != "/agenda":
        return None
    value = parse_qs(request.query).get("bulan", [""])[0]
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    year, month = (int(match[1]), int(match[2])) if match and 1 <= int(match[2]) <= 12 else (today.year, today.month)
    following = (year + month // 12, month % 12 + 1)
    previous = (year - (month == 1), (month - 2) % 12 + 1)
    links = [
        (f"/agenda?bulan={y:04d}-{m:02d}", text) for (y, m), text in ((previous, "« Bulan sebelumnya"), (following, "Bulan berikutnya »"))
    ]
    return html(
        200,
        render(
            f"Agenda Kegiatan {bulan(year, month)}",
            [f"Agenda kegiatan bulan {bulan(year, month)}.", "Belum ada agenda kegiatan pada bulan ini."],
            links,
        ),
    )


def _sessions(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if not (request.path == "/galeri" or request.path.startswith(("/galeri;", "/galeri/"))):
        return None
    links = [(f"/galeri/foto-{n};jsessionid={new_session_id()}", f"Foto kegiatan {n}") for n in range(1, 5)]
    links.append((f"/galeri?PHPSESSID={new_session_id().lower()}&hal=2", "Halaman berikutnya"))
    return html(200, render("Galeri Foto", ["Dokumentasi foto kegiatan."], links))


def _url_growth(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if not re.fullmatch(r"/kategori/(kategori/)*", request.path):
        return None
    # A relative link: every page links one level deeper, for ever.
    return html(200, render("Kategori Berita", ["Daftar kategori berita."], [("kategori/", "Semua kategori")]))


def _long_url(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != "/cari":
        return None
    query = parse_qs(request.query).get("q", [""])[0][:120]
    return html(200, render("Hasil Pencarian", [f"Hasil pencarian untuk: {query}", "Tidak ada hasil."]))


def _redirect_chain(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    match = re.fullmatch(r"/unduhan/tautan/(\d{1,6})", request.path)
    if not match:
        return None
    step = int(match[1])
    if step < REDIRECT_CHAIN_LENGTH:
        return redirect(f"/unduhan/tautan/{step + 1}")
    return html(200, render("Tautan Unduhan", ["Akhir rantai pengalihan."]))


def _gzip_bomb(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != TRAP_LINKS["gzip_bomb"][0]:
        return None
    return Response(200, gzip_bomb(), HTML, [("Content-Encoding", "gzip")])


@lru_cache(maxsize=1)
def gzip_bomb(size: int = GZIP_BOMB_SIZE) -> bytes:
    """A ~100 KB gzip body that inflates to ``size`` bytes of HTML whitespace (computed once)."""
    buffer = io.BytesIO()
    block = b" " * (1024 * 1024)
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as stream:
        stream.write(b'<!DOCTYPE html><html lang="id"><head><title>Statistik</title></head><body>')
        for _ in range(size // len(block)):
            stream.write(block)
        stream.write(b"</body></html>")
    return buffer.getvalue()


def _huge_page(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != TRAP_LINKS["huge_page"][0]:
        return None
    return Response(200, huge_page_chunks(HUGE_PAGE_SIZE), HTML, length=HUGE_PAGE_SIZE)


def huge_page_chunks(size: int) -> Iterator[bytes]:
    """Exactly ``size`` bytes of HTML, streamed in 64 KB chunks (never held in memory)."""
    head = b'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Arsip Semua Berita</title></head><body>\n'
    tail = b"</body></html>\n"
    row = b"<p>Arsip berita kegiatan dinas: rapat koordinasi, sosialisasi, dan pelayanan masyarakat.</p>\n"
    rows, pad = divmod(size - len(head) - len(tail), len(row))
    yield head
    per_chunk = max(1, _CHUNK // len(row))
    block = row * per_chunk
    full, rest = divmod(rows, per_chunk)
    for _ in range(full):
        yield block
    yield row * rest + b" " * pad + tail


_CP1252_TEXT = (
    "Pengumuman Hasil Seleksi “Beasiswa Prestasi” – Tahun Anggaran berjalan. "
    "Peserta dinyatakan lulus seleksi administrasi; jadwal wawancara menyusul … Café Literasi."
)


def _wrong_charset(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != TRAP_LINKS["wrong_charset"][0]:
        return None
    page = render("Pengumuman Hasil Seleksi", [_CP1252_TEXT])
    return Response(200, page.encode("cp1252"), "text/html; charset=utf-8")


def _no_charset(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != TRAP_LINKS["no_charset"][0]:
        return None
    page = render("Jadwal PPDB", ["Pendaftaran Peserta Didik Baru – jalur “zonasi” dibuka pukul 08.00 WIB."])
    page = page.replace('<meta charset="utf-8">\n', "")
    return Response(200, page.encode("utf-8"), "text/html")


_MALFORMED = """<html><head><title>Profil Dinas (versi lama)</title>
<body bgcolor=#ffffff><table width=100%><tr><td><font face=Arial size=2><b>Profil Dinas
<p>Visi: <i>Terwujudnya pendidikan yang <b>bermutu</i></b> dan merata
<<div class="misi">Misi<ul><li>Meningkatkan akses<li>Meningkatkan mutu</ul></td>
<a href="/profil>Profil baru</a> <a href='/kontak'>Kontak</a
<img src="logo.gif" alt="logo" <br><br/></font></tr></table></html>
<script>document.write("<p>sisa skrip lama")</script><p>Terakhir diperbarui 2009
"""


def _malformed(request: Request, today: date, render: Callable[..., str]) -> Response | None:
    if request.path != TRAP_LINKS["malformed_html"][0]:
        return None
    return html(200, _MALFORMED)


_HANDLERS: dict[str, Callable[[Request, date, Callable[..., str]], Response | None]] = {
    "endless_calendar": _calendar,
    "session_ids": _sessions,
    "url_growth": _url_growth,
    "long_url": _long_url,
    "redirect_chain": _redirect_chain,
    "gzip_bomb": _gzip_bomb,
    "huge_page": _huge_page,
    "wrong_charset": _wrong_charset,
    "no_charset": _no_charset,
    "malformed_html": _malformed,
}
