"""What every ``convertr`` command shares: error reporting, hints, JSON, logging.

This is the CLI's one translation point for failures (the HTTP API has its own). Command
modules raise ``convertr_core.ConvertrError`` subclasses and let them propagate: the root
group (``convertr_cli.main``) hands every exception to :func:`report_exception`, which
prints one line and picks the exit code. Commands never print tracebacks or call
``sys.exit`` for failures themselves.

Stable API for command modules (other packages' commands rely on it):

* :func:`print_json` – machine-readable output on stdout.
* :func:`add_hint` – attach a ``hint:`` line to an error before raising it.
* :func:`echo_error` / :func:`echo_hint` – print those lines yourself (rarely needed).
* :func:`report_exception` – translate an exception into output plus an exit code.
* :func:`is_debug` – whether ``--debug`` was given on the root group.

Nothing here imports ``convertr_core`` at module level: ``convertr --help`` must stay fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import click

EXIT_OK = 0
EXIT_USAGE = 2  # click's own code for bad arguments
EXIT_INTERNAL = 70  # EX_SOFTWARE from sysexits.h: a bug, not the user's fault
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader went away (`convertr ... - | head`)

HINT_PREFIX = "hint: "

# click's control-flow exceptions must reach click untouched (usage errors, --help, exit).
_CLICK_FLOW = (click.exceptions.ClickException, click.exceptions.Exit,
               click.exceptions.Abort)


def echo_error(message: str, code: str) -> None:
    """Print ``error: <message> [<code>]`` on stderr (one line; newlines are flattened)."""
    flat = " ".join(str(message).split())
    click.echo(f"error: {flat} [{code}]", err=True)


def echo_hint(text: str) -> None:
    """Print ``hint: <text>`` on stderr, the line after an error."""
    click.echo(f"{HINT_PREFIX}{text}", err=True)


def add_hint(ex: BaseException, text: str) -> BaseException:
    """Attach a hint that :func:`report_exception` prints under the error line.

    Uses the exception's standard notes (PEP 678), so a hint survives re-raising.

    Args:
        ex: the exception about to be raised (usually a ``ConvertrError``).
        text: the advice without the ``hint:`` prefix, e.g. ``re-run with --from jpg``.

    Returns:
        ``ex`` itself, so ``raise add_hint(ex, "...")`` reads naturally.
    """
    ex.add_note(HINT_PREFIX + text)
    return ex


def is_debug(ctx: click.Context | None = None) -> bool:
    """True when ``--debug`` was given on the root group (tracebacks, debug logs)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return False
    root = ctx.find_root()
    return bool(root.params.get("debug"))


def report_exception(ex: BaseException, *, debug: bool = False) -> int:
    """Print what went wrong on stderr and return the process exit code.

    * ``ConvertrError``: ``error: <message> [<code>]``, its hints, exit ``ex.exit_code``.
    * ``KeyboardInterrupt``: ``error: interrupted [cancelled]``, exit 130.
    * ``BrokenPipeError`` (stdout closed by the reader): silent, exit 141.
    * anything else: ``error: internal error: <Type> (re-run with --debug) [internal]``,
      exit 70.

    With ``debug`` the traceback is printed first, for every kind.

    Args:
        ex: the exception caught around a command.
        debug: print the traceback too.

    Returns:
        The exit code for ``sys.exit``.
    """
    if isinstance(ex, _CLICK_FLOW):
        raise ex  # not ours to translate; click prints usage errors itself
    if isinstance(ex, BrokenPipeError):
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    if debug:
        traceback.print_exception(ex, file=sys.stderr)
    if isinstance(ex, KeyboardInterrupt):
        echo_error("interrupted", "cancelled")
        return EXIT_INTERRUPTED
    error_class = _convertr_error_class()
    if error_class is not None and isinstance(ex, error_class):
        echo_error(ex.message, ex.code)
        _echo_hints(ex)
        return int(ex.exit_code)
    echo_error(f"internal error: {type(ex).__name__}"
               + ("" if debug else " (re-run with --debug)"), "internal")
    return EXIT_INTERNAL


def _echo_hints(ex: BaseException) -> None:
    for note in getattr(ex, "__notes__", ()):
        if note.startswith(HINT_PREFIX):
            echo_hint(note[len(HINT_PREFIX):])


def _convertr_error_class() -> type | None:
    """``ConvertrError`` if the core was imported (if not, nothing can have raised it)."""
    errors = sys.modules.get("convertr_core.errors")
    return getattr(errors, "ConvertrError", None)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def print_json(data: Any, *, file: IO[str] | None = None) -> None:
    """Print ``data`` as indented JSON (UTF-8, one trailing newline) on stdout.

    Paths, dates and sets are converted (str, ISO 8601, sorted list), so command modules
    can pass their records' ``to_dict()`` output directly.

    Args:
        data: anything ``json`` can encode, plus the types above.
        file: a text stream instead of stdout.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    click.echo(text, file=file)


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def configure_logging(*, debug: bool = False, verbose: int = 0) -> None:
    """Human-readable logs on stderr with ``--debug`` / ``-v``; otherwise none at all.

    Plain ``logging`` rather than structlog: importing structlog costs more than the whole
    start of ``convertr --help``. stdout stays free for results and binary output.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if not debug and not verbose:
        # A NullHandler keeps logging's last-resort handler from printing warnings.
        root.addHandler(logging.NullHandler())
        root.setLevel(logging.CRITICAL + 1)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"))
    root.addHandler(handler)
    # Libraries stay at WARNING (alembic and Pillow are chatty); Convertr's own loggers
    # get INFO with -v and DEBUG with -vv / --debug.
    root.setLevel(logging.INFO if debug else logging.WARNING)
    ours = logging.DEBUG if debug or verbose > 1 else logging.INFO
    for name in OUR_LOGGERS:
        logging.getLogger(name).setLevel(ours)


OUR_LOGGERS = ("convertr", "convertr_core", "convertr_cli", "convertr_http",
               "convertr_image", "convertr_audio", "convertr_video")
