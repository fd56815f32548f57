"""1,000 canary labels through HTTP and the CLI: none reaches the database, WAL or logs.

Each label is sent once; afterwards the SQLite file, its WAL and shared-memory files, every
captured log (in-process records including SQLAlchemy's statement parameters, CLI stderr,
gunicorn's log) and every response are searched for the raw label, its normalised form and
the plain unkeyed SHA-256 of both. A positive control proves the search finds what *is*
stored (every cohort).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import falcon.testing
import httpx
import pytest
from click.testing import CliRunner

from convertr_core import normalise_label
from convertr_core.db import dispose_engines
from convertr_cli.main import cli
from tests.metering.conftest import ROOT, broken_png_bytes, convert_form, png_bytes
from tests.metering.helpers import all_rows

HTTP_IN_PROCESS, CLI_IN_PROCESS, HTTP_GUNICORN, CLI_SUBPROCESS = 610, 364, 20, 6
LABEL_HEADER = "X-Convertr-Client-Label"
CAPTURED_LOGGERS = ("convertr", "sqlalchemy.engine", "alembic", "gunicorn")


def make_labels(count: int) -> list[str]:
    """Distinct labels whose normalised form differs from the raw one."""
    return [f"Canary-{i:04d}  {uuid.uuid4().hex[:12].upper()}\tAcme" for i in range(count)]


def label_forms(label: str) -> set[str]:
    return {label, label.strip(), normalise_label(label)}


def find_leaks(labels: list[str], places: dict[str, bytes]) -> list[tuple[str, str]]:
    """(place, what) for every label form or unkeyed SHA-256 of one found in ``places``.

    Every label contains ``canary-`` in some case, so one case-insensitive scan per place
    finds any form of any label. Digests are looked up by sliding a 16-hex-digit window
    over every hex run in the text (a prefix of a digest counts as a leak too), and the
    raw 32-byte digests are searched in the database file itself.
    """
    hex_prefixes, raw_digests = {}, {}
    for label in labels:
        for form in label_forms(label):
            digest = hashlib.sha256(form.encode())
            hex_prefixes[digest.hexdigest()[:16]] = label
            raw_digests[digest.digest()] = label
    leaks = [(where, "a label") for where, blob in places.items()
             if b"canary-" in blob.lower()]
    for where, blob in places.items():
        for run in re.findall(rb"[0-9a-fA-F]{16,}", blob):
            run = run.lower().decode()
            leaks += [(where, f"sha256 of {hex_prefixes[run[i:i + 16]]!r}")
                      for i in range(len(run) - 15) if run[i:i + 16] in hex_prefixes]
    leaks += [("database", f"raw sha256 of {label!r}") for digest, label in raw_digests.items()
              if digest in places["database"]]
    return leaks


@pytest.fixture
def captured_logs():
    """Every record of the interesting loggers, at DEBUG, formatted with tracebacks."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    saved = []
    for name in CAPTURED_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if name == "sqlalchemy.engine" else logging.DEBUG)
    yield stream
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _http_in_process(settings, labels, transcript) -> None:
    from convertr_http.app import create_app

    client = falcon.testing.TestClient(create_app(settings))
    good, bad = convert_form(png_bytes()), convert_form(broken_png_bytes())
    for index, label in enumerate(labels):
        body, content_type = bad if index % 10 == 9 else good
        result = client.simulate_post("/api/convert", body=body, headers={
            "Content-Type": content_type, LABEL_HEADER: label})
        assert result.status_code in (200, 422), result.text
        transcript.append(str(result.headers).encode())
        if result.status_code != 200:
            transcript.append(result.content)
    refused = client.simulate_post("/api/convert", body=b"", headers={LABEL_HEADER: labels[0]})
    assert refused.status_code >= 400
    transcript.append(refused.content + str(refused.headers).encode())


def _cli_in_process(tmp_path, labels, transcript) -> None:
    source = tmp_path / "cli.png"
    source.write_bytes(png_bytes())
    runner = CliRunner()
    for index, label in enumerate(labels):
        target = tmp_path / f"cli-{index}.jpg"
        result = runner.invoke(cli, ["convert", str(source), str(target), "--label", label,
                                     "--json", "--force"])
        assert result.exit_code == 0, result.output
        transcript.append(result.output.encode())


def _cli_subprocess(tmp_path, labels, transcript) -> None:
    source = tmp_path / "sub.png"
    source.write_bytes(png_bytes())
    convertr = Path(sys.executable).with_name("convertr")
    for index, label in enumerate(labels):
        debug = ["--debug"] if index % 2 else []
        run = subprocess.run([str(convertr), *debug, "convert", str(source),
                              str(tmp_path / f"sub-{index}.jpg"), "--label", label],
                             capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert run.returncode == 0, run.stderr.decode()
        transcript.append(run.stdout + run.stderr)


def _gunicorn(gunicorn_server, labels, transcript) -> Path:
    base_url = gunicorn_server(env={"CONVERTR_WORKERS": "2"})
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for index, label in enumerate(labels):
            data = broken_png_bytes() if index % 5 == 4 else png_bytes()
            response = client.post("/api/convert", headers={LABEL_HEADER: label},
                                   files={"file": ("in.png", data)},
                                   data={"output_format": "jpg"})
            assert response.status_code in (200, 422), response.text
            transcript.append(str(response.headers).encode())
            if response.status_code != 200:
                transcript.append(response.content)
    return gunicorn_server.logs[base_url]


def test_raw_labels_never_stored_logged_or_echoed(settings, tmp_path, captured_logs,
                                                  gunicorn_server):
    labels = make_labels(HTTP_IN_PROCESS + CLI_IN_PROCESS + HTTP_GUNICORN + CLI_SUBPROCESS)
    http_labels, rest = labels[:HTTP_IN_PROCESS], labels[HTTP_IN_PROCESS:]
    cli_labels, rest = rest[:CLI_IN_PROCESS], rest[CLI_IN_PROCESS:]
    server_labels, sub_labels = rest[:HTTP_GUNICORN], rest[HTTP_GUNICORN:]
    transcript: list[bytes] = []
    _http_in_process(settings, http_labels, transcript)
    _cli_in_process(tmp_path, cli_labels, transcript)
    _cli_subprocess(tmp_path, sub_labels, transcript)
    server_log = _gunicorn(gunicorn_server, server_labels, transcript)

    rows = all_rows(settings)
    assert len(rows) == len(labels) and len({r.cohort for r in rows}) == len(labels)
    dispose_engines()  # our connections closed; other processes may keep the WAL around
    database = b"".join(path.read_bytes() for path in Path(settings.home).glob("convertr.db*"))
    assert all(row.cohort.encode() in database for row in rows)    # the search works
    places = {"database": database, "logs": captured_logs.getvalue().encode(),
              "server log": server_log.read_bytes(), "output": b"\n".join(transcript)}
    assert b"SELECT" in places["logs"] and b"cohort_" in places["logs"]  # logs were captured
    assert find_leaks(labels, places) == []
    planted = {**places, "logs": places["logs"] + labels[5].lower().encode()
               + hashlib.sha256(normalise_label(labels[7]).encode()).hexdigest().encode()}
    assert len(find_leaks(labels, planted)) == 2         # the search does find leaks
