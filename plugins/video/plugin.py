"""Convertr's video plugin: video → video, video → audio (soundtrack) and video → GIF.

A plain conversion is one ffmpeg process (the imageio-ffmpeg binary moviepy ships with);
streams are copied when nothing needs re-encoding. See docs/audio-video.md for why
moviepy's frame path is not used for plain transcodes.
"""

from __future__ import annotations

from convertr_core import Converter, Job, RegisterConverter, RegisterFormat, hookimpl
from convertr_core import ffmpeg
from convertr_core.ffmpeg_audio import audio_options, convert_to_audio, trim_args
from convertr_core.ffmpeg_formats import container, formats

from .command import gif_filters, remux_args, stream_args
from .recipes import gif_options, video_options
from .trim import copy_trim_args

CONVERTR_PLUGIN_INTERFACE = 1


@hookimpl
def convertr_formats(register: RegisterFormat) -> None:
    """Register the video formats, plus the audio formats and GIF it writes to."""
    for fmt in (*formats("video"), *formats("audio"), *formats("image")):
        register(fmt)


@hookimpl
def convertr_converters(register: RegisterConverter) -> None:
    """Every video format → every writable video format, audio format and GIF."""
    targets = [f for f in (*formats("video"), *formats("audio"), *formats("image"))
               if f.writable]
    for source in formats("video"):
        for target in targets:
            run, options, how = _recipe(target.kind, target.id)
            register(Converter(source=source.id, target=target.id, kind="video", run=run,
                               options=options, help=f"{source.label} to {target.label} "
                                                     f"with ffmpeg ({how})"))


def _recipe(kind: str, target: str) -> tuple:  # type: ignore[type-arg]
    if kind == "video":
        return convert_video, video_options(target), "stream copy when nothing changes"
    if kind == "audio":
        return convert_to_audio, audio_options(target), "extracts the soundtrack"
    return convert_gif, gif_options(), "short clips, two-pass palette"


def convert_video(job: Job) -> None:
    """Video → video container in one ffmpeg run (copy, re-encode or a mix); a trim
    starting on a keyframe is copied too."""
    source, target = container(job.source.id), container(job.target.id)
    if job.source.id == job.target.id and not any(job.options.values()):
        # same container, nothing asked: a remux whatever the codecs, no probe needed
        trim, duration, streams = [], None, remux_args(job.target.id)
    else:
        info = ffmpeg.probe(job.input_path, source.demuxer, job)
        trim, duration = trim_args(job.options, info)
        copied = copy_trim_args(job, info, source.demuxer)
        trim = trim if copied is None else copied
        streams = stream_args(job.target.id, job.options, info,
                              trim_copied=copied is not None)
    args = [*trim, *ffmpeg.input_args(job.input_path, source.demuxer), *streams]
    ffmpeg.run([*args, *ffmpeg.output_args(job.output_path, target.muxer or "")], job,
               duration=duration)
    job.progress(1.0)


def convert_gif(job: Job) -> None:
    """Video → GIF: a palette pass, then a render pass (constant memory, good colours)."""
    source = container(job.source.id)
    info = ffmpeg.probe(job.input_path, source.demuxer, job)
    trim, duration = trim_args(job.options, info)
    palette_graph, render_graph = gif_filters(job.options, info, duration)
    palette = job.workdir / "palette.png"
    inputs = [*trim, *ffmpeg.input_args(job.input_path, source.demuxer)]
    # each pass reports half of the progress
    first = Job(**{**job.__dict__, "output_path": palette,
                   "progress": lambda fraction: job.progress(fraction / 2)})
    ffmpeg.run([*inputs, "-an", "-vf", palette_graph, "-frames:v", "1", "-update", "1",
                *ffmpeg.output_args(palette, "image2")], first, duration=duration)
    second = Job(**{**job.__dict__, "progress": lambda fraction: job.progress(
        0.5 + fraction / 2)})
    ffmpeg.run([*inputs, *ffmpeg.input_args(palette, "png_pipe"), "-an",
                "-filter_complex", render_graph, "-loop", "0",
                *ffmpeg.output_args(job.output_path, "gif")], second, duration=duration)
    job.progress(1.0)
