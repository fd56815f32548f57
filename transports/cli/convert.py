"""``convertr convert INPUT OUTPUT``: one file through ``convertr_core.convert``.

The core does every check that matters (formats, sniffing, options, limits); this module
only maps the command line onto that call: paths and ``-`` for stdin/stdout, format
overrides, ``-o key=value`` options, the label, a progress bar and the result line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from . import output
from .progress import ProgressBar
from .stdio import STDIO, shielded_stdout, spooled_stdin, stdout_target



def _parse_options(ctx: click.Context, param: click.Parameter,
                   values: tuple[str, ...]) -> dict[str, str]:
    """``-o quality=80 -o strip=true`` → ``{"quality": "80", "strip": "true"}`` (last wins)."""
    parsed: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", ctx=ctx, param=param)
        parsed[key.strip()] = value
    return parsed


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.argument("output_path", metavar="OUTPUT")
@click.option("--from", "source", metavar="FORMAT",
              help="Input format (default: INPUT's extension; 'auto' detects it).")
@click.option("--to", "target", metavar="FORMAT",
              help="Output format (default: OUTPUT's extension; required with '-').")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              callback=_parse_options, help="Converter option; repeat for more "
              "(see 'convertr formats').")
@click.option("--label", envvar="CONVERTR_LABEL", metavar="TEXT",
              help="Client label for usage statistics; only a keyed hash of it is "
              "kept [env: CONVERTR_LABEL].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-f", "--force", is_flag=True, help="Replace OUTPUT if it exists.")
def convert(input_path: str, output_path: str, source: str | None, target: str | None,
            options: dict[str, str], label: str | None, as_json: bool, force: bool) -> None:
    """Convert INPUT into OUTPUT.

    Formats come from the file extensions unless --from / --to name them. Use '-' for
    stdin (its format is detected) or stdout (then --to is required). An existing
    OUTPUT is left alone unless --force is given.

    \b
    Examples:
      convertr convert photo.heic photo.jpg
      convertr convert photo.png photo.jpg -o quality=80
      convertr convert download.bin photo.png --from auto
      cat photo.heic | convertr convert - - --to jpg > photo.jpg
    """
    from convertr_core import Caller, get_registry

    registry = get_registry()
    if output_path == STDIO and as_json:
        raise click.UsageError("--json needs an OUTPUT file: stdout carries the data")
    _check_paths(input_path, output_path, force)
    target_fmt = _target_format(registry, output_path, target)
    source = _source_format(registry, input_path, source)
    call = dict(target=target_fmt.id, source=source, options=options,
                caller=Caller(transport="cli", label=label))
    with spooled_stdin(input_path) as in_path:
        try:
            result = _run(registry, in_path, output_path, target_fmt, call)
        except Exception as ex:
            _with_hints(registry, ex)
            raise
    _report(result, input_path, output_path, as_json)


def _target_format(registry: Any, output_path: str, target: str | None) -> Any:
    """The output format from --to or OUTPUT's extension (``UnknownFormat`` if unknown)."""
    from convertr_core import BadRequest

    if target:
        return registry.resolve(target)
    if output_path == STDIO:
        raise click.UsageError("writing to stdout ('-') needs --to FORMAT")
    suffix = Path(output_path).suffix
    if not suffix:
        raise output.add_hint(BadRequest(f"cannot tell the output format of "
                                         f"{output_path!r}: it has no extension"),
                              "add an extension or name the format with --to")
    return registry.resolve(suffix.lstrip("."))


def _source_format(registry: Any, input_path: str, source: str | None) -> str | None:
    """The declared input format id, or None to let the core detect it."""
    from convertr_core import UnknownFormat

    if source and source.lower() != "auto":
        return registry.resolve(source).id
    if source or input_path == STDIO or not Path(input_path).suffix:
        return None
    try:
        return registry.resolve(Path(input_path).suffix.lstrip(".")).id
    except UnknownFormat as ex:
        raise output.add_hint(ex, "name the format with --from FORMAT, or use "
                                  "--from auto to detect it") from None


def _check_paths(input_path: str, output_path: str, force: bool) -> None:
    """Refuse a missing input, overwriting it, a directory, or (without --force) a file."""
    from convertr_core import BadRequest, NotFound

    if input_path != STDIO and not Path(input_path).is_file():
        what = "is not a file" if Path(input_path).exists() else "does not exist"
        raise NotFound(f"input {input_path} {what}")
    if output_path == STDIO:
        return
    out = Path(output_path)
    if input_path != STDIO and _same_file(Path(input_path), out):
        raise BadRequest(f"input and output are the same file ({output_path}); "
                         "write the result somewhere else")
    if out.is_dir():
        raise BadRequest(f"output {output_path} is a directory; name a file")
    if out.exists() and not force:
        raise output.add_hint(BadRequest(f"output {output_path} already exists"),
                              "add --force to replace it")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist yet
        return first.resolve() == second.resolve()


def _run(registry: Any, in_path: Path, output_path: str, target_fmt: Any,
         call: dict[str, Any]) -> Any:
    """Convert to the file, or to a private temp file that is then copied to stdout."""
    from convertr_core import convert as core_convert

    label = "stdin" if in_path.name == "stdin" else in_path.name
    bar = ProgressBar(label)
    try:
        if output_path != STDIO:
            return core_convert(in_path, output_path, progress=bar.update, **call)
        with stdout_target(target_fmt.extension) as (scratch, send):
            with shielded_stdout():  # stray prints must not corrupt binary output
                result = core_convert(in_path, scratch, progress=bar.update, **call)
            bar.close()
            send()
            return result
    finally:
        bar.close()


def _with_hints(registry: Any, ex: Exception) -> Exception:
    """Add the advice a person needs to fix the most common mistakes."""
    from convertr_core import FormatMismatch, UnsupportedPair

    if isinstance(ex, FormatMismatch):
        detected = ex.details.get("detected")
        fmt = registry.formats.get(detected) if detected else None
        if fmt is not None:
            output.add_hint(ex, f"it looks like {fmt.label}; re-run with --from {fmt.id}")
        else:
            output.add_hint(ex, "the file may be damaged, or in a format no plugin "
                                "reads ('convertr formats' lists them)")
    elif isinstance(ex, UnsupportedPair):
        output.add_hint(ex, "'convertr formats' lists every pair")
    return ex


def _report(result: Any, input_path: str, output_path: str, as_json: bool) -> None:
    """The JSON result, or one human line when the output went to a file."""
    if as_json:
        data = result.to_dict()
        data.update(input=input_path, output=str(Path(output_path).resolve()))
        output.print_json(data)
    elif output_path != STDIO:
        record = result.record
        click.echo(f"{input_path} -> {output_path} ({result.source.label} -> "
                   f"{result.target.label}, {_size(record.bytes_in)} -> "
                   f"{_size(record.bytes_out or 0)}, {result.runtime_ms / 1000:.2f} s)")


def _size(count: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"
