"""Sniffers for text formats: a confidence that the first bytes are CSV or JSON.

Binary formats have magic numbers; text formats do not, so these look at structure.
Each returns 0 for bytes it does not own: the registry picks the most confident sniffer
of every installed plugin, and a greedy text sniffer would steal other formats' files.
"""

from __future__ import annotations

import csv
import io
import json

from convertr_core import SNIFF_BYTES

DELIMITERS = (",", ";", "\t", "|")
_MAX_LINES = 20


def head_text(head: bytes) -> str | None:
    """``head`` as text, or None when it is binary (NUL bytes, invalid UTF-8)."""
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as ex:
        if ex.start < len(head) - 3:  # a real error, not a character cut at the end
            return None
        return head[:ex.start].decode("utf-8-sig")


def sniff_json(head: bytes) -> float:
    """JSON: an object or array that parses (or is cut off by the sniff window)."""
    text = head_text(head)
    if text is None or text.lstrip()[:1] not in ("{", "["):
        return 0.0
    try:
        json.loads(text)
    except ValueError:
        return 0.5 if len(head) >= SNIFF_BYTES else 0.0
    return 0.9


def sniff_csv(head: bytes) -> float:
    """CSV: most rows (at least two) share one number, two or more, of delimited fields."""
    text = head_text(head)
    if text is None or text.lstrip()[:1] in ("", "{", "[", "<"):
        return 0.0  # empty, JSON, or XML/HTML: not ours
    lines = text.splitlines()[:_MAX_LINES]
    if len(head) >= SNIFF_BYTES or len(lines) == _MAX_LINES:
        lines = lines[:-1]  # the last line may be cut off
    sample = "\n".join(line for line in lines if line.strip())
    return 0.6 if any(_consistent(sample, d) for d in DELIMITERS) else 0.0


def _consistent(sample: str, delimiter: str) -> bool:
    try:
        widths = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter,
                                                   strict=True)]
    except csv.Error:
        return False
    common = max(set(widths), key=widths.count, default=0)
    # A ragged row is still CSV (the converter reports it); prose with one comma is not.
    agreeing = widths.count(common)
    return common >= 2 and agreeing >= 2 and agreeing >= 0.6 * len(widths)
