"""Test media made on the fly: ffmpeg's lavfi sources and pillow-heif's encoder.

Nothing large is committed; every helper writes into a path the test owns.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Sequence

import imageio_ffmpeg

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly; raise with its stderr on failure."""
    done = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg {' '.join(args)} failed: {done.stderr[-2000:]}")


def make_video(path: Path, *, seconds: float = 2.0, size: str = "320x240", fps: int = 25,
               audio: bool = True, vcodec: str = "libx264", acodec: str = "aac",
               extra: Sequence[str] = ()) -> Path:
    """A test-pattern video (with a sine soundtrack unless ``audio=False``)."""
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={fps}:duration={seconds}"]
    codecs = ["-c:v", vcodec]
    if vcodec == "libx264":
        codecs += ["-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
        codecs += ["-c:a", acodec, "-shortest"]
    ffmpeg(*inputs, *codecs, *extra, str(path))
    return path


def make_audio(path: Path, *, seconds: float = 2.0, codec: Sequence[str] = (),
               frequency: int = 440) -> Path:
    """A sine tone; ``codec`` adds encoder arguments (default: ffmpeg's for the extension)."""
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
           *codec, str(path))
    return path


def make_image(path: Path, *, size: tuple[int, int] = (64, 48), mode: str = "RGB",
               color: tuple[int, ...] = (200, 30, 30), format: str | None = None,
               exif_orientation: int | None = None, **save_args: object) -> Path:
    """A solid image with a distinct top-left quadrant (to check orientation).

    The top-left quarter is pure blue, the rest ``color``.
    """
    from PIL import Image

    import pillow_heif
    pillow_heif.register_heif_opener()
    image = Image.new(mode if mode in ("RGB", "RGBA") else "RGB", size, color[:3] if mode == "RGB" else color)
    quarter = Image.new(image.mode, (size[0] // 2, size[1] // 2),
                        (0, 0, 255) if image.mode == "RGB" else (0, 0, 255, 255))
    image.paste(quarter, (0, 0))
    if mode not in ("RGB", "RGBA"):
        image = image.convert(mode)
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        save_args["exif"] = exif.tobytes()
    image.save(path, format=format, **save_args)
    return path


def make_heic(path: Path, *, size: tuple[int, int] = (64, 48), bit_depth: int = 8,
              alpha: bool = False, exif_orientation: int | None = None,
              extra_images: int = 0, quality: int = 90) -> Path:
    """A HEIC photo via pillow-heif's encoder: 8/10/12-bit, alpha, EXIF, several images."""
    import numpy as np
    import pillow_heif

    channels = 4 if alpha else 3
    peak = (1 << bit_depth) - 1
    pixels = np.zeros((size[1], size[0], channels), dtype=np.uint16 if bit_depth > 8 else np.uint8)
    pixels[..., 0] = int(peak * 0.8)
    pixels[..., 1] = int(peak * 0.1)
    pixels[..., 2] = int(peak * 0.1)
    pixels[: size[1] // 2, : size[0] // 2, :3] = (0, 0, peak)  # blue top-left quadrant
    if alpha:
        pixels[..., 3] = peak
        pixels[size[1] // 2:, size[0] // 2:, 3] = 0  # transparent bottom-right
    mode = ("RGBA" if alpha else "RGB") + (f";{bit_depth}" if bit_depth > 8 else "")
    heif = pillow_heif.from_bytes(mode=mode, size=size, data=bytes(pixels.astype(
        "<u2" if bit_depth > 8 else "u1").tobytes()))
    for _ in range(extra_images):
        small = np.full((size[1] // 2, size[0] // 2, 3), 90, dtype=np.uint8)
        heif.add_frombytes("RGB", (size[0] // 2, size[1] // 2), small.tobytes())
    kwargs: dict[str, object] = {"quality": quality}
    if exif_orientation is not None:
        from PIL import Image
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    heif.save(str(path), **kwargs)
    return path
