"""The CLI's own words in Bahasa Indonesia: help layout, usage line, parsing errors.

Typer (with its bundled Click) writes its help frame and its errors in English and has no message
catalogue to switch. :func:`install` replaces those few words once, before the app runs: the panel
titles, the usage prefix, the help option's text, the type hints of options (``<bool>`` is dropped,
others named in Indonesian), and the text of parsing errors (translated by :data:`ERRORS`).
Everything else users read (command help, our own errors) is written in Indonesian at the source.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

HELP_TEXT = "Tampilkan bantuan ini lalu keluar."
USAGE = "Penggunaan: "
PANELS = {
    "OPTIONS_PANEL_TITLE": "Opsi",
    "COMMANDS_PANEL_TITLE": "Perintah",
    "ARGUMENTS_PANEL_TITLE": "Argumen",
    "ERRORS_PANEL_TITLE": "Galat",
    "REQUIRED_LONG_STRING": "[wajib]",
    "DEFAULT_STRING": "[bawaan: {}]",
    "ENVVAR_STRING": "[variabel lingkungan: {}]",
    "DEPRECATED_STRING": "(usang) ",
    "ABORTED_TEXT": "Dibatalkan.",
    "RICH_HELP": "Coba [blue]'{command_path} {help_option}'[/] untuk bantuan.",
}
TYPE_NAMES = {
    "str": "teks",
    "int": "bilangan",
    "float": "angka",
    "path": "jalur",
    "file": "berkas",
    "directory": "folder",
    "datetime": "waktu",
}
USAGE_PIECES = (("[OPTIONS]", "[OPSI]"), ("COMMAND [ARGS]...", "PERINTAH [ARGUMEN]..."))
# Indonesian names of options declared with an English name; the English one stays as an alias.
OPTION_NAMES = {
    "--out": "--keluaran",
    "--dir": "--folder",
    "--file": "--berkas",
    "--duration": "--durasi",
    "--framework": "--kerangka",
    "--indicator": "--indikator",
    "--level": "--tingkat",
    "--limit": "--batas",
    "--note": "--catatan",
    "--reviewer": "--penilai",
    "--second": "--kedua",
    "--all": "--semua",
    "--run": "--survei",
    "--new": "--baru",
    "--force": "--paksa",
    "--since": "--sejak",
    "--until": "--sampai",
    "--name": "--nama",
    "--role": "--peran",
    "--password": "--sandi",
    "--user": "--pengguna",
    "--days": "--hari",
    "--hours": "--jam",
    "--interval": "--selang",
    "--workers": "--pekerja",
    "--queue": "--antrean",
    "--dry-run": "--coba",
    "--yes": "--ya",
}
# Names of arguments shown in usage lines.
ARGUMENT_NAMES = {"file": "BERKAS", "path": "JALUR", "directory": "FOLDER", "url": "URL", "name": "NAMA"}

# (English message pattern, Indonesian replacement): parsing errors of Typer/Click, whole message.
ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^Missing (?:option|parameter) (.+?)\.(.*)$", r"Opsi wajib belum diisi: \1.\2"),
        (r"^Missing argument (.+?)\.(.*)$", r"Argumen wajib belum diisi: \1.\2"),
        (r"^Missing command\.$", "Perintah belum disebut."),
        (r"^No such option: (\S+)(?: \(Possible options: (.+)\))?$", r"Opsi tidak dikenal: \1"),
        (r"^No such command '?(.+?)'?\.(.*)$", r"Perintah '\1' tidak dikenal.\2"),
        (r"^Invalid value for (.+?): (.*)$", r"Nilai tidak valid untuk \1: \2"),
        (r"^Invalid value: (.*)$", r"Nilai tidak valid: \1"),
        (r"^Option '?(.+?)'? requires an argument\.$", r"Opsi \1 memerlukan nilai."),
        (r"^Option '?(.+?)'? requires (\d+) arguments\.$", r"Opsi \1 memerlukan \2 nilai."),
        (r"^Got unexpected extra arguments? \((.*)\)$", r"Argumen tambahan tidak dikenal: \1"),
        (r"^'(.*)' is not a valid integer\.?$", r"'\1' bukan bilangan bulat."),
        (r"^'(.*)' is not a valid float\.?$", r"'\1' bukan angka."),
        (r"^'(.*)' is not a valid boolean\.?$", r"'\1' bukan ya/tidak."),
        (r"^'(.*)' is not one of (.*)\.$", r"'\1' bukan salah satu dari \2."),
        (r"^'(.*)' is not (.*)\.$", r"'\1' bukan \2."),
        (r"^(\S+) does not exist\.?$", r"\1 tidak ada."),
        (r"^(?:Path|File|Directory) '(.*)' does not exist\.$", r"'\1' tidak ada."),
        (r"^(?:File|Path) '(.*)' is a directory\.$", r"'\1' adalah folder, bukan berkas."),
        (r"^Directory '(.*)' is a file\.$", r"'\1' adalah berkas, bukan folder."),
        (r"^(.*) is not in the range (.*)\.$", r"\1 di luar rentang \2."),
    )
)
# Phrases inside translated messages (e.g. "Possible options" suffixes, "(env var: X)").
PHRASES = (("Possible options", "mungkin maksud Anda"), ("env var", "variabel lingkungan"), ("Choose from", "Pilih salah satu"))


def translate(message: str) -> str:
    """An English Typer/Click message in Indonesian (unknown messages are returned unchanged)."""
    text = message.strip()
    for pattern, replacement in ERRORS:
        if pattern.match(text):
            text = pattern.sub(replacement, text)
            break
    for english, indonesian in PHRASES:
        text = text.replace(english, indonesian)
    return text


_installed = False


def install() -> None:
    """Put the Indonesian words in place (once per process)."""
    global _installed
    if _installed:
        return
    _installed = True
    try:  # Typer >= 0.29 bundles its own Click; older Typer (plain Click) keeps its English frame
        from typer import core
        from typer._click import core as click_core
        from typer._click import decorators, exceptions, formatting
    except ImportError:
        return

    # typer.rich_utils (Rich's Markdown, tracebacks: ~0.15 s) is imported only when help or an error
    # is drawn; its words are put in place then, so commands that draw neither never import it
    _when_imported("typer.rich_utils", _patch_rich_utils)
    _wrap_usage(formatting.HelpFormatter)
    _wrap_help_option(decorators, click_core)
    _wrap_types(core)
    _wrap_names(core)
    from typer import exceptions as typer_exceptions

    classes = [*vars(exceptions).values(), typer_exceptions.TyperException]
    for cls in classes:
        if isinstance(cls, type) and issubclass(cls, typer_exceptions.TyperException) and "format_message" in vars(cls):
            cls.format_message = _translated(cls.format_message)  # type: ignore[method-assign,assignment]  # patching the library


def _patch_rich_utils(rich_utils: Any) -> None:
    for name, text in PANELS.items():
        setattr(rich_utils, name, text)
    # patching the library: the highlighter instance gets the Indonesian usage prefix
    rich_utils.highlighter.highlights = [h.replace("Usage: ", USAGE) for h in rich_utils.highlighter.highlights]


def _when_imported(name: str, patch: Callable[[Any], None]) -> None:
    """Call ``patch(module)`` right after module ``name`` is first imported (now, if it already is)."""
    if name in sys.modules:
        patch(sys.modules[name])
        return

    class PatchAfterImport(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
            if fullname != name:
                return None
            sys.meta_path.remove(self)  # once; the normal finders locate the module
            spec = importlib.util.find_spec(fullname)
            if spec is None or spec.loader is None:
                return spec
            execute = spec.loader.exec_module

            def exec_module(module: ModuleType) -> None:
                execute(module)
                patch(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]  # this module's own loader
            return spec

    sys.meta_path.insert(0, PatchAfterImport())


def _translated(method: Callable[[Any], str]) -> Callable[[Any], str]:
    def format_message(self: Any) -> str:
        return translate(method(self))

    return format_message


def _wrap_usage(formatter: Any) -> None:
    original = formatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, indonesian in USAGE_PIECES:
            args = args.replace(english, indonesian)
        original(self, prog, args, USAGE if prefix is None else prefix)

    formatter.write_usage = write_usage


def _wrap_help_option(decorators: Any, click_core: Any) -> None:
    original = decorators.help_option

    def help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = original(param_decls)

        def apply(command: Any) -> Any:
            result = decorate(command)
            command.params[-1].help = HELP_TEXT
            return result

        return apply

    decorators.help_option = help_option


def _wrap_types(core: Any) -> None:
    """Flags show no type; other types are named in Indonesian (``<teks>``, ``<jalur>``)."""
    original = core._TyperParameter.display_type
    names = re.compile(r"\b(" + "|".join(TYPE_NAMES) + r")\b")

    def display_type(self: Any, ctx: Any) -> str | None:
        if getattr(self, "is_flag", False):
            return None
        shown = original(self, ctx)
        if not shown:
            return shown
        shown = re.sub(r"\s+range\b", "", shown)  # "<int range>": the bounds are shown beside it
        return names.sub(lambda m: TYPE_NAMES[m.group(1)], shown)

    core._TyperParameter.display_type = display_type


def _wrap_names(core: Any) -> None:
    """Options declared with an English name get their Indonesian name first (English stays as an
    alias); arguments get an Indonesian name in the usage line."""
    option_init = core.TyperOption.__init__
    argument_init = core.TyperArgument.__init__

    def init_option(self: Any, *args: Any, **kwargs: Any) -> None:
        option_init(self, *args, **kwargs)
        for english, indonesian in OPTION_NAMES.items():
            if english in self.opts and indonesian not in self.opts and indonesian not in self.secondary_opts:
                self.opts = [indonesian, *self.opts]

    def init_argument(self: Any, *args: Any, **kwargs: Any) -> None:
        argument_init(self, *args, **kwargs)
        if self.metavar is None and self.name in ARGUMENT_NAMES:
            self.metavar = ARGUMENT_NAMES[self.name]

    core.TyperOption.__init__ = init_option
    core.TyperArgument.__init__ = init_argument
