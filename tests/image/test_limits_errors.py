"""Pixel cap before decoding, corrupt input, progress, entry points, cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import convertr_core
from convertr_core import (DecodeFailed, InputTooLarge, Limits, Registry, Settings,
                           convert)
from tests.conftest import leftovers
from tests.image.helpers import huge_png_header, make_animated_gif, pil, truncate


def test_header_claiming_ten_gigapixels_is_refused_before_decoding(
        image_registry: Registry, tmp_path: Path, work_temp: Path) -> None:
    source = huge_png_header(tmp_path / "bomb.png")
    assert source.stat().st_size < 200  # decoding would fail or exhaust memory instead
    with pytest.raises(InputTooLarge) as caught:
        convert(source, tmp_path / "out.jpg", registry=image_registry)
    assert caught.value.code == "input_too_large"
    assert leftovers(work_temp) == []


@pytest.mark.parametrize("fmt", ["jpg", "png", "heic", "avif", "webp", "tiff"])
def test_pixel_cap_from_the_limits(image_registry: Registry, sources: dict[str, Path],
                                   tmp_path: Path, fmt: str, work_temp: Path) -> None:
    with pytest.raises(InputTooLarge) as caught:  # the sources are 64×48 = 3072 pixels
        convert(sources[fmt], tmp_path / "out.png", registry=image_registry,
                limits=Limits(max_pixels=3000))
    assert "64×48" in caught.value.message
    convert(sources[fmt], tmp_path / "out.png", registry=image_registry,
            limits=Limits(max_pixels=3072))
    assert (tmp_path / "out.png").is_file() and leftovers(work_temp) == []


def test_pixel_cap_from_settings(image_registry: Registry, sources: dict[str, Path],
                                 tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(InputTooLarge):
        convert(sources["heic"], tmp_path / "out.jpg", registry=image_registry,
                settings=settings.with_(max_pixels=1000))


def test_animation_counts_every_frame(image_registry: Registry, tmp_path: Path) -> None:
    source = make_animated_gif(tmp_path / "anim.gif")  # 32×24 × 3 frames = 2304 pixels
    with pytest.raises(InputTooLarge):
        convert(source, tmp_path / "out.webp", registry=image_registry,
                limits=Limits(max_pixels=2000))
    convert(source, tmp_path / "out.png", registry=image_registry,  # one frame is enough
            limits=Limits(max_pixels=2000))


def test_too_wide_for_webp_asks_for_a_smaller_size(image_registry: Registry,
                                                   tmp_path: Path) -> None:
    pil().new("RGB", (16_400, 2), (9, 9, 9)).save(tmp_path / "strip.png")
    with pytest.raises(InputTooLarge) as caught:
        convert(tmp_path / "strip.png", tmp_path / "out.webp", registry=image_registry)
    assert "max_width" in caught.value.message
    convert(tmp_path / "strip.png", tmp_path / "out.webp", registry=image_registry,
            options={"max_width": 8000})
    with pil().open(tmp_path / "out.webp") as written:
        assert written.size == (8000, 1)


@pytest.mark.parametrize("fmt", ["jpg", "png", "heic", "webp", "avif", "gif", "tiff", "bmp"])
def test_truncated_input_is_a_clean_decode_failure(image_registry: Registry,
                                                   tmp_path: Path, fmt: str,
                                                   work_temp: Path) -> None:
    source = tmp_path / f"full.{fmt}"
    noisy = pil().effect_noise((256, 192), 64).convert("RGB")  # noise: no tiny encodings
    noisy.save(source, format={"jpg": "JPEG", "heic": "HEIF"}.get(fmt, fmt.upper()))
    broken = truncate(source, tmp_path / f"cut.{fmt}", keep=0.5)
    target = "png" if fmt != "png" else "jpg"
    with pytest.raises(DecodeFailed) as caught:
        convert(broken, tmp_path / f"out.{target}", registry=image_registry)
    message = caught.value.message
    assert caught.value.code == "decode_failed"
    assert "\n" not in message and "Traceback" not in message and str(tmp_path) not in message
    assert not (tmp_path / f"out.{target}").exists() and leftovers(work_temp) == []


def test_garbage_behind_a_valid_signature(image_registry: Registry, tmp_path: Path) -> None:
    source = tmp_path / "fake.png"
    source.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 50)
    with pytest.raises(DecodeFailed) as caught:
        convert(source, tmp_path / "out.jpg", registry=image_registry)
    assert str(tmp_path) not in caught.value.message


def test_progress_is_reported(image_registry: Registry, sources: dict[str, Path],
                              tmp_path: Path) -> None:
    seen: list[float] = []
    convert(sources["heic"], tmp_path / "out.jpg", registry=image_registry,
            progress=seen.append)
    assert 0.5 in seen and seen[-1] == 1.0 and seen == sorted(seen)


def test_conversion_through_installed_entry_points(sources: dict[str, Path],
                                                   tmp_path: Path, work_temp: Path) -> None:
    registry = convertr_core.get_registry()
    assert registry.plugins["image"].loaded, registry.report()
    result = convertr_core.convert(sources["heic"], tmp_path / "photo.jpeg",
                                   options={"quality": "80", "max_width": "32"})
    assert result.record.plugin == "image" and result.target.id == "jpg"
    with pil().open(tmp_path / "photo.jpeg") as written:
        assert written.format == "JPEG" and written.size == (32, 24)
    assert leftovers(work_temp) == []


def test_importing_the_plugin_does_not_import_pillow() -> None:
    code = ("import sys, convertr_image.plugin as p; "
            "from convertr_core.testing import make_registry; make_registry(p); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PIL', 'pillow_heif', 'numpy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
