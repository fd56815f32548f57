"""CSV <-> JSON with the standard library.

Every failure the input can cause becomes a ``ConvertrError`` subclass with a message a
user can act on: ``DecodeFailed`` for bytes that are not what they claim to be. Anything
else escaping a converter is reported by Convertr as a bug in the plugin.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from convertr_core import DecodeFailed, Job, Option

from .sniffers import DELIMITERS

_NAMED = {"tab": "\t"}
_PROGRESS_EVERY = 1000  # rows between progress reports and cancellation checks

CSV_TO_JSON_OPTIONS = (
    Option("delimiter", "str", "field separator; auto detects , ; tab or |", default="auto",
           choices=("auto", ",", ";", "tab", "|")),
    Option("header", "bool", "the first row names the fields (rows become objects)",
           default=True),
    Option("indent", "int", "spaces per indentation level; 0 writes one line",
           default=2, min=0, max=8),
)
JSON_TO_CSV_OPTIONS = (
    Option("delimiter", "str", "field separator", default=",", choices=(",", ";", "tab", "|")),
    Option("header", "bool", "write a header row (arrays of objects only)", default=True),
)


def read_text(path: Path) -> str:
    """The file as UTF-8 text; ``DecodeFailed`` says where it is not text."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as ex:
        raise DecodeFailed(f"{path.name} is not UTF-8 text (bad byte at offset "
                           f"{ex.start})") from None


def csv_to_json(job: Job) -> None:
    """Convert a CSV file to a JSON array: objects keyed by the header, or arrays."""
    text = read_text(job.input_path)
    delimiter = _delimiter(text, job.options["delimiter"])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    total_lines = text.count("\n") + 1
    rows: list[Any] = []
    header: list[str] | None = None
    try:
        for row in reader:
            if header is None and job.options["header"]:
                header = row
                continue
            rows.append(_record(row, header, reader.line_num))
            if len(rows) % _PROGRESS_EVERY == 0:
                job.check()  # stop promptly when cancelled or out of time
                job.progress(min(reader.line_num / total_lines, 0.99))
    except csv.Error as ex:
        raise DecodeFailed(f"{job.input_path.name} is not valid CSV: line "
                           f"{reader.line_num}: {ex}") from None
    with job.output_path.open("w", encoding="utf-8") as out:
        json.dump(rows, out, indent=job.options["indent"] or None, ensure_ascii=False)
        out.write("\n")
    job.progress(1.0)


def _delimiter(text: str, choice: str) -> str:
    if choice != "auto":
        return _NAMED.get(choice, choice)
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _record(row: list[str], header: list[str] | None, line: int) -> Any:
    if header is None:
        return row
    if len(row) > len(header):
        raise DecodeFailed(f"line {line} has {len(row)} fields but the header has "
                           f"{len(header)}")
    return dict(zip(header, row + [""] * (len(header) - len(row))))


def json_to_csv(job: Job) -> None:
    """Convert a JSON array of objects (or of arrays) to CSV rows."""
    try:
        data = json.loads(read_text(job.input_path))
    except json.JSONDecodeError as ex:
        raise DecodeFailed(f"{job.input_path.name} is not valid JSON: {ex}") from None
    if not isinstance(data, list) or not all(isinstance(x, (dict, list)) for x in data):
        raise DecodeFailed("expected a JSON array of objects or of arrays")
    delimiter = _NAMED.get(job.options["delimiter"], job.options["delimiter"])
    with job.output_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        fields = _fields(data)
        if fields and job.options["header"]:
            writer.writerow(fields)
        for done, item in enumerate(data, 1):
            cells = [item.get(f) for f in fields] if isinstance(item, dict) else item
            writer.writerow([_cell(value) for value in cells])
            if done % _PROGRESS_EVERY == 0:
                job.check()
                job.progress(done / len(data))
    job.progress(1.0)


def _fields(data: list[Any]) -> list[str]:
    """Every object key in first-seen order (empty for arrays of arrays)."""
    if any(isinstance(item, list) for item in data):
        if not all(isinstance(item, list) for item in data):
            raise DecodeFailed("the array mixes objects and arrays; use one or the other")
        return []
    return list(dict.fromkeys(key for item in data for key in item))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
