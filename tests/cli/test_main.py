"""The root group: lazy subcommands, --version, and the one error translation."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys

from click.testing import CliRunner

from convertr_cli.main import LAZY_COMMANDS, build_cli
from tests.cli.conftest import RunCli

HEAVY = ("PIL", "numpy", "moviepy", "pydub", "falcon", "sqlalchemy", "sqlmodel")

SAMPLES = {
    **LAZY_COMMANDS,
    "boom": "tests.cli.sample_commands:boom",
    "interrupt": "tests.cli.sample_commands:interrupt",
    "missing": "tests.cli.sample_commands:missing",
    "report": "tests.cli.sample_commands:report",
    "ghost": "convertr_cli.no_such_module:ghost",
}


def test_help_lists_every_command_without_importing_media_libraries() -> None:
    script = (
        "import sys\n"
        "from convertr_cli.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], prog_name='convertr')\n"
        "except SystemExit as ex:\n"
        "    assert ex.code == 0, ex.code\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "LOADED []"
    commands = done.stdout.split("Commands:")[1]
    for name in LAZY_COMMANDS:
        assert f"\n  {name} " in commands, name


def test_version_is_the_installed_distribution(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.decode().strip() == (
        f"convertr, version {importlib.metadata.version('convertr')}")


def test_a_command_whose_module_is_missing_is_listed_and_fails_in_one_line() -> None:
    group = build_cli(SAMPLES)
    runner = CliRunner()
    listing = runner.invoke(group, ["--help"])
    assert listing.exit_code == 0
    assert re.search(r"\n  ghost +\(unavailable: ModuleNotFoundError\)\n", listing.output)
    assert re.search(r"\n  convert +Convert INPUT into OUTPUT\.\n", listing.output)
    result = runner.invoke(group, ["ghost", "--any", "arguments"])
    assert result.exit_code == 7
    assert result.stderr.splitlines() == [
        "error: the 'ghost' command is not available (convertr_cli.no_such_module:ghost: "
        "ModuleNotFoundError: No module named 'convertr_cli.no_such_module') "
        "[missing_dependency]"]


def test_convertr_error_becomes_one_line_with_its_hint_and_exit_code() -> None:
    result = CliRunner().invoke(build_cli(SAMPLES), ["missing"])
    assert result.exit_code == 12
    assert result.stderr.splitlines() == [
        "error: client 42 does not exist [not_found]",
        "hint: list them with 'clients list'"]


def test_a_bug_is_an_internal_error_without_traceback_unless_debug() -> None:
    group = build_cli(SAMPLES)
    plain = CliRunner().invoke(group, ["boom"])
    assert plain.exit_code == 70
    assert plain.stderr.splitlines() == [
        "error: internal error: RuntimeError (re-run with --debug) [internal]"]
    assert "secret internals" not in plain.stderr  # a bug's text may leak internals
    debug = CliRunner().invoke(group, ["--debug", "boom"])
    assert debug.exit_code == 70
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.splitlines()[-1] == "error: internal error: RuntimeError [internal]"


def test_ctrl_c_is_one_line_and_exit_130() -> None:
    result = CliRunner().invoke(build_cli(SAMPLES), ["interrupt"])
    assert result.exit_code == 130
    assert result.stderr.splitlines() == ["error: interrupted [cancelled]"]


def test_json_printer_handles_paths_dates_sets_and_unicode() -> None:
    result = CliRunner().invoke(build_cli(SAMPLES), ["report"])
    assert result.exit_code == 0
    assert "café" in result.stdout
    assert json.loads(result.stdout) == {"path": "/tmp/x", "when": "2026-01-02T00:00:00+00:00",
                                         "tags": ["a", "b"], "label": "café"}


def test_usage_errors_are_clicks_exit_2(run_cli: RunCli) -> None:
    result = run_cli("convert", "only-one-argument.png")
    assert result.returncode == 2
    assert b"Missing argument 'OUTPUT'" in result.stderr


def test_verbose_logs_go_to_stderr_only(run_cli: RunCli, png) -> None:
    result = run_cli("-vv", "convert", "photo.png", "-", "--to", "jpg")
    assert result.returncode == 0, result.stderr
    assert result.stdout[:2] == b"\xff\xd8"  # stdout is the JPEG and nothing else
    quiet = run_cli("convert", "photo.png", "-", "--to", "jpg")
    assert quiet.stdout == result.stdout
