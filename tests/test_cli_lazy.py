"""The lazily-loaded command registry: listings import nothing heavy, every command resolves."""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from spbe_crawler.cli import COMMANDS, app

HEAVY = ("sqlalchemy", "sqlmodel", "scrapy", "twisted", "httpx", "jinja2")


def _modules_after(*argv: str) -> set[str]:
    """Run ``spbe argv`` in a fresh interpreter; the heavy modules it imported."""
    code = (
        "import sys\nfrom spbe_crawler.cli import main\nsys.argv = ['spbe', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('MODULES', *sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60)
    line = [row for row in done.stdout.splitlines() if row.startswith("MODULES")][-1]
    return set(line.split()[1:])


@pytest.mark.parametrize("argv", [["--help"], ["-h"], [], ["monitor", "--help"]])
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    assert _modules_after(*argv) == set()


def test_a_command_imports_its_module_only() -> None:
    # `monitor status` needs the store; it must not pull in the crawler (Scrapy/Twisted).
    imported = _modules_after("monitor", "page", "--help")
    assert not imported & {"scrapy", "twisted"}


def test_registry_matches_what_modules_register() -> None:
    for module in {module for module, _ in COMMANDS.values()}:
        importlib.import_module(module)
    group = typer.main.get_group(app)
    assert set(group.commands) == set(COMMANDS), "COMMANDS and the registered commands differ"
    for name, (_module, help_text) in COMMANDS.items():
        command = group.commands[name]
        real = inspect.cleandoc(command.help or "").splitlines()[0]
        assert real == help_text, f"help of {name!r} in COMMANDS differs from the command's own"


def test_listing_shows_every_command_and_dash_h_works() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in result.output


def test_unknown_command_suggests_a_registered_one() -> None:
    result = CliRunner().invoke(app, ["monitr"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "monitor" in result.output and "monitr" in result.output


def test_subcommand_help_through_the_lazy_group() -> None:
    result = CliRunner().invoke(app, ["monitor", "status", "-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--pemda" in result.output


def test_monitor_status_reads_sqlite_without_sqlalchemy(tmp_path, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session

    from spbe_crawler.store.db import get_engine
    from spbe_crawler.store.models import Probe, Unit, Website

    engine = get_engine(f"sqlite:///{tmp_path / 'spbe.sqlite3'}")
    now = datetime.now(UTC)
    with Session(engine) as session:
        session.add(Unit(code="99.01", name="Kabupaten Uji", kind="pemda", pemda_code="99.01"))
        session.add(Website(id=1, unit_code="99.01", url="https://uji.test/", host="uji.test"))
        session.commit()
        session.add_all(
            [
                Probe(website_id=1, url="https://uji.test/", started_at=now - timedelta(hours=h), status="ok" if h % 4 else "timeout")
                for h in range(8)
            ]
        )
        session.commit()
    code = (
        "import sys\nfrom spbe_crawler.cli import main\nsys.argv = ['spbe', 'monitor', 'status', '--pemda', '99.01']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('MODULES', *sorted(m for m in {HEAVY + ('pydantic', 'typer.rich_utils')!r} if m in sys.modules))"
    )
    env = {**os.environ, "SPBE_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("SPBE_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert "Kabupaten Uji" in done.stdout and "75,00%" in done.stdout, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].split() == ["MODULES"]


def test_help_and_errors_stay_indonesian_when_drawn_after_a_lazy_import() -> None:
    # typer.rich_utils is imported only when help or an error is drawn; its panel titles are put
    # in place at that moment
    code = (
        "import sys\nfrom spbe_crawler.cli import main\n"
        "assert 'typer.rich_utils' not in sys.modules\n"
        "sys.argv = ['spbe', 'run', '--tidak-ada']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "120"})
    assert "Galat" in done.stderr and "Opsi tidak dikenal" in done.stderr and "Error" not in done.stderr, done.stderr
