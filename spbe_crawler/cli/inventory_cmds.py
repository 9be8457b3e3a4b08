"""``spbe inventory``: the service inventory of a pemda, indicator -> services -> evidence."""

from __future__ import annotations

import typer
from rich.table import Table

from spbe_crawler.cli.app import app, console, err_console


@app.command("inventory")
def inventory_command(
    pemda: str = typer.Option(..., "--pemda", help="Kode pemda, mis. 18.71"),
    framework: str = typer.Option("spbe-2020", "--framework", help="Kerangka untuk nomor indikator"),
) -> None:
    """Tampilkan inventaris layanan dari survei terakhir: indikator, layanan, sinyal, unit, bukti."""
    from inventory.view import build_view
    from spbe_crawler.assessment.catalog import get_framework
    from spbe_crawler.assessment.runs import finding_dict
    from spbe_crawler.store.assessment_queries import findings_of, latest_survey_run
    from spbe_crawler.store.db import session_scope

    with session_scope() as session:
        run = latest_survey_run(session, pemda)
        if run is None or run.id is None:
            err_console.print(f"Belum ada survei yang selesai untuk {pemda}.")
            raise typer.Exit(1)
        findings = [finding_dict(f) for f in findings_of(session, pemda, run.id)]
    names = {number: indicator.name for number, indicator in get_framework(framework).indicators.items()}
    table = Table(title=f"Inventaris layanan {pemda} — survei #{run.id}", show_lines=True)
    for column in ("Indikator", "Layanan", "Sinyal", "Unit", "Bukti"):
        table.add_column(column, overflow="fold")
    for entry in build_view(findings, framework=framework, indicator_names=names):
        label = f"{entry['indicator']} {entry['name']}" if entry["indicator"] is not None else entry["name"]
        for service in entry["services"]:
            evidence = _evidence_lines(service)
            table.add_row(label, service["name"], ", ".join(service["signals"]), str(len(service["units"])), evidence)
    console.print(table)


def _evidence_lines(service: dict) -> str:
    """The pages proving each level criterion (a few each), or what only names the service."""
    from inventory.view import POSSIBLE_LABEL

    if not service.get("levels"):
        return "\n".join(f"{POSSIBLE_LABEL}: #{e['finding_id']} {e['url']}" for e in service.get("possible", [])[:3])
    return "\n".join(f"{level['signal']}: #{e['finding_id']} {e['url']}" for level in service["levels"] for e in level["evidence"][:2])
