"""Suite-wide fixtures: every test gets its own data directory and temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import convertr_core
from convertr_core import Settings


@pytest.fixture(autouse=True)
def isolated_convertr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point CONVERTR_HOME / CONVERTR_TEMP_DIR at fresh folders for each test."""
    home, temp = tmp_path / "home", tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("CONVERTR_HOME", str(home))
    monkeypatch.setenv("CONVERTR_TEMP_DIR", str(temp))
    monkeypatch.delenv("CONVERTR_DATABASE_URL", raising=False)
    monkeypatch.delenv("CONVERTR_DISABLE_PLUGINS", raising=False)
    convertr_core.configure(None)
    convertr_core.reset_registry()
    yield convertr_core.get_settings()
    convertr_core.configure(None)
    convertr_core.reset_registry()


@pytest.fixture
def settings(isolated_convertr: Settings) -> Settings:
    """The settings every test runs with (from the isolated environment)."""
    return isolated_convertr


@pytest.fixture
def work_temp(settings: Settings) -> Path:
    """The temp dir conversions use; tests assert it is empty afterwards."""
    assert settings.temp_dir is not None
    return Path(settings.temp_dir)


def leftovers(folder: Path) -> list[str]:
    """Files and folders left in ``folder`` (should be none after any conversion)."""
    return sorted(os.listdir(folder)) if folder.exists() else []
