"""Helpers for testing Convertr and its plugins without installed entry points.

``make_registry(plugin, ...)`` builds a registry from explicit plugin modules;
``run_conversion(...)`` runs the real pipeline against it in a temp directory.
``check_plugin(plugin)`` lists what is wrong with a plugin without running it, and
``conformance_suite(plugin)`` is the test class that runs every conformance check on it
(imported lazily: it needs pytest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from ..pipeline import ConversionResult, convert
from ..records import Caller
from ..registry import Registry
from ..settings import Settings
from .checks import check_plugin


def make_registry(*plugins: Any) -> Registry:
    """A registry holding exactly ``plugins`` (modules or objects with hookimpls)."""
    return Registry.from_plugins(plugins)


def run_conversion(registry: Registry, input_path: Path, target: str, workdir: Path, *,
                   source: str | None = None, options: Mapping[str, Any] | None = None,
                   settings: Settings | None = None, caller: Caller | None = None,
                   ) -> ConversionResult:
    """Convert ``input_path`` to ``workdir/out.<target>`` through the real pipeline."""
    settings = settings or Settings(home=workdir / "home")
    output = workdir / f"out.{registry.resolve(target).extension}"
    return convert(input_path, output, target=target, source=source, options=options,
                   registry=registry, settings=settings, caller=caller)


def __getattr__(name: str) -> Any:
    """``conformance_suite`` and ``PluginConformance`` import pytest: load them on use."""
    if name in ("conformance_suite", "PluginConformance"):
        from . import conformance
        return getattr(conformance, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__: Iterable[str] = ["PluginConformance", "check_plugin", "conformance_suite",
                          "make_registry", "run_conversion"]
