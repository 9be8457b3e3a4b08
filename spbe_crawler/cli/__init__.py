"""``spbe`` command line: thin shells over functions of the packages.

Each area registers its commands in its own module, imported here.
"""

from __future__ import annotations

from spbe_crawler.cli.app import app
from spbe_crawler.cli import core_cmds  # noqa: F401
from spbe_crawler.cli import inventory_cmds  # noqa: F401
from spbe_crawler.cli import registry_cmds  # noqa: F401
from spbe_crawler.cli import monitor_cmds  # noqa: F401
from spbe_crawler.cli import scoring_cmds  # noqa: F401


def main() -> None:
    app()
