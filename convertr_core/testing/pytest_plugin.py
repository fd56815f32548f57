"""The ``convertr`` pytest plugin (``pytest11`` entry point): fixtures for plugin authors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from ..registry import Registry
from ..settings import Settings
from . import make_registry


@pytest.fixture
def convertr_settings(tmp_path: Path) -> Settings:
    """Settings with a private data directory and temp dir under ``tmp_path``."""
    temp = tmp_path / "convertr-tmp"
    temp.mkdir()
    return Settings(home=tmp_path / "convertr-home", secret="test-secret", temp_dir=temp)


@pytest.fixture
def convertr_registry_factory() -> Callable[..., Registry]:
    """``factory(plugin, ...)`` → a registry of exactly those plugins."""
    def factory(*plugins: Any) -> Registry:
        return make_registry(*plugins)
    return factory
