"""The fixed cost of a process: loading the plugins never loads the database stack, and a
database already at head is never handed to Alembic.

Every check runs in a fresh interpreter, because the test process itself has long since
imported SQLAlchemy and Alembic. Speed itself is measured by hand, never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from convertr_core import Settings, schema
from convertr_core.db import get_engine
from tests.metering.conftest import ROOT, png_bytes
from tests.metering.helpers import all_rows

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")


def run_python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter from the repository root (its stdout is JSON)."""
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env or dict(os.environ),
                          capture_output=True, text=True, timeout=120, check=True)


def imported_modules(importtime_stderr: str) -> set[str]:
    """Module names from ``python -X importtime`` output."""
    return {line.rsplit("|", 1)[1].strip() for line in importtime_stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def convert_with_cli(source: Path, target: Path) -> set[str]:
    """Run ``convertr convert`` for real; return every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "convertr_cli", "convert", str(source),
         str(target)], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.stat().st_size > 0
    return imported_modules(result.stderr)


def roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_head_revision_constant_is_alembics_head():
    # schema.HEAD_REVISION must be bumped with every new migration: upgrade() trusts it.
    assert schema.HEAD_REVISION == schema.head_revision()


def test_loading_the_plugins_loads_no_database_library():
    report = run_python(
        "import json, sys, convertr_core\n"
        "registry = convertr_core.get_registry()\n"
        "plugins = {n: [i.loaded, i.error] for n, i in registry.plugins.items()}\n"
        "from convertr_core import billing, metering\n"
        "print(json.dumps({'plugins': plugins, 'finalisers': len(metering.FINALISERS),\n"
        "    'modules': sorted(m.split('.')[0] for m in sys.modules)}))\n")
    seen = json.loads(report.stdout)
    assert seen["plugins"]["metering"] == [True, None]
    assert seen["plugins"]["billing"] == [True, None]
    assert seen["finalisers"] == 1  # billing's charge, registered without the database
    assert not set(HEAVY) & set(seen["modules"])


def test_conversion_on_a_migrated_database_does_not_import_alembic(settings, tmp_path):
    assert schema.upgrade(settings) == schema.HEAD_REVISION
    source = tmp_path / "in.png"
    source.write_bytes(png_bytes())
    modules = roots(convert_with_cli(source, tmp_path / "out.jpg"))
    assert "sqlalchemy" in modules  # it did meter...
    assert "alembic" not in modules  # ...without asking Alembic
    # ...and without the ORM layer: an anonymous conversion's rows are Core statements.
    assert not {"sqlmodel", "pydantic"} & modules
    [row] = all_rows(settings)
    assert (row.source, row.target, row.status) == ("png", "jpg", "succeeded")


def test_first_conversion_on_a_new_database_migrates_it(settings, tmp_path):
    source = tmp_path / "in.png"
    source.write_bytes(png_bytes())
    modules = roots(convert_with_cli(source, tmp_path / "out.jpg"))
    assert "alembic" in modules
    assert schema.current_revision(settings) == schema.HEAD_REVISION
    assert [row.status for row in all_rows(settings)] == ["succeeded"]


def test_a_database_behind_head_is_still_migrated(settings):
    from alembic import command

    schema.upgrade(settings)
    with get_engine(settings).begin() as connection:
        config = schema.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_metering")
    assert schema.current_revision(settings) == "0001_metering"
    schema.forget_upgrades()
    assert schema.upgrade(settings) == schema.HEAD_REVISION
    assert schema.current_revision(settings) == schema.HEAD_REVISION


def test_upgrade_on_a_migrated_postgresql_database_skips_alembic(postgres_url):
    assert schema.upgrade(Settings(database_url=postgres_url)) == schema.HEAD_REVISION
    report = run_python(
        "import json, sys\n"
        "from convertr_core import Settings, schema\n"
        f"revision = schema.upgrade(Settings(database_url={postgres_url!r}))\n"
        "print(json.dumps([revision, 'alembic' in sys.modules]))\n")
    assert json.loads(report.stdout) == [schema.HEAD_REVISION, False]
