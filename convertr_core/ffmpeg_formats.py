"""The audio and video formats the bundled ffmpeg reads and writes, with their sniffers.

Part of the ffmpeg toolkit (see ``convertr_core.ffmpeg``): any plugin that drives ffmpeg
registers these ``Format`` objects, so the audio and video plugins (and a third party's)
agree on ids, sniffers and the ffmpeg demuxer/muxer behind each id.

Sniffers look at the first ``SNIFF_BYTES`` bytes. Exact matches score high, members of the
same family lower (an MP4 declared as M4A is accepted, but detection prefers the exact one).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable

from .formats import Format, MediaKind

EXACT, FAMILY, WEAK = 0.95, 0.5, 0.3


@dataclass(frozen=True)
class Container:
    """One ffmpeg-backed format: its ``Format`` plus how ffmpeg reads and writes it.

    Attributes:
        format: the registered format description.
        demuxer: the ``-f`` forced on inputs (never let ffmpeg guess).
        muxer: the ``-f`` used on outputs (None: read-only).
    """

    format: Format
    demuxer: str
    muxer: str | None


# -- ISO base media (mp4, mov, m4a, m4v, 3gp) -----------------------------------------
_IMAGE_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
                 b"avif", b"avis", b"miaf", b"jpeg", b"avci"}
_BRANDS = {b"qt  ": "mov", b"M4A ": "m4a", b"M4B ": "m4a", b"M4P ": "m4a", b"M4V ": "m4v",
           b"M4VH": "m4v", b"M4VP": "m4v", b"f4a ": "m4a", b"f4v ": "mp4"}
_OLD_QT_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _bmff_brand(head: bytes) -> str | None:
    """The ISO-BMFF family member ``head`` declares: mp4/mov/m4a/m4v/3gp, 'image', None."""
    if len(head) < 12:
        return None
    box = head[4:8]
    if box in _OLD_QT_BOXES:  # QuickTime files written before ftyp existed
        return "mov"
    if box != b"ftyp":
        return None
    major = head[8:12]
    size = struct.unpack(">I", head[0:4])[0]
    compatible = {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    if major in _IMAGE_BRANDS or (major not in _BRANDS and compatible & _IMAGE_BRANDS
                                  and not compatible & {b"isom", b"mp41", b"mp42"}):
        return "image"  # HEIF / AVIF stills and sequences belong to the image plugin
    if major.startswith(b"3g"):
        return "3gp"
    return _BRANDS.get(major, "mp4")


def _bmff_sniffer(fmt_id: str) -> Callable[[bytes], float]:
    def sniff(head: bytes) -> float:
        brand = _bmff_brand(head)
        if brand is None or brand == "image":
            return 0.0
        return EXACT if brand == fmt_id else FAMILY
    return sniff


# -- EBML (mkv, webm) -------------------------------------------------------------------
def _ebml_doctype(head: bytes) -> bytes | None:
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    at = head.find(b"\x42\x82", 4, 64)
    if at < 0 or at + 3 > len(head):
        return b""
    length = head[at + 2] & 0x7F  # one-byte size vint: every real DocType fits
    return head[at + 3:at + 3 + length]


def _sniff_mkv(head: bytes) -> float:
    doctype = _ebml_doctype(head)
    if doctype is None:
        return 0.0
    return EXACT if doctype == b"matroska" else FAMILY


def _sniff_webm(head: bytes) -> float:
    doctype = _ebml_doctype(head)
    if doctype is None:
        return 0.0
    return EXACT if doctype == b"webm" else WEAK


# -- RIFF, FLV, ASF, MPEG-TS ------------------------------------------------------------
def _riff(kind: bytes) -> Callable[[bytes], float]:
    def sniff(head: bytes) -> float:
        return EXACT if head[:4] in (b"RIFF", b"RF64") and head[8:12] == kind else 0.0
    return sniff


def _sniff_flv(head: bytes) -> float:
    return EXACT if head.startswith(b"FLV\x01") else 0.0


_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_ASF_VIDEO = bytes.fromhex("c0ef19bc4d5bcf11a8fd00805f5c442b")


def _sniff_wmv(head: bytes) -> float:
    if not head.startswith(_ASF_HEADER):
        return 0.0
    return EXACT if _ASF_VIDEO in head else WEAK


def _sniff_wma(head: bytes) -> float:
    if not head.startswith(_ASF_HEADER):
        return 0.0
    return WEAK if _ASF_VIDEO in head else EXACT


def _sniff_ts(head: bytes) -> float:
    for offset, stride in ((0, 188), (4, 192)):  # plain TS, then M2TS with 4-byte stamps
        marks = [offset + stride * n for n in range(min(5, (len(head) - offset) // stride))]
        if len(marks) >= 3 and all(head[m] == 0x47 for m in marks):
            return 0.9
    return 0.0


# -- Ogg (ogg Vorbis, opus, ogv Theora/VP8) -------------------------------------------------
# identification headers of Ogg video codecs: Theora, VP8, Dirac, Daala
_OGG_VIDEO = (b"\x80theora", b"OVP80", b"BBCD\x00", b"\x80daala")


def _ogg_codec(head: bytes) -> str | None:
    """``video`` if any stream is video (BOS pages come first), else the first codec."""
    if not head.startswith(b"OggS") or len(head) < 28:
        return None
    if any(marker in head for marker in _OGG_VIDEO):
        return "video"
    payload = head[27 + head[26]:27 + head[26] + 8]
    if payload.startswith(b"\x01vorbis"):
        return "vorbis"
    if payload.startswith(b"OpusHead"):
        return "opus"
    return "other"


def _ogg_sniffer(wanted: str) -> Callable[[bytes], float]:
    def sniff(head: bytes) -> float:
        codec = _ogg_codec(head)
        if codec is None:
            return 0.0
        if codec == wanted:
            return EXACT
        return 0.0 if "video" in (codec, wanted) else WEAK
    return sniff


# -- Raw audio streams (mp3, aac, flac) -------------------------------------------------
_MP3_KBPS = {3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _skip_id3(head: bytes) -> int:
    if head[:3] != b"ID3" or len(head) < 10:
        return 0
    size = 0
    for byte in head[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if head[5] & 0x10 else 0)


def _mp3_frame_length(head: bytes, at: int) -> int:
    """Length of the MPEG layer III frame starting at ``at`` (0: not a frame header)."""
    if at + 4 > len(head) or head[at] != 0xFF or head[at + 1] & 0xE6 != 0xE2:
        return 0
    version = (head[at + 1] >> 3) & 3  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    bitrate_index, rate_index = head[at + 2] >> 4, (head[at + 2] >> 2) & 3
    if version == 1 or bitrate_index in (0, 15) or rate_index == 3:
        return 0
    kbps = _MP3_KBPS[3 if version == 3 else 2][bitrate_index]
    rate = _MP3_RATES[version][rate_index]
    padding = (head[at + 2] >> 1) & 1
    return (144 if version == 3 else 72) * kbps * 1000 // rate + padding


def _adts_frame_length(head: bytes, at: int) -> int:
    if at + 7 > len(head) or head[at] != 0xFF or head[at + 1] & 0xF6 != 0xF0:
        return 0
    return ((head[at + 3] & 3) << 11) | (head[at + 4] << 3) | (head[at + 5] >> 5)


def _frames_sniffer(frame_length: Callable[[bytes, int], int],
                    tag_only: float) -> Callable[[bytes], float]:
    """Score a raw stream: two chained frames are convincing, one is a hint."""
    def sniff(head: bytes) -> float:
        start = _skip_id3(head)
        if start and start >= len(head):
            return tag_only  # an ID3 tag (cover art) larger than the window
        first = frame_length(head, start)
        if first <= 0:
            return 0.0
        if start + first + 4 > len(head):
            return 0.4
        return 0.85 if frame_length(head, start + first) > 0 else 0.2
    return sniff


def _sniff_flac(head: bytes) -> float:
    return EXACT if head[_skip_id3(head):].startswith(b"fLaC") else 0.0


def _sniff_gif(head: bytes) -> float:
    return EXACT if head[:6] in (b"GIF87a", b"GIF89a") else 0.0


# -- the table --------------------------------------------------------------------------
def _c(fmt_id: str, label: str, kind: MediaKind, media_type: str, sniff: Callable,
       demuxer: str, muxer: str | None, extensions: tuple[str, ...] = (),
       aliases: tuple[str, ...] = ()) -> Container:
    fmt = Format(id=fmt_id, label=label, kind=kind, media_type=media_type, sniff=sniff,
                 extensions=extensions, aliases=aliases, writable=muxer is not None)
    return Container(fmt, demuxer, muxer)


CONTAINERS: dict[str, Container] = {c.format.id: c for c in (
    _c("mp4", "MP4", "video", "video/mp4", _bmff_sniffer("mp4"), "mov", "mp4",
       ("mp4",), ("mpeg4",)),
    _c("mov", "MOV", "video", "video/quicktime", _bmff_sniffer("mov"), "mov", "mov",
       ("mov", "qt"), ("quicktime",)),
    _c("mkv", "MKV", "video", "video/x-matroska", _sniff_mkv, "matroska", "matroska",
       ("mkv",), ("matroska",)),
    _c("webm", "WebM", "video", "video/webm", _sniff_webm, "matroska", "webm"),
    _c("avi", "AVI", "video", "video/x-msvideo", _riff(b"AVI "), "avi", "avi"),
    _c("flv", "FLV", "video", "video/x-flv", _sniff_flv, "flv", None),
    _c("ogv", "OGV", "video", "video/ogg", _ogg_sniffer("video"), "ogg", None),
    _c("3gp", "3GP", "video", "video/3gpp", _bmff_sniffer("3gp"), "mov", None,
       ("3gp", "3g2")),
    _c("wmv", "WMV", "video", "video/x-ms-wmv", _sniff_wmv, "asf", None, ("wmv", "asf")),
    _c("m4v", "M4V", "video", "video/x-m4v", _bmff_sniffer("m4v"), "mov", None),
    _c("ts", "MPEG-TS", "video", "video/mp2t", _sniff_ts, "mpegts", None,
       ("ts", "mts", "m2ts"), ("mpegts", "m2ts")),
    _c("mp3", "MP3", "audio", "audio/mpeg", _frames_sniffer(_mp3_frame_length, 0.4), "mp3",
       "mp3"),
    _c("wav", "WAV", "audio", "audio/wav", _riff(b"WAVE"), "wav", "wav", ("wav", "wave")),
    _c("flac", "FLAC", "audio", "audio/flac", _sniff_flac, "flac", "flac"),
    _c("ogg", "OGG", "audio", "audio/ogg", _ogg_sniffer("vorbis"), "ogg", "ogg",
       ("ogg", "oga"), ("vorbis",)),
    _c("opus", "Opus", "audio", "audio/opus", _ogg_sniffer("opus"), "ogg", "opus"),
    _c("m4a", "M4A", "audio", "audio/mp4", _bmff_sniffer("m4a"), "mov", "ipod",
       ("m4a", "m4b")),
    _c("aac", "AAC", "audio", "audio/aac", _frames_sniffer(_adts_frame_length, 0.2), "aac",
       "adts"),
    _c("wma", "WMA", "audio", "audio/x-ms-wma", _sniff_wma, "asf", None),
    _c("gif", "GIF", "image", "image/gif", _sniff_gif, "gif", "gif"),
)}


def formats(kind: MediaKind) -> list[Format]:
    """Every ffmpeg-backed format of ``kind`` (``video``, ``audio`` or ``image``: GIF)."""
    return [c.format for c in CONTAINERS.values() if c.format.kind == kind]


def container(fmt_id: str) -> Container:
    """The ``Container`` for a format id (``KeyError`` for formats ffmpeg does not back)."""
    return CONTAINERS[fmt_id]
