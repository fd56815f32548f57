"""The plugin module named by the ``convertr`` entry point: formats and converters.

Convertr imports this module, checks ``CONVERTR_PLUGIN_INTERFACE`` and calls the two
hooks below with a ``register`` callback. Keep it cheap to import: converters import
their libraries when they run, never here.
"""

from __future__ import annotations

import os

from convertr_core import (Converter, Format, RegisterConverter, RegisterFormat,
                           UnknownFormat, hookimpl)

from . import override, sniffers, tabular

# The plugin interface this plugin was written against; Convertr skips (and reports)
# a plugin whose version it does not speak.
CONVERTR_PLUGIN_INTERFACE = 1

# Opt-in switch for the PNG -> JPG override, so installing this sample never changes
# what the built-in image plugin does unless someone asks for it.
OVERRIDE_ENV = "CONVERTR_SAMPLE_OVERRIDE"


@hookimpl
def convertr_formats(register: RegisterFormat) -> None:
    """CSV and JSON: text formats, told apart by their sniffers."""
    register(Format("csv", "text/csv", "data", ("csv",), (), sniffers.sniff_csv))
    register(Format("json", "application/json", "data", ("json",), (), sniffers.sniff_json))


@hookimpl
def convertr_converters(register: RegisterConverter) -> None:
    """CSV -> JSON and JSON -> CSV; PNG -> JPG at a higher priority when opted in."""
    register(Converter("csv", "json", "data", tabular.csv_to_json, tabular.CSV_TO_JSON_OPTIONS,
                       help="rows as JSON objects (or arrays without a header row)"))
    register(Converter("json", "csv", "data", tabular.json_to_csv, tabular.JSON_TO_CSV_OPTIONS,
                       help="an array of objects or arrays as CSV rows"))
    if os.environ.get(OVERRIDE_ENV) == "1":
        try:
            register(Converter("png", "jpg", "image", override.png_to_jpg, override.OPTIONS,
                               priority=10, help="progressive JPEG, chroma subsampling option"))
        except UnknownFormat:
            pass  # the image plugin is not loaded (or disabled): nothing to override
