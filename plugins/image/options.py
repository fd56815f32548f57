"""The options each target accepts, and parsing of the background colour."""

from __future__ import annotations

from convertr_core import InvalidOption, Option

from .formats import DEFAULT_QUALITY, METADATA, NO_ALPHA

DEFAULT_BACKGROUND = "#ffffff"


def options_for(target: str) -> tuple[Option, ...]:
    """The options that make sense when writing ``target``."""
    declared: list[Option] = []
    if target in DEFAULT_QUALITY:
        declared.append(Option("quality", "int", "encoder quality, 1 (smallest) to 100 (best)",
                               default=DEFAULT_QUALITY[target], min=1, max=100))
    declared += [
        Option("max_width", "int", "fit inside this width (keeps the aspect, never upscales)",
               min=1, max=65_535),
        Option("max_height", "int", "fit inside this height (keeps the aspect, never "
               "upscales)", min=1, max=65_535),
    ]
    if target in NO_ALPHA:
        declared.append(Option("background", "str", "colour transparent pixels are blended "
                               "onto (#rrggbb or a CSS name)", default=DEFAULT_BACKGROUND))
    if target in METADATA:
        declared.append(Option("strip_metadata", "bool", "drop EXIF, XMP and comments "
                               "(the ICC colour profile is kept)", default=False))
    return tuple(declared)


def parse_background(value: str | None) -> tuple[int, int, int]:
    """``"#fff"``, ``"white"``, ``"rgb(0,0,0)"`` → an RGB triple; ``InvalidOption`` if not."""
    from PIL import ImageColor  # lazy: Pillow is only needed once a conversion runs

    text = DEFAULT_BACKGROUND if value is None else value.strip()
    try:
        colour = ImageColor.getrgb(text)
    except ValueError:
        why = "must be a colour such as #ffffff or white"
        raise InvalidOption(f"option background {why}", errors={"background": [why]}) from None
    return colour[0], colour[1], colour[2]
