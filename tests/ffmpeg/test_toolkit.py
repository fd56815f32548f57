"""convertr_core.ffmpeg: probing, running, killing and error mapping."""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from convertr_core import (Cancelled, ConversionTimeout, DecodeFailed, Format, Limits,
                           NoAudioStream, ffmpeg)
from tests.media import make_audio, make_video

from .support import later, make_job, processes_mentioning, rotated

NULL = Format(id="null", media_type="application/octet-stream", kind="data")


def test_probe_reads_streams_duration_and_size(tmp_path: Path) -> None:
    info = ffmpeg.probe(make_video(tmp_path / "a.mp4", seconds=1.5, size="320x240"), "mov")
    assert info.duration == pytest.approx(1.5, abs=0.05)
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 320, 240)
    assert info.video.fps == 25
    assert info.audio.codec == "aac" and info.audio.sample_rate == 44100
    assert info.has_audio and info.display_size == (320, 240)


def test_probe_sees_the_display_matrix_of_a_phone_video(tmp_path: Path) -> None:
    phone = rotated(make_video(tmp_path / "a.mp4", seconds=1), tmp_path / "phone.mp4")
    info = ffmpeg.probe(phone, "mov")
    assert info.video.rotation in (90, 270)
    assert info.display_size == (240, 320)


def test_probe_parses_the_older_displaymatrix_line() -> None:
    text = ("Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':\n"
            "  Duration: 00:01:02.50, start: 0.000000, bitrate: 900 kb/s\n"
            "  Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p, "
            "1920x1080, 800 kb/s, 29.97 fps, 29.97 tbr, 90k tbn (default)\n"
            "    Side data:\n      displaymatrix: rotation of -90.00 degrees\n"
            "  Stream #0:1(und): Audio: aac (LC), 48000 Hz, stereo, fltp, 96 kb/s\n")
    info = ffmpeg.parse_info(text)
    assert info.duration == pytest.approx(62.5)
    assert info.video.rotation == 270 and info.display_size == (1080, 1920)
    assert info.audio.channels == "stereo"


def test_probe_without_audio_says_so(tmp_path: Path) -> None:
    info = ffmpeg.probe(make_video(tmp_path / "a.mp4", seconds=1, audio=False), "mov")
    assert info.video is not None and not info.has_audio


@pytest.mark.parametrize("content", [b"", b"\x00" * 4000, b"#EXTM3U\nfile:/etc/passwd\n"])
def test_probe_of_garbage_is_decode_failed(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(DecodeFailed) as caught:
        ffmpeg.probe(path, "mov")
    assert "Invalid data" not in caught.value.message  # a short reason, not stderr


def test_forced_demuxer_refuses_a_file_of_another_format(tmp_path: Path) -> None:
    wav = make_audio(tmp_path / "a.wav", seconds=1)
    with pytest.raises(DecodeFailed):
        ffmpeg.probe(wav, "avi")


def _long_job(tmp_path: Path, token: str, **extra: object):  # type: ignore[no-untyped-def]
    out = tmp_path / f"{token}.mkv"
    job = make_job(tmp_path / "none", out, NULL, NULL, tmp_path / "work", **extra)
    args = ["-f", "lavfi", "-i", "testsrc2=size=640x480:rate=25:duration=600",
            "-c:v", "libx264", "-preset", "veryslow", "-f", "matroska", str(out)]
    return job, args, out


def _assert_gone(token: str, out: Path) -> None:
    time.sleep(0.2)
    assert processes_mentioning(token) == []
    assert not out.exists()


def test_wall_clock_limit_kills_ffmpeg_and_its_output(tmp_path: Path) -> None:
    token = f"convertr-test-{uuid.uuid4().hex}"
    job, args, out = _long_job(tmp_path, token, limits=Limits(time_limit=0.5))
    job.deadline = time.monotonic() + 0.5
    with pytest.raises(ConversionTimeout):
        ffmpeg.run(args, job, duration=600)
    _assert_gone(token, out)


def test_cancel_event_kills_ffmpeg(tmp_path: Path) -> None:
    token = f"convertr-test-{uuid.uuid4().hex}"
    job, args, out = _long_job(tmp_path, token)
    later(0.5, job.cancel_event.set)
    with pytest.raises(Cancelled):
        ffmpeg.run(args, job, duration=600)
    _assert_gone(token, out)


def test_ctrl_c_kills_ffmpeg(tmp_path: Path) -> None:
    token = f"convertr-test-{uuid.uuid4().hex}"
    job, args, out = _long_job(tmp_path, token)
    seen: list[list[int]] = []
    later(0.8, lambda: (seen.append(processes_mentioning(token)),
                        os.kill(os.getpid(), signal.SIGINT)))
    with pytest.raises(KeyboardInterrupt):
        ffmpeg.run(args, job, duration=600)
    assert seen and seen[0], "ffmpeg was running when Ctrl-C came"
    _assert_gone(token, out)


def test_progress_moves_during_a_run(tmp_path: Path) -> None:
    seen: list[float] = []
    out = tmp_path / "out.mkv"
    job = make_job(tmp_path / "none", out, NULL, NULL, tmp_path / "work",
                   progress=seen.append)
    # -re reads the source in real time, so 2 s of media takes 2 s: progress ticks
    ffmpeg.run(["-re", "-f", "lavfi", "-i", "sine=duration=2", "-f", "matroska", str(out)],
               job, duration=2.0)
    assert len(set(seen)) >= 2
    assert all(0 <= value < 1 for value in seen) and seen == sorted(seen)


def test_a_missing_stream_maps_to_no_audio_stream(tmp_path: Path) -> None:
    video = make_video(tmp_path / "a.mp4", seconds=1, audio=False)
    out = tmp_path / "out.mp3"
    job = make_job(video, out, NULL, NULL, tmp_path / "work")
    with pytest.raises(NoAudioStream) as caught:
        ffmpeg.run([*ffmpeg.input_args(video, "mov"), "-map", "0:a:0",
                    *ffmpeg.output_args(out, "mp3")], job)
    assert "Stream map" not in caught.value.message
    assert not out.exists()


def test_truncated_input_is_decode_failed(tmp_path: Path) -> None:
    full = make_video(tmp_path / "a.mp4", seconds=2, extra=["-movflags", "+faststart"])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    out = tmp_path / "out.mkv"
    job = make_job(cut, out, NULL, NULL, tmp_path / "work")
    with pytest.raises(DecodeFailed):
        ffmpeg.run([*ffmpeg.input_args(cut, "mov"), "-c", "copy",
                    *ffmpeg.output_args(out, "matroska")], job)
    assert not out.exists()
