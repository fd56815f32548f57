"""The installed distribution: pinned media stack and plugins found through metadata."""

from __future__ import annotations

import importlib.metadata as md
import tomllib
from pathlib import Path

import convertr_core

ROOT = Path(__file__).resolve().parents[1]


def test_media_stack_resolves_to_moviepy_2():
    # Unpinned, pip silently picks moviepy 1.0.3 (Pillow 12+/pillow-heif 1.9+ conflict).
    assert md.version("moviepy").split(".")[0] == "2"
    assert md.version("pillow").split(".")[0] == "11"
    assert md.version("pillow-heif").split(".")[:2] == ["1", "8"]


def test_builtins_are_discovered_from_installed_metadata():
    """Every entry point in pyproject is in the installed metadata and loads."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "entry-points"]["convertr"]
    installed = {ep.name: ep for ep in md.entry_points(group="convertr")
                 if ep.dist is not None and ep.dist.name == "convertr"}
    assert set(declared) <= set(installed)
    assert {"image", "audio", "video"} <= set(declared)
    registry = convertr_core.get_registry()
    for name in declared:
        info = registry.plugins[name]
        assert info.loaded, f"{name}: {info.error}"
        assert info.distribution == "convertr"


def test_builtin_media_plugins_provide_pairs():
    registry = convertr_core.get_registry()
    for name in ("image", "audio", "video"):
        assert registry.plugins[name].pairs, f"{name} registered no pairs"


def test_disabling_a_plugin_by_name(monkeypatch):
    monkeypatch.setenv("CONVERTR_DISABLE_PLUGINS", "image, audio")
    convertr_core.configure(None)
    convertr_core.reset_registry()
    registry = convertr_core.get_registry()
    assert registry.plugins["image"].disabled and not registry.plugins["image"].loaded
    assert all(c.plugin not in {"image", "audio"} for c in registry.pairs())
