"""Registry: plugin isolation, interface versions, priorities and lookups."""

from __future__ import annotations

import pytest

from convertr_core import Converter, ConvertrError, Format, hookimpl
from convertr_core.testing import make_registry
from tests.core import toy_plugin


def _plugin(name: str, priority: int, interface: object = 1, fail: bool = False):
    class Plugin:
        CONVERTR_PLUGIN_INTERFACE = interface

        @hookimpl
        def convertr_converters(self, register):
            if fail:
                raise ValueError("bad declaration")
            register(Converter("txt", "toy", "document", lambda job: None, priority=priority))

    Plugin.__name__ = name
    return Plugin()


def test_higher_priority_wins_regardless_of_order():
    registry = make_registry(toy_plugin, _plugin("override", priority=5))
    assert registry.converter("txt", "toy").plugin == "override"
    assert registry.conflicts == []


def test_priority_tie_is_reported_and_first_kept():
    registry = make_registry(toy_plugin, _plugin("rival", priority=1))
    assert registry.converter("txt", "toy").plugin == "tests.core.toy_plugin"
    assert [c.describe() for c in registry.conflicts] == [
        "txt -> toy: tests.core.toy_plugin and rival both have priority 1; using "
        "tests.core.toy_plugin"]


@pytest.mark.parametrize("interface, words", [
    (None, "does not declare CONVERTR_PLUGIN_INTERFACE"),
    (2, "needs plugin interface 2 but this Convertr speaks 1: upgrade convertr"),
    (0, "declares plugin interface 0 but this Convertr speaks 1: upgrade the plugin"),
])
def test_wrong_interface_version_is_skipped_with_reason(interface, words):
    registry = make_registry(toy_plugin, _plugin("old", priority=9, interface=interface))
    assert registry.plugins["old"].loaded is False
    assert words in registry.plugins["old"].error
    assert registry.converter("txt", "toy").plugin == "tests.core.toy_plugin"


def test_plugin_whose_hook_raises_is_dropped_not_fatal():
    registry = make_registry(toy_plugin, _plugin("broken", priority=9, fail=True))
    info = registry.plugins["broken"]
    assert not info.loaded and "convertr_converters failed: ValueError" in info.error
    assert registry.converter("txt", "toy").plugin == "tests.core.toy_plugin"
    assert registry.report()["plugins"][0]["name"] == "broken"


def test_resolve_by_alias_extension_and_case():
    registry = make_registry(toy_plugin)
    assert registry.resolve(".TEXT").id == "txt"
    assert registry.resolve("Toy1").id == "toy"
    with pytest.raises(ConvertrError) as info:
        registry.resolve("docx")
    assert info.value.code == "unknown_format"


def test_detect_prefers_the_most_confident_sniffer():
    registry = make_registry(toy_plugin)
    assert registry.detect(b"TOY1...").id == "toy"
    assert registry.detect(b"plain words").id == "txt"
    assert registry.detect(b"\xff\xd8\xff") is None


def test_broken_sniffer_does_not_break_detection():
    class Bad:
        CONVERTR_PLUGIN_INTERFACE = 1

        @hookimpl
        def convertr_formats(self, register):
            register(Format("bad", "x/bad", "data", sniff=lambda head: 1 / 0))

    registry = make_registry(toy_plugin, Bad())
    assert registry.detect(b"TOY1").id == "toy"


def test_describe_lists_pairs_with_option_schemas():
    described = make_registry(toy_plugin).describe()
    pair = next(p for p in described["pairs"] if (p["source"], p["target"]) == ("txt", "toy"))
    assert pair["label"] == "TXT -> TOY"
    assert {"name": "repeat", "type": "int", "help": "times", "default": 1, "min": 1,
            "max": 3} in pair["options"]
    assert {f["id"] for f in described["formats"]} == {"txt", "toy"}
