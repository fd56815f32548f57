"""The image formats this plugin reads and writes, and what each can hold.

Importing this module is cheap (no Pillow): ``plugin.py`` builds its registrations
from it at ``convertr --help`` time.
"""

from __future__ import annotations

from convertr_core import Format

from . import sniffers

FORMATS: tuple[Format, ...] = (
    Format("jpg", "image/jpeg", "image", ("jpg", "jpeg", "jpe", "jfif"), ("jpeg",),
           sniffers.sniff_jpg, label="JPG"),
    Format("png", "image/png", "image", ("png",), (), sniffers.sniff_png),
    Format("webp", "image/webp", "image", ("webp",), (), sniffers.sniff_webp, label="WebP"),
    Format("gif", "image/gif", "image", ("gif",), (), sniffers.sniff_gif),
    Format("bmp", "image/bmp", "image", ("bmp", "dib"), (), sniffers.sniff_bmp),
    Format("tiff", "image/tiff", "image", ("tiff", "tif"), ("tif",), sniffers.sniff_tiff),
    Format("heic", "image/heic", "image", ("heic", "heif", "hif"), ("heif", "hif"),
           sniffers.sniff_heic),
    Format("avif", "image/avif", "image", ("avif",), (), sniffers.sniff_avif),
)

FORMAT_IDS: tuple[str, ...] = tuple(fmt.id for fmt in FORMATS)

# The Pillow format name used to open (source) and save (target) each format; opening
# is restricted to that one plugin so a file is decoded as what the pipeline checked.
PIL_NAMES: dict[str, str] = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF",
                             "bmp": "BMP", "tiff": "TIFF", "heic": "HEIF", "avif": "AVIF"}

# Targets whose encoders take a quality setting (lossy), with the default used.
DEFAULT_QUALITY: dict[str, int] = {"jpg": 90, "webp": 85, "heic": 85, "avif": 80}

# Targets that cannot store (useful) alpha: transparent pixels are blended onto the
# background colour. BMP could store 32-bit BGRA but most readers ignore that alpha.
NO_ALPHA: frozenset[str] = frozenset({"jpg", "bmp"})

# Targets that carry EXIF and ICC metadata; GIF and BMP carry none.
METADATA: frozenset[str] = frozenset({"jpg", "png", "webp", "tiff", "heic", "avif"})

# Animated sources keep their frames only when converted to one of these targets;
# every other pair takes the first frame.
ANIMATED_SOURCES: frozenset[str] = frozenset({"gif", "webp", "png"})
ANIMATED_TARGETS: frozenset[str] = frozenset({"gif", "webp"})

# Targets that store palette ("P") and bilevel ("1") images as they are.
PALETTE_TARGETS: frozenset[str] = frozenset({"png", "gif", "bmp", "tiff"})

# Targets that store 16-bit greyscale as it is; the others get it scaled to 8 bits.
DEEP_TARGETS: frozenset[str] = frozenset({"png", "tiff"})

# Targets that store CMYK as it is; the others get RGB (colour-managed with the ICC).
CMYK_TARGETS: frozenset[str] = frozenset({"jpg", "tiff"})

# Largest width or height each encoder accepts (None: bounded by memory only).
MAX_SIDE: dict[str, int] = {"jpg": 65_500, "webp": 16_383, "gif": 65_535, "avif": 65_536}
