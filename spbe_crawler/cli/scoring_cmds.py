"""``spbe score | review | domain-set | worksheet export/import | report``: the assessment commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.table import Table
from rich.text import Text

from spbe_crawler import config
from spbe_crawler.assessment import (
    AssessmentError,
    apply_worksheet,
    estimate_pemda,
    export_worksheet,
    index_summary,
    record_review,
    set_manual_level,
)
from spbe_crawler.assessment.catalog import DEFAULT_FRAMEWORK
from spbe_crawler.assessment.worksheet_io import FORMATS
from spbe_crawler.cli.app import app, console, fail
from spbe_crawler.cli.app import say as _say
from spbe_crawler.reports.assessment import write_report
from spbe_crawler.store.db import session_scope

worksheet_app = typer.Typer(help="Lembar kerja penilaian (ekspor untuk penilai, impor hasil isian).", no_args_is_help=True)
app.add_typer(worksheet_app, name="worksheet")

PEMDA_HELP = "Kode pemda Kemendagri, mis. 18.71"
FRAMEWORK_HELP = "Kerangka penilaian (berkas data/frameworks/<id>.yaml)"
SHOWN_ERRORS = 30


def _fail(message: str, code: int = 1) -> NoReturn:
    fail(message, code)


def _num(value: str | None) -> str:
    from spbe_crawler.reports.formatting import angka_teks

    return angka_teks(value)


def index_line(summary: dict[str, Any]) -> str:
    index = summary["index"]
    name = summary["index_name"]
    if index["complete"]:
        return f"{name}: {_num(index['value'])} ({index['predikat']})"
    rng = index["range"]
    known = f"nilai sementara {_num(index['known'])}; " if index["known"] else ""
    return (
        f"{name} BELUM LENGKAP ({_num(index['known_share_pct'])}% bobot bernilai): {known}"
        f"rentang {_num(rng['min'])} ({rng['min_predikat']}) – {_num(rng['max'])} ({rng['max_predikat']})"
    )


def _summary_table(summary: dict[str, Any], only_estimated: bool) -> Table:
    table = Table(title=f"{summary['index_name']} — pemda {summary['pemda_code']} ({summary['framework']})")
    for name, justify in (("No", "right"), ("Indikator", "left"), ("Perkiraan", "center"), ("Keyakinan", "right"), ("Dipakai", "left")):
        table.add_column(name, justify=justify, min_width=20 if name == "Indikator" else None)  # type: ignore[arg-type]
    for row in summary["indicators"]:
        if only_estimated and row["cap"] is None and row["confirmed"] is None:
            continue  # indicators a crawl cannot estimate and nobody entered yet
        confidence = _num(None if row["confidence"] is None else f"{row['confidence']:.2f}")
        used = "–" if row["level"] is None else f"{row['level']} ({row['source_label']})"
        indicator = Text(row["name"].removeprefix("Tingkat Kematangan "))
        table.add_row(str(row["indicator"]), indicator, str(row["estimate"] or "–"), confidence, used)
    return table


def _groups_table(summary: dict[str, Any]) -> Table:
    table = Table(title="Nilai per kelompok (* = sementara, dari indikator yang sudah bernilai)")
    for name, justify in (("Kelompok", "left"), ("Nilai", "right"), ("Predikat / rentang", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for items in summary["groups"].values():
        for g in items:
            label = Text(f"{g['level_label']} {g['number']} {g['name']}")
            if g["complete"]:
                table.add_row(label, _num(g["value"]), g["predikat"] or "")
            else:
                value = f"{_num(g['known'])}*" if g["known"] else "–"
                table.add_row(label, value, f"{_num(g['range']['min'])}–{_num(g['range']['max'])}")
    return table


@app.command("score")
def score_command(
    pemda: str = typer.Option(..., "--pemda", help=PEMDA_HELP),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework", help=FRAMEWORK_HELP),
    run_id: int | None = typer.Option(None, "--run", help="Nomor survei (bawaan: survei selesai terakhir)"),
    all_rows: bool = typer.Option(False, "--semua", help="Tampilkan juga indikator yang diisi penilai"),
) -> None:
    """Perkirakan tingkat kematangan dari hasil survei, lalu tampilkan indeksnya."""
    try:
        with session_scope(config.database_url()) as session:
            scores = estimate_pemda(session, pemda, framework, run_id)
            summary = index_summary(session, pemda, framework)
    except AssessmentError as exc:
        _fail(str(exc))
    console.print(_summary_table(summary, only_estimated=not all_rows))
    estimated = sum(1 for s in scores if s.level is not None)
    _say(f"{estimated} dari {len(scores)} indikator mendapat perkiraan dari survei #{summary['run_id']}.")
    console.print(_groups_table(summary))
    _say(index_line(summary))


@app.command("review")
def review_command(
    pemda: str = typer.Option(..., "--pemda", help=PEMDA_HELP),
    indicator: int = typer.Option(..., "--indicator", help="Nomor indikator"),
    level: int = typer.Option(..., "--level", help="Tingkat yang dikonfirmasi (1-5)"),
    reviewer: str = typer.Option(..., "--reviewer", help="Nama penilai"),
    note: str = typer.Option("", "--note", help="Catatan/alasan penilai"),
    second: bool = typer.Option(False, "--second", help="Sebagai penilai kedua (pembanding)"),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework", help=FRAMEWORK_HELP),
) -> None:
    """Konfirmasi atau ubah tingkat satu indikator (riwayat disimpan)."""
    try:
        with session_scope(config.database_url()) as session:
            row = record_review(session, pemda, framework, indicator, level, reviewer, note, second)
            summary = index_summary(session, pemda, framework)
    except AssessmentError as exc:
        _fail(str(exc))
    before = "–" if row.previous_level is None else str(row.previous_level)
    role = "penilai kedua" if second else "penilai"
    _say(f"Indikator {indicator}: tingkat {before} -> {row.level} oleh {row.reviewer} ({role}).")
    for d in summary["disagreements"]:
        if d["indicator"] == indicator:
            _say(f"Perbedaan: {d['first_reviewer']} memberi {d['first_level']}, {d['second_reviewer']} memberi {d['second_level']}.")
    _say(index_line(summary))


@app.command("domain-set")
def domain_set_command(
    pemda: str = typer.Option(..., "--pemda", help=PEMDA_HELP),
    indicator: int = typer.Option(..., "--indicator", help="Nomor indikator yang dinilai dari dokumen"),
    level: int = typer.Option(..., "--level", help="Tingkat (1-5)"),
    reviewer: str = typer.Option(..., "--reviewer", help="Nama penilai"),
    note: str = typer.Option("", "--note", help="Catatan/dasar penilaian"),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework", help=FRAMEWORK_HELP),
) -> None:
    """Isi tingkat indikator yang tidak dapat diperkirakan dari perayapan (Domain 1-3 SPBE)."""
    try:
        with session_scope(config.database_url()) as session:
            row = set_manual_level(session, pemda, framework, indicator, level, reviewer, note)
            summary = index_summary(session, pemda, framework)
    except AssessmentError as exc:
        _fail(str(exc))
    _say(f"Indikator {indicator}: tingkat {row.level} dicatat oleh {row.reviewer}.")
    _say(index_line(summary))


@worksheet_app.command("export")
def worksheet_export_command(
    pemda: str = typer.Option(..., "--pemda", help=PEMDA_HELP),
    fmt: str = typer.Option("xlsx", "--format", help=f"Format: {', '.join(FORMATS)}"),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework", help=FRAMEWORK_HELP),
    out: Path | None = typer.Option(None, "--out", help="Berkas keluaran (bawaan: $SPBE_HOME/reports/...)"),
    second: bool = typer.Option(False, "--second", help="Lembar untuk penilai kedua"),
) -> None:
    """Ekspor lembar kerja penilaian, satu baris per indikator, berisi perkiraan dan buktinya."""
    try:
        with session_scope(config.database_url()) as session:
            path = export_worksheet(session, pemda, framework, fmt.lower(), out, second)
    except AssessmentError as exc:
        _fail(str(exc))
    _say(f"Lembar kerja ditulis: {path}")


@worksheet_app.command("import")
def worksheet_import_command(
    file: Path = typer.Argument(..., help="Lembar kerja XLSX hasil ekspor yang sudah diisi"),
    pemda: str | None = typer.Option(None, "--pemda", help="Tolak bila lembar kerja untuk pemda lain"),
) -> None:
    """Impor isian penilai; bila ada satu saja sel yang salah, tidak ada yang diterapkan."""
    try:
        with session_scope(config.database_url()) as session:
            result = apply_worksheet(session, file, pemda)
    except AssessmentError as exc:
        _fail(str(exc))
    if not result.ok:
        lines = result.errors[:SHOWN_ERRORS]
        more = len(result.errors) - len(lines)
        _fail(
            "Lembar kerja ditolak, tidak ada yang diterapkan:\n"
            + "\n".join(f"- {e}" for e in lines)
            + (f"\n... dan {more} masalah lain" if more > 0 else "")
        )
    _say(
        f"{len(result.applied)} penilaian diterapkan, {result.unchanged} tidak berubah "
        f"(pemda {result.pemda_code}, kerangka {result.framework_id})."
    )


@app.command("report")
def report_command(
    pemda: str = typer.Option(..., "--pemda", help=PEMDA_HELP),
    framework: str = typer.Option(DEFAULT_FRAMEWORK, "--framework", help=FRAMEWORK_HELP),
    out: Path | None = typer.Option(None, "--out", help="Folder laporan (bawaan: $SPBE_HOME/reports)"),
) -> None:
    """Tulis laporan HTML penilaian pemda (indeks, predikat, cakupan, inventaris, prioritas)."""
    try:
        with session_scope(config.database_url()) as session:
            path = write_report(session, pemda, out or config.reports_dir(), framework)
    except AssessmentError as exc:
        _fail(str(exc))
    _say(f"Laporan ditulis: {path}")
