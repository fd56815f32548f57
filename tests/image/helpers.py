"""Image test media beyond tests/media.py: EXIF, ICC, grids, primaries, odd modes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from tests.media import make_heic, make_image

BLUE = (0, 0, 255)
RED = (200, 30, 30)
ORIENTATION = 0x0112
MAKE, MODEL = 0x010F, 0x0110

# Pillow's format name for each format id, to check what was written.
PIL_NAME = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "bmp": "BMP",
            "tiff": "TIFF", "heic": "HEIF", "avif": "AVIF"}
ALL = tuple(PIL_NAME)


def pil() -> Any:
    """``PIL.Image`` with the HEIF opener registered (tests read what was written)."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    return Image


def srgb_icc() -> bytes:
    """A real ICC profile (littleCMS's sRGB) to check it survives a conversion."""
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def camera_exif(orientation: int | None = None) -> bytes:
    """EXIF as a phone writes it: make, model and (optionally) an orientation."""
    exif = pil().Exif()
    exif[MAKE], exif[MODEL] = "Convertr Test Cam", "TC-1"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif.tobytes()


def make_source(path: Path, fmt: str, *, size: tuple[int, int] = (64, 48),
                **save_args: Any) -> Path:
    """A tiny image in any of the plugin's formats (blue top-left quadrant, red rest)."""
    if fmt == "heic":
        return make_heic(path, size=size)
    args: dict[str, Any] = {"format": PIL_NAME[fmt], **save_args}
    if fmt in ("jpg", "webp", "avif"):
        args.setdefault("quality", 95)
    return make_image(path, size=size, color=RED, **args)


def make_grid_heic(path: Path, size: tuple[int, int] = (200, 136), tile: int = 64) -> Path:
    """A tiled ("grid") HEIC like iPhones write: left half blue, right half red."""
    Image = pil()
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, 0, size[0] // 2, size[1]))
    image.save(path, format="HEIF", quality=95, tile_size=tile)
    return path


def make_primary_heic(path: Path) -> Path:
    """A HEIC of two images whose primary is the second (96×64 green), not the first."""
    import pillow_heif

    Image = pil()
    first = Image.new("RGB", (40, 30), (90, 90, 90))
    primary = Image.new("RGB", (96, 64), (20, 180, 40))
    heif = pillow_heif.from_pillow(first)
    heif.add_from_pillow(primary)
    heif.save(str(path), quality=95, primary_index=1)
    return path


def make_animated_gif(path: Path, colours: tuple[tuple[int, int, int], ...] = (
        (255, 0, 0), (0, 255, 0), (0, 0, 255)), size: tuple[int, int] = (32, 24)) -> Path:
    """An animated GIF, one solid colour per frame, 120 ms each."""
    Image = pil()
    frames = [Image.new("RGB", size, colour) for colour in colours]
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:],
                   duration=120, loop=0)
    return path


def make_rgba_png(path: Path, size: tuple[int, int] = (40, 30)) -> Path:
    """Left half opaque red, right half fully transparent, one half-transparent column."""
    Image = pil()
    # the colour under the transparent half is green: dropping alpha would show it
    image = Image.new("RGBA", size, (0, 255, 0, 0))
    image.paste((255, 0, 0, 255), (0, 0, size[0] // 2, size[1]))
    image.paste((0, 0, 0, 128), (size[0] - 2, 0, size[0], size[1]))
    image.save(path, format="PNG")
    return path


def huge_png_header(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A PNG whose header claims ``width``×``height`` but holds almost no data.

    Decoding it would need tens of gigabytes: only a check made from the header, before
    decoding, can answer ``input_too_large`` for it.
    """
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
                     + chunk(b"IEND", b""))
    return path


def truncate(source: Path, path: Path, keep: float = 0.6) -> Path:
    """A copy of ``source`` cut after ``keep`` of its bytes (an interrupted upload)."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def near(pixel: Any, expected: tuple[int, ...], tolerance: int = 40) -> bool:
    """Lossy codecs move colours a little; quadrant colours stay far apart."""
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, expected))
