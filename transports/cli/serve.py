"""``convertr serve``: run the HTTP API under gunicorn with the committed config.

The process is replaced by gunicorn (``os.execv``), so signals, exit codes and logs are
gunicorn's own, exactly as in production.
"""

from __future__ import annotations

import os
import sys

import click

GUNICORN_CONFIG = "python:convertr_http.gunicorn_conf"
APP = "convertr_http.app:get_app()"


def gunicorn_argv(bind: str | None = None, workers: int | None = None,
                  reload: bool = False) -> list[str]:
    """The full argument vector that ``serve`` executes.

    Options left as None keep the config module's values (which read the environment).

    Args:
        bind: ``HOST:PORT`` to listen on.
        workers: number of worker processes.
        reload: restart workers when code changes (development).

    Returns:
        ``[python, "-m", "gunicorn", "--config", ..., overrides..., app]``.
    """
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG]
    if bind:
        argv += ["--bind", bind]
    if workers is not None:
        argv += ["--workers", str(workers)]
    if reload:
        argv.append("--reload")
    return argv + [APP]


@click.command()
@click.option("--bind", metavar="HOST:PORT",
              help="Address to listen on [config default: 127.0.0.1:8000].")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Worker processes [config default].")
@click.option("--reload", is_flag=True, help="Restart workers when code changes (dev only).")
def serve(bind: str | None, workers: int | None, reload: bool) -> None:
    """Serve the HTTP API (gunicorn with convertr_http.gunicorn_conf).

    \b
    Examples:
      convertr serve
      convertr serve --bind 0.0.0.0:8080 --workers 4
    """
    argv = gunicorn_argv(bind, workers, reload)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
