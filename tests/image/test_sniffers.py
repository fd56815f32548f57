"""Format detection from the first bytes: real files, and ISO-BMFF brand edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import SNIFF_BYTES, FormatMismatch, Registry, convert
from convertr_image import sniffers
from tests.conftest import leftovers
from tests.image.helpers import ALL, make_grid_heic
from tests.media import make_video


def head(path: Path) -> bytes:
    return path.read_bytes()[:SNIFF_BYTES]


def ftyp(major: bytes, *compatible: bytes, tail: bytes = b"") -> bytes:
    brands = b"".join(compatible)
    return (16 + len(brands)).to_bytes(4, "big") + b"ftyp" + major + b"\0\0\0\0" + brands + tail


@pytest.mark.parametrize("fmt", ALL)
def test_each_real_file_is_detected_as_its_format(image_registry: Registry,
                                                  sources: dict[str, Path], fmt: str) -> None:
    detected = image_registry.detect(head(sources[fmt]))
    assert detected is not None and detected.id == fmt
    others = [f for f in image_registry.formats.values() if f.id != fmt]
    assert all(other.confidence(head(sources[fmt])) == 0 for other in others)


def test_grid_heic_is_heic(image_registry: Registry, tmp_path: Path) -> None:
    detected = image_registry.detect(head(make_grid_heic(tmp_path / "grid.heic")))
    assert detected is not None and detected.id == "heic"


@pytest.mark.parametrize(("data", "expected"), [
    (ftyp(b"heic", b"mif1", b"heic"), "heic"),
    (ftyp(b"heix", b"mif1"), "heic"),
    (ftyp(b"mif1", b"mif1", b"heic"), "heic"),
    (ftyp(b"mif1", b"mif1", b"miaf", tail=b"....meta....hvcC"), "heic"),
    (ftyp(b"avif", b"avif", b"mif1", b"miaf"), "avif"),
    (ftyp(b"avis", b"avis", b"msf1"), "avif"),
    (ftyp(b"mif1", b"mif1", b"avif"), "avif"),
    (ftyp(b"mif1", b"miaf", tail=b"....meta....av1C"), "avif"),
    (ftyp(b"mif1", b"miaf"), None),  # no codec to be seen: claim nothing
    (ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41"), None),
    (ftyp(b"mp42", b"mp42", b"isom", b"heic"), None),  # a movie, whatever it lists
    (ftyp(b"qt  ", b"qt  "), None),
    (b"BM" + b"\0" * 12 + (40).to_bytes(4, "little"), "bmp"),
    (b"BMW hello world, not a bitmap", None),
    (b"II*\x00\x08\x00\x00\x00", "tiff"),
    (b"GIF89a\x01\x00", "gif"),
    (b"RIFF\x10\0\0\0WAVEfmt ", None),
])
def test_sniffers_on_crafted_headers(image_registry: Registry, data: bytes,
                                     expected: str | None) -> None:
    detected = image_registry.detect(data)
    assert (detected.id if detected else None) == expected


@pytest.mark.parametrize("suffix", ["mp4", "mov"])
def test_real_movies_are_not_claimed(tmp_path: Path, suffix: str) -> None:
    movie = make_video(tmp_path / f"clip.{suffix}", seconds=0.2, size="64x48", audio=False)
    data = head(movie)
    assert sniffers.ftyp_brands(data) is not None  # it is an ISO-BMFF file...
    assert sniffers.sniff_heic(data) == 0 and sniffers.sniff_avif(data) == 0  # ...not ours


def test_jpeg_named_heic_is_a_format_mismatch(image_registry: Registry,
                                              sources: dict[str, Path], tmp_path: Path,
                                              work_temp: Path) -> None:
    disguised = tmp_path / "photo.heic"
    disguised.write_bytes(sources["jpg"].read_bytes())
    with pytest.raises(FormatMismatch) as caught:
        convert(disguised, tmp_path / "out.png", source="heic", registry=image_registry)
    assert caught.value.code == "format_mismatch"
    assert caught.value.details["detected"] == "jpg"
    assert not (tmp_path / "out.png").exists()
    assert leftovers(work_temp) == []
