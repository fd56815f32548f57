"""A test-only plugin whose conversions take as long as the input says.

Input files start with ``CONVERTR-SLOWTEST`` followed by ``seconds=<float>`` and
optionally ``fail``; the output is the input copied. The crash test registers it through
a temporary ``dist-info`` (``slow_plugin_path`` fixture), exactly like a third-party
package, so gunicorn workers discover it from entry points.
"""

from __future__ import annotations

import re
import time

from convertr_core import ConversionFailed, Converter, Format, Job, hookimpl

CONVERTR_PLUGIN_INTERFACE = 1
MAGIC = b"CONVERTR-SLOWTEST"


def payload(seconds: float, *, fail: bool = False) -> bytes:
    """The bytes of an input that takes ``seconds`` (and then fails if ``fail``)."""
    return MAGIC + f" seconds={seconds}{' fail' if fail else ''}\n".encode()


@hookimpl
def convertr_formats(register) -> None:  # type: ignore[no-untyped-def]
    register(Format(id="slowtest", media_type="application/x-slowtest", kind="data",
                    sniff=lambda head: head.startswith(MAGIC)))
    register(Format(id="slowdone", media_type="application/x-slowdone", kind="data"))


@hookimpl
def convertr_converters(register) -> None:  # type: ignore[no-untyped-def]
    register(Converter(source="slowtest", target="slowdone", kind="data", run=_run))


def _run(job: Job) -> None:
    text = job.input_path.read_bytes().decode()
    seconds = float(re.search(r"seconds=([0-9.]+)", text).group(1))
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        job.check()
        time.sleep(0.05)
    if " fail" in text:
        raise ConversionFailed("the slow test converter was told to fail")
    job.output_path.write_bytes(text.encode())
