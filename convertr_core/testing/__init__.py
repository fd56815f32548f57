"""Helpers for testing Convertr and its plugins without installed entry points.

``make_registry(plugin, ...)`` builds a registry from explicit plugin modules;
``run_conversion(...)`` runs the real pipeline against it in a temp directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from ..pipeline import ConversionResult, convert
from ..records import Caller
from ..registry import Registry
from ..settings import Settings


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


__all__: Iterable[str] = ["make_registry", "run_conversion"]
