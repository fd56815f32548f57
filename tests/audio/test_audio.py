"""Audio → audio through the real pipeline: what a user would check on the output."""

from __future__ import annotations

from pathlib import Path

import pytest

import convertr_audio.plugin
import convertr_core
from convertr_core import DecodeFailed, FormatMismatch, InvalidOption, SNIFF_BYTES
from convertr_core.testing import make_registry, run_conversion
from tests.conftest import leftovers
from tests.ffmpeg.support import probe, stream_md5
from tests.media import make_audio

SOURCES = {"mp3": (), "wav": (), "flac": (), "ogg": ("-c:a", "libvorbis"), "opus": (),
           "m4a": (), "aac": (), "wma": ()}
TARGETS = {"mp3": "mp3", "wav": "pcm_s16le", "flac": "flac", "ogg": "vorbis",
           "opus": "opus", "m4a": "aac", "aac": "aac"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audio-sources")
    return {name: make_audio(folder / f"tone.{name}", seconds=1.5, codec=codec)
            for name, codec in SOURCES.items()}


@pytest.fixture
def registry():  # type: ignore[no-untyped-def]
    return make_registry(convertr_audio.plugin)


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_audio_pair(registry, sources, tmp_path: Path, work_temp: Path,
                          source: str, target: str) -> None:
    result = run_conversion(registry, sources[source], target, tmp_path)
    out = result.output_path
    assert registry.detect(out.read_bytes()[:SNIFF_BYTES]).id == target
    info = probe(out, target)
    assert info.audio.codec == TARGETS[target]
    assert info.duration == pytest.approx(1.5, abs=0.1)
    assert result.record.kind == "audio"
    assert leftovers(work_temp) == []


def test_same_format_without_options_copies_the_stream(registry, sources,
                                                       tmp_path: Path) -> None:
    result = run_conversion(registry, sources["mp3"], "mp3", tmp_path)
    assert stream_md5(result.output_path, "0:a") == stream_md5(sources["mp3"], "0:a")


def test_bitrate_rate_and_channels_are_applied(registry, sources, tmp_path: Path) -> None:
    result = run_conversion(registry, sources["wav"], "mp3", tmp_path,
                            options={"bitrate": "96", "sample_rate": "22050",
                                     "channels": "2"})
    audio = probe(result.output_path, "mp3").audio
    assert (audio.sample_rate, audio.channels) == (22050, "stereo")
    size_kbps = result.output_path.stat().st_size * 8 / 1.5 / 1000
    assert size_kbps == pytest.approx(96, rel=0.25)


def test_sample_rates_are_listed_as_numbers(registry) -> None:
    [mp3] = [pair for pair in registry.describe()["pairs"]
             if (pair["source"], pair["target"]) == ("wav", "mp3")]
    [rate] = [opt for opt in mp3["options"] if opt["name"] == "sample_rate"]
    assert rate["type"] == "int" and 44100 in rate["choices"] and 96000 not in rate["choices"]


def test_trim_gives_the_requested_length(registry, sources, tmp_path: Path) -> None:
    result = run_conversion(registry, sources["flac"], "ogg", tmp_path,
                            options={"start": 0.25, "end": "1.0"})
    assert probe(result.output_path, "ogg").duration == pytest.approx(0.75, abs=0.1)


def test_normalize_keeps_the_sample_rate_and_length(registry, sources,
                                                    tmp_path: Path) -> None:
    result = run_conversion(registry, sources["wav"], "flac", tmp_path,
                            options={"normalize": "true"})
    info = probe(result.output_path, "flac")
    assert info.audio.sample_rate == 44100  # loudnorm alone would give 192 kHz
    assert info.duration == pytest.approx(1.5, abs=0.1)


@pytest.mark.parametrize("options,field", [({"end": 0.5, "start": 1.0}, "end"),
                                          ({"start": 9}, "start"),
                                          ({"bitrate": 999}, "bitrate"),
                                          ({"channels": 6}, "channels")])
def test_bad_options_are_refused_by_name(registry, sources, tmp_path: Path,
                                         options: dict, field: str) -> None:
    with pytest.raises(InvalidOption) as caught:
        run_conversion(registry, sources["wav"], "mp3", tmp_path, options=options)
    assert field in caught.value.errors


def test_lossless_targets_do_not_take_a_bitrate(registry, sources, tmp_path: Path) -> None:
    with pytest.raises(InvalidOption):
        run_conversion(registry, sources["mp3"], "wav", tmp_path, options={"bitrate": 128})


def test_garbage_behind_a_valid_header_is_decode_failed(registry, tmp_path: Path,
                                                        work_temp: Path) -> None:
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + bytes(range(256)) * 40)
    with pytest.raises(DecodeFailed):
        run_conversion(registry, bad, "mp3", tmp_path)
    assert leftovers(work_temp) == []


def test_a_file_that_is_not_what_it_claims_is_refused(registry, sources,
                                                      tmp_path: Path) -> None:
    with pytest.raises(FormatMismatch):
        run_conversion(registry, sources["wav"], "mp3", tmp_path, source="flac")


def test_audio_pairs_are_discovered_through_entry_points(sources, tmp_path: Path) -> None:
    registry = convertr_core.get_registry()
    assert registry.converter("wav", "mp3").plugin == "audio"
    out = tmp_path / "song.opus"
    result = convertr_core.convert(sources["wav"], out)
    assert result.target.id == "opus" and probe(out, "opus").audio.codec == "opus"
