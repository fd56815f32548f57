"""Opening and decoding inputs: lazy open, pixel cap before decoding, clean errors.

Pillow and pillow-heif are imported here, and this module is only imported once a
conversion runs.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from convertr_core import DecodeFailed, InputTooLarge, Limits

from .formats import ANIMATED_SOURCES, ANIMATED_TARGETS, PIL_NAMES

ORIENTATION_TAG = 0x0112


@functools.cache
def pillow() -> Any:
    """``PIL.Image`` with the HEIF opener registered (once per process)."""
    from PIL import Image, ImageFile

    import pillow_heif

    pillow_heif.register_heif_opener()
    # Truncated files must fail loudly, never decode into half-grey pictures.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return Image


def open_image(path: Path, source: str, limits: Limits) -> Any:
    """Open ``path`` as ``source`` without decoding pixels (Pillow reads the header only)."""
    Image = pillow()
    from PIL import UnidentifiedImageError

    _loosen_bomb_guard(Image, limits.max_pixels)
    try:
        return Image.open(path, formats=[PIL_NAMES[source]])
    except Image.DecompressionBombError:
        raise _too_large(None, limits.max_pixels) from None
    except UnidentifiedImageError:  # its message holds the (server-side) path: not shown
        raise DecodeFailed(f"{path.name} is not a readable {source.upper()} image: "
                           "unrecognised or damaged header") from None
    except MemoryError:
        raise
    except Exception as ex:  # Pillow raises many types for bad headers
        raise DecodeFailed(f"{path.name} is not a readable {source.upper()} image: "
                           f"{_reason(ex)}") from None


def _loosen_bomb_guard(Image: Any, max_pixels: int | None) -> None:
    """Make Pillow's own bomb guard no stricter than our cap, which we enforce first.

    Pillow refuses images over twice ``MAX_IMAGE_PIXELS`` inside ``Image.open``. It is
    only ever raised here (other Pillow users in the process keep at least the default).
    """
    current = Image.MAX_IMAGE_PIXELS
    if current is None:
        return
    if max_pixels is None:
        Image.MAX_IMAGE_PIXELS = None
    elif max_pixels > current:
        Image.MAX_IMAGE_PIXELS = max_pixels


def keeps_animation(image: Any, source: str, target: str) -> bool:
    """True when every frame is converted (animated GIF/WebP/APNG to GIF or WebP)."""
    if source not in ANIMATED_SOURCES or target not in ANIMATED_TARGETS:
        return False
    return bool(getattr(image, "is_animated", False))


def frame_count(image: Any) -> int:
    """Frames in ``image``; a file whose frames cannot be counted is corrupt."""
    try:
        return int(getattr(image, "n_frames", 1))
    except MemoryError:
        raise
    except Exception as ex:
        raise DecodeFailed(f"cannot read the frames: {_reason(ex)}") from None


def check_pixels(image: Any, limits: Limits, frames: int = 1) -> None:
    """Refuse images over ``limits.max_pixels`` before any pixel is decoded."""
    width, height = image.size
    if limits.max_pixels is not None and width * height * frames > limits.max_pixels:
        raise _too_large((width, height, frames), limits.max_pixels)


def _too_large(size: tuple[int, int, int] | None, limit: int | None) -> InputTooLarge:
    cap = f"{limit / 1e6:g} megapixels" if limit else "the pixel limit"
    if size is None:
        return InputTooLarge(f"image is larger than {cap}", limit_pixels=limit)
    width, height, frames = size
    what = f"{width}×{height}" + (f" × {frames} frames" if frames > 1 else "")
    return InputTooLarge(f"image is {what} ({width * height * frames / 1e6:.1f} "
                         f"megapixels); the limit is {cap}", limit_pixels=limit)


def load(image: Any) -> None:
    """Decode the current frame; corrupt or truncated data becomes ``DecodeFailed``."""
    try:
        image.load()
    except MemoryError:
        raise
    except Exception as ex:
        raise DecodeFailed(f"cannot decode the image: {_reason(ex)}") from None


def seek(image: Any, frame: int) -> None:
    """Go to ``frame`` of an animation; a broken frame becomes ``DecodeFailed``."""
    try:
        image.seek(frame)
        image.load()
    except MemoryError:
        raise
    except Exception as ex:
        raise DecodeFailed(f"cannot decode frame {frame + 1}: {_reason(ex)}") from None


def orientation(image: Any) -> int:
    """The EXIF orientation (1..8) still to apply to the decoded pixels.

    pillow-heif applies the HEIF rotation itself and resets the tag to 1, so HEIC
    needs nothing here; JPEG, PNG, WebP, TIFF and AVIF carry it as a tag.
    """
    try:
        value = image.getexif().get(ORIENTATION_TAG, 1)
    except Exception:  # unreadable EXIF is not worth failing the picture for
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _reason(ex: BaseException) -> str:
    """A short, single-line reason from a decoder exception (no paths, no traceback)."""
    text = str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__
    return text[:160]
