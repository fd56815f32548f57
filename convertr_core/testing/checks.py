"""Static checks of a plugin: what ``check_plugin()`` reports without running anything.

Every problem is one sentence a newcomer can act on: what is wrong, where, and what to
write instead. No pytest here, so the checks also serve scripts and ``convertr plugins``.
"""

from __future__ import annotations

import difflib
import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, get_args

import pluggy

from .. import hookspecs
from ..converters import Converter
from ..errors import ConvertrError, InvalidOption
from ..formats import Format, MediaKind
from ..options import Option
from ..registry import INTERFACE_ATTRIBUTE, PLUGIN_INTERFACE_VERSION, Registry

HOOK_NAMES = frozenset(name for name in dir(hookspecs) if name.startswith("convertr_"))
KINDS = frozenset(get_args(MediaKind))
_FORMAT_ID = re.compile(r"^[a-z0-9][a-z0-9._+-]*$")
_OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Declared:
    """What a plugin's hooks register when called directly (nothing merged or resolved)."""

    formats: list[Format] = field(default_factory=list)
    converters: list[Converter] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def load_plugin(plugin: Any) -> Any:
    """``plugin`` itself, or the module an import name such as ``"pkg.plugin"`` names."""
    return importlib.import_module(plugin) if isinstance(plugin, str) else plugin


def plugin_name(plugin: Any) -> str:
    """The name a registry built with ``from_plugins`` gives ``plugin``."""
    return getattr(plugin, "__name__", type(plugin).__name__)


def declared(plugin: Any) -> Declared:
    """Call the plugin's registration hooks with collecting callbacks."""
    found = Declared()
    for hook, bucket in (("convertr_formats", found.formats),
                         ("convertr_converters", found.converters)):
        impl = getattr(plugin, hook, None)
        if impl is None:
            continue
        try:
            impl(register=bucket.append)
        except Exception as ex:
            found.problems.append(f"{hook}() raised {type(ex).__name__}: {ex}")
    return found


def build_registry(plugin: Any, uses: Iterable[Any] = ()) -> Registry:
    """A registry of the plugins ``plugin`` relies on, then ``plugin`` itself."""
    others = [load_plugin(p) for p in uses]
    return Registry.from_plugins([*(p for p in others if p is not plugin), plugin])


def check_plugin(plugin: Any, *, uses: Iterable[Any] = ()) -> list[str]:
    """Every problem Convertr would have loading ``plugin`` (a module or import name).

    Args:
        plugin: the plugin module (what the entry point names) or its import name.
        uses: plugins whose formats ``plugin``'s pairs refer to (``"convertr_image.plugin"``).

    Returns:
        One sentence per problem; an empty list means the plugin is well formed.
    """
    try:
        plugin = load_plugin(plugin)
    except Exception as ex:
        return [f"cannot import the plugin: {type(ex).__name__}: {ex}"]
    problems = interface_problems(plugin) + hook_problems(plugin)
    refused = pluggy_problems(plugin)
    if refused:  # calling the hooks would only repeat pluggy's complaint as a TypeError
        return problems + refused
    found = declared(plugin)
    problems += found.problems
    problems += [p for fmt in found.formats for p in format_problems(fmt, found.converters)]
    registry = build_registry(plugin, uses)
    info = registry.plugins.get(plugin_name(plugin))
    if info is not None and info.error and not problems:
        problems.append(f"Convertr refused the plugin: {info.error}")
    seen: set[tuple[str, str]] = set()
    per_pair = [p for conv in found.converters for p in converter_problems(conv, registry, seen)]
    return problems + group_by_pair(per_pair)


def group_by_pair(problems: list[str]) -> list[str]:
    """``converter a->b: X`` for many pairs becomes one line: ``X (a->b, c->d and 9 more)``."""
    pairs: dict[str, list[str]] = {}
    for problem in problems:
        where, _, what = problem.partition(": ")
        pairs.setdefault(what, []).append(where.removeprefix("converter "))
    grouped = []
    for what, where in pairs.items():
        if len(where) == 1:
            grouped.append(f"converter {where[0]}: {what}")
            continue
        more = f" and {len(where) - 3} more" if len(where) > 3 else ""
        grouped.append(f"{what} (converters {', '.join(where[:3])}{more})")
    return grouped


def interface_problems(plugin: Any) -> list[str]:
    """The interface version must be declared and be the one this Convertr speaks."""
    version = getattr(plugin, INTERFACE_ATTRIBUTE, None)
    if version is None:
        return [f"declare {INTERFACE_ATTRIBUTE} = {PLUGIN_INTERFACE_VERSION} at module level: "
                "Convertr skips plugins that do not say which interface they speak"]
    if version != PLUGIN_INTERFACE_VERSION:
        return [f"{INTERFACE_ATTRIBUTE} is {version!r} but this Convertr speaks "
                f"{PLUGIN_INTERFACE_VERSION}: the plugin would be skipped"]
    return []


def hook_problems(plugin: Any) -> list[str]:
    """Misspelt hooks, hooks without ``@hookimpl``, wrong arguments, no hooks at all."""
    problems: list[str] = []
    marked = 0
    for name in dir(plugin):
        if not name.startswith("convertr_"):
            continue
        value = getattr(plugin, name, None)
        is_impl = hasattr(value, "convertr_impl")
        marked += is_impl and name in HOOK_NAMES
        if name not in HOOK_NAMES and (is_impl or callable(value)):
            problems.append(f"{name} is not a Convertr hook{_did_you_mean(name)}; "
                            f"the hooks are: {', '.join(sorted(HOOK_NAMES))}")
        elif name in HOOK_NAMES and not is_impl and callable(value):
            problems.append(f"{name} is not marked with @hookimpl (from convertr_core "
                            "import hookimpl): Convertr never calls it")
    if not marked and not problems:
        problems.append("the plugin implements no Convertr hook (convertr_formats, "
                        "convertr_converters, ...)")
    return problems


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, sorted(HOOK_NAMES), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def pluggy_problems(plugin: Any) -> list[str]:
    """What pluggy itself says: argument names that are not in the hookspec, and so on."""
    manager = pluggy.PluginManager("convertr")
    manager.add_hookspecs(hookspecs)
    try:
        manager.register(plugin, name="checked")
        manager.check_pending()
    except pluggy.PluginValidationError as ex:
        if "unknown hook" in str(ex):  # already reported by name, with a suggestion
            return []
        return ["pluggy refuses the plugin: " + " ".join(str(ex).replace("'checked'", "")
                                                         .split())]
    return []


def format_problems(fmt: Any, converters: Iterable[Converter] = ()) -> list[str]:
    """A format needs a clean id, a MIME type, a known kind, and a sniffer if it is read."""
    if not isinstance(fmt, Format):
        return [f"convertr_formats registered {fmt!r}; register Format(...) objects"]
    where = f"format {fmt.id!r}"
    problems = []
    if not _FORMAT_ID.match(fmt.id):
        problems.append(f"{where}: use a short lowercase id such as 'jpg' (letters, digits, "
                        ". _ + -)")
    if fmt.media_type.count("/") != 1:
        problems.append(f"{where}: media_type {fmt.media_type!r} is not a MIME type "
                        "such as 'text/csv'")
    if fmt.kind not in KINDS:
        problems.append(f"{where}: kind {fmt.kind!r} is not one of {', '.join(sorted(KINDS))}")
    names = {fmt.id, *fmt.aliases, *fmt.extensions}
    if fmt.sniff is None and any(c.source in names for c in converters):
        problems.append(f"{where} is a source but has no sniffer: Convertr refuses every "
                        f"input declared as {fmt.id}; pass sniff=<function of the first bytes>")
    return problems


def converter_problems(conv: Any, registry: Registry, seen: set[tuple[str, str]]) -> list[str]:
    """Formats that resolve, a callable ``run``, a known kind, sound options, no twins."""
    if not isinstance(conv, Converter):
        return [f"convertr_converters registered {conv!r}; register Converter(...) objects"]
    where = f"converter {conv.source}->{conv.target}"
    problems = []
    for name in (conv.source, conv.target):
        try:
            registry.resolve(name)
        except ConvertrError:
            problems.append(f"{where}: format {name!r} is not declared by this plugin or by "
                            "the plugins it uses")
    if conv.kind not in KINDS:
        problems.append(f"{where}: kind {conv.kind!r} is not one of {', '.join(sorted(KINDS))}")
    if not callable(conv.run):
        problems.append(f"{where}: run must be a function taking a Job")
    if not isinstance(conv.priority, int):
        problems.append(f"{where}: priority must be an int, not {conv.priority!r}")
    if (conv.source, conv.target) in seen:
        problems.append(f"{where} is registered twice by this plugin")
    seen.add((conv.source, conv.target))
    names = [opt.name for opt in conv.options]
    problems += [f"{where}: option {n!r} is declared twice" for n in set(names)
                 if names.count(n) > 1]
    return problems + [f"{where}: {p}" for opt in conv.options for p in option_problems(opt)]


def option_problems(opt: Any) -> list[str]:
    """An option's declaration: name, range, choices and a default that it accepts."""
    if not isinstance(opt, Option):
        return [f"{opt!r} is not an Option"]
    where = f"option {opt.name!r}"
    problems = []
    if not _OPTION_NAME.match(opt.name):
        problems.append(f"{where}: use a lowercase identifier such as 'quality'")
    if opt.type in ("int", "float") and opt.min is None and opt.max is None \
            and not opt.choices:
        problems.append(f"{where}: a number needs min (and max where there is one), so that "
                        "out-of-range values are refused before the converter runs")
    if opt.min is not None and opt.max is not None and opt.min > opt.max:
        problems.append(f"{where}: min {opt.min} is greater than max {opt.max}")
    if opt.choices is not None and not _choices_fit(opt):
        problems.append(f"{where}: choices need type 'str' or 'int', at least one value, "
                        "and values of that type")
    if opt.default is not None:
        try:
            opt.parse(opt.default)
        except InvalidOption as ex:
            problems.append(f"{where}: its own default {opt.default!r} is refused ({ex})")
    return problems


def _choices_fit(opt: Option) -> bool:
    kind = {"str": str, "int": int}.get(opt.type)
    return bool(opt.choices) and kind is not None and all(
        isinstance(choice, kind) and not isinstance(choice, bool) for choice in opt.choices)
