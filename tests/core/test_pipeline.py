"""convert(): resolution, sniffing, options, limits, hooks and clean-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from convertr_core import (Caller, ConvertrError, Limits, Registry, Settings, convert,
                           hookimpl)
from convertr_core.testing import make_registry
from tests.conftest import leftovers
from tests.core import toy_plugin


@pytest.fixture
def registry() -> Registry:
    toy_plugin.events.clear()
    return make_registry(toy_plugin)


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text("hello")
    return path


def run(registry, source_path, output, **kwargs):
    return convert(source_path, output, registry=registry, **kwargs)


def test_converts_with_aliases_and_case(registry, text_file, tmp_path, work_temp):
    result = run(registry, text_file, tmp_path / "out.TOY", source="TEXT", target="Toy1",
                 options={"repeat": "2"})
    assert (tmp_path / "out.TOY").read_bytes() == b"TOY1hellohello"
    assert (result.source.id, result.target.id) == ("txt", "toy")
    assert result.record.outcome == "succeeded" and result.record.bytes_out == 14
    assert leftovers(work_temp) == []


def test_target_defaults_to_output_extension_and_source_is_sniffed(registry, text_file, tmp_path):
    result = run(registry, text_file, tmp_path / "out.toy")
    assert result.source.id == "txt" and result.target.id == "toy"


def test_unknown_format_lists_supported(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "out.png")
    assert info.value.code == "unknown_format" and info.value.status == 415
    assert "supported: toy, txt" in info.value.message


def test_unsupported_pair_lists_targets(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "out.txt")
    assert info.value.code == "unsupported_pair"
    assert "TXT converts to: toy" in info.value.message


def test_mislabelled_input_says_what_it_is(registry, tmp_path):
    fake = tmp_path / "really-toy.txt"
    fake.write_bytes(b"TOY1abc")
    with pytest.raises(ConvertrError) as info:
        run(registry, fake, tmp_path / "out.toy", source="txt")
    assert info.value.code == "format_mismatch"
    assert "is TOY, not TXT; convert it as toy" in info.value.message
    assert info.value.details["detected"] == "toy"
    # the caller can choose to convert it as what it is
    run(registry, fake, tmp_path / "out.txt", source="toy")
    assert (tmp_path / "out.txt").read_bytes() == b"abc"


def test_empty_input_is_refused(registry, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ConvertrError) as info:
        run(registry, empty, tmp_path / "out.toy")
    assert info.value.code == "decode_failed"


@pytest.mark.parametrize("options, field, words", [
    ({"repeat": "9"}, "repeat", "must be at most 3"),
    ({"repeat": "two"}, "repeat", "must be a whole number"),
    ({"mode": "c"}, "mode", "must be one of a, b"),
    ({"colour": "red"}, "colour", "unknown option"),
])
def test_invalid_options_name_the_field(registry, text_file, tmp_path, options, field, words):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "out.toy", options=options)
    assert info.value.code == "invalid_option" and info.value.status == 422
    assert field in info.value.errors and words in info.value.message
    # refused before any work, yet the attempt leaves its one failed record
    assert [(e[0], e[2]) for e in toy_plugin.events] == [("started", "running"),
                                                         ("finished", "failed")]


def test_unknown_pair_leaves_no_record(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError):
        run(registry, text_file, tmp_path / "out.txt")
    assert toy_plugin.events == []


def test_output_without_extension_needs_a_target(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "out")
    assert info.value.code == "unknown_format" and "give the output an extension" in str(info.value)


def test_input_byte_limit(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "out.toy", limits=Limits(max_input_bytes=4))
    assert info.value.code == "input_too_large" and info.value.status == 413


@pytest.mark.parametrize("content, code", [
    ("crash", "conversion_failed"), ("corrupt", "decode_failed"), ("interrupt", "cancelled"),
])
def test_failures_fire_finished_once_and_clean_up(registry, tmp_path, work_temp, content, code):
    source = tmp_path / "in.txt"
    source.write_text(content)
    with pytest.raises(ConvertrError) as info:
        run(registry, source, tmp_path / "out.toy")
    assert info.value.code == code
    assert [e[0] for e in toy_plugin.events] == ["started", "finished"]
    assert toy_plugin.events[-1][2] == "failed"
    assert leftovers(work_temp) == [] and not (tmp_path / "out.toy").exists()


def test_converter_without_output_is_an_error(registry, tmp_path):
    source = tmp_path / "in.toy"
    source.write_bytes(b"TOY1x")
    with pytest.raises(ConvertrError) as info:
        run(registry, source, tmp_path / "out2.toy")
    assert info.value.code == "conversion_failed" and "produced no output" in info.value.message


def test_time_limit(registry, tmp_path, work_temp):
    source = tmp_path / "in.txt"
    source.write_text("slow")
    with pytest.raises(ConvertrError) as info:
        run(registry, source, tmp_path / "out.toy", limits=Limits(time_limit=0.2))
    assert info.value.code == "timeout"
    assert leftovers(work_temp) == []


def test_existing_output_is_untouched_on_failure(registry, tmp_path):
    source, output = tmp_path / "in.txt", tmp_path / "out.toy"
    source.write_text("crash")
    output.write_bytes(b"precious")
    with pytest.raises(ConvertrError):
        run(registry, source, output)
    assert output.read_bytes() == b"precious"


def test_missing_output_directory(registry, text_file, tmp_path):
    with pytest.raises(ConvertrError) as info:
        run(registry, text_file, tmp_path / "nope" / "out.toy")
    assert "does not exist" in info.value.message
    assert [e[0] for e in toy_plugin.events] == ["started", "finished"]


def test_progress_is_monotonic_and_ends_at_one(registry, text_file, tmp_path):
    seen: list[float] = []
    run(registry, text_file, tmp_path / "out.toy", progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_label_becomes_cohort_and_is_not_kept(registry, text_file, tmp_path, settings):
    result = run(registry, text_file, tmp_path / "out.toy",
                 caller=Caller(label="  Acme   MOBILE production "))
    same = run(registry, text_file, tmp_path / "out2.toy",
               caller=Caller(label="acme mobile production"))
    assert result.record.cohort == same.record.cohort
    assert result.record.cohort.startswith("cohort_") and len(result.record.cohort) == 23
    assert "acme" not in repr(result.record).lower()


def test_failing_observer_does_not_break_conversion(registry, text_file, tmp_path):
    class Broken:
        CONVERTR_PLUGIN_INTERFACE = 1

        @hookimpl
        def convertr_conversion_finished(self, record):
            raise RuntimeError("metering database down")

    both = make_registry(toy_plugin, Broken())
    result = run(both, text_file, tmp_path / "out.toy")
    assert result.record.outcome == "succeeded"


def test_admission_can_refuse_before_started(registry, text_file, tmp_path):
    class Gate:
        CONVERTR_PLUGIN_INTERFACE = 1

        @hookimpl
        def convertr_conversion_admit(self, record):
            from convertr_core import OutOfBalance
            raise OutOfBalance("no minutes left", balance_minutes=0)

    gated = make_registry(toy_plugin, Gate())
    with pytest.raises(ConvertrError) as info:
        run(gated, text_file, tmp_path / "out.toy")
    assert info.value.status == 402 and info.value.to_dict()["balance_minutes"] == 0
    assert toy_plugin.events == []


def test_settings_limits_apply_by_default(registry, text_file, tmp_path):
    small = Settings(home=tmp_path / "h", max_input_bytes=3)
    with pytest.raises(ConvertrError) as info:
        convert(text_file, tmp_path / "out.toy", registry=registry, settings=small)
    assert info.value.code == "input_too_large"


@pytest.mark.parametrize("name, code", [("missing.txt", "not_found"), (".", "bad_request")])
def test_unreadable_input_has_its_own_code(registry, tmp_path, name, code):
    with pytest.raises(ConvertrError) as info:
        run(registry, tmp_path / name, tmp_path / "out.toy", source="txt")
    assert info.value.code == code


def test_error_codes_are_unique():
    from convertr_core.errors import all_error_classes
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))
