"""Fixtures for the image plugin tests: the real plugin in a registry, tiny sources."""

from __future__ import annotations

from pathlib import Path

import pytest

import convertr_image.plugin
from convertr_core import Registry
from convertr_core.testing import make_registry
from tests.image.helpers import ALL, make_source


@pytest.fixture(scope="session")
def image_registry() -> Registry:
    """A registry holding exactly the image plugin."""
    return make_registry(convertr_image.plugin)


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One 64×48 picture per format (blue top-left quadrant, red elsewhere)."""
    folder = tmp_path_factory.mktemp("image-sources")
    return {fmt: make_source(folder / f"src.{fmt}", fmt) for fmt in ALL}
