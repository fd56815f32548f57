"""A trim starting on a keyframe is a remux (packets copied); any other trim re-encodes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from convertr_core import ffmpeg
from convertr_core.testing import run_conversion
from tests.ffmpeg.support import make_job, probe
from tests.media import FFMPEG, make_video

FPS = 25


@pytest.fixture(scope="module")
def gop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4 s at 25 fps with a keyframe every second exactly (0, 1, 2, 3 s), AAC sound."""
    folder = tmp_path_factory.mktemp("gop")
    return make_video(folder / "gop.mp4", seconds=4, size="160x120", fps=FPS,
                      extra=["-g", str(FPS), "-sc_threshold", "0"])


def packet_hashes(path: Path, selector: str) -> list[str]:
    """MD5 of every packet of one stream, in order (equal packets: copied, not encoded)."""
    done = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-map", selector,
                           "-c", "copy", "-f", "framemd5", "-"], capture_output=True,
                          text=True, check=True)
    return [line.split(",")[5].strip() for line in done.stdout.splitlines()
            if line and not line.startswith("#")]


def shown_frames(path: Path) -> int:
    """Pictures a player shows (decoded, after the container's edit list)."""
    done = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-map", "0:v",
                           "-f", "framecrc", "-"], capture_output=True, text=True, check=True)
    return sum(1 for line in done.stdout.splitlines() if line and not line.startswith("#"))


def assert_slice_of(part: list[str], whole: list[str], first: int) -> None:
    assert part and part == whole[first:first + len(part)]


@pytest.mark.parametrize("target,start,end,first_frame", [
    ("mp4", 1, 3, FPS), ("mov", 2, 3.5, 2 * FPS), ("mov", None, 2, 0)])
def test_trim_from_a_keyframe_is_a_stream_copy(registry, gop, tmp_path: Path, target: str,
                                              start, end, first_frame: int) -> None:
    options = {"end": end} if start is None else {"start": start, "end": end}
    out = run_conversion(registry, gop, target, tmp_path, options=options).output_path
    video = packet_hashes(out, "0:v")
    assert_slice_of(video, packet_hashes(gop, "0:v"), first_frame)
    kept = (end - (start or 0)) * FPS
    assert kept <= len(video) <= kept + 1  # the copy may keep the frame at ``end``
    assert shown_frames(out) == len(video)  # the first keyframe is not hidden
    info = probe(out, target)
    assert info.duration == pytest.approx(end - (start or 0), abs=0.1)
    audio, source_audio = packet_hashes(out, "0:a"), packet_hashes(gop, "0:a")
    assert info.has_audio and audio[0] in source_audio  # the soundtrack is copied too
    assert_slice_of(audio, source_audio, source_audio.index(audio[0]))


def test_trim_into_matroska_re_encodes_for_an_exact_length(registry, gop,
                                                          tmp_path: Path) -> None:
    out = run_conversion(registry, gop, "mkv", tmp_path,
                         options={"start": 2, "end": 3.5}).output_path
    assert not set(packet_hashes(out, "0:v")) & set(packet_hashes(gop, "0:v"))
    assert probe(out, "mkv").duration == pytest.approx(1.5, abs=0.1)


def test_trim_between_keyframes_re_encodes_from_the_exact_start(registry, gop,
                                                                tmp_path: Path) -> None:
    out = run_conversion(registry, gop, "mp4", tmp_path,
                         options={"start": 1.5, "end": 3}).output_path
    video = packet_hashes(out, "0:v")
    assert not set(video) & set(packet_hashes(gop, "0:v"))
    # from 1.5 s, not from the keyframe at 1 s (which a copy would give: 50 frames)
    assert abs(len(video) - 1.5 * FPS) <= 1
    info = probe(out, "mp4")
    assert info.has_audio and info.duration == pytest.approx(1.5, abs=0.1)


def test_trim_with_another_option_re_encodes(registry, gop, tmp_path: Path) -> None:
    out = run_conversion(registry, gop, "mp4", tmp_path,
                         options={"start": 1, "end": 3, "crf": 35}).output_path
    assert not set(packet_hashes(out, "0:v")) & set(packet_hashes(gop, "0:v"))
    info = probe(out, "mp4")
    assert info.has_audio and info.duration == pytest.approx(2.0, abs=0.1)


def test_keyframes_are_listed_from_packet_flags(registry, gop, tmp_path: Path) -> None:
    mp4 = registry.resolve("mp4")
    job = make_job(gop, tmp_path / "unused.mp4", mp4, mp4, tmp_path / "work")
    found = ffmpeg.keyframes(gop, "mov", 0, 0.5, 2.0, job)
    # from the keyframe at or before 0.5 s to those shown by 2.5 s
    assert [round(key.time, 3) for key in found] == [0.0, 1.0, 2.0]
    assert all(key.duration == pytest.approx(1 / FPS) for key in found)
    assert list((tmp_path / "work").iterdir()) == []  # the listing is cleaned up
