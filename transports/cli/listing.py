"""``convertr formats`` and ``convertr plugins``: what the installed plugins provide.

Both print the registry's own JSON with ``--json`` (the same data ``GET /api/formats``
serves), and a compact grouped text otherwise.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import Any

import click

from . import output

INDENT = "  "


@click.command()
@click.option("--json", "as_json", is_flag=True,
              help="Print formats and pairs as JSON (same as GET /api/formats).")
def formats(as_json: bool) -> None:
    """List the formats and conversion pairs, grouped by media kind, with options."""
    from convertr_core import get_registry

    data = get_registry().describe()
    if as_json:
        output.print_json(data)
        return
    click.echo("\n".join(render_formats(data)))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the plugin report as JSON.")
def plugins(as_json: bool) -> None:
    """List installed plugins, their pairs, load failures and priority conflicts."""
    from convertr_core import get_registry

    data = get_registry().report()
    if as_json:
        output.print_json(data)
        return
    click.echo("\n".join(render_plugins(data)))


# -- formats ------------------------------------------------------------------------
def render_formats(data: dict[str, Any]) -> list[str]:
    """Text for ``convertr formats``: per kind, its formats, pairs and options."""
    if not data["pairs"]:
        return ["no conversion pairs installed ('convertr plugins' shows why)"]
    pairs_by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pair in data["pairs"]:
        pairs_by_kind[pair["kind"]].append(pair)
    lines: list[str] = []
    for kind in sorted(pairs_by_kind):
        kind_formats = [f for f in data["formats"] if f["kind"] == kind]
        lines += _kind_block(kind, kind_formats, pairs_by_kind[kind])
        lines.append("")
    lines.append("Use: convertr convert INPUT OUTPUT [-o KEY=VALUE ...]")
    return lines


def _kind_block(kind: str, kind_formats: list[dict[str, Any]],
                pairs: list[dict[str, Any]]) -> list[str]:
    lines = [f"{kind} ({_count(len(pairs), 'pair')})"]
    names = [f["id"] + (f" ({', '.join(f['aliases'])})" if f["aliases"] else "")
             for f in kind_formats]
    lines += _wrapped("formats: ", ", ".join(names), INDENT)
    targets_by_source: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        targets_by_source[pair["source"]].append(pair["target"])
    width = max(len(source) for source in targets_by_source)
    for source, targets in sorted(targets_by_source.items()):
        lines += _wrapped(f"{source:<{width}} -> ", ", ".join(sorted(targets)), INDENT)
    lines += _options_block(pairs)
    return lines


def _options_block(pairs: list[dict[str, Any]]) -> list[str]:
    """Options every pair of the kind shares once, then the rest per target.

    Where the sources for one target take different options, those are listed per pair.
    """
    common = _common_options(pairs)
    variants: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    schemas: dict[str, list[dict[str, Any]]] = {}
    for pair in pairs:
        rest = [opt for opt in pair["options"] if opt not in common]
        if rest:
            schemas[repr(rest)] = rest
            variants[pair["target"]][repr(rest)].append(pair["source"])
    if not common and not variants:
        return []
    lines = [f"{INDENT}options (-o KEY=VALUE):"]
    if common:
        lines.append(f"{INDENT * 2}every target:")
        lines += [f"{INDENT * 3}{_option_text(opt)}" for opt in common]
    for target in sorted(variants):
        by_key = variants[target]
        for key, sources in by_key.items():
            heading = (f"to {target}" if len(by_key) == 1
                       else f"{','.join(sorted(sources))} -> {target}")
            lines.append(f"{INDENT * 2}{heading}:")
            lines += [f"{INDENT * 3}{_option_text(opt)}" for opt in schemas[key]]
    return lines


def _common_options(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The option schemas that every pair in ``pairs`` accepts, identically."""
    first, *others = pairs
    return [opt for opt in first["options"]
            if all(opt in pair["options"] for pair in others)]


def _option_text(opt: dict[str, Any]) -> str:
    """``quality: int 1..100, default 90 - JPEG quality``."""
    facts = [opt["type"]]
    if "min" in opt or "max" in opt:
        facts[0] += f" {_num(opt.get('min', ''))}..{_num(opt.get('max', ''))}"
    if "choices" in opt:
        facts.append("|".join(map(str, opt["choices"])))
    if "default" in opt:
        default = opt["default"]
        facts.append(f"default {str(default).lower() if isinstance(default, bool) else default}")
    text = f"{opt['name']}: {', '.join(facts)}"
    return f"{text} - {opt['help']}" if opt.get("help") else text


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- plugins ------------------------------------------------------------------------
def render_plugins(data: dict[str, Any]) -> list[str]:
    """Text for ``convertr plugins``: one block per plugin, then conflicts."""
    if not data["plugins"]:
        return ["no plugins installed"]
    lines: list[str] = []
    for info in data["plugins"]:
        lines += _plugin_block(info)
    if data["conflicts"]:
        lines.append("priority conflicts (the first plugin is used):")
        lines += [f"{INDENT}{conflict}" for conflict in data["conflicts"]]
    return lines


def _plugin_block(info: dict[str, Any]) -> list[str]:
    origin = (f"{info['distribution']} {info['version'] or ''}".strip()
              if info.get("distribution") else "not from an installed distribution")
    head = f"{info['name']}  [{origin}]  {info.get('module') or ''}".rstrip()
    if info.get("disabled"):
        return [f"{head}  DISABLED (CONVERTR_DISABLE_PLUGINS)"]
    if not info.get("loaded", True):
        return [head] + _wrapped("FAILED: ", info.get("error") or "unknown reason", INDENT)
    pairs = info.get("pairs") or []
    if not pairs:
        return [head, f"{INDENT}no pairs (observer or format-only plugin)"]
    targets_by_source: dict[str, list[str]] = defaultdict(list)
    for pair in pairs:
        source, _, target = pair.partition("->")
        targets_by_source[source].append(target)
    width = max(len(source) for source in targets_by_source)
    lines = [f"{head}  ({_count(len(pairs), 'pair')})"]
    for source, targets in sorted(targets_by_source.items()):
        lines += _wrapped(f"{source:<{width}} -> ", ", ".join(sorted(targets)), INDENT)
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _wrapped(prefix: str, text: str, indent: str, width: int = 88) -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent + prefix,
                         subsequent_indent=indent + " " * len(prefix),
                         break_on_hyphens=False) or [indent + prefix.rstrip()]
