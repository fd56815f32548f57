"""docs/cli.md cannot drift from the error classes or the command list."""

from __future__ import annotations

import re
from pathlib import Path

from convertr_cli.main import LAZY_COMMANDS
from convertr_core.errors import all_error_classes

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
ROW = re.compile(r"^\| (\d+) \| `([a-z_]+)` \| `(\w+)` \|$", re.MULTILINE)


def test_exit_code_table_lists_every_error_class() -> None:
    documented = {(int(exit), code, name) for exit, code, name in ROW.findall(DOC.read_text())}
    expected = {(cls.exit_code, cls.code, cls.__name__) for cls in all_error_classes()}
    assert sorted(expected - documented) == [], "add these rows to docs/cli.md"
    assert sorted(documented - expected) == [], "these rows in docs/cli.md are stale"


def test_fixed_exit_codes_are_documented() -> None:
    text = DOC.read_text()
    for exit_code in (0, 2, 70, 130, 141):
        assert re.search(rf"^\| {exit_code} \| [a-z]", text, re.MULTILINE), exit_code


def test_every_command_is_documented() -> None:
    text = DOC.read_text()
    for name in LAZY_COMMANDS:
        assert f"`convertr {name}" in text, name
