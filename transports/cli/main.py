"""The ``convertr`` root command: global options and lazily imported subcommands.

Subcommands live in their own modules and are imported only when invoked or listed in
help, so ``convertr --help`` never pays for Pillow, numpy, moviepy, pydub, falcon or
SQLAlchemy. A subcommand whose module cannot be imported is still listed; invoking it
prints one error line.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from . import output

# name → "module:attribute". Adding a command means one line here and one module.
LAZY_COMMANDS: dict[str, str] = {
    "convert": "convertr_cli.convert:convert",
    "formats": "convertr_cli.listing:formats",
    "plugins": "convertr_cli.listing:plugins",
    "serve": "convertr_cli.serve:serve",
    "rollups": "convertr_cli.rollups:rollups",
    "metering": "convertr_cli.metering:metering",
    "db": "convertr_cli.db:db",
    "clients": "convertr_cli.clients:clients",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use.

    Args:
        lazy_commands: command name → ``"module:attribute"`` of a click command.
    """

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            if cmd_name not in self._loaded:
                self._loaded[cmd_name] = self._load(cmd_name)
            return self._loaded[cmd_name]
        return super().get_command(ctx, cmd_name)

    def _load(self, name: str) -> click.Command:
        """Import one subcommand; a failure becomes a command that reports it."""
        target = self.lazy_commands[name]
        module_name, _, attribute = target.partition(":")
        try:
            command = getattr(importlib.import_module(module_name), attribute)
        except Exception as ex:  # --help must list every command, even a broken one
            return _unavailable_command(name, target, ex)
        if not isinstance(command, click.Command):
            return _unavailable_command(name, target, TypeError(f"{target} is not a command"))
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; every failure becomes one stderr line and an exit code."""
        try:
            return super().invoke(ctx)
        except Exception as ex:
            if isinstance(ex, output._CLICK_FLOW):
                raise
            code = output.report_exception(ex, debug=bool(ctx.params.get("debug")))
        except KeyboardInterrupt as ex:
            code = output.report_exception(ex, debug=bool(ctx.params.get("debug")))
        ctx.exit(code)


def _unavailable_command(name: str, target: str, problem: Exception) -> click.Command:
    """A stand-in that accepts any arguments and explains why ``name`` cannot run."""
    reason = f"{type(problem).__name__}: {problem}"

    def explain(args: tuple[str, ...]) -> None:
        if isinstance(problem, ImportError):
            from convertr_core.errors import MissingDependency
            raise MissingDependency(f"the {name!r} command is not available "
                                    f"({target}: {reason})") from problem
        raise problem  # a bug in the module itself: reported as an internal error

    return click.Command(
        name, callback=explain, help=f"(unavailable: {reason})",
        short_help=f"(unavailable: {type(problem).__name__})", add_help_option=False,
        params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


def build_cli(commands: dict[str, str]) -> LazyGroup:
    """The root group with its global options and the given lazy ``commands``.

    ``cli`` below is the real one; tests build variants with extra commands.
    """

    @click.group(cls=LazyGroup, lazy_commands=commands, name="convertr",
                 context_settings={"help_option_names": ["-h", "--help"]})
    @click.version_option(package_name="convertr", prog_name="convertr")
    @click.option("--debug", is_flag=True,
                  help="Show debug logs and full tracebacks on stderr.")
    @click.option("-v", "--verbose", count=True,
                  help="Show Convertr's logs on stderr (-vv: debug).")
    def root(debug: bool, verbose: int) -> None:
        """Convert video, audio and images between formats.

        \b
        Examples:
          convertr convert photo.heic photo.jpg
          convertr convert photo.png photo.jpg -o quality=80
          cat in.png | convertr convert - - --to webp > out.webp
          convertr formats
        """
        output.configure_logging(debug=debug, verbose=verbose)

    return root  # type: ignore[return-value]


cli = build_cli(LAZY_COMMANDS)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``convertr``)."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="convertr")


if __name__ == "__main__":
    main()
