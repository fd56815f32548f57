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


@pytest.fixture
def convertr_conformance(request: pytest.FixtureRequest) -> Any:
    """The conformance state of the running ``PluginConformance`` test class.

    The suite's checks take it; it is what makes ``conformance_suite(...)`` work in any
    project that has Convertr installed (this module is a ``pytest11`` entry point).
    """
    from .conformance import PluginConformance
    from .state import state_for

    if not isinstance(request.instance, PluginConformance):
        raise pytest.UsageError("convertr_conformance is only for PluginConformance tests")
    return state_for(request.instance)


@pytest.fixture
def convertr_check_plugin() -> Callable[..., list[str]]:
    """``check(plugin, uses=())`` → the problems Convertr would have loading ``plugin``."""
    from .checks import check_plugin
    return check_plugin
