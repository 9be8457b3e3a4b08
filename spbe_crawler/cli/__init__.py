"""``spbe`` command line: thin shells over functions of the packages.

Each area registers its commands in its own module, imported here.
"""

from __future__ import annotations

from spbe_crawler.cli import (
    core_cmds,  # noqa: F401
    inventory_cmds,  # noqa: F401
    monitor_cmds,  # noqa: F401
    registry_cmds,  # noqa: F401
    scoring_cmds,  # noqa: F401
)
from spbe_crawler.cli.app import app


def main() -> None:
    app()
