"""Running one converter in a sandbox, and judging what it did.

The conformance suite calls a plugin's converter directly with a ``Job`` (not through
``convert()``), because the pipeline hides a plugin's mistakes from users: it clamps
progress, wraps stray exceptions and removes the work directory. Here they must show.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..converters import Converter, Job, Limits
from ..errors import ConvertrError, InvalidOption
from ..formats import SNIFF_BYTES, Format
from ..options import Option, validate_options
from ..registry import Registry

_TEMP_VARS = ("TMPDIR", "TEMP", "TMP")


@dataclass
class RunReport:
    """What one converter run did: its error, progress reports and stray files."""

    pair: str
    input_path: Path
    output_path: Path
    error: BaseException | None = None
    progress: list[float] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)


def run_converter(conv: Converter, source: Format, target: Format, sample: Path, base: Path,
                  *, options: dict[str, Any] | None = None, time_limit: float = 120.0,
                  ) -> RunReport:
    """Run ``conv`` on a copy of ``sample`` inside ``base``, watching every other folder.

    The input sits in ``base/input``; ``job.workdir`` is ``base/work``; the current
    directory and the system temp dir are fresh folders for the run. Anything created or
    changed outside ``base/work`` is reported in ``stray``.
    """
    folders = {name: base / name for name in ("input", "work", "cwd", "systemp")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    input_path = folders["input"] / f"input.{source.extension}"
    shutil.copyfile(sample, input_path)
    report = RunReport(f"{source.id}->{target.id}", input_path,
                       folders["work"] / f"output.{target.extension}")
    job = Job(input_path=input_path, output_path=report.output_path, source=source,
              target=target, options=validate_options(conv.options, options or {}),
              workdir=folders["work"], limits=Limits(time_limit=time_limit),
              progress=report.progress.append, deadline=time.monotonic() + time_limit)
    _watch(conv, job, report, folders, base)
    return report


def _watch(conv: Converter, job: Job, report: RunReport, folders: dict[str, Path],
           base: Path) -> None:
    """Run ``conv`` in the sandbox; record its exception and every file it strayed to."""
    watched = [folders["input"], folders["cwd"], folders["systemp"]]
    before = {folder: snapshot(folder) for folder in watched}
    with sandbox(folders["cwd"], folders["systemp"]):
        try:
            conv.run(job)
        except Exception as ex:  # judged by the caller: which exception is the point
            report.error = ex
    report.stray = [str(path.relative_to(base)) for folder in watched
                    for path in changed(before[folder], snapshot(folder))]


def snapshot(folder: Path) -> dict[Path, tuple[int, int]]:
    """Every file below ``folder`` with its size and modification time."""
    found = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root, name)
            stat = path.stat()
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]],
            ) -> list[Path]:
    """Files created, modified or deleted between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


@contextmanager
def sandbox(cwd: Path, systemp: Path) -> Iterator[None]:
    """Run with ``cwd`` as the current directory and ``systemp`` as the system temp dir."""
    old_cwd, old_tempdir = os.getcwd(), tempfile.tempdir
    old_env = {name: os.environ.get(name) for name in _TEMP_VARS}
    os.chdir(cwd)
    tempfile.tempdir = str(systemp)
    os.environ.update({name: str(systemp) for name in _TEMP_VARS})
    try:
        yield
    finally:
        os.chdir(old_cwd)
        tempfile.tempdir = old_tempdir
        for name, value in old_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def describe_error(ex: BaseException) -> str:
    """``DecodeFailed (decode_failed): ...`` or ``ValueError: ... (raised at x.py:12)``."""
    if isinstance(ex, ConvertrError):
        return f"{type(ex).__name__} ({ex.code}): {ex.message}"
    frames = traceback.extract_tb(ex.__traceback__)
    where = f" (raised at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(ex).__name__}: {ex}{where}"


def head(path: Path) -> bytes:
    """The bytes a sniffer sees."""
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def output_problem(report: RunReport, target: Format, registry: Registry) -> str | None:
    """None when the run succeeded and its output sniffs as ``target``, else why not."""
    if report.error is not None:
        return f"converting the sample failed: {describe_error(report.error)}"
    path = report.output_path
    if not path.is_file() or path.stat().st_size == 0:
        return f"the converter returned without writing job.output_path ({path.name})"
    return sniff_problem(head(path), target, registry, "the output")


def sniff_problem(data: bytes, fmt: Format, registry: Registry, what: str) -> str | None:
    """None when ``fmt``'s sniffer claims ``data`` and no other format claims it more."""
    own = fmt.confidence(data)
    if own <= 0:
        return (f"{what} does not sniff as {fmt.id}: its sniffer returns 0 for bytes "
                f"starting {data[:16]!r}")
    rivals = sorted(((other.confidence(data), other.id) for other in registry.formats.values()
                     if other.id != fmt.id), reverse=True)
    if rivals and rivals[0][0] > own:
        return (f"{what} sniffs as {rivals[0][1]} (confidence {rivals[0][0]:g}) rather than "
                f"{fmt.id} ({own:g}): Convertr would detect it as {rivals[0][1]}")
    return None


def progress_problem(report: RunReport, must_reach_1: bool = False) -> str | None:
    """Progress, if reported at all, stays in 0..1, never goes back (and ends at 1).

    The pipeline itself reports 1.0 once the output is in place, so users always see
    progress end at 1; ``must_reach_1`` also requires the converter's own last report
    to be 1.0.
    """
    values = report.progress
    if report.error is not None:
        return f"converting the sample failed: {describe_error(report.error)}"
    if not values:
        return None
    outside = [v for v in values if not 0.0 <= v <= 1.0]
    if outside:
        return f"progress must be a fraction in 0..1; it reported {outside[0]!r}"
    backwards = next((i for i in range(1, len(values)) if values[i] < values[i - 1]), None)
    if backwards is not None:
        return (f"progress went backwards from {values[backwards - 1]:g} to "
                f"{values[backwards]:g} (report #{backwards + 1} of {len(values)})")
    if must_reach_1 and values[-1] != 1.0:
        return f"progress ended at {values[-1]:g}; call job.progress(1.0) when done"
    return None


def stray_problem(report: RunReport) -> str | None:
    """Files must only be written inside ``job.workdir`` (and the output path)."""
    if not report.stray:
        return None
    return (f"the converter created or changed files outside job.workdir: "
            f"{', '.join(report.stray)}; write scratch files under job.workdir and leave "
            "the input (and its folder) alone")


def garbage_inputs(sample: bytes, seed: str) -> list[tuple[str, bytes, bool]]:
    """(description, bytes, strict) pairs; strict ones must end in a ``ConvertrError``.

    Pure noise must be refused. The sample's first bytes followed by noise look right
    to a sniffer; a tolerant decoder may turn it into valid output (raw PCM does), so
    success is allowed there as long as the output is really the target format.
    """
    rng = random.Random(seed)
    noise = rng.randbytes(min(max(len(sample), 4096), 65536))
    keep = min(64, len(sample) // 2)
    return [("random bytes", b"\x00" + noise, True),
            (f"the sample's first {keep} bytes followed by random bytes",
             sample[:keep] + noise, False)]


def garbage_problem(report: RunReport, what: str, strict: bool, target: Format,
                    registry: Registry) -> str | None:
    """Garbage must end in a ``ConvertrError`` and leave no stray files."""
    stray = stray_problem(report)
    if report.error is not None and not isinstance(report.error, ConvertrError):
        return (f"on {what} the converter raised {describe_error(report.error)} instead of "
                "a ConvertrError: catch the decoder's exception and raise DecodeFailed "
                "with a message for the user")
    if report.error is None and strict:
        return (f"the converter accepted {what} without complaint: a decoder that accepts "
                "anything turns corrupt uploads into garbage results; raise DecodeFailed")
    if report.error is None:
        problem = output_problem(report, target, registry)
        if problem:
            return f"on {what} the converter reported success, but {problem}"
    return f"on {what}: {stray}" if stray else None


def invalid_values(opt: Option) -> list[tuple[Any, str]]:
    """Values ``opt`` must refuse, made from its type, range and choices."""
    bad: list[tuple[Any, str]] = []
    if opt.type in ("int", "float"):
        if opt.min is not None:
            bad.append((opt.min - 1, f"below its min {opt.min:g}"))
        if opt.max is not None:
            bad.append((opt.max + 1, f"above its max {opt.max:g}"))
        bad.append(("not-a-number", "not a number"))
    if opt.type == "int":
        bad.append((1.5, "not a whole number"))
    if opt.type == "bool":
        bad.append(("maybe", "not a boolean"))
    if opt.choices and opt.type == "int":
        bad.append((max(opt.choices) + 1, f"not one of {', '.join(map(str, opt.choices))}"))
    elif opt.choices:
        bad.append(("not-one-of-the-choices", f"not one of {', '.join(opt.choices)}"))
    return bad


def valid_alternative(opt: Option) -> tuple[bool, Any]:
    """(True, value) with a valid value other than the default; (False, None) if none.

    Numbers move one step from their default, or take the middle of their range when
    they have none. Options with neither (a trim start, free text) are left unset:
    options may constrain each other, and a made-up value could break that honestly.
    """
    if opt.choices:
        others = [c for c in opt.choices if c != opt.default]
        return (True, others[0]) if others else (False, None)
    if opt.type == "bool":
        return True, not bool(opt.default)
    if opt.type in ("int", "float") and opt.default is not None:
        return True, _near_default(opt)
    if opt.type in ("int", "float") and opt.min is not None and opt.max is not None:
        middle = (opt.min + opt.max) / 2
        return True, int(middle) if opt.type == "int" else middle
    return False, None


def _near_default(opt: Option) -> Any:
    step = 1 if opt.type == "int" else ((opt.max or 1) - (opt.min or 0)) / 10 or 0.1
    for candidate in (opt.default + step, opt.default - step):
        if (opt.min is None or candidate >= opt.min) and (opt.max is None or candidate <= opt.max):
            return candidate
    return opt.default


def option_value_problems(conv: Converter) -> list[str]:
    """Every generated invalid value must be refused with ``InvalidOption``."""
    problems = []
    for opt in conv.options:
        for value, why in invalid_values(opt):
            try:
                validate_options(conv.options, {opt.name: value})
            except InvalidOption:
                continue
            problems.append(f"option {opt.name!r} accepted {value!r}, which is {why}")
    return problems
