"""Encoding: metadata carried over (EXIF minus orientation, ICC) and per-target settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from convertr_core import ConversionFailed, InputTooLarge

from .decode import ORIENTATION_TAG
from .formats import MAX_SIDE, METADATA, PIL_NAMES

# Tags that describe how the *source file* stores its pixels (TIFF structure, JPEG
# thumbnail offsets, embedded ICC/XMP/IPTC blocks). Copied into another file they would
# lie about it, so only the descriptive tags (camera, date, GPS, Exif IFD) are kept.
_STRUCTURE_TAGS = frozenset({
    254, 255, 256, 257, 258, 259, 262, 266, 273, 277, 278, 279, 280, 281, 284, 317, 320,
    322, 323, 324, 325, 338, 339, 513, 514, 530, 700, 33723, 34377, 34675,
})
# Keys Pillow savers read from ``image.info`` on their own; cleared so that only what
# ``save`` passes explicitly is written (the orientation would otherwise come back).
_JPEG_MAX_EXIF = 65_533  # Pillow refuses more: JPEG has one 64 kB APP1 segment for it
_INFO_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment",
                  "photoshop", "adobe", "adobe_transform", "nclx_profile")


def exif_bytes(image: Any, strip: bool) -> bytes | None:
    """The source EXIF without orientation and structure tags (None: nothing to keep)."""
    if strip:
        return None
    try:
        exif = image.getexif()
        for tag in (*_STRUCTURE_TAGS, ORIENTATION_TAG):
            exif.pop(tag, None)
        return exif.tobytes() if len(exif) else None
    except Exception:  # damaged EXIF is dropped rather than failing the conversion
        return None


def save(frames: Sequence[Any], path: Path, target: str, *, quality: int | None,
         exif: bytes | None, icc: bytes | None, durations: list[int] | None = None,
         loop: int = 0) -> None:
    """Write ``frames`` (one, or an animation) to ``path`` as ``target``."""
    first = frames[0]
    _check_side(first.size, target)
    args = {**_target_args(target, quality), **_metadata_args(target, exif, icc)}
    if len(frames) > 1:
        args.update(save_all=True, append_images=list(frames[1:]), duration=durations,
                    loop=loop)
        if target == "gif":
            args["disposal"] = 2  # frames are full pictures: clear before each one
    if target == "tiff" and hasattr(first, "tag_v2"):
        first = first.copy()  # Pillow copies XMP/IPTC from a TIFF source's own tags
    for frame in (first, *frames[1:]):
        for key in _INFO_METADATA:
            frame.info.pop(key, None)
    try:
        first.save(path, format=PIL_NAMES[target], **args)
    except MemoryError:
        raise
    except (OSError, ValueError, RuntimeError) as ex:
        reason = str(ex).splitlines()[0][:160] if str(ex) else type(ex).__name__
        raise ConversionFailed(f"could not write {target.upper()}: {reason}") from None


def _metadata_args(target: str, exif: bytes | None, icc: bytes | None) -> dict[str, Any]:
    """EXIF and ICC for the targets that hold them."""
    if target not in METADATA:
        return {}
    if target == "jpg" and exif and len(exif) > _JPEG_MAX_EXIF:
        exif = None  # one APP1 segment is all JPEG has: drop it rather than fail
    args: dict[str, Any] = {key: value for key, value in (("exif", exif), ("icc_profile", icc))
                            if value}
    if target == "heic":  # pillow-heif falls back to the source's own EXIF/XMP otherwise
        args.setdefault("exif", None)
        args["xmp"] = None
    return args


def _target_args(target: str, quality: int | None) -> dict[str, Any]:
    """Encoder settings per target; quality only where the encoder is lossy."""
    args: dict[str, Any] = {}
    if quality is not None:
        args["quality"] = quality
    if target == "tiff":
        args["compression"] = "tiff_lzw"  # lossless and read everywhere
    return args


def _check_side(size: tuple[int, int], target: str) -> None:
    limit = MAX_SIDE.get(target)
    if limit is not None and max(size) > limit:
        raise InputTooLarge(f"{target.upper()} cannot hold a {size[0]}×{size[1]} image "
                            f"(at most {limit} pixels a side); set max_width/max_height")
