"""A tiny text plugin that exercises every part of the pipeline without media libraries."""

from __future__ import annotations

import time

from convertr_core import (Converter, DecodeFailed, Format, Job, Option, hookimpl)

CONVERTR_PLUGIN_INTERFACE = 1
MAGIC = b"TOY1"
events: list[tuple[str, str, str]] = []


def _sniff_toy(head: bytes) -> float:
    return 1.0 if head.startswith(MAGIC) else 0.0


def _sniff_text(head: bytes) -> float:
    return 0.5 if head.isascii() and not head.startswith(MAGIC) else 0.0


@hookimpl
def convertr_formats(register):
    register(Format("txt", "text/plain", "document", ("txt", "text"), ("text",), _sniff_text))
    register(Format("toy", "application/x-toy", "document", ("toy",), ("toy1",), _sniff_toy))


def _to_toy(job: Job) -> None:
    text = job.input_path.read_bytes()
    if b"crash" in text:
        raise RuntimeError("decoder exploded")
    if b"corrupt" in text:
        raise DecodeFailed("input is corrupt")
    if b"interrupt" in text:
        raise KeyboardInterrupt
    if b"slow" in text:
        while True:
            job.check()
            time.sleep(0.01)
    (job.workdir / "scratch.tmp").write_bytes(b"scratch")
    job.progress(0.7)
    job.progress(0.3)  # a plugin going backwards must not reach the caller
    repeat = job.options.get("repeat", 1)
    job.output_path.write_bytes(MAGIC + text * repeat)


def _to_text(job: Job) -> None:
    job.output_path.write_bytes(job.input_path.read_bytes()[len(MAGIC):])


def _nothing(job: Job) -> None:
    """A buggy converter that writes no output."""


@hookimpl
def convertr_converters(register):
    register(Converter("text", "toy1", "document", _to_toy, priority=1,
                       options=(Option("repeat", "int", "times", default=1, min=1, max=3),
                                Option("mode", "str", choices=("a", "b")))))
    register(Converter("toy", "txt", "document", _to_text))
    register(Converter("toy", "toy", "document", _nothing))


@hookimpl
def convertr_conversion_started(record):
    events.append(("started", record.id, record.outcome))


@hookimpl
def convertr_conversion_finished(record):
    events.append(("finished", record.id, record.outcome))
