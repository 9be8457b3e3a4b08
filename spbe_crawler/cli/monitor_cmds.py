"""``spbe monitor ...``: availability sweeps, the long-running scheduler, figures, status page, retention."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from spbe_crawler.cli.app import app, console
from spbe_crawler.cli.app import fail as _fail

if TYPE_CHECKING:
    from datetime import datetime

    from rich.table import Table

    from spbe_crawler.monitor.figures import MonitorFigures
    from spbe_crawler.monitor.settings import MonitorSettings
    from spbe_crawler.monitor.sweep import SweepSummary

# Heavy modules (SQLAlchemy, httpx, the monitor) are imported inside the commands: see spbe_crawler.cli.

monitor_app = typer.Typer(help="Pemantauan ketersediaan situs dan portal layanan.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")

PEMDA_HELP = "Kode pemda Kemendagri (mis. 18.71) atau 'all' untuk semua."


def _settings() -> MonitorSettings:
    from spbe_crawler.monitor.settings import MonitorSettings

    try:
        return MonitorSettings.from_env()
    except ValueError as exc:
        _fail(str(exc))


def _print_summary(summary: SweepSummary) -> None:
    from spbe_crawler.reports.formatting import angka

    console.print(
        f"Sapuan #{summary.run_id} ({summary.state}): {summary.targets} situs, {summary.up} berfungsi, "
        f"{summary.down} gagal, {summary.pending} menunggu konfirmasi; insiden baru {summary.incidents_opened}, "
        f"ditutup {summary.incidents_closed}; peringatan terkirim {summary.alerts_sent}; {angka(summary.seconds, 1)} detik.",
        markup=False,
        highlight=False,
    )
    if summary.pending:
        console.print(
            f"{summary.pending} situs gagal sekali dan menunggu konfirmasi: percobaan berikutnya pada sapuan berikutnya "
            "atau oleh 'spbe monitor run' begitu jedanya lewat (SPBE_MONITOR_CONFIRM_DELAY); "
            "'spbe monitor sweep --tunggu-konfirmasi' menunggunya sekarang.",
            markup=False,
            highlight=False,
        )


async def _locked_sweep(
    scope: str, target_class: str | None, settings: MonitorSettings, shard: tuple[int, int] | None = None, wait: bool = False
) -> SweepSummary:
    """One sweep under the lease. SIGTERM/SIGINT cancel it once: the sweep records ``interrupted``
    (or, when it was already delivering alerts, stays ``finished`` with the rest left in the
    outbox) and the lease is released before the process ends."""
    import asyncio
    import signal

    from spbe_crawler.monitor.lease import LEASE_NAME, holding, new_holder
    from spbe_crawler.monitor.sweep import run_sweep
    from spbe_crawler.store.db import get_engine

    loop, me, stopped = asyncio.get_running_loop(), asyncio.current_task(), asyncio.Event()

    def stop() -> None:
        if not stopped.is_set() and me is not None:
            stopped.set()
            me.cancel("signal")

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop)
    try:
        engine = get_engine()
        lease = LEASE_NAME if shard is None else f"{LEASE_NAME}:{shard[0] + 1}/{shard[1]}"
        async with holding(engine, new_holder(), scope, settings.lease_ttl, name=lease):
            return await run_sweep(engine, scope, target_class, settings=settings, shard=shard, until_confirmed=wait)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


def _shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        part, count = (int(x) for x in text.split("/"))
    except ValueError:
        _fail(f"--bagian harus berbentuk K/N (mis. 1/4), bukan {text!r}")
    if not 1 <= part <= count:
        _fail(f"--bagian {text}: K harus antara 1 dan N")
    return part - 1, count


@monitor_app.command("sweep")
def sweep_cmd(
    pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP),
    kelas: str | None = typer.Option(None, "--kelas", help="Hanya 'portal' (portal layanan) atau 'unit' (situs unit)."),
    bagian: str | None = typer.Option(
        None, "--bagian", "--shard", help="Bagian K/N: hanya situs dengan id mod N = K-1 (N proses berdampingan, mis. 1/4 ... 4/4)."
    ),
    tunggu_konfirmasi: bool = typer.Option(
        False,
        "--tunggu-konfirmasi",
        help="Setelah sapuan, tunggu dan ulangi probe situs yang gagal sampai semuanya terkonfirmasi (N dari M percobaan).",
    ),
) -> None:
    """Satu kali sapuan: probe setiap situs lingkup ini sekali, catat insiden, kirim peringatan.

    Situs yang baru gagal menunggu konfirmasi (N dari M percobaan, SPBE_MONITOR_CONFIRM_*) sebelum
    insiden dibuka; percobaan berikutnya datang dari sapuan berikutnya, dari 'spbe monitor run',
    atau dari sapuan ini sendiri dengan --tunggu-konfirmasi."""
    import asyncio

    from spbe_crawler.monitor.lease import LeaseBusy

    if kelas not in (None, "portal", "unit"):
        _fail(f"--kelas harus 'portal' atau 'unit', bukan {kelas!r}")
    try:
        summary = asyncio.run(_locked_sweep(pemda, kelas, _settings(), _shard(bagian), tunggu_konfirmasi))
    except LeaseBusy as busy:
        _fail(str(busy))
    except (KeyboardInterrupt, asyncio.CancelledError):
        _fail("Sapuan dihentikan: hasil yang sudah ada disimpan dan lease dilepas.", 130)
    _print_summary(summary)


@monitor_app.command("antrean")
def queue_cmd(
    bagian: int = typer.Option(..., "--bagian", "--shards", min=1, help="Jumlah bagian N: bagian 1/N ... N/N dikerjakan spbe worker."),
    pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP),
    kelas: str | None = typer.Option(None, "--kelas", help="Hanya 'portal' (portal layanan) atau 'unit' (situs unit)."),
    tunggu: bool = typer.Option(False, "--tunggu", help="Tunggu sampai semua bagian selesai disapu."),
) -> None:
    """Bagikan satu sapuan ke pekerja (spbe worker) lewat antrean Redis yang sama dengan survei."""
    from spbe_crawler.cli.worker_cmds import queue_monitor_sweep

    if kelas not in (None, "portal", "unit"):
        _fail(f"--kelas harus 'portal' atau 'unit', bukan {kelas!r}")
    queue_monitor_sweep(pemda, bagian, kelas, wait=tunggu)


@monitor_app.command("run")
def run_cmd(
    pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP),
    duration: float | None = typer.Option(None, "--duration", help="Berhenti setelah sekian detik (bawaan: terus berjalan)."),
    survey: bool = typer.Option(
        True, "--survei/--tanpa-survei", help="Jalankan juga survei penuh (spbe run) tiap SPBE_MONITOR_SURVEY_INTERVAL."
    ),
) -> None:
    """Pemantauan terus-menerus: portal tiap 5 menit, situs unit tiap jam, survei tiap minggu (SPBE_MONITOR_*)."""
    import asyncio

    from spbe_crawler.monitor.scheduler import Scheduler, serve
    from spbe_crawler.monitor.survey_hook import survey_subprocess
    from spbe_crawler.store.db import get_engine

    settings = _settings()
    hook = survey_subprocess if survey and pemda != "all" else None
    scheduler = Scheduler(get_engine(), pemda, settings=settings, survey_hook=hook)
    console.print(
        f"Pemantauan {pemda} berjalan: portal tiap {settings.portal_interval:.0f} detik, "
        f"situs unit tiap {settings.unit_interval:.0f} detik. Hentikan dengan Ctrl+C atau SIGTERM.",
        markup=False,
        highlight=False,
    )
    if asyncio.run(serve(scheduler, duration)):
        console.print("Dihentikan: sapuan yang berjalan dibatalkan dan lease dilepas.")


def _sites_table(figures: MonitorFigures) -> Table:
    from rich.table import Table
    from rich.text import Text

    from spbe_crawler.monitor.figures import WINDOW_LABELS
    from spbe_crawler.reports.formatting import cert_label
    from spbe_crawler.vocab import WebsiteRole

    table = Table(title=f"Ketersediaan situs — {figures.scope_name}")
    for column in ("Unit", "Jenis", "Situs", "Status terakhir", *WINDOW_LABELS.values(), "p50 24 jam", "p95 24 jam", "Sertifikat"):
        table.add_column(column)
    for s in figures.sites:
        table.add_row(
            Text(s.unit_name),
            s.unit_kind + (" (portal)" if s.role == WebsiteRole.PORTAL else ""),
            Text(s.url),
            Text(_status_text(s)),
            *[_pct(s.uptime[w].percent) for w in WINDOW_LABELS],
            _ms(s.p50_ms["24h"]),
            _ms(s.p95_ms["24h"]),
            cert_label(s.cert_days_left),
        )
    return table


def _status_text(site: Any) -> str:
    from spbe_crawler.health.status import info

    last = info(site.last_status).label if site.last_status else "Belum diperiksa"
    if site.pending_since is None:
        return last
    return f"{info(site.pending_status).label}, menunggu konfirmasi" + (f" (terakhir terkonfirmasi: {last})" if site.last_status else "")


def _pct(value: float | None) -> str:
    from spbe_crawler.reports.formatting import persen

    return persen(value, 2)


def _ms(value: float | None) -> str:
    from spbe_crawler.reports.formatting import angka

    return "–" if value is None else f"{angka(value)} md"


def _print_figures(figures: MonitorFigures) -> None:
    from rich.table import Table
    from rich.text import Text

    from spbe_crawler.monitor.figures import CERT_HORIZON, WINDOW_LABELS, expiring_certs
    from spbe_crawler.reports.formatting import cert_label, format_duration, waktu

    console.print(_sites_table(figures))
    kinds = Table(title="Ketersediaan menurut jenis unit")
    for column in ("Jenis unit", "Situs", *WINDOW_LABELS.values()):
        kinds.add_column(column)
    for k in figures.kinds:
        kinds.add_row(k.kind, str(k.sites), *[_pct(k.uptime[w].percent) for w in WINDOW_LABELS])
    console.print(kinds)
    incidents = Table(title="Insiden 30 hari terakhir")
    for column in ("Situs", "Gangguan", "Mulai", "Selesai", "Durasi"):
        incidents.add_column(column)
    unit_of = {s.website_id: s.unit_code for s in figures.sites}
    for i in figures.incidents:
        code = unit_of.get(i.website_id)  # times in the zone of the site's pemda (WIB, WITA, WIT)
        ended = waktu(i.ended_at, code) if i.ended_at else "masih berlangsung"
        incidents.add_row(
            Text(i.url),
            Text(f"{i.label}: {i.detail}" if i.detail else i.label),
            waktu(i.started_at, code),
            ended,
            format_duration(i.duration_s),
        )
    console.print(incidents)
    certs = ", ".join(f"{s.host} ({cert_label(s.cert_days_left)})" for s in expiring_certs(figures)) or "tidak ada"
    console.print(f"Sertifikat kedaluwarsa dalam {CERT_HORIZON} hari: {certs}", markup=False, highlight=False)


@monitor_app.command("status")
def status_cmd(pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP)) -> None:
    """Tabel ketersediaan, latensi, insiden dan sertifikat."""
    from spbe_crawler import config
    from spbe_crawler.monitor.figures import monitor_figures
    from spbe_crawler.store.monitor_reader import open_sqlite

    reader = open_sqlite(config.database_url())  # SQLite: no SQLAlchemy import, instant start
    if reader is not None:
        with reader:
            figures = monitor_figures(reader, pemda)
    else:
        from sqlmodel import Session

        from spbe_crawler.store.db import get_engine

        with Session(get_engine()) as session:
            figures = monitor_figures(session, pemda)
    _print_figures(figures)


def _reading() -> Any:
    """A read-only source of figures: the SQLite file straight through the DB-API when possible
    (instant start), else a SQLAlchemy session (PostgreSQL, or a store not created yet)."""
    from contextlib import contextmanager

    from spbe_crawler import config
    from spbe_crawler.store.monitor_reader import open_sqlite

    @contextmanager
    def opened() -> Any:
        reader = open_sqlite(config.database_url())
        if reader is not None:
            with reader:
                yield reader
            return
        from sqlmodel import Session

        from spbe_crawler.store.db import get_engine

        with Session(get_engine()) as session:
            yield session

    return opened()


@monitor_app.command("page")
def page_cmd(
    pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP),
    out: Path = typer.Option(..., "--out", help="Folder tujuan halaman status (index.html dan lencana badge/*.svg)."),
    segarkan: int = typer.Option(300, "--segarkan", help="Muat ulang halaman otomatis tiap sekian detik (0: tidak)."),
) -> None:
    """Tulis halaman status statis (HTML luring) yang dapat diterbitkan pemda."""
    from spbe_crawler.monitor.page import write_status_page

    with _reading() as source:
        path = write_status_page(source, pemda, out, refresh=max(segarkan, 0) if isinstance(segarkan, int) else 300)
    console.print(f"Halaman status: {path}", markup=False, highlight=False)


@monitor_app.command("metrics")
def metrics_cmd(
    pemda: str = typer.Option("all", "--pemda", help=PEMDA_HELP),
    out: Path | None = typer.Option(None, "--out", help="Berkas .prom untuk textfile collector node_exporter (bawaan: keluaran standar)."),
) -> None:
    """Metrik Prometheus per situs: status, latensi, ketersediaan, sisa hari sertifikat."""
    from spbe_crawler.monitor.figures import monitor_figures
    from spbe_crawler.monitor.metrics import prometheus_text, write_textfile

    with _reading() as source:
        text = prometheus_text(monitor_figures(source, pemda))
    if out is None:
        typer.echo(text, nl=False)
        return
    write_textfile(out, text)
    console.print(f"Metrik Prometheus: {out}", markup=False, highlight=False)


maintenance_app = typer.Typer(help="Jendela pemeliharaan: probe berjalan, peringatan gangguan ditahan.", no_args_is_help=True)
monitor_app.add_typer(maintenance_app, name="pemeliharaan")


def _moment(text: str, option: str) -> datetime:
    """``2026-12-01 22:00`` in the pemda's zone (or with an explicit offset) as aware UTC."""
    from datetime import UTC, datetime

    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        _fail(f"{option} harus berformat 'YYYY-MM-DD HH:MM' (mis. 2026-12-01 22:00), bukan {text!r}")
    return value.astimezone(UTC) if value.tzinfo else value


@maintenance_app.command("tambah")
def maintenance_add_cmd(
    mulai: str = typer.Option(..., "--mulai", help="Mulai, 'YYYY-MM-DD HH:MM' waktu setempat pemda (WIB/WITA/WIT)."),
    selesai: str = typer.Option(..., "--selesai", help="Selesai, 'YYYY-MM-DD HH:MM' waktu setempat pemda."),
    situs: str | None = typer.Option(None, "--situs", help="URL satu situs (bawaan: semua situs --pemda)."),
    pemda: str = typer.Option("all", "--pemda", help="Kode pemda/unit yang seluruh situsnya dipelihara, atau 'all'."),
    catatan: str = typer.Option("", "--catatan", help="Keterangan yang tampil di halaman status."),
) -> None:
    """Jadwalkan pemeliharaan: tidak ada peringatan gangguan, halaman status menampilkan 'pemeliharaan'."""
    from datetime import UTC

    from sqlmodel import Session

    from spbe_crawler.monitor.maintenance import add_window
    from spbe_crawler.reports.formatting import waktu, zone_of
    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.registry_queries import website_by_url

    with Session(get_engine()) as session:
        website_id, scope = None, pemda
        if situs:
            site = website_by_url(session, situs.strip())
            if site is None:
                _fail(f"situs {situs!r} tidak ada di registri (lihat spbe registry show)")
            website_id, scope = site.id, site.unit_code
        zone = zone_of(None if scope == "all" else scope)
        starts, ends = (
            (m if m.tzinfo else m.replace(tzinfo=zone)).astimezone(UTC) for m in (_moment(mulai, "--mulai"), _moment(selesai, "--selesai"))
        )
        try:
            window_id = add_window(session, starts, ends, scope=scope, website_id=website_id, note=catatan)
        except ValueError as exc:
            _fail(str(exc))
    code = None if scope == "all" else scope
    console.print(
        f"Pemeliharaan #{window_id}: {situs or 'semua situs ' + pemda}, {waktu(starts, code)} – {waktu(ends, code)}.",
        markup=False,
        highlight=False,
    )


@maintenance_app.command("daftar")
def maintenance_list_cmd() -> None:
    """Daftar pemeliharaan yang sedang berjalan atau akan datang."""
    from sqlmodel import Session

    from spbe_crawler.monitor.maintenance import list_windows
    from spbe_crawler.reports.formatting import waktu
    from spbe_crawler.store.db import get_engine

    with Session(get_engine()) as session:
        windows = list_windows(session)
    if not windows:
        console.print("Tidak ada pemeliharaan terjadwal.")
    for w in windows:
        code = None if w.scope == "all" else w.scope
        target = f"situs #{w.website_id}" if w.website_id is not None else f"semua situs {w.scope}"
        console.print(
            f"#{w.id} {target}: {waktu(w.starts_at, code)} – {waktu(w.ends_at, code)} {w.note}".rstrip(), markup=False, highlight=False
        )


@maintenance_app.command("hapus")
def maintenance_remove_cmd(nomor: int = typer.Argument(..., help="Nomor pemeliharaan (lihat 'daftar').")) -> None:
    """Hapus satu jadwal pemeliharaan."""
    from sqlmodel import Session

    from spbe_crawler.monitor.maintenance import remove_window
    from spbe_crawler.store.db import get_engine

    with Session(get_engine()) as session:
        if not remove_window(session, nomor):
            _fail(f"pemeliharaan #{nomor} tidak ada")
    console.print(f"Pemeliharaan #{nomor} dihapus.")


@monitor_app.command("rollup")
def rollup_cmd(
    hari: float | None = typer.Option(
        None, "--hari", help="Ringkas probe lebih tua dari sekian hari (bawaan: SPBE_MONITOR_RETENTION_DAYS)."
    ),
) -> None:
    """Ringkas probe mentah lama menjadi ringkasan per jam (angka ketersediaan tetap sama)."""
    from spbe_crawler.monitor.rollup import rollup_probes
    from spbe_crawler.reports.formatting import angka, waktu
    from spbe_crawler.store.db import get_engine

    days = hari if hari is not None else _settings().retention_days
    result = rollup_probes(get_engine(), days)
    console.print(
        f"{angka(result.probes)} probe sebelum {waktu(result.cutoff)} diringkas ke {angka(result.rollups)} baris per jam.",
        markup=False,
        highlight=False,
    )
