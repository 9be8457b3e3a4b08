"""The CLI speaks one language: every command's help, and its parsing errors, in Bahasa Indonesia.

The command tree is walked, not listed, so commands added later are checked too. A line fails when
it holds an English word from a list of common English words that Indonesian text does not use;
names of products and formats are allowed.
"""

from __future__ import annotations

import re

import pytest
import typer.main
from typer.testing import CliRunner

from spbe_crawler import __version__
from spbe_crawler.cli import COMMANDS, app
from spbe_crawler.cli.bahasa import translate

ENGLISH_WORDS = """
the and or this that these those with without from into onto for of to is are was were be been will
would should can could may must not no yes all each every any some only also than then when where
which who what how show shows exit message options option commands command usage required default
defaults arguments argument error errors try help run runs write writes read reads file files new
list print prints set get use used using make makes start starts stop stops see if else whether via
by at as on off after before before until while out over under again more most less least other
others such same just your you our its it their there here do does done has have having being save
saves load loads open opens close closes output input report reports
"""
ENGLISH = frozenset(ENGLISH_WORDS.split())
ALLOWED = frozenset({"json", "csv", "xlsx", "html", "url", "urls", "sqlite", "postgresql", "redis", "spbe", "pemdi", "ok"})
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def commands(command, path=()):
    """Every (path, command) of the tree, the root first."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not sub.hidden:
            yield from commands(sub, (*path, name))


def english_words(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        line = re.sub(
            r"(--?[\w-]+|\$\w+\S*|<[^>]*>|'[^']*'|\[bawaan: [^\]]*\]|\S+\.(?:yaml|csv|json|xlsx|html)|https?://\S+|`[^`]*`)", " ", line
        )
        words = [w.lower() for w in WORD.findall(line)]
        hits = [w for w in words if w in ENGLISH and w not in ALLOWED and w not in NAMES]
        if hits:
            found.append(f"{hits}: {line.strip()}")
    return found


def root_command():
    root = typer.main.get_command(app)
    for name in COMMANDS:
        root.load_command(name)
    return root


ALL = list(commands(root_command()))
NAMES = frozenset(part for path, _ in ALL for part in path)  # command names are names, not English


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "spbe" for p, _ in ALL])
def test_help_has_no_english(path, command):
    runner = CliRunner()
    for flag in ("--help", "-h"):
        result = runner.invoke(app, [*path, flag], env={"COLUMNS": "200", "NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        assert "Penggunaan: spbe" in result.output
        assert "<bool>" not in result.output and " range>" not in result.output  # types are named in Indonesian
        assert english_words(result.output) == []


OPTION_ENGLISH = ENGLISH | {
    "out",
    "dir",
    "directory",
    "duration",
    "framework",
    "indicator",
    "level",
    "limit",
    "note",
    "reviewer",
    "second",
    "new",
    "force",
    "since",
    "until",
    "name",
    "role",
    "password",
    "user",
    "days",
    "hours",
    "interval",
    "workers",
    "queue",
    "dry",
    "version",
    "survey",
    "class",
    "without",
    "check",
    "upgrade",
    "backup",
    "fresh",
    "bind",
}


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "spbe" for p, _ in ALL])
def test_every_option_has_an_indonesian_name(path, command):
    for param in command.params:
        if param.param_type_name != "option" or param.name == "help":
            continue
        names = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
        indonesian = [n for n in names if not set(n.lstrip("-").split("-")) & OPTION_ENGLISH]
        assert indonesian, f"spbe {' '.join(path)}: opsi {names} tidak punya nama Indonesia (tambahkan ke bahasa.OPTION_NAMES)"
        assert param.opts[0] in indonesian, f"spbe {' '.join(path)}: nama pertama {param.opts[0]} harus nama Indonesia"


def test_there_are_many_commands_to_check():
    assert len(ALL) > 20


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"spbe {__version__}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report"], "Opsi wajib belum diisi: '--pemda'"),
        (["report", "--pemda", "18.71", "--tidak-ada"], "Opsi tidak dikenal: --tidak-ada"),
        (["perintah-asing"], "Perintah 'perintah-asing' tidak dikenal."),
    ],
)
def test_parsing_errors_are_indonesian(args, expected):
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 2
    assert expected in result.output
    assert english_words(result.output) == []


def test_unknown_messages_pass_through_unchanged():
    assert translate("Sesuatu yang sudah Indonesia.") == "Sesuatu yang sudah Indonesia."
    assert translate("Invalid value for '--format': 'pdf' is not one of 'xlsx', 'csv', 'json'.").startswith("Nilai tidak valid untuk")


def test_the_detector_finds_english():
    assert english_words("Show this message and exit.")
    assert english_words("Missing option '--pemda'.")
    assert english_words("Tampilkan bantuan ini lalu keluar.") == []


def test_report_for_a_pemda_without_survey_is_an_error(tmp_path):
    env = {"SPBE_HOME": str(tmp_path), "SPBE_DATABASE_URL": "", "COLUMNS": "200", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, ["report", "--pemda", "18.71"], env=env)
    assert result.exit_code != 0
    assert "Pemda 18.71 tidak ada di registri" in result.output
    assert not list(tmp_path.rglob("laporan-*.html"))
