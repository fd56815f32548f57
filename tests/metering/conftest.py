"""Fixtures for the metering tests: media, a slow plugin, gunicorn, PostgreSQL, Chromium."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from convertr_core import schema
from convertr_core.db import dispose_engines
from tests.http.conftest import encode_multipart, gunicorn_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
PG_DSN = "host=127.0.0.1 port=5432 dbname=test"
PG_USERS = ("postgres", "root")


# -- media ---------------------------------------------------------------------------
def png_bytes(size: int = 8, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A tiny real PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


def broken_png_bytes() -> bytes:
    """A PNG signature followed by garbage: sniffs as PNG, fails to decode."""
    return png_bytes()[:40] + b"\x00garbage" * 20


@pytest.fixture(autouse=True)
def fresh_database_state() -> Iterator[None]:
    """Each test migrates its own database (the home directory changes per test)."""
    schema.forget_upgrades()
    yield
    dispose_engines()
    schema.forget_upgrades()


# -- the slow test plugin, installed like a third-party package ------------------------------
@pytest.fixture
def slow_plugin_path(tmp_path: Path) -> Path:
    """A folder to put on PYTHONPATH: a dist-info declaring ``slowtest`` in ``convertr``."""
    return slow_plugin_site(tmp_path / "site")


def slow_plugin_site(folder: Path) -> Path:
    """Write into ``folder`` a dist-info that registers the slow test plugin by entry
    point, exactly like an installed third-party package; returns ``folder``."""
    dist = folder / "convertr_metering_slowtest-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: convertr-metering-slowtest\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[convertr]\nslowtest = tests.metering.slow_plugin\n")
    return folder


# -- HTTP ------------------------------------------------------------------------------------
def convert_form(data: bytes, output_format: str = "jpg",
                 filename: str = "in.png") -> tuple[bytes, str]:
    """A ``POST /api/convert`` body: the file plus its output format."""
    return encode_multipart({"output_format": output_format}, {"file": (filename, data)})


def python_path(*folders: Path) -> str:
    """PYTHONPATH for a server: ``folders`` first, then the repository."""
    return os.pathsep.join(str(folder) for folder in (*folders, ROOT))


# -- PostgreSQL -------------------------------------------------------------------------------
def _pg_connect() -> psycopg.Connection:
    problems = []
    for user in PG_USERS:
        try:
            return psycopg.connect(f"{PG_DSN} user={user}", autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as ex:
            problems.append(f"{user}: {ex}")
    raise RuntimeError("; ".join(problems))


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, private schema in the ``test`` database (dropped afterwards).

    Without a server the test is skipped, unless ``CI=true``: then it fails.
    """
    try:
        admin = _pg_connect()
    except RuntimeError as ex:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required in CI: {ex}")
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not available: {ex}")
    user = admin.info.user
    name = f"metering_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield (f"postgresql+psycopg://{user}@127.0.0.1:5432/test"
               f"?options=-csearch_path%3D{name}")
    finally:
        dispose_engines()
        admin.execute(f'DROP SCHEMA "{name}" CASCADE')
        admin.close()


# -- Chromium ---------------------------------------------------------------------------------
CHROMIUM_NAMES = ("chromium", "chromium-browser")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's headless Chromium, installed with apt-get when missing."""
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True,
                             text=True, env=env)
    if install.returncode != 0:  # a new machine's package lists may be empty or stale
        subprocess.run(["apt-get", "update"], capture_output=True, env=env)
        install = subprocess.run(["apt-get", "install", "-y", "chromium"],
                                 capture_output=True, text=True, env=env)
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("headless Chromium is needed for the reliability page test and "
                    f"'apt-get install -y chromium' failed (exit {install.returncode}):\n"
                    f"{install.stderr[-2000:]}")
    return found
