"""A tiny plugin with one audio pair and one image pair: billing without media codecs.

The input's text steers the converter: ``fail`` makes it fail, ``wait`` makes it wait
at ``barrier`` (so tests can hold several admitted conversions open at once).
"""

from __future__ import annotations

import threading

from convertr_core import Converter, DecodeFailed, Format, Job, hookimpl

CONVERTR_PLUGIN_INTERFACE = 1
barrier = threading.Barrier(1)


def _magic(prefix: bytes):
    return lambda head: head.startswith(prefix)


@hookimpl
def convertr_formats(register):
    register(Format("tone", "audio/x-tone", "audio", sniff=_magic(b"TONE")))
    register(Format("beep", "audio/x-beep", "audio", sniff=_magic(b"BEEP")))
    register(Format("pic", "image/x-pic", "image", sniff=_magic(b"PIC")))
    register(Format("png2", "image/x-png2", "image", sniff=_magic(b"PNG2")))


def _run(prefix: bytes):
    def run(job: Job) -> None:
        body = job.input_path.read_bytes()
        if b"fail" in body:
            raise DecodeFailed("the toy input says fail")
        if b"wait" in body:
            barrier.wait(timeout=30)
        job.output_path.write_bytes(prefix + body)
    return run


@hookimpl
def convertr_converters(register):
    register(Converter("tone", "beep", "audio", _run(b"BEEP")))
    register(Converter("pic", "png2", "image", _run(b"PNG2")))
