"""Sniffers of the ffmpeg-backed formats: exact matches win, families are accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import SNIFF_BYTES
from convertr_core.ffmpeg_formats import CONTAINERS, EXACT
from tests.media import ffmpeg as run_ffmpeg
from tests.media import make_audio, make_heic, make_video


def _scores(path: Path) -> dict[str, float]:
    head = path.read_bytes()[:SNIFF_BYTES]
    return {fmt_id: c.format.confidence(head) for fmt_id, c in CONTAINERS.items()}


def _best(path: Path) -> str:
    scores = _scores(path)
    return max(scores, key=scores.__getitem__)


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00\x00\x00\x08free"


@pytest.mark.parametrize("name,expected", [
    ("a.mp4", "mp4"), ("a.mov", "mov"), ("a.mkv", "mkv"), ("a.webm", "webm"),
    ("a.avi", "avi"), ("a.flv", "flv"), ("a.ogv", "ogv"), ("a.3gp", "3gp"),
    ("a.wmv", "wmv"), ("a.m4v", "m4v"), ("a.ts", "ts")])
def test_each_video_container_is_detected_as_itself(tmp_path: Path, name: str,
                                                    expected: str) -> None:
    codecs = {"a.webm": ("libvpx-vp9", "libopus"), "a.ogv": ("libtheora", "libvorbis"),
              "a.flv": ("flv", "mp3"), "a.wmv": ("wmv2", "wmav2"),
              "a.3gp": ("h263", "aac"), "a.avi": ("mpeg4", "mp3")}
    vcodec, acodec = codecs.get(name, ("libx264", "aac"))
    size = "176x144" if name == "a.3gp" else "160x120"
    path = make_video(tmp_path / name, seconds=1, size=size, vcodec=vcodec, acodec=acodec)
    assert _best(path) == expected
    assert _scores(path)[expected] >= 0.9


@pytest.mark.parametrize("name,codec,expected", [
    ("a.mp3", (), "mp3"), ("a.wav", (), "wav"), ("a.flac", (), "flac"),
    ("a.ogg", ("-c:a", "libvorbis"), "ogg"), ("a.opus", (), "opus"), ("a.m4a", (), "m4a"),
    ("a.aac", (), "aac"), ("a.wma", (), "wma")])
def test_each_audio_format_is_detected_as_itself(tmp_path: Path, name: str, codec: tuple,
                                                 expected: str) -> None:
    path = make_audio(tmp_path / name, seconds=1, codec=codec)
    assert _best(path) == expected


def test_mp3_with_a_big_id3_tag_is_still_mp3(tmp_path: Path) -> None:
    plain = make_audio(tmp_path / "a.mp3", seconds=1)
    tagged = tmp_path / "tagged.mp3"
    run_ffmpeg("-i", str(plain), "-c", "copy", "-metadata", "comment=" + "x" * 3000,
               str(tagged))
    assert _best(tagged) == "mp3"


def test_audio_only_mp4_and_m4a_accept_each_other(tmp_path: Path) -> None:
    audio_mp4 = tmp_path / "a.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(audio_mp4))
    m4a = make_audio(tmp_path / "b.m4a", seconds=1)
    assert _scores(audio_mp4)["m4a"] > 0 and _best(audio_mp4) == "mp4"
    assert _scores(m4a)["mp4"] > 0 and _best(m4a) == "m4a"


@pytest.mark.parametrize("brands", [(b"heic", b"mif1", b"heic"), (b"mif1", b"mif1", b"heic"),
                                    (b"avif", b"avif", b"mif1", b"miaf"),
                                    (b"msf1", b"msf1", b"heic")])
def test_heif_and_avif_are_not_claimed_by_any_video_or_audio_format(brands: tuple) -> None:
    head = _ftyp(*brands)
    assert all(c.format.confidence(head) == 0 for c in CONTAINERS.values())


def test_a_real_heic_is_not_claimed(tmp_path: Path) -> None:
    heic = make_heic(tmp_path / "a.heic")
    assert max(_scores(heic).values()) == 0


def test_quicktime_brand_prefers_mov_and_isom_prefers_mp4() -> None:
    assert CONTAINERS["mov"].format.confidence(_ftyp(b"qt  ", b"qt  ")) == EXACT
    assert CONTAINERS["mp4"].format.confidence(_ftyp(b"qt  ", b"qt  ")) < EXACT
    assert CONTAINERS["mp4"].format.confidence(_ftyp(b"isom", b"isom", b"avc1")) == EXACT


def test_playlists_and_text_sniff_as_nothing() -> None:
    head = b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nhttp://127.0.0.1/x.ts\n"
    assert all(c.format.confidence(head) == 0 for c in CONTAINERS.values())


def test_vp8_in_ogg_is_ogv_not_audio(tmp_path: Path) -> None:
    path = make_video(tmp_path / "vp8.ogv", seconds=1, size="64x48", vcodec="libvpx",
                      acodec="libvorbis")
    scores = _scores(path)
    assert _best(path) == "ogv" and scores["ogg"] == 0 and scores["opus"] == 0
