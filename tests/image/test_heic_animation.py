"""Phone HEIC specifics (bit depth, grids, several images) and animated sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import Registry, convert
from tests.image.helpers import (BLUE, RED, make_animated_gif, make_grid_heic,
                                 make_primary_heic, near, pil)
from tests.media import make_heic


@pytest.mark.parametrize("bit_depth", [8, 10, 12])
@pytest.mark.parametrize("target", ["jpg", "png"])
def test_high_bit_depth_heic(image_registry: Registry, tmp_path: Path, bit_depth: int,
                             target: str) -> None:
    source = make_heic(tmp_path / "deep.heic", bit_depth=bit_depth)
    convert(source, tmp_path / f"out.{target}", registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        assert written.mode == "RGB" and written.size == (64, 48)
        assert near(written.getpixel((8, 8)), BLUE, 30)
        assert near(written.getpixel((50, 40)), (204, 25, 25), 30)


def test_grid_heic_is_assembled_from_its_tiles(image_registry: Registry,
                                               tmp_path: Path) -> None:
    source = make_grid_heic(tmp_path / "grid.heic")
    assert b"grid" in source.read_bytes()  # the test really feeds a tiled file
    convert(source, tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.jpg") as written:
        assert written.size == (200, 136)
        for x, y in ((10, 10), (90, 120), (40, 70)):  # three different tiles
            assert near(written.getpixel((x, y)), BLUE), (x, y)
        for x, y in ((110, 10), (190, 120), (150, 70)):
            assert near(written.getpixel((x, y)), RED), (x, y)


def test_heic_with_several_images_converts_the_primary(image_registry: Registry,
                                                       tmp_path: Path) -> None:
    convert(make_primary_heic(tmp_path / "multi.heic"), tmp_path / "out.png",
            registry=image_registry)
    with pil().open(tmp_path / "out.png") as written:
        assert written.size == (96, 64)
        assert near(written.getpixel((10, 10)), (20, 180, 40), 20)


def test_heic_extra_images_are_not_converted(image_registry: Registry,
                                             tmp_path: Path) -> None:
    convert(make_heic(tmp_path / "burst.heic", extra_images=2), tmp_path / "out.gif",
            registry=image_registry)
    with pil().open(tmp_path / "out.gif") as written:
        assert getattr(written, "n_frames", 1) == 1 and written.size == (64, 48)


@pytest.mark.parametrize("target", ["gif", "webp"])
def test_animation_is_kept_for_animated_targets(image_registry: Registry, tmp_path: Path,
                                                target: str) -> None:
    convert(make_animated_gif(tmp_path / "anim.gif"), tmp_path / f"out.{target}",
            registry=image_registry, options={"max_width": 16})
    with pil().open(tmp_path / f"out.{target}") as written:
        assert written.n_frames == 3 and written.size == (16, 12)
        colours = []
        for index in range(3):
            written.seek(index)
            colours.append(written.convert("RGB").getpixel((8, 6)))
            assert abs(written.info["duration"] - 120) <= 10
        for found, expected in zip(colours, [(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
            assert near(found, expected, 30), colours


@pytest.mark.parametrize("target", ["png", "jpg", "heic"])
def test_animation_becomes_its_first_frame_elsewhere(image_registry: Registry,
                                                     tmp_path: Path, target: str) -> None:
    convert(make_animated_gif(tmp_path / "anim.gif"), tmp_path / f"out.{target}",
            registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        assert getattr(written, "n_frames", 1) == 1
        assert near(written.convert("RGB").getpixel((8, 6)), (255, 0, 0), 30)
