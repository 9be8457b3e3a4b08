"""``spbe`` command line: thin shells over functions of the packages.

Commands are loaded lazily so that ``spbe --help`` and each command start fast: the root group
(:class:`spbe_crawler.cli.app.LazyGroup`) lists the commands from :data:`COMMANDS` below without
importing anything, and imports only the module of the command being run.

To add a command (or a command group):

1. Write it in a module of this package, registered on the shared app as usual::

       from spbe_crawler.cli.app import app          # light: typer + rich only

       @app.command("serve")
       def serve_cmd(...) -> None:
           \"\"\"Jalankan server web ...\"\"\"       # first line == the help in COMMANDS
           from spbe_crawler.web.server import run  # heavy imports INSIDE the function
           ...

   or, for a group, ``db_app = typer.Typer(help=...); app.add_typer(db_app, name="db")``.
2. Add one line to :data:`COMMANDS`: ``"serve": ("spbe_crawler.cli.web_cmds", "<the same help>")``.
   Every name a module registers must be listed here (a test checks both directions and the help).

Keep module-level imports of command modules light (typer, rich, stdlib, ``spbe_crawler.config``):
``spbe <group> --help`` imports the whole module of the group. ``bench/bench_cli.py`` measures it.
"""

from __future__ import annotations

from spbe_crawler.cli.app import app

# Command name -> (module that registers it, short help shown by ``spbe --help``), in listing order.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("spbe_crawler.cli.core_cmds", "Survei situs web semua unit pemda lalu tulis laporan cakupan."),
    "demo": (
        "spbe_crawler.cli.core_cmds",
        "Jalankan survei pada wilayah demo luring (tiruan Kota Bandar Lampung) dan tulis laporannya.",
    ),
    "export": (
        "spbe_crawler.cli.core_cmds",
        "Ekspor unit, situs, kesehatan, temuan, skor dan pemantauan dalam JSON atau CSV.",
    ),
    "inventory": (
        "spbe_crawler.cli.inventory_cmds",
        "Tampilkan inventaris layanan dari survei terakhir: indikator, layanan, sinyal, unit, bukti.",
    ),
    "registry": ("spbe_crawler.cli.registry_cmds", "Daftar unit kerja pemda dan situs webnya."),
    "score": ("spbe_crawler.cli.scoring_cmds", "Perkirakan tingkat kematangan dari hasil survei, lalu tampilkan indeksnya."),
    "review": ("spbe_crawler.cli.scoring_cmds", "Konfirmasi atau ubah tingkat satu indikator (riwayat disimpan)."),
    "domain-set": (
        "spbe_crawler.cli.scoring_cmds",
        "Isi tingkat indikator yang tidak dapat diperkirakan dari perayapan (Domain 1-3 SPBE).",
    ),
    "worksheet": ("spbe_crawler.cli.scoring_cmds", "Lembar kerja penilaian (ekspor untuk penilai, impor hasil isian)."),
    "report": (
        "spbe_crawler.cli.scoring_cmds",
        "Tulis laporan HTML penilaian pemda (indeks, predikat, cakupan, inventaris, prioritas).",
    ),
    "monitor": ("spbe_crawler.cli.monitor_cmds", "Pemantauan ketersediaan situs dan portal layanan."),
    "db": ("spbe_crawler.cli.db_cmds", "Basis data: pemeriksaan, cadangan, skema dan migrasinya."),
    "serve": ("spbe_crawler.cli.web_cmds", "Jalankan ruang kerja web (Diskominfo dan penilai) di atas basis data yang sama."),
    "user": ("spbe_crawler.cli.web_cmds", "Akun ruang kerja web (spbe serve): tambah, daftar, ubah."),
    "worker": (
        "spbe_crawler.cli.worker_cmds",
        "Kerjakan survei (situs per unit) dan sapuan pemantauan dari antrean bersama (Redis, $SPBE_REDIS_URL).",
    ),
    "antrean": ("spbe_crawler.cli.worker_cmds", "Antrean bersama pekerja: lihat isinya, lepaskan pemda yang macet."),
}


def main() -> None:
    from spbe_crawler.config import SettingsError
    from spbe_crawler.store.errors import SchemaError

    try:
        app()
    # An old or newer database (the message says what to run), or an SPBE_* variable with a value
    # that cannot be used (the message names it): one line, no traceback.
    except (SchemaError, SettingsError) as problem:
        from spbe_crawler.cli.app import err_console

        err_console.print(str(problem), style="red", markup=False)
        raise SystemExit(2) from None
