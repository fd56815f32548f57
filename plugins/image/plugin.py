"""Convertr's built-in image plugin: JPG, PNG, WebP, GIF, BMP, TIFF, HEIC and AVIF.

Importing this module is cheap on purpose (``convertr --help`` loads every plugin):
Pillow and pillow-heif are imported only when a conversion runs.
"""

from __future__ import annotations

from convertr_core import Converter, Job, RegisterConverter, RegisterFormat, hookimpl

from .formats import FORMAT_IDS, FORMATS
from .options import options_for

CONVERTR_PLUGIN_INTERFACE = 1


def run(job: Job) -> None:
    """Run one image conversion (imports the imaging stack on first use)."""
    from .convert import run as run_conversion

    run_conversion(job)


@hookimpl
def convertr_formats(register: RegisterFormat) -> None:
    """Register the eight image formats with their byte sniffers."""
    for fmt in FORMATS:
        register(fmt)


@hookimpl
def convertr_converters(register: RegisterConverter) -> None:
    """Register every pair among the image formats, same-format re-encodes included."""
    for target in FORMAT_IDS:
        options = options_for(target)
        for source in FORMAT_IDS:
            register(Converter(source=source, target=target, kind="image", run=run,
                               options=options, help=_help(source, target)))


def _help(source: str, target: str) -> str:
    if source == target:
        return f"re-encode {source.upper()} (resize, quality, metadata)"
    return f"convert {source.upper()} images to {target.upper()}"
