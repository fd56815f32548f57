"""Pixel work between decoding and encoding: modes, size, orientation, alpha.

Each step returns its input unchanged when there is nothing to do, so the common
HEIC→JPG path (RGB, upright, no resize) makes no copy at all.
"""

from __future__ import annotations

from typing import Any

from .formats import CMYK_TARGETS, DEEP_TARGETS, NO_ALPHA, PALETTE_TARGETS

ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
DEEP_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})

# EXIF orientation → the transpose that makes the picture upright (as exif_transpose).
_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
              6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


def has_alpha(image: Any) -> bool:
    """True for alpha modes and for palette/grey/RGB images with a transparent colour."""
    return image.mode in ALPHA_MODES or "transparency" in image.info


def fit(size: tuple[int, int], max_width: int | None,
        max_height: int | None) -> tuple[int, int] | None:
    """The size that fits inside the box keeping the aspect; None when no resize is due."""
    width, height = size
    scale = min((max_width or width) / width, (max_height or height) / height)
    if scale >= 1:
        return None  # never upscale
    return max(1, round(width * scale)), max(1, round(height * scale))


def stored_box(max_width: int | None, max_height: int | None,
               orientation: int) -> tuple[int | None, int | None]:
    """The box in stored pixels: orientations 5-8 swap width and height on display."""
    return (max_height, max_width) if orientation >= 5 else (max_width, max_height)


def working_mode(image: Any, target: str, resizing: bool) -> Any:
    """Bring exotic modes into one the target (and a good resize) can handle."""
    mode = image.mode
    if mode in DEEP_MODES and target not in DEEP_TARGETS:
        # 16 → 8 bits by scaling (convert("L") alone clips everything above 255 to white);
        # Pillow's point() keeps 16-bit modes, so the convert follows it
        return image.point(lambda value: value / 256).convert("L")
    if mode == "F":
        return _float_to_l(image)
    if mode == "CMYK" and target not in CMYK_TARGETS:
        return cmyk_to_rgb(image)
    if mode in ("P", "PA", "1") and (resizing or target not in PALETTE_TARGETS or mode == "PA"):
        # palette indices cannot be interpolated; "1" becomes grey for the same reason
        return image.convert("L" if mode == "1" else "RGBA" if has_alpha(image) else "RGB")
    if mode in ("RGBa", "La", "YCbCr", "LAB", "HSV"):
        return image.convert("RGBA" if has_alpha(image) else "RGB")
    if mode in ("L", "RGB") and "transparency" in image.info and target in NO_ALPHA:
        return image.convert("RGBA")  # a transparent colour key, flattened later
    return image


def _float_to_l(image: Any) -> Any:
    """32-bit float greyscale stretched over its own range to 8 bits."""
    low, high = image.getextrema()
    span = (high - low) or 1.0
    return image.point(lambda value: (value - low) * 255.0 / span).convert("L")


def cmyk_to_rgb(image: Any) -> Any:
    """CMYK → RGB through the embedded ICC profile when there is one (else Pillow's
    naive formula); the sRGB profile then replaces the CMYK one in ``info``."""
    icc = image.info.get("icc_profile")
    if not icc:
        return image.convert("RGB")
    import io

    from PIL import ImageCms

    try:
        srgb = ImageCms.createProfile("sRGB")
        rgb = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                                        srgb, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        rgb = image.convert("RGB")
        rgb.info.pop("icc_profile", None)
        return rgb
    rgb.info["icc_profile"] = ImageCms.ImageCmsProfile(srgb).tobytes()
    return rgb


def resize(image: Any, size: tuple[int, int] | None) -> Any:
    """Lanczos resize (alpha-aware in Pillow); ``reducing_gap`` box-reduces big steps first."""
    if size is None or size == image.size:
        return image
    Image = _pil()
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def upright(image: Any, orientation: int) -> Any:
    """Apply the EXIF orientation to the pixels (one transpose, no copy when upright)."""
    if orientation not in _TRANSPOSE:
        return image
    Image = _pil()
    return image.transpose(getattr(Image.Transpose, _TRANSPOSE[orientation]))


def flatten(image: Any, target: str, background: tuple[int, int, int]) -> Any:
    """Blend transparent pixels onto ``background`` for targets without alpha.

    ``convert("RGB")`` would drop the alpha and show whatever colour hides under
    transparent pixels; pasting through the alpha mask blends instead.
    """
    if target not in NO_ALPHA or not has_alpha(image):
        return image
    Image = _pil()
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    base = Image.new("RGB", image.size, background)
    base.paste(rgba, (0, 0), rgba)
    base.info = {key: value for key, value in image.info.items() if key != "transparency"}
    return base


def _pil() -> Any:
    from .decode import pillow
    return pillow()
