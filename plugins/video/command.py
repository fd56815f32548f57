"""ffmpeg argument lists for video targets and GIF: one process, copy when possible."""

from __future__ import annotations

from typing import Any, Mapping

from convertr_core import DecodeFailed, InvalidOption
from convertr_core.ffmpeg import MediaInfo, Stream

from .recipes import CODEC_NAMES, GIF_MAX_SECONDS, VIDEO_RECIPES, VideoRecipe

# options that change pictures: any of them means the video stream is re-encoded
_PICTURE_OPTIONS = ("crf", "preset", "max_width", "max_height", "fps", "start", "end")
_TRIM_OPTIONS = ("start", "end")
_VP_SPEED = {"ultrafast": 8, "superfast": 8, "veryfast": 7, "faster": 6, "fast": 5,
             "medium": 4, "slow": 3, "slower": 2, "veryslow": 1}


def stream_args(target: str, options: Mapping[str, Any], info: MediaInfo, *,
                trim_copied: bool = False) -> list[str]:
    """Map, codec and filter arguments for a video ``target`` container.

    ``trim_copied``: the trim starts on a keyframe (see ``trim.copy_trim_args``), so
    ``start``/``end`` alone do not force a re-encode.
    """
    recipe = VIDEO_RECIPES[target]
    video, audio = info.video, None if options.get("mute") else info.audio
    if video is None and audio is None:
        raise DecodeFailed("the input has no video or audio stream to convert")
    args: list[str] = []
    if video is not None:
        args += ["-map", f"0:{video.index}",
                 *_video_args(target, recipe, options, info, trim_copied)]
    if audio is not None:
        args += ["-map", f"0:{audio.index}", *_audio_args(recipe, options, audio,
                                                          trim_copied)]
    args += ["-sn", "-dn", "-map_metadata", "0"]
    if recipe.faststart:
        args += ["-movflags", "+faststart"]
    return args


def remux_args(target: str) -> list[str]:
    """Copy the first video and audio streams as they are (either may be missing)."""
    args = ["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy", "-sn", "-dn",
            "-map_metadata", "0"]
    return args + (["-movflags", "+faststart"] if VIDEO_RECIPES[target].faststart else [])


def can_copy_video(recipe: VideoRecipe, options: Mapping[str, Any], video: Stream, *,
                   trim_copied: bool = False) -> bool:
    """Copy when no option touches pictures (a trim from a keyframe does not when
    ``trim_copied``), the container takes the codec and (for a rotated video) the
    container keeps the display matrix."""
    ignored = _TRIM_OPTIONS if trim_copied else ()
    if any(options.get(name) for name in _PICTURE_OPTIONS if name not in ignored):
        return False
    wanted = options.get("video_codec")
    if wanted and CODEC_NAMES[wanted] != video.codec:
        return False
    if recipe.copy_video is not None and video.codec not in recipe.copy_video:
        return False
    return recipe.keeps_rotation or video.rotation == 0


def _video_args(target: str, recipe: VideoRecipe, options: Mapping[str, Any],
                info: MediaInfo, trim_copied: bool) -> list[str]:
    video = info.video
    assert video is not None
    if can_copy_video(recipe, options, video, trim_copied=trim_copied):
        tag = ["-tag:v", "hvc1"] if video.codec == "hevc" and target in ("mp4", "mov") else []
        return ["-c:v", "copy", *tag]
    codec = options.get("video_codec") or recipe.codecs[0]
    args = _encoder(codec, options)
    if codec == "h265" and target in ("mp4", "mov"):
        args += ["-tag:v", "hvc1"]  # Apple players need this tag for HEVC
    filters = _filters(options, info)
    return args + (["-vf", ",".join(filters)] if filters else [])


def _encoder(codec: str, options: Mapping[str, Any]) -> list[str]:
    """Encoder settings; ffmpeg auto-rotates while decoding, so the output is upright."""
    crf, preset = options.get("crf"), options.get("preset") or "veryfast"
    if codec == "h264":
        return ["-c:v", "libx264", "-preset", preset, "-crf", str(23 if crf is None else crf),
                "-pix_fmt", "yuv420p"]
    if codec == "h265":
        return ["-c:v", "libx265", "-preset", preset, "-crf", str(28 if crf is None else crf),
                "-pix_fmt", "yuv420p", "-x265-params", "log-level=error"]
    if codec in ("vp9", "vp8"):
        # realtime deadline + cpu-used keeps VP8/9 within a few times x264's speed
        speed = ["-deadline", "realtime", "-cpu-used", str(_VP_SPEED[preset])]
        if codec == "vp9":
            return ["-c:v", "libvpx-vp9", "-crf", str(32 if crf is None else crf), "-b:v", "0",
                    *speed, "-row-mt", "1", "-pix_fmt", "yuv420p"]
        return ["-c:v", "libvpx", "-crf", str(max(4, 10 if crf is None else crf)),
                "-b:v", "4M", *speed, "-pix_fmt", "yuv420p"]
    quant = 4 if crf is None else min(31, max(1, round(crf / 5)))
    return ["-c:v", "mpeg4", "-q:v", str(quant), "-tag:v", "XVID", "-pix_fmt", "yuv420p"]


def _audio_args(recipe: VideoRecipe, options: Mapping[str, Any], audio: Stream,
                trim_copied: bool) -> list[str]:
    # an exact (re-encoded) video cut gets an exact audio cut; a copied one copies audio
    # too when it can (AAC/MP3 packets are ~20 ms, well inside a frame or two)
    trimmed = not trim_copied and (options.get("start") or options.get("end"))
    if not trimmed and (recipe.copy_audio is None or audio.codec in recipe.copy_audio):
        return ["-c:a", "copy"]
    return list(recipe.audio)


def _filters(options: Mapping[str, Any], info: MediaInfo) -> list[str]:
    """fps, then a scale to the size limits with even sides (x264 needs even)."""
    filters = [f"fps={options['fps']:g}"] if options.get("fps") else []
    size = info.display_size
    if size is None:
        return filters
    width, height = fit(size, options.get("max_width"), options.get("max_height"))
    if (width, height) != size:
        filters.append(f"scale={width}:{height}")
    return filters


def fit(size: tuple[int, int], max_width: int | None,
        max_height: int | None) -> tuple[int, int]:
    """Shrink ``size`` into the limits keeping the aspect; round both sides down to even."""
    width, height = size
    scale = min(1.0, (max_width or width) / width, (max_height or height) / height)
    return (max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2))


def gif_filters(options: Mapping[str, Any], info: MediaInfo,
                duration: float | None) -> tuple[str, str]:
    """The (palette pass, render pass) filter graphs for a GIF."""
    if duration is not None and duration > GIF_MAX_SECONDS:
        raise InvalidOption(f"a GIF is limited to {GIF_MAX_SECONDS:g} s of video; this one "
                            f"would be {duration:.0f} s (use start/end)",
                            errors={"end": [f"clip longer than {GIF_MAX_SECONDS:g} s"]})
    if info.video is None:
        raise DecodeFailed("the input has no video stream")
    size = info.display_size or (480, 270)
    width = options.get("width") or min(size[0], 480)
    base = f"fps={options.get('fps') or 10},scale={width}:-2:flags=lanczos"
    return (f"{base},palettegen=stats_mode=diff",
            f"{base}[v];[v][1:v]paletteuse=dither=bayer:bayer_scale=5")
