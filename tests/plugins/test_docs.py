"""docs/plugins.md cannot drift from the code (datasette's trick): every hook, type
field, error class and conformance check is documented, and the guide's plugin works."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

from convertr_core import (ConversionRecord, Converter, DecodeFailed, Format, Job, Option,
                           hookspecs)
from convertr_core.errors import all_error_classes
from convertr_core.testing import PluginConformance, check_plugin, make_registry, run_conversion

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HEADING = re.compile(r"^### `(convertr_\w+)\((.*)\)`$", re.MULTILINE)


def _hookspecs() -> dict[str, str]:
    """name → ``"arg, arg"`` for every hookspec in convertr_core.hookspecs."""
    return {name: ", ".join(inspect.signature(func).parameters)
            for name, func in vars(hookspecs).items() if hasattr(func, "convertr_spec")}


@pytest.fixture(scope="module")
def guide() -> str:
    return GUIDE.read_text()


def test_every_hookspec_is_documented_with_its_signature(guide: str) -> None:
    documented = dict(HEADING.findall(guide))
    missing = {name: args for name, args in _hookspecs().items() if documented.get(name) != args}
    assert missing == {}, f"add '### `name(args)`' sections to {GUIDE.name} for: {missing}"


def test_no_documented_hook_is_stale(guide: str) -> None:
    stale = set(dict(HEADING.findall(guide))) - set(_hookspecs())
    assert stale == set(), f"{GUIDE.name} documents hooks that no longer exist: {stale}"


@pytest.mark.parametrize("cls", [Format, Converter, Option, Job, ConversionRecord])
def test_every_field_of_the_public_types_is_documented(guide: str, cls: type) -> None:
    missing = [f.name for f in dataclasses.fields(cls) if f"`{f.name}`" not in guide]
    assert missing == [], f"document {cls.__name__}'s fields {missing} in {GUIDE.name}"


def test_every_error_class_is_named(guide: str) -> None:
    missing = [cls.__name__ for cls in all_error_classes() if f"`{cls.__name__}`" not in guide]
    assert missing == [], f"name these errors in {GUIDE.name}: {missing}"


def test_every_conformance_check_is_in_the_table(guide: str) -> None:
    checks = [name for name in dir(PluginConformance) if name.startswith("test_")]
    missing = [name for name in checks if f"| `{name}` |" not in guide]
    assert len(checks) >= 9 and missing == [], missing


@pytest.fixture(scope="module")
def guide_plugin(guide: str, tmp_path_factory: pytest.TempPathFactory):
    """The guide's 30-line plugin, imported from the first Python block."""
    source = re.search(r"## A plugin in 30 lines.*?```python\n(.*?)```", guide, re.S).group(1)
    path = tmp_path_factory.mktemp("guide") / "convertr_texthtml_plugin.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("convertr_texthtml_plugin", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_the_guide_plugin_is_well_formed(guide_plugin) -> None:
    assert check_plugin(guide_plugin) == []


def test_the_guide_plugin_converts_through_the_real_pipeline(guide_plugin,
                                                             tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("fish & chips <3\n")
    result = run_conversion(make_registry(guide_plugin), notes, "html", tmp_path,
                            options={"title": "Menu"})
    assert result.output_path.read_text() == (
        "<!doctype html>\n<title>Menu</title>\n<pre>fish &amp; chips &lt;3\n</pre>\n")


def test_the_guide_plugin_refuses_binary_input_with_a_convertr_error(guide_plugin,
                                                                     tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café".encode("latin-1") + b" and more text")
    job = Job(input_path=latin, output_path=tmp_path / "out.html", source=None, target=None,
              options={"title": "x"}, workdir=tmp_path)
    with pytest.raises(DecodeFailed, match="latin.txt is not UTF-8 text"):
        guide_plugin.text_to_html(job)
