"""Time limits, cancel and Ctrl-C through the pipeline: no orphan ffmpeg, no temp file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

import convertr_core
from convertr_core import Cancelled, ConversionTimeout
from tests.conftest import leftovers
from tests.ffmpeg.support import later, processes_mentioning
from tests.media import make_video

SLOW = {"video_codec": "h265", "preset": "veryslow"}


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    return make_video(folder / "long.mp4", seconds=30, size="320x240")


def _convert(registry, clip: Path, out: Path, settings, **kwargs):  # type: ignore[no-untyped-def]
    return convertr_core.convert(clip, out, options=SLOW, registry=registry,
                                 settings=settings, **kwargs)


def _assert_clean(work_temp: Path, out: Path) -> None:
    time.sleep(0.2)
    assert processes_mentioning(str(work_temp)) == []
    assert leftovers(work_temp) == [] and not out.exists()


def test_time_limit_stops_the_conversion(registry, long_clip, settings, work_temp: Path,
                                         tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(ConversionTimeout) as caught:
        _convert(registry, long_clip, out, settings.with_(time_limit=1.0))
    assert "time limit of 1 s" in caught.value.message
    _assert_clean(work_temp, out)


def test_cancel_stops_the_conversion(registry, long_clip, settings, work_temp: Path,
                                     tmp_path: Path) -> None:
    out, cancel = tmp_path / "out.mp4", __import__("threading").Event()
    running: list[list[int]] = []
    later(1.0, lambda: (running.append(processes_mentioning(str(work_temp))), cancel.set()))
    with pytest.raises(Cancelled):
        _convert(registry, long_clip, out, settings, cancel_event=cancel)
    assert running and running[0], "ffmpeg was running when the cancel came"
    _assert_clean(work_temp, out)


def test_ctrl_c_stops_the_conversion(registry, long_clip, settings, work_temp: Path,
                                     tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    later(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    with pytest.raises(Cancelled):
        _convert(registry, long_clip, out, settings)
    _assert_clean(work_temp, out)


def test_progress_reaches_the_callback(registry, long_clip, settings, tmp_path: Path) -> None:
    seen: list[float] = []
    convertr_core.convert(long_clip, tmp_path / "out.mkv", options={"crf": 40},
                          registry=registry, settings=settings, progress=seen.append)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert any(0 < value < 1 for value in seen)
