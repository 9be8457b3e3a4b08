"""The Typer application object; command modules register on it."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="spbe",
    help="Survei situs web unit pemerintah daerah, inventaris layanan SPBE, penilaian, dan pemantauan.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)
