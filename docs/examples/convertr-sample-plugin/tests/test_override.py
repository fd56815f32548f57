"""The PNG -> JPG override: off by default, and a conformant converter when switched on."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core.testing import conformance_suite, make_registry

from convertr_sample import plugin

image_plugin = pytest.importorskip("convertr_image.plugin")


SAMPLES = Path(__file__).parent / "samples"


def _samples(fmt: str, folder: Path) -> Path | None:
    """The committed CSV/JSON samples, and a PNG made on the fly."""
    if fmt == "png":
        return _png(folder)
    return next(iter(sorted(SAMPLES.glob(f"*.{fmt}"))), None)


def _png(folder: Path) -> Path:
    from PIL import Image

    path = folder / "dot.png"
    image = Image.new("RGBA", (32, 24), (200, 30, 30, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))  # one transparent pixel to blend
    image.save(path)
    return path


def test_installing_the_sample_leaves_png_to_jpg_alone(monkeypatch) -> None:
    monkeypatch.delenv(plugin.OVERRIDE_ENV, raising=False)
    registry = make_registry(image_plugin, plugin)
    assert registry.converter("png", "jpg").plugin != plugin.__name__


def test_opting_in_makes_the_sample_win_by_priority(monkeypatch) -> None:
    monkeypatch.setenv(plugin.OVERRIDE_ENV, "1")
    registry = make_registry(image_plugin, plugin)
    assert registry.converter("png", "jpg").plugin == plugin.__name__
    assert registry.conflicts == []


def test_without_the_image_plugin_the_override_is_skipped(monkeypatch) -> None:
    monkeypatch.setenv(plugin.OVERRIDE_ENV, "1")
    registry = make_registry(plugin)
    assert registry.plugins[plugin.__name__].loaded
    assert sorted(registry.converters) == [("csv", "json"), ("json", "csv")]


# The suite again with the override registered: it needs the image plugin's formats
# and a PNG sample, made here rather than committed.
TestOverrideConformance = conformance_suite(
    plugin, uses=["convertr_image.plugin"], environ={plugin.OVERRIDE_ENV: "1"},
    samples=_samples,
    name="TestOverrideConformance")
