"""The Typer application object and the lazily-loading root group.

``spbe --help`` lists the commands from :data:`spbe_crawler.cli.COMMANDS` without importing their
modules; running a command imports only the module that registers it (see ``spbe_crawler.cli``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from difflib import get_close_matches
from typing import Any, NoReturn, Optional

import typer
import typer.core
from rich.console import Console

try:
    from typer._click.exceptions import UsageError
except ImportError:  # typer before 0.29 uses click itself
    from click import UsageError  # type: ignore[assignment]  # the same class in older Typer
from typer.core import TyperCommand, TyperGroup

from spbe_crawler.cli import bahasa

bahasa.install()  # Typer's own words (help frame, usage, parsing errors) in Bahasa Indonesia

HELP = "Survei situs web unit pemerintah daerah, inventaris layanan SPBE, penilaian, dan pemantauan."


class LazyGroup(TyperGroup):
    """Root group: commands of :data:`spbe_crawler.cli.COMMANDS` are imported when first resolved."""

    def _registry(self) -> dict[str, tuple[str, str]]:
        from spbe_crawler.cli import COMMANDS

        return COMMANDS

    def list_commands(self, ctx: Any) -> list[str]:
        loaded = [name for name in self.commands if name not in self._registry()]
        return [*self._registry(), *loaded]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command if loaded, else a light placeholder carrying the registry's help (for listings)."""
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self._registry().get(cmd_name)
        if entry is None:
            return None
        return TyperCommand(name=cmd_name, help=entry[1], rich_markup_mode=self.rich_markup_mode)

    def load_command(self, cmd_name: str) -> Any:
        """Import the module that registers ``cmd_name`` and return the real command (None if unknown)."""
        if cmd_name not in self.commands and cmd_name in self._registry():
            importlib.import_module(self._registry()[cmd_name][0])
            built = typer.main.get_group(app)
            if cmd_name not in built.commands:
                raise RuntimeError(f"{self._registry()[cmd_name][0]} does not register the command {cmd_name!r}")
            self.commands[cmd_name] = built.commands[cmd_name]
        return self.commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a damaged database ends any command with one clear message (exit 3)."""
        try:
            return super().invoke(ctx)
        except Exception as exc:
            message = _broken_database(exc)
            if message is None:
                raise
            err_console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(BROKEN_DATABASE_EXIT) from None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args:
            self.load_command(args[0])
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            matches = get_close_matches(args[0], list(self._registry())) if args else []
            if matches and "?" not in error.message:
                error.message = f"{error.message.rstrip('.')}. Mungkin maksud Anda {' atau '.join(map(repr, matches))}?"
            raise


BROKEN_DATABASE_EXIT = 3


def _broken_database(exc: BaseException) -> str | None:
    """The message for a damaged database file, or ``None`` when ``exc`` is something else."""
    if not _from_the_database(exc):  # help, usage errors, Exit: nothing heavy to import
        return None
    from spbe_crawler import config
    from spbe_crawler.store.integrity import BrokenDatabase, broken_message, corruption_reason, is_corruption, sqlite_path

    if isinstance(exc, BrokenDatabase):
        return str(exc)
    if is_corruption(exc):
        path = sqlite_path(config.database_url())
        return broken_message(path or config.database_url(), corruption_reason(exc))
    return None


def _from_the_database(exc: BaseException) -> bool:
    seen: set[int] = set()
    item: BaseException | None = exc
    while item is not None and id(item) not in seen:
        seen.add(id(item))
        if type(item).__module__.split(".")[0] in ("sqlalchemy", "sqlite3") or type(item).__name__ == "BrokenDatabase":
            return True
        item = item.__cause__ or item.__context__
    return False


def _plain_parameters() -> None:
    """Typer >= 0.26 coerces every parameter value through a pydantic ``TypeAdapter``; importing
    pydantic and building adapters for that costs ~0.3 s per start, most of ``spbe monitor status``.
    A value that already has its plain type (text options, flags) needs no coercion, so it skips
    it; any other value, and Typer versions without this hook, keep Typer's own behaviour."""
    core = typer.core
    original = getattr(core, "build_runtime_param", None)
    try:
        from typer._coercion import PassThroughRuntimeParam
    except ImportError:
        return
    if original is None or getattr(original, "plain", False):
        return
    typer_build: Callable[[Any], Any] = original

    class PlainParam(PassThroughRuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            if type(value) in _PLAIN[self.annotation]:
                return value
            return typer_build(param.type_descriptor)._coerce_value(value, param, ctx)

    def build(descriptor: Any) -> Any:
        info = descriptor.parameter_info
        if descriptor.annotation in _PLAIN and getattr(info, "parser", None) is None and not descriptor.is_choice:
            return PlainParam(parameter_info=info, annotation=descriptor.annotation)
        return typer_build(descriptor)

    build.plain = True  # type: ignore[attr-defined]
    core.build_runtime_param = build


# annotation -> the value types it accepts as they are (typing.Optional is a distinct object)
_PLAIN: dict[Any, tuple[type, ...]] = {str: (str,), bool: (bool,), str | None: (str,), Optional[str]: (str,)}  # noqa: UP045
_plain_parameters()

app = typer.Typer(
    name="spbe",
    help=HELP,
    cls=LazyGroup,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console()
err_console = Console(stderr=True)


def say(text: str) -> None:
    """Print text that may hold names from a data file or a crawled page: no Rich markup, no highlighting."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``message`` on stderr (no markup) and end the command with exit ``code``."""
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        from spbe_crawler import __version__

        typer.echo(f"spbe {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--versi", "--version", "-V", help="Tampilkan versi lalu keluar.", callback=_version, is_eager=True
    ),
) -> None:
    """Survei situs web unit pemerintah daerah, inventaris layanan SPBE, penilaian, dan pemantauan."""
