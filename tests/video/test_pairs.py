"""Every video pair family through the real pipeline, checked as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import SNIFF_BYTES
from convertr_core.testing import run_conversion
from tests.conftest import leftovers
from tests.ffmpeg.support import probe

from .conftest import SOURCE_CODECS

VIDEO_TARGETS = {"mp4": "h264", "mov": "h264", "mkv": "h264", "webm": "vp9", "avi": "mpeg4"}
AUDIO_TARGETS = {"mp3": "mp3", "wav": "pcm_s16le", "flac": "flac", "ogg": "vorbis",
                 "opus": "opus", "m4a": "aac", "aac": "aac"}


def _check(registry, result, target: str, seconds: float = 1.0):  # type: ignore[no-untyped-def]
    out = result.output_path
    assert registry.detect(out.read_bytes()[:SNIFF_BYTES]).id == target
    info = probe(out, target)
    assert info.duration == pytest.approx(seconds, abs=0.1)
    assert result.record.kind == "video"
    return info


@pytest.mark.parametrize("source", sorted(SOURCE_CODECS))
def test_every_video_source_to_mp4(registry, videos, tmp_path: Path, work_temp: Path,
                                   source: str) -> None:
    info = _check(registry, run_conversion(registry, videos[source], "mp4", tmp_path), "mp4")
    assert info.video.codec == "h264" and info.has_audio
    assert info.display_size == ((176, 144) if source == "3gp" else (160, 120))
    assert leftovers(work_temp) == []


@pytest.mark.parametrize("target", sorted(VIDEO_TARGETS))
@pytest.mark.parametrize("source", ["mp4", "avi", "webm"])
def test_video_to_every_video_container(registry, videos, tmp_path: Path, source: str,
                                        target: str) -> None:
    info = _check(registry, run_conversion(registry, videos[source], target, tmp_path),
                  target)
    expected = VIDEO_TARGETS[target]
    if target == "mkv" and source != "mp4":  # MKV takes any codec: copied as is
        expected = {"avi": "mpeg4", "webm": "vp9"}[source]
    assert info.video.codec == expected
    assert info.display_size == (160, 120) and info.has_audio


@pytest.mark.parametrize("target", sorted(AUDIO_TARGETS))
@pytest.mark.parametrize("source", ["mp4", "mkv", "wmv"])
def test_video_soundtrack_to_every_audio_format(registry, videos, tmp_path: Path,
                                                source: str, target: str) -> None:
    info = _check(registry, run_conversion(registry, videos[source], target, tmp_path),
                  target)
    assert info.audio.codec == AUDIO_TARGETS[target] and info.video is None


@pytest.mark.parametrize("source", ["mp4", "ogv"])
def test_video_to_gif(registry, videos, tmp_path: Path, source: str) -> None:
    result = run_conversion(registry, videos[source], "gif", tmp_path,
                            options={"fps": 5, "width": 80})
    info = probe(result.output_path, "gif")
    assert info.video.codec == "gif" and info.display_size == (80, 60)
    assert info.duration == pytest.approx(1.0, abs=0.2)  # one frame is 0.2 s at 5 fps


def test_formats_listing_shows_the_options_of_each_pair(registry) -> None:
    pairs = {(p["source"], p["target"]): p for p in registry.describe()["pairs"]}
    mp4 = {o["name"]: o for o in pairs[("mp4", "mp4")]["options"]}
    assert {"crf", "preset", "max_width", "max_height", "fps", "start", "end", "mute",
            "video_codec"} <= set(mp4)
    assert mp4["video_codec"]["choices"] == ["h264", "h265"]
    assert {o["name"] for o in pairs[("mp4", "gif")]["options"]} >= {"fps", "width"}
    assert "bitrate" in {o["name"] for o in pairs[("avi", "mp3")]["options"]}
    assert pairs[("wav", "mp3")]["kind"] == "audio" and pairs[("mkv", "mp3")]["kind"] == "video"
    readable_only = {"flv", "ogv", "3gp", "wmv", "m4v", "ts", "wma"}
    assert not {target for _, target in pairs} & readable_only
