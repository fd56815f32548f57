"""The core's plugin conformance suite, run on the audio and video plugins."""

from __future__ import annotations

from pathlib import Path

from convertr_core.testing import PluginConformance
from tests.media import make_audio, make_video

from .conftest import SOURCE_CODECS

_AUDIO_CODECS = {"ogg": ("-c:a", "libvorbis"), "gif": ()}


def _sample(self: object, fmt_id: str, folder: Path) -> Path | None:
    """A tiny generated sample of ``fmt_id`` (1 s; 160x120 video)."""
    if fmt_id in SOURCE_CODECS:
        vcodec, acodec = SOURCE_CODECS[fmt_id]
        size = "176x144" if fmt_id == "3gp" else "160x120"
        return make_video(folder / f"sample.{fmt_id}", seconds=1, size=size, vcodec=vcodec,
                          acodec=acodec)
    if fmt_id == "gif":
        return None  # a target only
    return make_audio(folder / f"sample.{fmt_id}", seconds=1,
                      codec=_AUDIO_CODECS.get(fmt_id, ()))


class TestVideoConformance(PluginConformance):
    plugin = "convertr_video.plugin"
    samples = _sample

    def select_pairs(self, check: str, pairs: list) -> list:  # type: ignore[type-arg]
        """Each source to MP4, and MP4 to each target: every format, not every pair."""
        return [(s, t) for s, t in pairs if t == "mp4" or s == "mp4"]


class TestAudioConformance(PluginConformance):
    plugin = "convertr_audio.plugin"
    samples = _sample

    def select_pairs(self, check: str, pairs: list) -> list:  # type: ignore[type-arg]
        return [(s, t) for s, t in pairs if t == "mp3" or s == "wav"]
