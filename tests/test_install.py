"""The package installs (not editable) into a fresh virtual environment and runs from any folder.

A wheel is built from this checkout and installed with ``--no-deps`` into a new venv that sees the
dependencies of the development venv (a ``.pth`` line to its site-packages, without its editable
hook), so nothing but this package is downloaded. ``spbe demo`` then runs from an empty folder with no
SPBE_HOME: its state goes to the per-user data folder, never to the current folder or the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} gagal:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_wheel_installs_into_a_fresh_venv_and_the_demo_runs_from_an_empty_folder(tmp_path) -> None:
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)], tmp_path, dict(os.environ), 600)
    wheel = next(wheels.glob("spbe_crawler-*.whl"))

    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(
        subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    )
    (site / "dev-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)], tmp_path, dict(os.environ), 300)

    empty = tmp_path / "kosong"
    empty.mkdir()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_") and k not in ("PYTHONPATH", "XDG_DATA_HOME")}
    env.update({"HOME": str(home), "COLUMNS": "250"})
    # The install is the point here, not the crawl: each demo site's homepage only, no cloaking check
    # (tests/test_survey_e2e.py crawls the demo web fully). SPBE_HOME stays unset.
    env.update({"SPBE_SITE_MAX_DEPTH": "0", "SPBE_CLOAK_CHECK": "0"})
    spbe = str(target / "bin" / "spbe")

    where = _run([str(python), "-c", "import spbe_crawler, alembic; print(spbe_crawler.__file__)"], empty, env, 60).stdout.strip()
    assert where.startswith(str(target)), where  # the installed copy, not the checkout
    version = _run([spbe, "--version"], empty, env, 60).stdout
    assert version.strip().startswith("spbe ") and version.split()[1][0].isdigit()

    demo = _run([spbe, "demo"], empty, env, 600)
    state = home / ".local" / "share" / "spbe-crawler"
    report = state / "reports" / "cakupan-18.71.html"
    assert report.is_file() and str(report) in demo.stdout  # the demo says where its reports are
    assert (state / "reports" / "laporan-18.71-spbe-2020.html").is_file()
    assert (state / "spbe.sqlite3").is_file()
    assert list(empty.iterdir()) == []  # nothing written to the current folder
    assert "Kota Bandar Lampung" in report.read_text(encoding="utf-8")
