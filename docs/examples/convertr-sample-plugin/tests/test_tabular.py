"""What the CSV <-> JSON pairs do with real files, through Convertr's real pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convertr_core import DecodeFailed, InvalidOption
from convertr_core.testing import make_registry, run_conversion

from convertr_sample import plugin

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def registry():
    return make_registry(plugin)


def test_csv_rows_become_objects_keyed_by_the_header(registry, tmp_path: Path) -> None:
    result = run_conversion(registry, SAMPLES / "people.csv", "json", tmp_path)
    rows = json.loads(result.output_path.read_text())
    assert rows[1] == {"name": "Hopper, Grace", "age": "85", "city": "New York"}
    assert len(rows) == 3


def test_options_change_the_output(registry, tmp_path: Path) -> None:
    source = tmp_path / "semi.csv"
    source.write_text("a;b\n1;2\n3;4\n")
    result = run_conversion(registry, source, "json", tmp_path,
                            options={"header": "false", "indent": "0", "delimiter": ";"})
    assert result.output_path.read_text() == '[["a", "b"], ["1", "2"], ["3", "4"]]\n'


def test_json_to_csv_round_trips(registry, tmp_path: Path) -> None:
    back = tmp_path / "back"
    back.mkdir()
    as_json = run_conversion(registry, SAMPLES / "people.csv", "json", tmp_path).output_path
    as_csv = run_conversion(registry, as_json, "csv", back).output_path
    assert as_csv.read_text().splitlines() == (SAMPLES / "people.csv").read_text().splitlines()


def test_nested_values_are_written_as_json(registry, tmp_path: Path) -> None:
    result = run_conversion(registry, SAMPLES / "people.json", "csv", tmp_path,
                            options={"delimiter": "tab"})
    assert result.output_path.read_text().splitlines()[1] == 'Ada Lovelace\t36\t"[""en"", ""fr""]"'


def test_out_of_range_option_is_refused_before_running(registry, tmp_path: Path) -> None:
    with pytest.raises(InvalidOption, match="indent must be at most 8"):
        run_conversion(registry, SAMPLES / "people.csv", "json", tmp_path,
                       options={"indent": 9})


def test_ragged_csv_is_a_decode_error(registry, tmp_path: Path) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(DecodeFailed, match="line 3 has 3 fields"):
        run_conversion(registry, source, "json", tmp_path, source="csv")
