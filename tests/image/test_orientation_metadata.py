"""Upright output, EXIF kept minus orientation, ICC carried over, strip_metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import Registry, convert
from tests.conftest import leftovers
from tests.image.helpers import (BLUE, MAKE, ORIENTATION, RED, camera_exif, make_source,
                                 near, pil, srgb_icc)
from tests.media import make_heic, make_image

# EXIF orientation → (displayed size, quadrant the stored top-left ends up in)
UPRIGHT = {1: ((64, 48), "top-left"), 2: ((64, 48), "top-right"),
           3: ((64, 48), "bottom-right"), 4: ((64, 48), "bottom-left"),
           5: ((48, 64), "top-left"), 6: ((48, 64), "top-right"),
           7: ((48, 64), "bottom-right"), 8: ((48, 64), "bottom-left")}
METADATA_TARGETS = ("jpg", "png", "webp", "tiff", "heic", "avif")


def quadrants(image) -> dict[str, tuple[int, ...]]:
    """The colour at the centre of each quarter of ``image``."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    return {f"{v}-{h}": rgb.getpixel((x, y))
            for v, y in (("top", height // 4), ("bottom", 3 * height // 4))
            for h, x in (("left", width // 4), ("right", 3 * width // 4))}


def assert_blue_at(image, where: str) -> None:
    found = quadrants(image)
    assert near(found[where], BLUE), found
    assert all(near(colour, RED) for name, colour in found.items() if name != where), found


@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_jpeg_exif_orientation_is_applied(image_registry: Registry, tmp_path: Path,
                                          orientation: int, work_temp: Path) -> None:
    source = make_image(tmp_path / "phone.jpg", color=RED, format="JPEG", quality=95,
                        exif=camera_exif(orientation))
    convert(source, tmp_path / "out.png", registry=image_registry)
    size, where = UPRIGHT[orientation]
    with pil().open(tmp_path / "out.png") as written:
        assert written.size == size
        assert_blue_at(written, where)
        exif = written.getexif()
        assert ORIENTATION not in exif and exif[MAKE] == "Convertr Test Cam"
    assert leftovers(work_temp) == []


def test_rotated_heic_comes_out_upright_without_orientation_tag(
        image_registry: Registry, tmp_path: Path) -> None:
    source = make_heic(tmp_path / "IMG_0001.HEIC", exif_orientation=6)
    convert(source, tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.jpg") as written:
        assert written.size == (48, 64)
        assert_blue_at(written, "top-right")
        assert written.getexif().get(ORIENTATION, 1) == 1


def test_box_applies_to_the_upright_picture(image_registry: Registry, tmp_path: Path) -> None:
    source = make_image(tmp_path / "phone.jpg", size=(640, 480), color=RED, format="JPEG",
                        exif=camera_exif(6))
    convert(source, tmp_path / "out.jpg", registry=image_registry,
            options={"max_width": "30"})
    with pil().open(tmp_path / "out.jpg") as written:
        assert written.size == (30, 40)
        assert_blue_at(written, "top-right")


@pytest.mark.parametrize("target", METADATA_TARGETS)
def test_exif_and_icc_are_carried_over(image_registry: Registry, tmp_path: Path,
                                       target: str) -> None:
    icc = srgb_icc()
    source = make_image(tmp_path / "in.jpg", color=RED, format="JPEG",
                        exif=camera_exif(3), icc_profile=icc)
    convert(source, tmp_path / f"out.{target}", registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        assert written.info.get("icc_profile") == icc
        exif = written.getexif()
        assert exif.get(MAKE) == "Convertr Test Cam"
        assert exif.get(ORIENTATION, 1) == 1
        assert_blue_at(written, "bottom-right")


def test_heic_exif_and_icc_reach_the_jpeg(image_registry: Registry, tmp_path: Path) -> None:
    icc = srgb_icc()
    picture = pil().open(make_source(tmp_path / "plain.png", "png"))
    picture.save(tmp_path / "in.heic", format="HEIF", exif=camera_exif(), icc_profile=icc)
    convert(tmp_path / "in.heic", tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.jpg") as written:
        assert written.info.get("icc_profile") == icc
        assert written.getexif().get(MAKE) == "Convertr Test Cam"


@pytest.mark.parametrize("target", METADATA_TARGETS)
def test_strip_metadata_drops_exif_but_keeps_colour_profile(
        image_registry: Registry, tmp_path: Path, target: str) -> None:
    icc = srgb_icc()
    source = make_image(tmp_path / "in.jpg", color=RED, format="JPEG",
                        exif=camera_exif(6), icc_profile=icc)
    convert(source, tmp_path / f"out.{target}", registry=image_registry,
            options={"strip_metadata": "true"})
    with pil().open(tmp_path / f"out.{target}") as written:
        assert MAKE not in written.getexif()
        assert written.info.get("icc_profile") == icc
        assert written.size == (48, 64)  # the orientation is still applied to the pixels


def test_same_format_re_encode_honours_quality(image_registry: Registry,
                                               tmp_path: Path) -> None:
    source = make_image(tmp_path / "in.jpg", size=(320, 240), color=RED, format="JPEG",
                        quality=100)
    # noise-free pictures compress too well to tell; a gradient shows the quality
    Image = pil()
    Image.linear_gradient("L").resize((320, 240)).convert("RGB").save(source, quality=100)
    convert(source, tmp_path / "low.jpg", registry=image_registry, options={"quality": 10})
    convert(source, tmp_path / "high.jpg", registry=image_registry, options={"quality": 95})
    assert (tmp_path / "low.jpg").stat().st_size < (tmp_path / "high.jpg").stat().st_size
    assert (tmp_path / "high.jpg").stat().st_size < source.stat().st_size


def test_exif_too_big_for_jpeg_is_dropped_not_fatal(image_registry: Registry,
                                                    tmp_path: Path) -> None:
    exif = pil().Exif()
    exif[MAKE], exif[0x010E] = "Convertr Test Cam", "x" * 70_000  # ImageDescription
    make_image(tmp_path / "in.png", color=RED, format="PNG", exif=exif.tobytes())
    convert(tmp_path / "in.png", tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.jpg") as written:
        assert MAKE not in written.getexif() and written.size == (64, 48)
