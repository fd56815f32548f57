"""Plugin discovery and the table of formats and pairs they provide."""

from __future__ import annotations

import importlib.metadata as md
import logging
from dataclasses import dataclass, field
from typing import Any, Iterable

import pluggy

from . import hookspecs
from .converters import Converter
from .errors import UnknownFormat, UnsupportedPair
from .formats import Format, normalise_format_name

log = logging.getLogger("convertr.registry")

ENTRY_POINT_GROUP = "convertr"
PLUGIN_INTERFACE_VERSION = 1
INTERFACE_ATTRIBUTE = "CONVERTR_PLUGIN_INTERFACE"


@dataclass
class PluginInfo:
    """What ``convertr plugins`` shows about one plugin."""

    name: str
    module: str = ""
    distribution: str | None = None
    version: str | None = None
    loaded: bool = True
    error: str | None = None
    disabled: bool = False
    pairs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Conflict:
    """Two converters with the same priority for one pair: the first loaded is kept."""

    pair: tuple[str, str]
    kept: str
    ignored: str
    priority: int

    def describe(self) -> str:
        return (f"{self.pair[0]} -> {self.pair[1]}: {self.kept} and {self.ignored} both have "
                f"priority {self.priority}; using {self.kept}")


class Registry:
    """Formats and converters from a set of plugins, plus what went wrong loading them."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager("convertr")
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.formats: dict[str, Format] = {}
        self.aliases: dict[str, str] = {}
        self.converters: dict[tuple[str, str], Converter] = {}
        self.conflicts: list[Conflict] = []

    # -- building -----------------------------------------------------------------
    @classmethod
    def from_plugins(cls, plugins: Iterable[Any]) -> "Registry":
        """A registry from explicit plugin modules or objects: no entry points read."""
        registry = cls()
        for plugin in plugins:
            name = getattr(plugin, "__name__", type(plugin).__name__)
            registry.add_plugin(plugin, PluginInfo(name=name, module=name))
        registry.collect()
        return registry

    @classmethod
    def from_entry_points(cls, disabled: Iterable[str] = ()) -> "Registry":
        """A registry from every installed ``convertr`` entry point, each in isolation."""
        registry = cls()
        disabled = set(disabled)
        owners: dict[str, str | None] = {}
        for ep in sorted(md.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            info = PluginInfo(name=ep.name, module=ep.value,
                              distribution=ep.dist.name if ep.dist else None,
                              version=ep.dist.version if ep.dist else None)
            if ep.name in owners:
                if owners[ep.name] != info.distribution:  # same dist seen twice: skip
                    info.name = f"{ep.name} ({info.distribution})"
                    registry._fail(info, f"plugin name {ep.name!r} is already used by "
                                         f"{owners[ep.name]}; rename its entry point")
                continue
            owners[ep.name] = info.distribution
            if ep.name in disabled:
                info.loaded, info.disabled = False, True
                registry.plugins[ep.name] = info
                continue
            try:
                plugin = ep.load()
            except Exception as ex:  # a broken plugin is reported, never fatal
                registry._fail(info, f"import failed: {type(ex).__name__}: {ex}")
                continue
            registry.add_plugin(plugin, info)
        registry.collect()
        return registry

    def add_plugin(self, plugin: Any, info: PluginInfo) -> None:
        """Register one plugin after checking its declared interface version."""
        version = getattr(plugin, INTERFACE_ATTRIBUTE, None)
        if version != PLUGIN_INTERFACE_VERSION:
            self._fail(info, _interface_problem(version))
            return
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as ex:
            self._fail(info, f"registration failed: {ex}")
            return
        self.plugins[info.name] = info

    def _fail(self, info: PluginInfo, reason: str) -> None:
        info.loaded, info.error = False, reason
        self.plugins[info.name] = info
        log.warning("plugin %s skipped: %s", info.name, reason)

    def collect(self) -> None:
        """Ask every plugin for formats, then converters; a failing plugin is dropped."""
        for name in list(self.plugins):
            self._call(name, "convertr_formats", self._register_format)
        for name in list(self.plugins):
            self._call(name, "convertr_converters",
                       lambda conv, _name=name: self._register_converter(conv, _name))

    def _call(self, name: str, hook: str, register: Any) -> None:
        info = self.plugins[name]
        plugin = self.pm.get_plugin(name)
        impl = getattr(plugin, hook, None) if plugin is not None else None
        if not info.loaded or impl is None:
            return
        try:
            impl(register=register)
        except Exception as ex:
            self.pm.unregister(name=name)
            self._fail(info, f"{hook} failed: {type(ex).__name__}: {ex}")

    def _register_format(self, fmt: Format) -> None:
        known = self.formats.setdefault(fmt.id, fmt)
        for name in (fmt.id, *known.aliases, *fmt.aliases):
            self.aliases.setdefault(name, fmt.id)

    def _register_converter(self, conv: Converter, plugin_name: str) -> None:
        source, target = self.resolve(conv.source).id, self.resolve(conv.target).id
        conv = Converter(source=source, target=target, kind=conv.kind, run=conv.run,
                         options=tuple(conv.options), priority=conv.priority,
                         help=conv.help, plugin=plugin_name)
        current = self.converters.get(conv.pair)
        if current is not None and current.priority == conv.priority:
            self.conflicts.append(Conflict(conv.pair, current.plugin, plugin_name,
                                           conv.priority))
        if current is None or conv.priority > current.priority:
            self.converters[conv.pair] = conv
        self.plugins[plugin_name].pairs.append(f"{source}->{target}")

    # -- looking up ---------------------------------------------------------------
    def resolve(self, name: str) -> Format:
        """The format for an id, alias or extension, in any case (``.JPEG`` → jpg)."""
        key = normalise_format_name(name)
        fmt_id = self.aliases.get(key)
        if fmt_id is None:
            fmt_id = next((f.id for f in self.formats.values() if key in f.extensions), None)
        if fmt_id is None:
            known = ", ".join(sorted(self.formats)) or "none"
            raise UnknownFormat(f"unknown format {name!r} (supported: {known})",
                                errors={"format": [f"unknown format {name!r}"]})
        return self.formats[fmt_id]

    def converter(self, source: str, target: str) -> Converter:
        """The winning converter for a pair, or ``UnsupportedPair`` listing the options."""
        src, dst = self.resolve(source), self.resolve(target)
        conv = self.converters.get((src.id, dst.id))
        if conv is None:
            targets = sorted(t for (s, t) in self.converters if s == src.id)
            offer = ", ".join(targets) if targets else "nothing (it is not readable)"
            raise UnsupportedPair(
                f"cannot convert {src.label} to {dst.label}; {src.label} converts to: {offer}",
                source=src.id, target=dst.id)
        return conv

    def detect(self, head: bytes) -> Format | None:
        """The format whose sniffer is most confident about ``head`` (None: no idea)."""
        best, best_score = None, 0.0
        for fmt in self.formats.values():
            score = fmt.confidence(head)
            if score > best_score:
                best, best_score = fmt, score
        return best

    def pairs(self) -> list[Converter]:
        """Every available converter, sorted by kind, source, target."""
        return sorted(self.converters.values(), key=lambda c: (c.kind, c.source, c.target))

    def describe(self) -> dict[str, Any]:
        """Formats and pairs as JSON-ready data: what ``convertr formats --json`` and
        ``GET /api/formats`` both show."""
        formats = [{"id": f.id, "label": f.label, "kind": f.kind, "media_type": f.media_type,
                    "extensions": list(f.extensions), "aliases": list(f.aliases),
                    "writable": f.writable} for f in sorted(self.formats.values(),
                                                            key=lambda f: (f.kind, f.id))]
        pairs = [{"source": c.source, "target": c.target, "kind": c.kind,
                  "label": f"{self.formats[c.source].label} -> {self.formats[c.target].label}",
                  "plugin": c.plugin, "priority": c.priority, "help": c.help,
                  "options": [opt.schema() for opt in c.options]} for c in self.pairs()]
        return {"formats": formats, "pairs": pairs}

    def report(self) -> dict[str, Any]:
        """Plugins (loaded and failed) and priority conflicts, for ``convertr plugins``."""
        return {"plugins": [info.to_dict() for info in sorted(self.plugins.values(),
                                                                key=lambda i: i.name)],
                "conflicts": [c.describe() for c in self.conflicts]}

    @property
    def hook(self) -> Any:
        return self.pm.hook


def _interface_problem(version: Any) -> str:
    if version is None:
        return (f"does not declare {INTERFACE_ATTRIBUTE}; this Convertr speaks plugin "
                f"interface {PLUGIN_INTERFACE_VERSION}")
    if isinstance(version, int) and version > PLUGIN_INTERFACE_VERSION:
        return (f"needs plugin interface {version} but this Convertr speaks "
                f"{PLUGIN_INTERFACE_VERSION}: upgrade convertr")
    return (f"declares plugin interface {version!r} but this Convertr speaks "
            f"{PLUGIN_INTERFACE_VERSION}: upgrade the plugin")


_default: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, built from entry points on first use."""
    global _default
    if _default is None:
        from .settings import get_settings
        _default = Registry.from_entry_points(get_settings().disabled_plugins)
    return _default


def reset_registry() -> None:
    """Forget the process-wide registry (tests; after installing a plugin)."""
    global _default
    _default = None
