"""Fixtures for the HTTP API: an in-process client and a real gunicorn server.

Reusable by other parts' tests (accounts, rollups). Fixtures are folder-scoped, so a
suite outside ``tests/http`` re-exports them from its own ``conftest.py``::

    from tests.http.conftest import gunicorn_server, multipart  # noqa: F401

and then asks for:

* ``gunicorn_server`` — a factory ``gunicorn_server(env=None, app=DEFAULT_APP) -> base_url``.
  Each call starts ``python -m gunicorn`` with the committed ``convertr_http.gunicorn_conf``
  on a free loopback port, with this test's ``CONVERTR_HOME`` / ``CONVERTR_TEMP_DIR`` plus
  ``env`` in its environment, waits until ``/api/health`` answers (200 or 503: a plugin
  still being written must not hide the server) and stops it when the test ends. ``app``
  is a gunicorn app spec; ``tests.http.apps:image_app()`` serves only the image plugin.
  ``gunicorn_server.logs[base_url]`` is the path of that server's stdout+stderr log.
* ``multipart`` — ``multipart(fields, files) -> (body, content_type)`` for in-process
  requests (``files`` maps a field to ``(filename, bytes)``).
* ``client`` — a ``falcon.testing.TestClient`` for ``create_app`` with the image plugin
  only and no extensions.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator, Mapping

import falcon.testing
import httpx
import pytest

from convertr_core import Settings
from convertr_core.testing import make_registry

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_APP = "convertr_http.app:get_app()"
START_TIMEOUT_S = 60  # a loaded 2-core machine can take a while to import everything

GunicornFactory = Callable[..., str]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-3000:]}")
        try:
            httpx.get(f"{base_url}/api/health", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in {START_TIMEOUT_S} s: "
                       f"{log_path.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # graceful: the arbiter stops its workers
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def gunicorn_server(settings: Settings, tmp_path: Path) -> Iterator[GunicornFactory]:
    """Factory: start gunicorn with ``env`` on a free port; returns its base URL."""
    started: list[subprocess.Popen] = []

    def start(env: Mapping[str, str] | None = None, app: str = DEFAULT_APP) -> str:
        port = free_port()
        full_env = {**os.environ, "CONVERTR_HOME": str(settings.home),
                    "CONVERTR_TEMP_DIR": str(settings.temp_dir),
                    "CONVERTR_BIND": f"127.0.0.1:{port}", "CONVERTR_WORKERS": "2",
                    "PYTHONPATH": str(ROOT), **(env or {})}
        log_path = tmp_path / f"gunicorn-{uuid.uuid4().hex[:8]}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config",
                 "python:convertr_http.gunicorn_conf", app],
                cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(proc, base_url, log_path)
        start.logs[base_url] = log_path  # type: ignore[attr-defined]
        return base_url

    start.logs = {}  # type: ignore[attr-defined]
    yield start
    for proc in started:
        _stop(proc)


def encode_multipart(fields: Mapping[str, str] | None = None,
                     files: Mapping[str, tuple[str, bytes]] | None = None,
                     ) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its Content-Type."""
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in (fields or {}).items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                      f'\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in (files or {}).items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                      f'filename="{filename}"\r\nContent-Type: application/octet-stream'
                      f'\r\n\r\n'.encode("utf-8") + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def multipart() -> Callable[..., tuple[bytes, str]]:
    """``multipart(fields, files) -> (body, content_type)``."""
    return encode_multipart


@pytest.fixture
def image_registry():  # type: ignore[no-untyped-def]
    """A registry of the built-in image plugin only (audio/video may not be installed)."""
    import convertr_image.plugin
    return make_registry(convertr_image.plugin)


@pytest.fixture
def client(settings: Settings, image_registry) -> falcon.testing.TestClient:  # type: ignore[no-untyped-def]
    """An in-process client for ``create_app`` over the image plugin, no extensions
    (accounts and rollups test themselves with their own extension loaded)."""
    from convertr_http.app import create_app
    return falcon.testing.TestClient(create_app(settings, image_registry, extensions=()))
