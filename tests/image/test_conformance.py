"""The core's plugin conformance suite, run on the image plugin with generated samples."""

from __future__ import annotations

from pathlib import Path

from convertr_core.testing import conformance_suite
from tests.image.helpers import make_source


def sample(format_id: str, folder: Path) -> Path:
    """A tiny picture of ``format_id`` (every image format can be generated)."""
    return make_source(folder / f"sample.{format_id}", format_id)


TestConformance = conformance_suite("convertr_image.plugin", samples=sample)
