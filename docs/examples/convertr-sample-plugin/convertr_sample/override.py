"""An opt-in override of a built-in pair: PNG -> JPG, progressive, at priority 10.

Two plugins may offer one pair; the higher ``priority`` wins (the built-in's is 0).
``plugin.py`` registers this converter only when ``CONVERTR_SAMPLE_OVERRIDE=1``.
Pillow is imported when a conversion runs, never at import time: it is Convertr's own
dependency, so this adds nothing to install, but a plugin must not slow ``--help``.
"""

from __future__ import annotations

from convertr_core import DecodeFailed, InputTooLarge, Job, MissingDependency, Option

OPTIONS = (
    Option("quality", "int", "JPEG quality, 1 (smallest) to 100 (best)", default=90,
           min=1, max=100),
    Option("progressive", "bool", "write a progressive JPEG", default=True),
    Option("subsampling", "str", "chroma subsampling", default="4:2:0",
           choices=("4:4:4", "4:2:2", "4:2:0")),
)


def png_to_jpg(job: Job) -> None:
    """Decode the PNG, blend transparency onto white, write a (progressive) JPEG."""
    try:
        from PIL import Image
    except ImportError:
        raise MissingDependency("PNG -> JPG from convertr-sample needs Pillow: "
                                "pip install pillow") from None
    try:
        with Image.open(job.input_path, formats=["PNG"]) as image:
            _check_size(image.size, job)
            rgb = _flatten(image.convert("RGBA"))
    except Image.DecompressionBombError as ex:
        raise InputTooLarge(str(ex)) from None
    except (OSError, SyntaxError, ValueError) as ex:  # Pillow's ways of saying "corrupt"
        raise DecodeFailed(f"cannot decode {job.input_path.name} as PNG: {ex}") from None
    job.progress(0.5)
    rgb.save(job.output_path, "JPEG", quality=job.options["quality"],
             progressive=job.options["progressive"], subsampling=job.options["subsampling"])
    job.progress(1.0)


def _check_size(size: tuple[int, int], job: Job) -> None:
    limit = job.limits.max_pixels
    if limit is not None and size[0] * size[1] > limit:
        raise InputTooLarge(f"the image is {size[0]}x{size[1]}; the limit is "
                            f"{limit:,} pixels")


def _flatten(rgba):  # type: ignore[no-untyped-def]
    from PIL import Image

    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
