"""Fixtures for the CLI suite: run the installed ``convertr`` as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from tests.media import make_heic, make_image

CONVERTR = Path(sys.executable).with_name("convertr")

RunCli = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run ``convertr ARGS`` in ``tmp_path`` with the test's environment; bytes out."""

    def run(*args: str, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(CONVERTR), *args], cwd=tmp_path, input=stdin,
                              capture_output=True, env={**os.environ, **(env or {})},
                              timeout=120)

    return run


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A 64x48 PNG: blue top-left quarter, red elsewhere."""
    return make_image(tmp_path / "photo.png")


@pytest.fixture
def heic(tmp_path: Path) -> Path:
    """A 64x48 HEIC with the same picture as ``png``."""
    return make_heic(tmp_path / "photo.heic")


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    """stderr as text lines (what the user reads after a failure)."""
    return result.stderr.decode().splitlines()
