"""The converter every image pair runs: decode → pixels → encode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convertr_core import Job

from . import decode, encode, pixels
from .options import parse_background


@dataclass(frozen=True)
class ImageOptions:
    """One job's options, parsed once (the pipeline already checked types and ranges)."""

    quality: int | None
    max_width: int | None
    max_height: int | None
    background: tuple[int, int, int]
    strip_metadata: bool

    @classmethod
    def from_job(cls, job: Job) -> "ImageOptions":
        opts = job.options
        return cls(quality=opts.get("quality"), max_width=opts.get("max_width"),
                   max_height=opts.get("max_height"),
                   background=parse_background(opts.get("background")),
                   strip_metadata=bool(opts.get("strip_metadata", False)))


def run(job: Job) -> None:
    """Convert ``job.input_path`` (``job.source``) into ``job.output_path`` (``job.target``)."""
    settings = ImageOptions.from_job(job)  # a bad colour fails before any decoding
    source, target = job.source.id, job.target.id
    with decode.open_image(job.input_path, source, job.limits) as image:
        job.progress(0.05)
        if decode.keeps_animation(image, source, target):
            _run_animation(job, image, settings)
        else:
            _run_still(job, image, settings)
    job.progress(1.0)


def _run_still(job: Job, image: Any, settings: ImageOptions) -> None:
    """One picture: the first frame of an animation, the primary image of a HEIC."""
    target = job.target.id
    decode.check_pixels(image, job.limits)
    orientation = decode.orientation(image)
    size = _target_size(image.size, settings, orientation)
    if size is not None and job.source.id == "jpg":
        # DCT scaling decodes at 1/2..1/8 straight away; 2× headroom keeps Lanczos sharp
        image.draft(None, (size[0] * 2, size[1] * 2))
    decode.load(image)
    job.progress(0.5)
    job.check()
    exif = encode.exif_bytes(image, settings.strip_metadata)
    picture = _prepare(image, target, size, orientation, settings)
    job.progress(0.7)
    encode.save([picture], job.output_path, target, quality=settings.quality, exif=exif,
                icc=picture.info.get("icc_profile"))


def _run_animation(job: Job, image: Any, settings: ImageOptions) -> None:
    """Every frame of an animated GIF/WebP/APNG into an animated GIF/WebP."""
    count = decode.frame_count(image)
    decode.check_pixels(image, job.limits, count)
    orientation = decode.orientation(image)
    size = _target_size(image.size, settings, orientation)
    exif = encode.exif_bytes(image, settings.strip_metadata)
    icc = image.info.get("icc_profile")
    frames, durations = [], []
    for index in range(count):
        decode.seek(image, index)
        durations.append(int(image.info.get("duration", 100) or 100))
        frame = image.convert("RGBA")  # a composited, standalone copy of this frame
        frames.append(_prepare(frame, job.target.id, size, orientation, settings))
        job.progress(0.1 + 0.6 * (index + 1) / count)
        job.check()
    encode.save(frames, job.output_path, job.target.id, quality=settings.quality,
                exif=exif, icc=icc, durations=durations, loop=int(image.info.get("loop", 0)))


def _target_size(size: tuple[int, int], settings: ImageOptions,
                 orientation: int) -> tuple[int, int] | None:
    """The stored-pixel size to resize to (None: keep), for a box given upright."""
    box = pixels.stored_box(settings.max_width, settings.max_height, orientation)
    return pixels.fit(size, *box)


def _prepare(image: Any, target: str, size: tuple[int, int] | None, orientation: int,
             settings: ImageOptions) -> Any:
    """Mode → size → orientation → alpha: each step a no-op when there is nothing to do.

    Resizing comes before the transpose so the rotation moves the smaller picture.
    """
    picture = pixels.working_mode(image, target, resizing=size is not None)
    picture = pixels.resize(picture, size)
    picture = pixels.upright(picture, orientation)
    return pixels.flatten(picture, target, settings.background)
