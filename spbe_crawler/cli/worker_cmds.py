"""``spbe worker`` and the queued form of ``spbe run`` (several pemda, a province, the whole country)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import typer
from rich.markup import escape

from spbe_crawler import config
from spbe_crawler.cli.app import app, console, err_console
from spbe_crawler.cluster.settings import ClusterSettings


def _queue():  # type: ignore[no-untyped-def]
    from spbe_crawler.cluster.queue import JobQueue, connect

    knobs = ClusterSettings.from_env()
    url = knobs.redis_url
    if not url:
        err_console.print(
            "SPBE_REDIS_URL belum diatur: survei banyak pemda dan sapuan berbagian dibagikan ke pekerja lewat Redis "
            "(mis. SPBE_REDIS_URL=redis://127.0.0.1:6379/0), lalu jalankan spbe worker.",
            style="red",
            markup=False,
        )
        raise typer.Exit(2)
    try:
        return JobQueue(connect(url), knobs.redis_prefix, knobs.lease_seconds)
    except Exception as problem:  # redis.ConnectionError and friends
        err_console.print(f"Redis di {url} tidak dapat dihubungi: {problem}", style="red", markup=False)
        raise typer.Exit(2) from None


def run_queued(codes: list[str], wait: bool, out: Path | None) -> None:
    """Queue one job per pemda; with ``wait``, follow the workers and write each finished pemda's reports."""
    from spbe_crawler.cluster import batch as batches
    from spbe_crawler.jobs import ensure_registry

    queue = _queue()
    for code in codes:  # the units must be in the shared store before a worker takes the pemda
        ensure_registry(code)
    batch = batches.new_batch_id()
    added = batches.enqueue(queue, codes, batch)
    console.print(f"Antrean {escape(batch)}: {added} pemda dimasukkan ({len(codes) - added} sudah ada di antrean).")
    if not wait:
        console.print("Jalankan spbe worker di satu atau beberapa mesin untuk mengerjakannya.")
        return

    def show(state: batches.BatchProgress) -> None:
        failed = f", gagal {len(state.failed)}" if state.failed else ""
        console.print(f"Selesai {len(state.finished)} dari {len(state.codes)} pemda{failed}.", highlight=False)

    state = _wait(batch, codes, show)
    for code, error in state.failed.items():
        err_console.print(f"Pemda {code} gagal dan disisihkan (lihat spbe antrean status): {error}", style="red", markup=False)
    out_dir = out or config.reports_dir()
    for code in codes:
        run_id = state.finished.get(code)
        if run_id is not None:
            _write_reports(code, run_id, out_dir)


def _wait(batch: str, codes: list[str], show):  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from spbe_crawler.cluster import batch as batches
    from spbe_crawler.store.db import get_engine

    return batches.wait(lambda: Session(get_engine()), batch, codes, on_progress=show)


def _write_reports(code: str, run_id: int, out_dir: Path) -> None:
    from spbe_crawler.jobs import DEFAULT_FRAMEWORK, JobResult, assess
    from spbe_crawler.reports.coverage import write_coverage
    from spbe_crawler.store.db import session_scope

    with session_scope() as session:
        html, csv_path, coverage = write_coverage(session, code, out_dir, run_id)
    result = JobResult(code, run_id, "finished", coverage, html, csv_path)
    assess(result, DEFAULT_FRAMEWORK, out_dir)
    console.print(f"{escape(coverage.pemda_name)}: {escape(str(html))}", highlight=False)


def queue_monitor_sweep(scope: str, parts: int, target_class: str | None, wait: bool) -> None:
    """Queue the N shards of one monitor sweep; with ``wait``, until the workers have swept them all."""
    import time

    from spbe_crawler.cluster import batch as batches
    from spbe_crawler.cluster.monitor_jobs import enqueue_sweep

    queue = _queue()
    batch = batches.new_batch_id()
    added = enqueue_sweep(queue, scope, parts, target_class, batch)
    console.print(
        f"Sapuan {escape(batch)}: {added} dari {parts} bagian dimasukkan ke antrean"
        + (f" ({parts - added} masih dikerjakan dari putaran sebelumnya)" if added < parts else "")
        + ".",
        highlight=False,
    )
    if not wait or not added:
        return
    while True:
        left = [j for j in queue.pending() if j.batch == batch]
        left += [j for jobs in queue.in_flight().values() for j in jobs if j.batch == batch]
        if not left:
            break
        time.sleep(1)
    console.print(f"Sapuan {escape(batch)}: semua bagian selesai.", highlight=False)


@app.command("worker")
def worker_command(
    processes: int = typer.Option(1, "--proses", min=1, help="Jumlah proses pekerja di mesin ini"),
    idle_exit: float | None = typer.Option(
        None, "--berhenti-bila-kosong", help="Berhenti bila antrean kosong sekian detik (bawaan: terus menunggu)"
    ),
) -> None:
    """Kerjakan survei (situs per unit) dan sapuan pemantauan dari antrean bersama (Redis, $SPBE_REDIS_URL).

    Semua pekerja berbagi situs setiap pemda; basis data bersama di $SPBE_DATABASE_URL.
    """
    queue = _queue()
    queue.client.close()
    if processes > 1:
        _spawn(processes, idle_exit)
        return
    from spbe_crawler.cluster.worker import Worker

    knobs = ClusterSettings.from_env()
    worker = Worker(
        knobs.redis_url,
        prefix=knobs.redis_prefix,
        lease_seconds=knobs.lease_seconds,
        idle_exit=idle_exit,
    )
    console.print(f"Pekerja {escape(worker.worker)} siap; log di {escape(str(config.home_dir() / 'logs'))}.")
    report = worker.run()
    console.print(
        f"Pekerja {escape(report.worker)} berhenti: {report.units} unit diperiksa, {len(report.finished)} pemda diselesaikan"
        + (f", {len(report.shards)} bagian pemantauan" if report.shards else "")
        + (f", {len(report.given_back)} pekerjaan dikembalikan ke antrean" if report.given_back else "")
        + (f", {len(report.skipped)} sudah selesai oleh pekerja lain" if report.skipped else "")
        + (f", {len(report.failed)} pekerjaan disisihkan karena gagal berulang" if report.failed else ""),
        highlight=False,
    )
    if report.error:
        err_console.print(f"Galat: {report.error}", style="red", markup=False)
        raise typer.Exit(1)


JOB_WORDS = {"pemda": "rencana pemda", "unit": "unit", "finish": "langkah akhir", "monitor": "bagian pemantauan"}

queue_app = typer.Typer(help="Antrean bersama pekerja: lihat isinya, lepaskan pemda yang macet.", no_args_is_help=True)
app.add_typer(queue_app, name="antrean")


@queue_app.command("status")
def queue_status_cmd() -> None:
    """Isi antrean: pekerjaan menunggu, pekerjaan yang dipegang tiap pekerja (hidup atau mati), pemda aktif."""
    from collections import Counter

    from rich.table import Table

    from spbe_crawler.cluster.queue import JOBS, UNITS, Job

    overview = _queue().overview()
    console.print(
        f"Menunggu: {len(overview.queued[JOBS])} pekerjaan kendali, {len(overview.queued[UNITS])} unit. "
        f"Pemda/bagian aktif: {len(overview.active)}.",
        highlight=False,
    )
    table = Table(title="Pekerja")
    for column in ("Pekerja", "Keadaan", "Dipegang"):
        table.add_column(column)
    for worker, jobs in overview.in_flight.items():
        kinds = Counter(job.kind for job in jobs)
        held = ", ".join(f"{n} {JOB_WORDS.get(kind, kind)}" for kind, n in sorted(kinds.items())) or "–"
        table.add_row(escape(worker), "hidup" if overview.alive[worker] else "mati (pekerjaannya kembali ke antrean)", held)
    console.print(table)
    per_pemda = Counter(job.pemda for jobs in (*overview.queued.values(), *overview.in_flight.values()) for job in jobs)
    active = Table(title="Aktif (diantrekan, direncanakan atau berjalan)")
    for column in ("Kunci", "Pekerjaan di antrean/dipegang"):
        active.add_column(column)
    for key in sorted(overview.active):
        active.add_row(escape(key), str(per_pemda.get(key, 0)))
    console.print(active)
    if overview.dead:
        dead = Table(title="Disisihkan setelah gagal berulang (perbaiki penyebabnya, lalu antrekan lagi)")
        for column in ("Pekerjaan", "Galat terakhir", "Pekerja"):
            dead.add_column(column)
        for record in overview.dead:
            job = Job.parse(record["job"])
            what = f"{JOB_WORDS.get(job.kind, job.kind)} {job.pemda}" + (f" {job.shard}" if job.shard else "")
            dead.add_row(escape(what), escape(str(record.get("error", ""))), escape(str(record.get("worker", ""))))
        console.print(dead)


@queue_app.command("lepas")
def queue_release_cmd(pemda: str = typer.Option(..., "--pemda", help="Kode pemda yang macet, mis. 18.71")) -> None:
    """Lepaskan pemda yang macet (mis. langkah akhirnya selalu gagal) agar dapat diantrekan lagi.

    Pekerjaan pemda itu yang menunggu atau dipegang pekerja mati dihapus; ditolak selama pekerja yang
    hidup memegangnya. Run-nya di basis data ditandai terputus oleh survei berikutnya."""
    from spbe_crawler.cluster.queue import QueueBusy

    queue = _queue()
    try:
        removed = queue.drop_pemda(pemda)
    except QueueBusy as busy:
        err_console.print(
            f"Pemda {pemda} sedang dikerjakan oleh pekerja yang hidup ({busy}); hentikan pekerja itu dulu.",
            style="red",
            markup=False,
        )
        raise typer.Exit(2) from None
    console.print(f"Pemda {escape(pemda)} dilepas: {removed} pekerjaan dihapus; dapat diantrekan lagi dengan spbe run.", highlight=False)


def _spawn(processes: int, idle_exit: float | None) -> None:
    args = [sys.executable, "-m", "spbe_crawler", "worker", "--proses", "1"]
    if idle_exit is not None:
        args += ["--berhenti-bila-kosong", str(idle_exit)]
    children = [subprocess.Popen(args, env=os.environ.copy()) for _ in range(processes)]

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    if any(codes):
        raise typer.Exit(1)
