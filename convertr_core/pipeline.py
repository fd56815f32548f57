"""``convert()``: the one pipeline behind the CLI, the HTTP API and jobs."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from .cohorts import cohort_for_settings
from .converters import Converter, Job, Limits, ProgressCallback
from .errors import (BadRequest, Cancelled, ConversionFailed, ConvertrError, DecodeFailed,
                     FormatMismatch, InputTooLarge, NotFound, UnknownFormat)
from .formats import SNIFF_BYTES, Format
from .options import validate_options
from .records import Caller, ConversionRecord
from .registry import Registry, get_registry
from .settings import Settings, get_settings

log = logging.getLogger("convertr.pipeline")


@dataclass
class ConversionResult:
    """What a successful ``convert()`` hands back."""

    output_path: Path
    source: Format
    target: Format
    record: ConversionRecord
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def runtime_ms(self) -> int:
        return self.record.runtime_ms or 0

    def to_dict(self) -> dict[str, Any]:
        return {"pair": f"{self.source.id}->{self.target.id}", "source": self.source.id,
                "target": self.target.id, "output": str(self.output_path),
                "runtime_ms": self.runtime_ms, "bytes_in": self.record.bytes_in,
                "bytes_out": self.record.bytes_out, "options": self.options,
                "cohort": self.record.cohort, "extra": self.record.extra}


@dataclass
class _Plan:
    source: Format
    target: Format
    converter: Converter
    options: dict[str, Any]
    size: int
    head: bytes


def convert(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str], *,
            target: str | None = None, source: str | None = None,
            options: Mapping[str, Any] | None = None, caller: Caller | None = None,
            limits: Limits | None = None, progress: ProgressCallback | None = None,
            cancel_event: threading.Event | None = None,
            registry: Registry | None = None, settings: Settings | None = None,
            ) -> ConversionResult:
    """Convert ``input_path`` into ``output_path``.

    Args:
        input_path: the file to read; never written to.
        output_path: where the result goes; replaced only once the conversion succeeded.
        target: target format id or alias; default: ``output_path``'s extension.
        source: declared source format; None sniffs the input to find out.
        options: converter options (strings are parsed against the pair's schema).
        caller: who asks (transport, raw label, client id); the label becomes a cohort.
        limits: override the settings' limits (a registered client's, say).
        progress: called with fractions 0..1, never decreasing.
        cancel_event: set it to stop the conversion (raises ``Cancelled``).
        registry, settings: defaults are the process-wide ones.

    Returns:
        The ``ConversionResult``.

    Raises:
        ConvertrError: every failure, with a stable ``code``.
    """
    registry = registry or get_registry()
    settings = settings or get_settings()
    caller = caller or Caller()
    limits = limits or settings.limits(client=caller.client_id is not None)
    input_path, output_path = Path(input_path), Path(output_path)
    plan = _resolve(registry, input_path, output_path, source, target)
    record = ConversionRecord(
        source=plan.source.id, target=plan.target.id, kind=plan.converter.kind,
        transport=caller.transport, cohort=cohort_for_settings(caller.label, settings),
        client_id=caller.client_id, plugin=plan.converter.plugin, bytes_in=plan.size)
    try:
        _check(registry, plan, input_path, output_path, options or {}, limits)
    except ConvertrError as ex:
        _refuse(registry, record, ex, settings)
        raise
    record.options = plan.options
    registry.hook.convertr_conversion_admit(record=record, settings=settings)
    job_args = dict(limits=limits, progress=_monotonic(progress),
                    cancel_event=cancel_event or threading.Event())
    _run(registry, plan, record, input_path, output_path, settings, job_args)
    return ConversionResult(output_path, plan.source, plan.target, record, plan.options)


def _resolve(registry: Registry, input_path: Path, output_path: Path, source: str | None,
             target: str | None) -> _Plan:
    """Formats and converter: until these are known there is no pair to meter."""
    target_name = target or output_path.suffix
    if not target_name:
        raise UnknownFormat(f"cannot tell the target format of {output_path.name}: "
                            "name it or give the output an extension")
    target_fmt = registry.resolve(target_name)
    head, size = _read_head(input_path)
    source_fmt = registry.resolve(source) if source else _detect(registry, input_path, head)
    converter = registry.converter(source_fmt.id, target_fmt.id)
    return _Plan(source_fmt, target_fmt, converter, {}, size, head)


def _check(registry: Registry, plan: _Plan, input_path: Path, output_path: Path,
           options: Mapping[str, Any], limits: Limits) -> None:
    """Everything checked before any work: bytes, options, limits, destination."""
    _check_bytes(registry, input_path, plan.head, plan.source)
    plan.options = validate_options(plan.converter.options, options)
    if limits.max_input_bytes is not None and plan.size > limits.max_input_bytes:
        raise InputTooLarge(f"input is {_human_bytes(plan.size)}; the limit is "
                            f"{_human_bytes(limits.max_input_bytes)}",
                            limit_bytes=limits.max_input_bytes)
    if not output_path.parent.is_dir():
        raise ConversionFailed(f"output directory {output_path.parent} does not exist")


def _refuse(registry: Registry, record: ConversionRecord, ex: ConvertrError,
            settings: Settings) -> None:
    """A refused attempt of a known pair still leaves its one (failed) metering row."""
    _notify(registry, "convertr_conversion_started", record, settings)
    record.outcome, record.error_code, record.runtime_ms = "failed", ex.code, 0
    record.finished_at = datetime.now(timezone.utc)
    _notify(registry, "convertr_conversion_finished", record, settings)


def _read_head(path: Path) -> tuple[bytes, int]:
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            return handle.read(SNIFF_BYTES), size
    except FileNotFoundError:
        raise NotFound(f"input file {path} does not exist") from None
    except IsADirectoryError:
        raise BadRequest(f"input {path} is a directory, not a file") from None
    except OSError as ex:
        raise BadRequest(f"cannot read {path}: {ex.strerror}") from None


def _detect(registry: Registry, path: Path, head: bytes) -> Format:
    """The sniffed format of an input whose format was not declared."""
    if not head:
        raise DecodeFailed(f"{path.name} is empty")
    detected = registry.detect(head)
    if detected is None:
        raise FormatMismatch(f"cannot tell what format {path.name} is; name its format",
                             declared=None, detected=None)
    return detected


def _check_bytes(registry: Registry, path: Path, head: bytes, fmt: Format) -> None:
    """Refuse an input whose bytes are not the declared format, saying what they are."""
    if not head:
        raise DecodeFailed(f"{path.name} is empty")
    if fmt.confidence(head) > 0:
        return
    detected = registry.detect(head)
    if detected is None:
        raise FormatMismatch(f"{path.name} is not a {fmt.label} file (its bytes match no "
                             "known format)", declared=fmt.id, detected=None)
    raise FormatMismatch(
        f"{path.name} is {detected.label}, not {fmt.label}; convert it as {detected.id}",
        declared=fmt.id, detected=detected.id)


def _run(registry: Registry, plan: _Plan, record: ConversionRecord, input_path: Path,
         output_path: Path, settings: Settings, job_args: dict[str, Any]) -> None:
    """Run the converter in a private temp dir, fire started/finished exactly once."""
    _notify(registry, "convertr_conversion_started", record, settings)
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="convertr-", dir=settings.temp_dir))
    try:
        scratch = workdir / f"output.{plan.target.extension}"
        job = Job(input_path=input_path, output_path=scratch, source=plan.source,
                  target=plan.target, options=plan.options, workdir=workdir, **job_args)
        if job.limits.time_limit:
            job.deadline = time.monotonic() + job.limits.time_limit
        _invoke(plan.converter, job)
        record.bytes_out = scratch.stat().st_size
        _move_into_place(scratch, output_path)
        job.progress(1.0)
        record.outcome = "succeeded"
    except BaseException as ex:
        record.outcome = "failed"
        record.error_code = _error_code(ex)
        raise
    finally:
        record.runtime_ms = round((time.perf_counter() - started) * 1000)
        record.finished_at = datetime.now(timezone.utc)
        shutil.rmtree(workdir, ignore_errors=True)
        _notify(registry, "convertr_conversion_finished", record, settings)


def _invoke(converter: Converter, job: Job) -> None:
    """Call the plugin; anything that is not a ``ConvertrError`` becomes one."""
    try:
        converter.run(job)
    except ConvertrError:
        raise
    except KeyboardInterrupt:
        raise Cancelled("conversion interrupted") from None
    except MemoryError:
        raise DecodeFailed("the input needs more memory to decode than is available") from None
    except Exception as ex:
        log.exception("converter %s for %s->%s crashed", converter.plugin, *converter.pair)
        raise ConversionFailed(f"the {converter.source}->{converter.target} converter "
                               f"failed: {type(ex).__name__}") from ex
    job.check()
    if not job.output_path.is_file() or job.output_path.stat().st_size == 0:
        raise ConversionFailed(f"the {converter.source}->{converter.target} converter "
                               "produced no output")


def _move_into_place(scratch: Path, output_path: Path) -> None:
    """Atomic rename where possible; across filesystems, copy beside then rename."""
    try:
        os.replace(scratch, output_path)
    except OSError:
        beside = output_path.with_name(f".{output_path.name}.convertr-partial")
        try:
            shutil.copyfile(scratch, beside)
            os.replace(beside, output_path)
        except OSError as ex:
            beside.unlink(missing_ok=True)
            raise ConversionFailed(f"cannot write {output_path}: {ex.strerror}") from None


def _notify(registry: Registry, hook: str, record: ConversionRecord,
            settings: Settings) -> None:
    """Observers must not break conversions: each failure is logged, not raised."""
    offered = {"record": record, "settings": settings}
    for impl in reversed(getattr(registry.hook, hook).get_hookimpls()):
        try:  # like pluggy, pass only the arguments the implementation names
            impl.function(**{name: offered[name] for name in impl.argnames})
        except Exception:
            log.exception("observer %s.%s failed for %s", impl.plugin_name, hook, record.id)


def _error_code(ex: BaseException) -> str:
    if isinstance(ex, ConvertrError):
        return ex.code
    if isinstance(ex, KeyboardInterrupt):
        return Cancelled.code
    return ConversionFailed.code


def _monotonic(callback: ProgressCallback | None) -> ProgressCallback:
    """Clamp to 0..1 and never go backwards; a failing callback is ignored."""
    last = [0.0]

    def report(fraction: float) -> None:
        value = min(max(float(fraction), last[0]), 1.0)
        if value == last[0] and value != 1.0:
            return
        last[0] = value
        if callback is not None:
            try:
                callback(value)
            except Exception:
                log.debug("progress callback failed", exc_info=True)

    return report


def _human_bytes(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"
