"""The whole plugin surface of Convertr.

A plugin is a module (or object) registered through the ``convertr`` entry-point group
that implements some of these hooks, marked with ``convertr_core.hookimpl``. It declares
``CONVERTR_PLUGIN_INTERFACE = 1`` (see ``PLUGIN_INTERFACE_VERSION``).
"""

from __future__ import annotations

from typing import Callable

import pluggy

from .converters import Converter
from .formats import Format
from .records import ConversionRecord
from .settings import Settings

hookspec = pluggy.HookspecMarker("convertr")
hookimpl = pluggy.HookimplMarker("convertr")

RegisterFormat = Callable[[Format], None]
RegisterConverter = Callable[[Converter], None]


@hookspec
def convertr_formats(register: RegisterFormat) -> None:
    """Declare the formats this plugin reads or writes.

    Called once when the registry is built, before ``convertr_converters``.

    Args:
        register: call it with a ``Format`` for each format. A format id registered by
            two plugins keeps the first description and merges in the extra aliases.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def convertr_converters(register: RegisterConverter) -> None:
    """Declare the format pairs this plugin converts.

    Called once when the registry is built, after every plugin's formats are known.

    Args:
        register: call it with a ``Converter`` for each pair. Source and target may be
            aliases. When two plugins offer the same pair the higher ``priority`` wins;
            a tie is reported by ``convertr plugins`` and the first loaded is kept.

    Returns:
        Nothing; the return value is ignored.
    """


@hookspec
def convertr_conversion_admit(record: ConversionRecord, settings: Settings) -> None:
    """Decide whether a conversion may start; raise a ``ConvertrError`` to refuse it.

    Called after the input, pair, options and limits have been checked and before any
    work or metering is done (billing refuses an empty balance here with
    ``OutOfBalance``).

    Args:
        record: the attempt about to start; ``outcome`` is ``running``.
        settings: the settings this conversion runs with (its database, its limits).
            Like every hook argument, an implementation may leave it out.

    Returns:
        Nothing; raising refuses the conversion and no ``started`` hook fires.
    """


@hookspec
def convertr_conversion_started(record: ConversionRecord, settings: Settings) -> None:
    """Observe a conversion that is about to run its converter.

    Called exactly once per attempt that passed admission. Metering inserts its
    ``running`` row here. An exception is logged and does not stop the conversion.

    Args:
        record: the attempt; ``outcome`` is ``running``, ``started_at`` is set.
        settings: the settings this conversion runs with (may be left out).
    """


@hookspec
def convertr_conversion_finished(record: ConversionRecord, settings: Settings) -> None:
    """Observe a conversion that has ended, successfully or not.

    Called exactly once for every ``started`` attempt, also when the converter raised
    or the user pressed Ctrl-C. An exception is logged and does not change the result.

    Args:
        record: the attempt with ``outcome`` (``succeeded`` / ``failed``),
            ``error_code``, ``runtime_ms``, ``bytes_in`` and ``bytes_out`` filled in.
        settings: the settings this conversion ran with (may be left out).
    """
