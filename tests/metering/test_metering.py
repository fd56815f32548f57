"""The metering plugin: one row per attempt, finalisers, failures that never hurt users."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

import convertr_image.plugin
from convertr_core import (Caller, ConversionFailed, Converter, ConvertrError, Format,
                           PluginInfo, Registry, Settings, configure, convert, get_registry,
                           hookimpl)
from convertr_core import metering, schema
from convertr_core.cohorts import cohort_for_settings
from convertr_core.db import get_engine, session_scope
from convertr_core.models import Conversion
from convertr_core.testing import make_registry
from convertr_cli.main import cli
from tests.metering import slow_plugin
from tests.metering.conftest import broken_png_bytes, png_bytes
from tests.metering.helpers import all_rows


@pytest.fixture
def registry() -> Registry:
    return make_registry(convertr_image.plugin, metering)


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    path.write_bytes(png_bytes())
    return path


@pytest.fixture(autouse=True)
def no_finalisers():
    saved = list(metering.FINALISERS)
    metering.FINALISERS.clear()
    yield metering.FINALISERS
    metering.FINALISERS[:] = saved


def test_metering_is_discovered_like_any_plugin(settings):
    info = get_registry().plugins["metering"]
    assert info.loaded and info.distribution == "convertr" and info.error is None


def test_success_leaves_one_finished_row(settings, registry, png, tmp_path):
    caller = Caller(transport="cli", label="  Acme Mobile ")
    result = convert(png, tmp_path / "out.jpg", caller=caller, registry=registry)
    [row] = all_rows(settings)
    assert (row.id, row.status, row.error_code) == (result.record.id, "succeeded", None)
    assert (row.source, row.target, row.kind, row.transport) == ("png", "jpg", "image", "cli")
    assert row.cohort == cohort_for_settings("acme mobile", settings) and row.client_id is None
    assert row.runtime_ms == result.runtime_ms and row.bytes_in == png.stat().st_size
    assert row.bytes_out == (tmp_path / "out.jpg").stat().st_size > 0
    assert row.finished_at >= row.started_at and row.owner_pid == os.getpid()
    assert metering.failure_count() == 0


def test_row_is_running_while_the_converter_runs(settings, tmp_path):
    registry = make_registry(slow_plugin, metering)
    source = tmp_path / "in.slowtest"
    source.write_bytes(slow_plugin.payload(1.5))
    worker = threading.Thread(target=convert, args=(source, tmp_path / "out.slowdone"),
                              kwargs={"registry": registry})
    worker.start()
    seen = _wait_for_rows(settings)
    worker.join()
    assert [r.status for r in seen] == ["running"] and seen[0].finished_at is None
    [row] = all_rows(settings)
    assert row.id == seen[0].id and row.status == "succeeded" and row.kind == "data"


def _wait_for_rows(settings, deadline_s: float = 30.0):
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop:
        try:
            rows = all_rows(settings)
        except Exception:  # table not created yet
            rows = []
        if rows:
            return rows
        time.sleep(0.02)
    raise AssertionError("no metering row appeared")


def test_failure_row_carries_the_error_code(settings, registry, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(broken_png_bytes())
    with pytest.raises(ConvertrError) as info:
        convert(bad, tmp_path / "out.jpg", caller=Caller(transport="http", client_id=7),
                registry=registry)
    [row] = all_rows(settings)
    assert row.status == "failed" and row.error_code == info.value.code
    assert row.client_id == 7 and row.transport == "http" and row.bytes_out is None


def test_refused_requests_leave_no_row(settings, registry, png, tmp_path):
    with pytest.raises(ConvertrError):
        convert(png, tmp_path / "out.mp3", registry=registry)
    with pytest.raises(ConvertrError):
        mystery = tmp_path / "mystery.bin"
        mystery.write_bytes(b"not an image at all")
        convert(mystery, tmp_path / "out.jpg", registry=registry)
    convert(png, tmp_path / "out.jpg", registry=registry)  # creates the table
    assert len(all_rows(settings)) == 1


def test_database_down_never_fails_the_conversion(settings, registry, png, tmp_path,
                                                 monkeypatch, caplog):
    monkeypatch.setenv("CONVERTR_DATABASE_URL",
                       "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2")
    configure(None)
    before = metering.failure_count()
    with caplog.at_level(logging.ERROR, logger="convertr.metering"):
        result = convert(png, tmp_path / "out.jpg", registry=registry)
    assert result.record.outcome == "succeeded" and (tmp_path / "out.jpg").stat().st_size
    assert metering.failure_count() == before + 2          # the insert and the update
    assert metering.status()["last_failure"]["phase"] == "finish"
    loud = [r for r in caplog.records if "METERING FAILURE" in r.getMessage()]
    assert loud and all(r.levelno == logging.ERROR for r in loud)


def test_row_is_written_at_finish_when_the_start_could_not_be(settings, registry, png,
                                                              tmp_path, monkeypatch):
    calls = {"n": 0}
    real = metering._row_values

    def fail_first(record):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk full")
        return real(record)

    monkeypatch.setattr(metering, "_row_values", fail_first)
    convert(png, tmp_path / "out.jpg", registry=registry)
    [row] = all_rows(settings)
    assert row.status == "succeeded" and row.runtime_ms is not None


def _charges_table(settings) -> None:
    with get_engine(settings).begin() as connection:
        connection.execute(text("CREATE TABLE test_charges (conversion_id VARCHAR(32), "
                                "row_status VARCHAR(16))"))


def _charges(settings) -> list[tuple]:
    with get_engine(settings).connect() as connection:
        return list(connection.execute(text("SELECT * FROM test_charges")).all())


def test_finalisers_share_the_rows_transaction(settings, registry, png, tmp_path,
                                               no_finalisers):
    convert(png, tmp_path / "first.jpg", registry=registry)  # migrate
    _charges_table(settings)

    def charge(session, record):
        status = session.get(Conversion, record.id).status  # already final in this txn
        session.execute(text("INSERT INTO test_charges VALUES (:id, :status)"),
                        {"id": record.id, "status": status})

    no_finalisers.append(charge)
    result = convert(png, tmp_path / "out.jpg", registry=registry)
    assert _charges(settings) == [(result.record.id, "succeeded")]


def test_a_failing_finaliser_rolls_back_the_finalisation(settings, registry, png, tmp_path,
                                                         no_finalisers):
    convert(png, tmp_path / "first.jpg", registry=registry)
    _charges_table(settings)

    def charge_then_fail(session, record):
        session.execute(text("INSERT INTO test_charges VALUES (:id, 'x')"), {"id": record.id})
        raise RuntimeError("ledger exploded")

    no_finalisers.append(charge_then_fail)
    before = metering.failure_count()
    result = convert(png, tmp_path / "out.jpg", registry=registry)
    assert result.record.outcome == "succeeded"              # the user still gets the file
    assert _charges(settings) == [] and metering.failure_count() == before + 1
    with session_scope(settings) as session:
        assert session.get(Conversion, result.record.id).status == "running"


def test_db_upgrade_command_is_idempotent(settings):
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "upgrade"])
    second = runner.invoke(cli, ["db", "upgrade", "--json"])
    assert first.exit_code == 0 and "upgraded" in first.output
    assert second.exit_code == 0 and '"from": "' in second.output
    current = runner.invoke(cli, ["db", "current"])
    head = schema.head_revision()
    assert current.output == f"current: {head}\nhead:    {head}\n"


def test_long_third_party_names_still_meter_on_postgresql(settings, postgres_url, monkeypatch,
                                                          tmp_path):
    class Verbose(ConversionFailed):
        code = "a_very_long_error_code_from_a_third_party_plugin_" + "x" * 40

    class LongPlugin:
        CONVERTR_PLUGIN_INTERFACE = 1

        @hookimpl
        def convertr_formats(self, register):
            register(Format(id="lng", media_type="x/lng", kind="data",
                            sniff=lambda head: head.startswith(b"LNG")))
            register(Format(id="out", media_type="x/out", kind="data"))

        @hookimpl
        def convertr_converters(self, register):
            def run(job):
                raise Verbose("told to fail")
            register(Converter(source="lng", target="out", kind="data", run=run))

    monkeypatch.setenv("CONVERTR_DATABASE_URL", postgres_url)
    configure(None)
    registry = Registry()
    registry.add_plugin(LongPlugin(), PluginInfo(name="p" * 100))
    registry.add_plugin(metering, PluginInfo(name="metering"))
    registry.collect()
    source = tmp_path / "in.lng"
    source.write_bytes(b"LNG data")
    before = metering.failure_count()
    with pytest.raises(ConvertrError):
        convert(source, tmp_path / "x.out", registry=registry)
    [row] = all_rows(Settings(database_url=postgres_url))
    assert row.status == "failed" and row.error_code == Verbose.code[:64]
    assert row.plugin == "p" * 64 and metering.failure_count() == before


def test_rows_go_to_the_database_of_the_conversions_settings(tmp_path, settings):
    """convert(settings=...) meters into that settings' database, not the environment's."""
    import convertr_core
    from sqlmodel import Session, select

    from convertr_core.db import get_engine
    from convertr_core.models import Conversion
    from tests.media import make_image

    other = settings.with_(home=tmp_path / "other-home", secret="other-secret")
    source = make_image(tmp_path / "in.png", size=(8, 8))
    convertr_core.convert(source, tmp_path / "out.jpg", settings=other)
    with Session(get_engine(other)) as session:
        rows = session.exec(select(Conversion)).all()
    assert [(row.source, row.target, row.status) for row in rows] == [("png", "jpg",
                                                                        "succeeded")]
    assert not (settings.home / "convertr.db").exists()
