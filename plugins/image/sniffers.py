"""Byte sniffers: which image format the first bytes of a file belong to.

Each returns a confidence in 0..1. The registry picks the most confident sniffer of all
plugins, so a sniffer must return 0 for bytes it does not own, and the ISO-BMFF ones
(HEIC, AVIF) must leave MP4/MOV files (``isom``, ``mp42``, ``qt  ``) to the video plugin.
"""

from __future__ import annotations

# ISO-BMFF brands (ISO/IEC 23008-12, AV1 Image File Format).
HEIC_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm",
                         b"hevs"})
AVIF_BRANDS = frozenset({b"avif", b"avis"})
# Generic HEIF brands: the codec has to be told from the compatible brands or the
# codec configuration box. Only these two are accepted as the major brand because the
# Pillow/pillow-heif openers accept no other generic major brand.
GENERIC_BRANDS = frozenset({b"mif1", b"msf1"})

# BITMAPINFOHEADER and its successors: the size field that follows the 14-byte header.
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})


def sniff_jpg(head: bytes) -> float:
    """JPEG: SOI marker followed by another marker."""
    return 1.0 if head[:3] == b"\xff\xd8\xff" else 0.0


def sniff_png(head: bytes) -> float:
    """PNG: the eight-byte signature."""
    return 1.0 if head[:8] == b"\x89PNG\r\n\x1a\n" else 0.0


def sniff_gif(head: bytes) -> float:
    """GIF: ``GIF87a`` or ``GIF89a``."""
    return 1.0 if head[:6] in (b"GIF87a", b"GIF89a") else 0.0


def sniff_webp(head: bytes) -> float:
    """WebP: a RIFF container of type ``WEBP``."""
    return 1.0 if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else 0.0


def sniff_bmp(head: bytes) -> float:
    """BMP: ``BM`` plus a known DIB header size (``BM`` alone is too weak)."""
    if head[:2] != b"BM" or len(head) < 18:
        return 0.0
    return 0.9 if int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES else 0.0


def sniff_tiff(head: bytes) -> float:
    """TIFF and BigTIFF, either byte order (camera raw files share this header)."""
    return 0.9 if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+") else 0.0


def ftyp_brands(head: bytes) -> tuple[bytes, frozenset[bytes]] | None:
    """The major brand and compatible brands of a leading ``ftyp`` box, if any."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = min(int.from_bytes(head[:4], "big"), len(head))
    compatible = frozenset(head[i:i + 4] for i in range(16, size - 3, 4))
    return head[8:12], compatible


def _heif_codec(head: bytes) -> str | None:
    """``heic`` / ``avif`` for an image HEIF file, None for anything else."""
    brands = ftyp_brands(head)
    if brands is None:
        return None
    major, compatible = brands
    if major in HEIC_BRANDS:
        return "heic"
    if major in AVIF_BRANDS:
        return "avif"
    if major not in GENERIC_BRANDS:
        return None  # isom, mp42, qt, 3gp...: a movie, not an image
    heic, avif = bool(compatible & HEIC_BRANDS), bool(compatible & AVIF_BRANDS)
    if heic == avif:  # neither or both brands: the codec configuration box decides
        heic, avif = b"hvcC" in head, b"av1C" in head
    if heic != avif:
        return "heic" if heic else "avif"
    return None


def sniff_heic(head: bytes) -> float:
    """HEIC/HEIF with HEVC-coded images (``heic``, ``heix``, ``mif1`` + HEVC...)."""
    return 0.95 if _heif_codec(head) == "heic" else 0.0


def sniff_avif(head: bytes) -> float:
    """AVIF: HEIF with AV1-coded images (``avif``, ``avis``, ``mif1`` + AV1)."""
    return 0.95 if _heif_codec(head) == "avif" else 0.0
