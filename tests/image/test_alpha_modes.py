"""Alpha blended onto the background, palette/LA/CMYK/16-bit/1-bit sources, resizing."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import InvalidOption, Registry, convert
from tests.conftest import leftovers
from tests.image.helpers import make_rgba_png, make_source, near, pil
from tests.media import make_heic


@pytest.mark.parametrize("target", ["jpg", "bmp"])
def test_alpha_is_blended_onto_white_by_default(image_registry: Registry, tmp_path: Path,
                                                target: str) -> None:
    convert(make_rgba_png(tmp_path / "in.png"), tmp_path / f"out.{target}",
            registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        assert written.mode == "RGB"
        assert near(written.getpixel((5, 5)), (255, 0, 0), 10)  # opaque: unchanged
        assert near(written.getpixel((30, 5)), (255, 255, 255), 10)  # not the hidden green
        # half-transparent black over white is mid grey: blended, not dropped (black)
        assert near(written.getpixel((39, 5)), (127, 127, 127), 12)


def test_alpha_is_blended_onto_the_given_background(image_registry: Registry,
                                                    tmp_path: Path) -> None:
    convert(make_rgba_png(tmp_path / "in.png"), tmp_path / "out.jpg", registry=image_registry,
            options={"background": "#0000ff"})
    with pil().open(tmp_path / "out.jpg") as written:
        assert near(written.getpixel((30, 5)), (0, 0, 255), 12)
        assert near(written.getpixel((39, 5)), (0, 0, 127), 16)


def test_transparent_heic_is_flattened_for_jpeg(image_registry: Registry,
                                                tmp_path: Path) -> None:
    source = make_heic(tmp_path / "in.heic", alpha=True)
    convert(source, tmp_path / "out.jpg", registry=image_registry,
            options={"background": "lime"})
    with pil().open(tmp_path / "out.jpg") as written:
        assert near(written.getpixel((56, 40)), (0, 255, 0))  # transparent corner
        assert near(written.getpixel((8, 8)), (0, 0, 255))


@pytest.mark.parametrize("target", ["png", "webp", "tiff", "avif", "heic"])
def test_alpha_is_kept_where_the_target_has_it(image_registry: Registry, tmp_path: Path,
                                               target: str) -> None:
    convert(make_rgba_png(tmp_path / "in.png"), tmp_path / f"out.{target}",
            registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        rgba = written.convert("RGBA")
        assert rgba.getpixel((30, 5))[3] < 10 and rgba.getpixel((5, 5))[3] > 245


@pytest.mark.parametrize("garbage", ["not-a-colour", "#12345", "rgb(1,2)", ""])
def test_bad_background_is_an_invalid_option(image_registry: Registry, tmp_path: Path,
                                             garbage: str, work_temp: Path) -> None:
    with pytest.raises(InvalidOption) as caught:
        convert(make_rgba_png(tmp_path / "in.png"), tmp_path / "out.jpg",
                registry=image_registry, options={"background": garbage})
    assert "background" in caught.value.errors
    assert not (tmp_path / "out.jpg").exists() and leftovers(work_temp) == []


@pytest.mark.parametrize(("target", "option"), [("png", "quality"), ("png", "background"),
                                                ("gif", "strip_metadata")])
def test_options_that_make_no_sense_for_the_target_are_refused(
        image_registry: Registry, sources: dict[str, Path], tmp_path: Path, target: str,
        option: str) -> None:
    with pytest.raises(InvalidOption) as caught:
        convert(sources["jpg"], tmp_path / f"out.{target}", registry=image_registry,
                options={option: "1"})
    assert caught.value.errors == {option: ["unknown option"]}


def test_quality_out_of_range_is_refused(image_registry: Registry, sources: dict[str, Path],
                                         tmp_path: Path) -> None:
    with pytest.raises(InvalidOption):
        convert(sources["heic"], tmp_path / "out.jpg", registry=image_registry,
                options={"quality": "101"})


@pytest.mark.parametrize(("options", "size"), [
    ({"max_width": 32}, (32, 24)), ({"max_height": 12}, (16, 12)),
    ({"max_width": 32, "max_height": 8}, (11, 8)), ({"max_width": 1000}, (64, 48)),
    ({"max_width": 64, "max_height": 48}, (64, 48)),
])
@pytest.mark.parametrize("source", ["jpg", "heic", "png"])
def test_fit_inside_the_box_without_upscaling(image_registry: Registry,
                                              sources: dict[str, Path], tmp_path: Path,
                                              options: dict, size: tuple[int, int],
                                              source: str) -> None:
    convert(sources[source], tmp_path / "out.webp", registry=image_registry, options=options)
    with pil().open(tmp_path / "out.webp") as written:
        assert written.size == size


def test_large_jpeg_downscale_is_sharp_and_exact(image_registry: Registry,
                                                 tmp_path: Path) -> None:
    source = make_source(tmp_path / "big.jpg", "jpg", size=(1600, 1200))
    convert(source, tmp_path / "small.png", registry=image_registry,
            options={"max_width": 100})
    with pil().open(tmp_path / "small.png") as written:
        assert written.size == (100, 75)
        assert near(written.getpixel((20, 15)), (0, 0, 255), 20)
        assert near(written.getpixel((80, 60)), (200, 30, 30), 20)


def _palette_png(path: Path) -> Path:
    Image = pil()
    image = Image.new("P", (20, 10), 1)
    image.putpalette([0, 255, 0, 255, 0, 0] + [0] * 762)  # 0 = green, 1 = red
    image.paste(0, (10, 0, 20, 10))
    image.save(path, transparency=0)
    return path


def test_palette_with_transparency_flattens_for_jpeg(image_registry: Registry,
                                                     tmp_path: Path) -> None:
    convert(_palette_png(tmp_path / "p.png"), tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.jpg") as written:
        assert near(written.getpixel((3, 5)), (255, 0, 0), 20)
        assert near(written.getpixel((16, 5)), (255, 255, 255), 20)


def test_palette_stays_a_palette_for_gif(image_registry: Registry, tmp_path: Path) -> None:
    convert(_palette_png(tmp_path / "p.png"), tmp_path / "out.gif", registry=image_registry)
    with pil().open(tmp_path / "out.gif") as written:
        assert written.mode == "P"
        rgba = written.convert("RGBA")
        assert rgba.getpixel((3, 5)) == (255, 0, 0, 255) and rgba.getpixel((16, 5))[3] == 0


def test_grey_with_alpha_to_jpeg(image_registry: Registry, tmp_path: Path) -> None:
    Image = pil()
    image = Image.new("LA", (20, 10), (50, 255))
    image.paste((50, 0), (10, 0, 20, 10))
    image.save(tmp_path / "la.png")
    convert(tmp_path / "la.png", tmp_path / "out.jpg", registry=image_registry,
            options={"background": "black"})
    with pil().open(tmp_path / "out.jpg") as written:
        assert near(written.convert("RGB").getpixel((3, 5)), (50, 50, 50), 8)
        assert near(written.convert("RGB").getpixel((16, 5)), (0, 0, 0), 8)


def test_cmyk_jpeg_becomes_rgb_for_png_and_stays_cmyk_for_jpeg(image_registry: Registry,
                                                               tmp_path: Path) -> None:
    Image = pil()
    Image.new("CMYK", (20, 10), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg", quality=95)
    convert(tmp_path / "cmyk.jpg", tmp_path / "out.png", registry=image_registry)
    convert(tmp_path / "cmyk.jpg", tmp_path / "out.jpg", registry=image_registry)
    with pil().open(tmp_path / "out.png") as written:
        assert written.mode == "RGB" and near(written.getpixel((5, 5)), (255, 0, 0), 10)
    with pil().open(tmp_path / "out.jpg") as written:
        assert written.mode == "CMYK"


@pytest.mark.parametrize("target", ["jpg", "webp", "png"])
def test_sixteen_bit_grey_is_scaled_not_clipped(image_registry: Registry, tmp_path: Path,
                                                target: str) -> None:
    Image = pil()
    Image.new("I;16", (20, 10), 32768).save(tmp_path / "deep.png")
    convert(tmp_path / "deep.png", tmp_path / f"out.{target}", registry=image_registry)
    with pil().open(tmp_path / f"out.{target}") as written:
        value = written.getpixel((5, 5))
        level = value if isinstance(value, int) else value[0]
        if written.mode.startswith("I"):
            assert level == 32768  # PNG keeps all 16 bits
        else:
            assert abs(level - 128) <= 3  # half grey, not clipped to white


def test_bilevel_image_to_webp(image_registry: Registry, tmp_path: Path) -> None:
    Image = pil()
    image = Image.new("1", (16, 8), 0)
    image.paste(1, (8, 0, 16, 8))
    image.save(tmp_path / "bw.png")
    convert(tmp_path / "bw.png", tmp_path / "out.webp", registry=image_registry)
    with pil().open(tmp_path / "out.webp") as written:
        rgb = written.convert("RGB")
        assert near(rgb.getpixel((2, 4)), (0, 0, 0), 20)
        assert near(rgb.getpixel((13, 4)), (255, 255, 255), 20)


def test_float_tiff_is_stretched_to_grey(image_registry: Registry, tmp_path: Path) -> None:
    Image = pil()
    image = Image.new("F", (20, 10), 0.25)
    image.paste(0.75, (10, 0, 20, 10))
    image.save(tmp_path / "float.tif")
    convert(tmp_path / "float.tif", tmp_path / "out.png", registry=image_registry)
    with pil().open(tmp_path / "out.png") as written:
        assert written.mode == "L"
        assert written.getpixel((3, 5)) == 0 and written.getpixel((15, 5)) == 255
