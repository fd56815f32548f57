"""The conformance suite itself: it passes a good plugin and says exactly what is wrong
with a broken one (a newcomer's copy of the sample with one converter changed)."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest

from convertr_core import Converter, Format, InvalidOption, Option, hookimpl
from convertr_core.testing import check_plugin

from tests.plugins.helpers import copy_sample, edit, run_pytest


def _module(**attributes: object) -> types.ModuleType:
    module = types.ModuleType("convertr_typo")
    module.__dict__.update(attributes)
    return module


def test_the_sample_plugin_is_well_formed() -> None:
    assert check_plugin("convertr_sample.plugin") == []


def test_misspelt_and_unmarked_hooks_and_missing_interface_are_named() -> None:
    @hookimpl
    def convertr_converter(register):  # the typo a newcomer makes
        pass

    def convertr_formats(register):  # forgot @hookimpl
        pass

    problems = check_plugin(_module(convertr_converter=convertr_converter,
                                    convertr_formats=convertr_formats))
    assert problems[0].startswith("declare CONVERTR_PLUGIN_INTERFACE = 1 at module level")
    assert ("convertr_converter is not a Convertr hook (did you mean convertr_converters?)"
            in problems[1])
    assert problems[2].startswith("convertr_formats is not marked with @hookimpl")


def test_wrong_hook_arguments_are_reported_by_pluggy() -> None:
    @hookimpl
    def convertr_formats(reg):
        pass

    problems = check_plugin(_module(CONVERTR_PLUGIN_INTERFACE=1, convertr_formats=convertr_formats))
    assert len(problems) == 1
    assert "pluggy refuses the plugin" in problems[0] and "reg" in problems[0]


def test_a_newer_interface_version_is_reported() -> None:
    @hookimpl
    def convertr_formats(register):
        pass

    problems = check_plugin(_module(CONVERTR_PLUGIN_INTERFACE=2, convertr_formats=convertr_formats))
    assert problems == ["CONVERTR_PLUGIN_INTERFACE is 2 but this Convertr speaks 1: the "
                        "plugin would be skipped"]


def test_bad_declarations_are_listed_one_per_problem() -> None:
    @hookimpl
    def convertr_formats(register):
        register(Format("Bad Id", "csv", "spreadsheet"))
        register(Format("txt2", "text/plain", "document"))  # read but no sniffer

    @hookimpl
    def convertr_converters(register):
        options = (Option("level", "int"), Option("speed", "int", default=11, min=0, max=10),
                   Option("rate", "int", choices=("8000", "16000")),
                   Option("ratio", "float", choices=(0.5, 1.0)))
        register(Converter("txt2", "nowhere", "document", lambda job: None, options))
        register(Converter("txt2", "txt2", "document", lambda job: None))
        register(Converter("txt2", "txt2", "document", lambda job: None))

    problems = check_plugin(_module(CONVERTR_PLUGIN_INTERFACE=1, convertr_formats=convertr_formats,
                                    convertr_converters=convertr_converters))
    text = "\n".join(problems)
    for expected in [
        "format 'bad id': use a short lowercase id",
        "media_type 'csv' is not a MIME type",
        "kind 'spreadsheet' is not one of",
        "format 'txt2' is a source but has no sniffer",
        "converter txt2->nowhere: format 'nowhere' is not declared",
        "option 'level': a number needs min",
        "option 'speed': its own default 11 is refused",
        "option 'rate': choices need type 'str' or 'int'",
        "option 'ratio': choices need type 'str' or 'int'",
        "converter txt2->txt2 is registered twice",
    ]:
        assert expected in text, f"missing {expected!r} in:\n{text}"


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the sample with one mistake per check, and its pytest output."""
    project = copy_sample(tmp_path_factory.mktemp("newcomer"), "mine")
    package = project / "convertr_mine"
    edit(package / "tabular.py", "    job.progress(1.0)\n\n\ndef _delimiter",
         "    job.progress(0.8)\n    job.progress(0.4)\n\n\ndef _delimiter")
    edit(package / "tabular.py", '    """Convert a JSON array of objects (or of arrays) to CSV rows."""\n',
         '    """Convert a JSON array of objects (or of arrays) to CSV rows."""\n'
         '    Path("debug.txt").write_text("left behind")\n')
    edit(package / "tabular.py", "    except UnicodeDecodeError as ex:", "    except LookupError as ex:")
    edit(package / "tabular.py", "default=2, min=0, max=8)", "default=2)")
    edit(package / "sniffers.py", '    text = head_text(head)\n    if text is None or text.lstrip()[:1] in',
         '    return 0.95\n    text = head_text(head)\n    if text is None or text.lstrip()[:1] in')
    result = run_pytest(project)
    assert result.returncode == 1, result.stdout[-4000:]
    return result.stdout


@pytest.mark.parametrize("expected", [
    "csv->json — progress: progress went backwards from 0.8 to 0.4",
    "json->csv — files outside job.workdir: the converter created or changed files outside "
    "job.workdir: cwd/debug.txt",
    "csv->json — garbage input must end in a ConvertrError: on random bytes the converter "
    "raised UnicodeDecodeError",
    "csv->json — declared options: option 'indent': a number needs min",
    "csv — sniffer must reject other formats: it claims the json sample people.json with "
    "confidence 0.95",
])
def test_a_broken_copy_is_told_what_is_wrong(broken_copy: str, expected: str) -> None:
    assert expected in broken_copy, broken_copy[-4000:]


def test_the_broken_copy_fails_only_where_it_is_broken(broken_copy: str) -> None:
    failed = {line.split("::")[-1] for line in broken_copy.splitlines()
              if line.startswith("FAILED tests/test_conformance.py")}
    assert "test_options_refuse_invalid_values[json->csv]" not in failed
    assert "test_progress_is_monotonic_and_ends_at_1[json->csv]" not in failed
    # the greedy CSV sniffer also makes JSON output look like CSV: said, with numbers
    assert ("csv->json — the output must sniff as json: the output sniffs as csv "
            "(confidence 0.95) rather than json (0.9)") in broken_copy


def test_a_misspelt_hook_in_a_copy_is_named(tmp_path: Path) -> None:
    project = copy_sample(tmp_path, "typo")
    edit(project / "convertr_typo" / "plugin.py", "def convertr_converters(", "def convertr_converter(")
    edit(project / "convertr_typo" / "plugin.py", "CONVERTR_PLUGIN_INTERFACE = 1", "")
    out = run_pytest(project).stdout
    assert "convertr_typo.plugin is not a well-formed Convertr plugin" in out
    assert "convertr_converter is not a Convertr hook (did you mean convertr_converters?)" in out
    assert "declare CONVERTR_PLUGIN_INTERFACE = 1 at module level" in out


def test_an_unchanged_copy_passes(tmp_path: Path) -> None:
    result = run_pytest(copy_sample(tmp_path, "clean"))
    assert result.returncode == 0, result.stdout[-4000:]


def test_temp_files_and_files_beside_the_input_are_caught(tmp_path: Path) -> None:
    import tempfile

    from convertr_core.testing.runs import run_converter, stray_problem

    def leaky(job) -> None:
        handle, _name = tempfile.mkstemp(suffix=".partial")  # forgot dir=job.workdir
        os.close(handle)
        job.input_path.with_suffix(".bak").write_bytes(b"backup")
        job.output_path.write_bytes(b"ok")
        (job.workdir / "scratch").write_bytes(b"fine")  # allowed

    txt = Format("txt", "text/plain", "document", sniff=lambda head: 1.0)
    sample = tmp_path / "in.txt"
    sample.write_text("hello")
    report = run_converter(Converter("txt", "txt", "document", leaky), txt, txt, sample,
                           tmp_path / "run")
    assert report.error is None
    assert [s.split("/")[0] for s in report.stray] == ["input", "systemp"]
    assert report.stray[0] == "input/input.bak"
    assert stray_problem(report).startswith("the converter created or changed files outside "
                                            "job.workdir: input/input.bak, systemp/tmp")
    assert tempfile.gettempdir() != str(tmp_path / "run" / "systemp")  # restored


def test_integer_choices_parse_form_text_and_refuse_other_numbers() -> None:
    rate = Option("sample_rate", "int", choices=(22050, 44100))
    assert rate.parse("22050") == 22050 and rate.parse(44100) == 44100
    with pytest.raises(InvalidOption) as refused:
        rate.parse("22051")
    assert refused.value.errors == {"sample_rate": ["must be one of 22050, 44100"]}
