"""Audio recipes of the ffmpeg toolkit: encoder defaults, options and arguments per target.

Shared by every plugin that writes audio with ffmpeg (audio → audio and the soundtrack of
video → audio), so an MP3 is encoded the same way whatever it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from . import ffmpeg
from .converters import Job
from .errors import InvalidOption, NoAudioStream
from .ffmpeg import MediaInfo
from .ffmpeg_formats import container
from .options import Option

# EBU R128 loudness target most streaming services use; single pass, constant memory.
# asetnsamples: on short inputs loudnorm emits one huge frame that FLAC cannot take.
LOUDNORM = "loudnorm=I=-16:TP=-1.5:LRA=11,asetnsamples=n=4096:p=0"


@dataclass(frozen=True)
class AudioRecipe:
    """How ffmpeg writes audio into one target format.

    Attributes:
        codec: the ffmpeg encoder.
        quality: default rate-control arguments (used when no ``bitrate`` is given).
        copy: source codecs that may be copied untouched when nothing changes.
        lossy: whether ``bitrate`` makes sense.
        fixed_rate: the target only takes this sample rate (Opus: 48 kHz).
    """

    codec: str
    quality: tuple[str, ...] = ()
    copy: frozenset[str] = frozenset()
    lossy: bool = True
    fixed_rate: int | None = None


AUDIO_RECIPES: dict[str, AudioRecipe] = {
    "mp3": AudioRecipe("libmp3lame", ("-q:a", "2"), frozenset({"mp3"})),  # VBR ~190 kb/s
    "wav": AudioRecipe("pcm_s16le", (), frozenset({"pcm_s16le"}), lossy=False),
    "flac": AudioRecipe("flac", (), frozenset({"flac"}), lossy=False),
    "ogg": AudioRecipe("libvorbis", ("-q:a", "5"), frozenset({"vorbis"})),  # ~160 kb/s
    "opus": AudioRecipe("libopus", ("-b:a", "128k"), frozenset({"opus"}), fixed_rate=48000),
    "m4a": AudioRecipe("aac", ("-b:a", "160k"), frozenset({"aac", "alac"})),
    "aac": AudioRecipe("aac", ("-b:a", "160k"), frozenset({"aac"})),
}

# The audio codecs each format holds (for video containers: the ones met in practice).
# When none of them can be copied into the target, a conversion without options needs no
# probe and saves one ffmpeg start (~50 ms: a third of a minute-long MP4 → MP3); a rarer
# codec (MP3 inside MP4) is then re-encoded rather than copied, and a file with no audio
# still fails cleanly (ffmpeg's "matches no streams" is no_audio_stream).
AUDIO_HOLDS: dict[str, frozenset[str]] = {
    "mp3": frozenset({"mp3"}), "wav": frozenset({"pcm_s16le", "pcm_s24le", "pcm_f32le"}),
    "flac": frozenset({"flac"}), "ogg": frozenset({"vorbis", "opus", "flac"}),
    "opus": frozenset({"opus"}), "m4a": frozenset({"aac", "alac"}),
    "aac": frozenset({"aac"}), "wma": frozenset({"wmav1", "wmav2", "wmapro"}),
    "mp4": frozenset({"aac"}), "m4v": frozenset({"aac"}), "3gp": frozenset({"aac"}),
    "mov": frozenset({"aac", "alac", "pcm_s16le", "pcm_s24le"}),
    "mkv": frozenset({"aac", "opus", "vorbis", "flac", "mp3", "ac3"}),
    "webm": frozenset({"opus", "vorbis"}), "ogv": frozenset({"vorbis", "opus"}),
    "avi": frozenset({"mp3", "pcm_s16le", "ac3"}), "flv": frozenset({"aac", "mp3"}),
    "ts": frozenset({"aac", "mp3", "ac3"}), "wmv": frozenset({"wmav1", "wmav2"}),
}

# rates every target encoder takes (AAC and MP3 only accept a fixed list)
_RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)

_TRIM = (Option("start", "float", "start at this second (trim)", min=0),
         Option("end", "float", "stop at this second (trim)", min=0))


def trim_options() -> tuple[Option, ...]:
    """``start`` / ``end`` in seconds, shared by every audio and video target."""
    return _TRIM


def audio_options(target: str) -> tuple[Option, ...]:
    """The options an audio ``target`` accepts (bitrate only for lossy formats)."""
    recipe = AUDIO_RECIPES[target]
    found: list[Option] = []
    if recipe.lossy:
        found.append(Option("bitrate", "int", "audio bitrate in kb/s", min=32, max=320))
    if recipe.fixed_rate is None:
        rates = _RATES if target == "mp3" else (*_RATES, 88200, 96000)  # MP3: 48k max
        found.append(Option("sample_rate", "int", "sample rate in Hz", choices=rates))
    found += [Option("channels", "int", "1 = mono, 2 = stereo", min=1, max=2), *_TRIM,
              Option("normalize", "bool", "even out loudness (EBU R128, -16 LUFS)",
                     default=False)]
    return tuple(found)


def trim_args(options: Mapping[str, Any], info: MediaInfo) -> tuple[list[str], float | None]:
    """Input-side ``-ss``/``-to`` for a trim, and the duration the output will have."""
    start, end = options.get("start"), options.get("end")
    duration = info.duration
    if start is None and end is None:
        return [], duration
    start = start or 0.0
    if end is not None and end <= start:
        raise InvalidOption("option end must be after start",
                            errors={"end": ["must be after start"]})
    if duration is not None and start >= duration:
        raise InvalidOption(f"option start is past the end of the input ({duration:.2f} s)",
                            errors={"start": ["is past the end of the input"]})
    args = ["-ss", f"{start:.3f}"] if start else []
    if end is not None:
        args += ["-to", f"{end:.3f}"]
    stop = end if duration is None or end is None else min(end, duration)
    return args, None if stop is None else stop - start


def changes_audio(options: Mapping[str, Any]) -> bool:
    """Whether the options ask for anything a stream copy cannot do."""
    return any(options.get(name) for name in
               ("bitrate", "sample_rate", "channels", "start", "end", "normalize"))


def audio_args(target: str, options: Mapping[str, Any], info: MediaInfo) -> list[str]:
    """Map/codec/filter arguments that write the first audio stream into ``target``."""
    audio = info.audio
    if audio is None:
        raise NoAudioStream("the input has no audio stream to convert")
    recipe = AUDIO_RECIPES[target]
    args = ["-map", f"0:{audio.index}", "-vn", "-sn", "-dn"]
    if audio.codec in recipe.copy and not changes_audio(options):
        return args + ["-c:a", "copy"]
    return args + encode_args(recipe, options, audio.sample_rate)


def _rate_control(recipe: AudioRecipe, kbps: int | None) -> list[str]:
    if not kbps:
        return list(recipe.quality)
    if recipe.codec == "libvorbis":
        # libvorbis refuses bitrates its sample rate cannot carry (176k at 8 kHz);
        # its quality scale works at every rate: q0 ~64k, q4 ~128k... q8 ~256k
        return ["-q:a", f"{min(max((kbps - 64) / 24, -1), 10):.1f}"]
    return ["-b:a", f"{kbps}k"]


def encode_args(recipe: AudioRecipe, options: Mapping[str, Any],
                source_rate: int | None) -> list[str]:
    """Encoder, rate control, channels, sample rate and loudness filter."""
    args = ["-c:a", recipe.codec, *_rate_control(recipe, options.get("bitrate"))]
    if options.get("channels"):
        args += ["-ac", str(options["channels"])]
    rate = recipe.fixed_rate or options.get("sample_rate")
    if options.get("normalize"):
        args += ["-af", LOUDNORM]
        # loudnorm upsamples to 192 kHz: bring it back to the source's rate (at most 48k)
        rate = rate or min(source_rate or 48000, 48000)
    if rate:
        args += ["-ar", str(rate)]
    return args


def convert_to_audio(job: Job) -> None:
    """Write the first audio stream of ``job.input_path`` into ``job.target``, one ffmpeg run.

    Works for any ffmpeg-backed source (audio, or a video's soundtrack): copies the stream
    when the target takes its codec and nothing changes, re-encodes with the target's
    recipe otherwise. The input is probed first only when that choice depends on it.
    """
    source, target = container(job.source.id), container(job.target.id)
    assert target.muxer is not None, f"{job.target.id} is read-only"
    if needs_probe(job.source.id, job.target.id, job.options):
        info = ffmpeg.probe(job.input_path, source.demuxer, job)
        trim, duration = trim_args(job.options, info)
        streams = audio_args(job.target.id, job.options, info)
    else:
        trim, duration, streams = [], None, _unprobed_args(job.source.id, job.target.id)
    args = [*trim, *ffmpeg.input_args(job.input_path, source.demuxer), *streams,
            "-map_metadata", "0"]
    if job.target.id == "m4a":
        args += ["-movflags", "+faststart"]
    ffmpeg.run([*args, *ffmpeg.output_args(job.output_path, target.muxer)], job,
               duration=duration)
    job.progress(1.0)


def needs_probe(source: str, target: str, options: Mapping[str, Any]) -> bool:
    """Whether copy-or-encode depends on what the input holds."""
    if changes_audio(options):
        return True
    holds = AUDIO_HOLDS.get(source)
    return source != target and (holds is None or bool(holds & AUDIO_RECIPES[target].copy))


def _unprobed_args(source: str, target: str) -> list[str]:
    """Same format: copy; otherwise the target's encoder (it cannot take the codec)."""
    args = ["-map", "0:a:0", "-vn", "-sn", "-dn"]
    if source == target:
        return args + ["-c:a", "copy"]
    return args + encode_args(AUDIO_RECIPES[target], {}, None)
