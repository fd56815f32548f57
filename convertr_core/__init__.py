"""Convertr's core: the plugin contract, the registry and the one ``convert()`` pipeline.

Plugins import from here only; transports call ``convert()`` and the registry.
"""

from .cohorts import cohort_for_settings as cohort_for_label
from .cohorts import normalise_label
from .converters import Converter, Job, Limits, ProgressCallback
from .errors import (BadRequest, Cancelled, ConversionFailed, ConversionTimeout,
                     ConvertrError, DecodeFailed, FormatMismatch, InputTooLarge,
                     InvalidOption, MissingDependency, NoAudioStream, NotFound,
                     OutOfBalance, RateLimited, ServiceUnavailable, Unauthorized,
                     UnknownFormat, UnsupportedPair, ValidationFailed)
from .formats import SNIFF_BYTES, Format
from .hookspecs import RegisterConverter, RegisterFormat, hookimpl
from .options import Option, validate_options
from .pipeline import ConversionResult, convert
from .records import Caller, ConversionRecord
from .registry import (PLUGIN_INTERFACE_VERSION, PluginInfo, Registry, get_registry,
                       reset_registry)
from .settings import Settings, configure, get_settings

__all__ = [
    "BadRequest", "Caller", "Cancelled", "ConversionFailed", "ConversionRecord",
    "ConversionResult", "ConversionTimeout", "Converter", "ConvertrError", "DecodeFailed",
    "Format", "FormatMismatch", "InputTooLarge", "InvalidOption", "Job", "Limits",
    "MissingDependency", "NoAudioStream", "NotFound", "Option", "OutOfBalance",
    "PLUGIN_INTERFACE_VERSION", "PluginInfo", "ProgressCallback", "RateLimited",
    "RegisterConverter", "RegisterFormat", "Registry", "SNIFF_BYTES", "ServiceUnavailable",
    "Settings", "Unauthorized", "UnknownFormat", "UnsupportedPair", "ValidationFailed",
    "cohort_for_label", "configure", "convert", "normalise_label", "get_registry", "get_settings", "hookimpl", "reset_registry",
    "validate_options",
]
