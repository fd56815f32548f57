"""What users hit on real files: rotation, odd sizes, VFR, missing audio, options."""

from __future__ import annotations

from pathlib import Path

import pytest

import convertr_core
from convertr_core import DecodeFailed, InvalidOption, NoAudioStream
from convertr_core.testing import run_conversion
from tests.conftest import leftovers
from tests.ffmpeg.support import probe, rotated, stream_md5
from tests.media import ffmpeg as run_ffmpeg
from tests.media import make_video


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 160x120 clip whose display matrix says: show it turned 90° (portrait)."""
    folder = tmp_path_factory.mktemp("phone")
    return rotated(make_video(folder / "raw.mp4", seconds=1, size="160x120"),
                   folder / "phone.mp4")


def test_phone_video_copied_keeps_its_rotation(registry, phone, tmp_path: Path) -> None:
    for target in ("mp4", "mov", "mkv"):
        info = probe(run_conversion(registry, phone, target, tmp_path).output_path, target)
        assert info.video.rotation in (90, 270) and info.display_size == (120, 160)


@pytest.mark.parametrize("target,options", [("mp4", {"crf": 30}), ("avi", {}),
                                            ("webm", {}), ("mp4", {"max_width": 60}),
                                            ("gif", {})])
def test_phone_video_re_encoded_stays_upright(registry, phone, tmp_path: Path, target: str,
                                              options: dict) -> None:
    info = probe(run_conversion(registry, phone, target, tmp_path,
                                options=options).output_path, target)
    width, height = info.display_size
    assert height > width  # portrait, as the phone showed it
    assert info.video.rotation == 0 or (width, height) == (120, 160)


def test_mp4_to_mp4_without_options_is_a_remux(registry, videos, tmp_path: Path) -> None:
    out = run_conversion(registry, videos["mp4"], "mp4", tmp_path).output_path
    assert stream_md5(out, "0:v") == stream_md5(videos["mp4"], "0:v")
    assert stream_md5(out, "0:a") == stream_md5(videos["mp4"], "0:a")


def test_mp4_to_mp4_with_crf_re_encodes_and_keeps_audio(registry, videos,
                                                        tmp_path: Path) -> None:
    out = run_conversion(registry, videos["mp4"], "mp4", tmp_path,
                         options={"crf": 35}).output_path
    assert stream_md5(out, "0:v") != stream_md5(videos["mp4"], "0:v")
    info = probe(out, "mp4")
    assert info.has_audio and info.duration == pytest.approx(1.0, abs=0.1)


def test_mp4_to_mov_and_m4a_copy_h264_and_aac(registry, videos, tmp_path: Path) -> None:
    mov = run_conversion(registry, videos["mp4"], "mov", tmp_path).output_path
    assert stream_md5(mov, "0:v") == stream_md5(videos["mp4"], "0:v")
    m4a = run_conversion(registry, videos["mp4"], "m4a", tmp_path).output_path
    assert stream_md5(m4a, "0:a") == stream_md5(videos["mp4"], "0:a")


def test_odd_dimensions_become_even(registry, tmp_path: Path) -> None:
    odd = make_video(tmp_path / "odd.mkv", seconds=1, vcodec="ffv1", acodec="flac",
                     extra=["-vf", "scale=161:121"])
    assert probe(odd, "mkv").display_size == (161, 121)
    for target in ("mp4", "webm", "avi"):
        info = probe(run_conversion(registry, odd, target, tmp_path).output_path, target)
        assert info.display_size == (160, 120)


def test_variable_frame_rate_source_keeps_its_length(registry, tmp_path: Path) -> None:
    vfr = make_video(tmp_path / "vfr.mkv", seconds=2, audio=False,
                     extra=["-vf", "select='not(between(n,10,30))'", "-fps_mode", "vfr"])
    for target in ("mp4", "avi", "webm"):
        info = probe(run_conversion(registry, vfr, target, tmp_path, options={"crf": 30}
                                    ).output_path, target)
        assert info.duration == pytest.approx(probe(vfr, "mkv").duration, abs=0.1)


def test_video_without_audio_to_mp3_is_no_audio_stream(registry, tmp_path: Path,
                                                       work_temp: Path) -> None:
    silent = make_video(tmp_path / "silent.mp4", seconds=1, audio=False)
    with pytest.raises(NoAudioStream) as caught:
        run_conversion(registry, silent, "mp3", tmp_path)
    assert caught.value.code == "no_audio_stream" and "ffmpeg" not in caught.value.message
    assert leftovers(work_temp) == []


def test_audio_only_mp4_converts_to_mp3_and_mp4(registry, tmp_path: Path) -> None:
    song = tmp_path / "song.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(song))
    for target in ("mp3", "mp4", "m4a"):
        result = run_conversion(registry, song, target, tmp_path)
        info = probe(result.output_path, target)
        assert info.has_audio and info.duration == pytest.approx(1.0, abs=0.1)
    declared = run_conversion(registry, song, "mp3", tmp_path, source="m4a")
    assert declared.record.kind == "audio"


def test_trim_mute_fps_and_size_limits(registry, videos, tmp_path: Path) -> None:
    out = run_conversion(registry, videos["mp4"], "mp4", tmp_path,
                         options={"start": "0.2", "end": "0.7", "mute": "yes", "fps": 10,
                                  "max_width": 100, "max_height": 100}).output_path
    info = probe(out, "mp4")
    assert info.duration == pytest.approx(0.5, abs=0.1) and not info.has_audio
    assert info.display_size == (100, 74) and info.video.fps == 10


def test_video_codec_choice_and_invalid_options(registry, videos, tmp_path: Path) -> None:
    out = run_conversion(registry, videos["mp4"], "mkv", tmp_path,
                         options={"video_codec": "vp9"}).output_path
    assert probe(out, "mkv").video.codec == "vp9"
    for bad in ({"video_codec": "vp9"}, {"crf": 60}, {"preset": "warp"}, {"bitrate": 128},
                {"start": 5}):
        with pytest.raises(InvalidOption):
            run_conversion(registry, videos["mp4"], "mp4", tmp_path, options=bad)


def test_long_gif_is_refused_with_a_hint(registry, tmp_path: Path) -> None:
    long = make_video(tmp_path / "long.mp4", seconds=61, size="32x32", fps=1, audio=False)
    with pytest.raises(InvalidOption) as caught:
        run_conversion(registry, long, "gif", tmp_path)
    assert "start/end" in caught.value.message


@pytest.mark.parametrize("fraction", [0.3, 0.6])
def test_truncated_video_is_decode_failed(registry, tmp_path: Path, work_temp: Path,
                                          fraction: float) -> None:
    full = make_video(tmp_path / "full.mp4", seconds=2, extra=["-movflags", "+faststart"])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * fraction)])
    with pytest.raises(DecodeFailed):
        run_conversion(registry, cut, "mp4", tmp_path, options={"crf": 30})
    assert leftovers(work_temp) == [] and not (tmp_path / "out.mp4").exists()


def test_garbage_after_a_valid_signature_is_decode_failed(registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(range(256)) * 64)
    with pytest.raises(DecodeFailed):
        run_conversion(registry, bad, "mp4", tmp_path)


def test_video_pairs_come_from_entry_points(videos, tmp_path: Path) -> None:
    registry = convertr_core.get_registry()
    assert registry.converter("mp4", "mp3").plugin == "video"
    assert registry.converter("avi", "mp4").kind == "video"
    out = tmp_path / "clip.mp3"
    result = convertr_core.convert(videos["mp4"], out)
    assert result.source.id == "mp4" and probe(out, "mp3").audio.codec == "mp3"
