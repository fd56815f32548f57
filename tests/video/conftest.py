"""Tiny generated videos shared by the video tests (made once per module)."""

from __future__ import annotations

from pathlib import Path

import pytest

import convertr_audio.plugin
import convertr_video.plugin
from convertr_core.testing import make_registry
from tests.media import make_video

# source format -> (video codec, audio codec) a real file of that format would carry
SOURCE_CODECS = {"mp4": ("libx264", "aac"), "mov": ("libx264", "aac"),
                 "mkv": ("libx264", "libvorbis"), "webm": ("libvpx-vp9", "libopus"),
                 "avi": ("mpeg4", "libmp3lame"), "flv": ("flv", "libmp3lame"),
                 "ogv": ("libtheora", "libvorbis"), "3gp": ("h263", "aac"),
                 "wmv": ("wmv2", "wmav2"), "m4v": ("libx264", "aac"),
                 "ts": ("libx264", "aac")}


@pytest.fixture(scope="session")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One 1-second 160x120 clip with a soundtrack per source format."""
    folder = tmp_path_factory.mktemp("video-sources")
    made = {}
    for fmt, (vcodec, acodec) in SOURCE_CODECS.items():
        size = "176x144" if fmt == "3gp" else "160x120"  # H.263 knows a few sizes only
        made[fmt] = make_video(folder / f"clip.{fmt}", seconds=1, size=size, vcodec=vcodec,
                               acodec=acodec)
    return made


@pytest.fixture
def registry():  # type: ignore[no-untyped-def]
    return make_registry(convertr_video.plugin, convertr_audio.plugin)
