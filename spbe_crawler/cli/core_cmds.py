"""The main job commands: ``spbe run``, ``spbe demo``, ``spbe export``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from spbe_crawler import config
from spbe_crawler.cli.app import app, console, err_console
from spbe_crawler.cli.scoring_cmds import index_line
from spbe_crawler.jobs import JobResult, discovery_preview, ensure_registry, survey_and_report
from spbe_crawler.registry.results import RegistryError
from spbe_crawler.reports.formatting import angka_teks
from spbe_crawler.survey.runs import RunBusy, exclusive_run


def _print_result(result: JobResult) -> None:
    table = Table(title=f"Cakupan situs web — {escape(result.coverage.pemda_name)}")
    table.add_column("Jenis unit")
    table.add_column("Jumlah", justify="right")
    table.add_column("Punya situs", justify="right")
    table.add_column("Berfungsi", justify="right")
    for line in result.coverage.summary():
        table.add_row(line["label"], str(line["total"]), str(line["with_site"]), str(line["working"]))
    console.print(table)
    for line in result.coverage.summary():
        console.print(f"• {line['sentence']} ({line['before_sentence']})", markup=False, highlight=False)
    if result.finish_reason and result.finish_reason != "finished":
        err_console.print(f"[yellow]Survei berhenti ({result.finish_reason}); jalankan lagi untuk melanjutkan.[/]")
    if result.index:
        shares = result.index["shares"]
        console.print(index_line(result.index), markup=False, highlight=False)
        console.print(
            f"Dari {shares['total']} indikator: {shares['confirmed']} dikonfirmasi penilai, "
            f"{shares['estimated']} perkiraan dari survei ({angka_teks(str(shares['estimated_weight_pct']))}% bobot), "
            f"{shares['none']} belum ada bukti."
        )
    console.print(f"Laporan cakupan:  [bold]{escape(str(result.coverage_html))}[/]")
    console.print(f"CSV cakupan:      {escape(str(result.coverage_csv))}")
    if result.report_html:
        console.print(f"Laporan penilaian: [bold]{escape(str(result.report_html))}[/]")
    if result.worksheet:
        console.print(f"Lembar kerja penilai: {escape(str(result.worksheet))}")


@app.command("run")
def run_command(
    pemda: str | None = typer.Option(None, "--pemda", help="Kode pemda Kemendagri, mis. 18.71; beberapa dipisah koma"),
    new: bool = typer.Option(False, "--baru", help="Mulai survei baru walau ada survei yang terputus"),
    out: Path | None = typer.Option(None, "--out", help="Folder laporan (bawaan: $SPBE_HOME/reports)"),
    provinsi: str | None = typer.Option(None, "--provinsi", help="Semua pemda satu provinsi, mis. 18 (lewat antrean pekerja)"),
    all_pemda: bool = typer.Option(False, "--semua", "--all", help="Semua 514 pemda (lewat antrean pekerja)"),
    no_wait: bool = typer.Option(False, "--tanpa-tunggu", help="Antrean: masukkan saja, jangan tunggu pekerja"),
) -> None:
    """Survei situs web semua unit pemda lalu tulis laporan cakupan.

    Satu pemda tanpa $SPBE_REDIS_URL disurvei di proses ini; beberapa pemda, satu provinsi, atau
    semua pemda dimasukkan ke antrean Redis dan dikerjakan oleh spbe worker.
    """
    from spbe_crawler.cli.worker_cmds import run_queued
    from spbe_crawler.cluster import batch as batches
    from spbe_crawler.cluster.settings import ClusterSettings

    try:
        codes = batches.select_pemda(pemda, provinsi, all_pemda)
    except RegistryError as problem:
        err_console.print(str(problem), style="red", markup=False)
        raise typer.Exit(2) from None
    if not codes:
        err_console.print("Pilih pemda: --pemda 18.71, --provinsi 18, atau --semua.", style="red", markup=False)
        raise typer.Exit(2)
    if len(codes) > 1 or provinsi or all_pemda or ClusterSettings.from_env().redis_url:
        run_queued(codes, wait=not no_wait, out=out)
        return
    pemda = codes[0]
    try:
        with exclusive_run(pemda):  # refused up front, before the registry is touched
            ensure_registry(pemda)
            for line in discovery_preview(pemda):
                console.print(line, markup=False, highlight=False)
            result = survey_and_report(pemda, resume=not new, out_dir=out)
    except (RunBusy, RegistryError, config.SettingsError) as problem:
        err_console.print(str(problem), style="red", markup=False)
        raise typer.Exit(2) from None
    _print_result(result)


@app.command("demo")
def demo_command(
    directory: Path | None = typer.Option(None, "--dir", help="Folder kerja demo (bawaan: $SPBE_HOME/demo)"),
    pantau: float = typer.Option(0, "--pantau", help="Setelah survei, pantau ketersediaan selama sekian detik (mis. 60)"),
) -> None:
    """Jalankan survei pada wilayah demo luring (tiruan Kota Bandar Lampung) dan tulis laporannya."""
    from spbe_crawler.demo.profile import CRAWL_ENV
    from spbe_crawler.demo.server import DemoWeb
    from spbe_crawler.registry.csv_import import import_registry_csv
    from spbe_crawler.store.db import session_scope

    pemda = "18.71"
    directory = directory or config.home_dir() / "demo"
    console.print(f"Menyalakan web demo luring di 127.0.0.1 ({directory}) ...")
    with DemoWeb(directory) as web:
        os.environ.update({**web.env, **CRAWL_ENV})
        ensure_registry(pemda)
        with session_scope() as session:
            report = import_registry_csv(session, web.registry_csv)
        console.print(f"Registri demo: {report.summary()}")
        result = survey_and_report(pemda, resume=False)
        _print_result(result)
        if pantau > 0:
            _monitor_demo(pemda, pantau)
    from spbe_crawler.cli.web_cmds import print_demo_login

    print_demo_login(pemda)


def _monitor_demo(pemda: str, seconds: float) -> None:
    """Monitor the demo web for a while, then show the figures and write the status page."""
    from spbe_crawler.cli.monitor_cmds import page_cmd, run_cmd, status_cmd
    from spbe_crawler.demo.profile import MONITOR_ENV

    os.environ.update(MONITOR_ENV)
    run_cmd(pemda, seconds, survey=False)
    status_cmd(pemda)
    page_cmd(pemda, config.reports_dir() / "status")


@app.command("export")
def export_command(
    pemda: str = typer.Option(..., "--pemda", help="Kode pemda, mis. 18.71"),
    fmt: str = typer.Option("json", "--format", help="json atau csv"),
    out: Path | None = typer.Option(None, "--out", help="Berkas JSON / folder CSV (bawaan: keluaran standar untuk JSON)"),
) -> None:
    """Ekspor unit, situs, kesehatan, temuan, skor dan pemantauan dalam JSON atau CSV."""
    from spbe_crawler.export import export_data, to_json, write_csv_tables
    from spbe_crawler.store.db import session_scope

    if fmt not in ("json", "csv"):
        err_console.print("[red]--format harus json atau csv[/]")
        raise typer.Exit(2)
    with session_scope() as session:
        data = export_data(session, pemda)
    if fmt == "json":
        text = to_json(data)
        if out:
            out.write_text(text, encoding="utf-8")
            console.print(f"Ekspor JSON: {out}")
        else:
            typer.echo(text)
        return
    for path in write_csv_tables(data, out or config.reports_dir() / f"ekspor-{pemda}"):
        console.print(f"Ekspor CSV: {path}")
