"""20 billed conversions at once: the ledger matches the finished rows exactly."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func
from sqlmodel import select

from convertr_core import accounts, billing
from convertr_core.accounts import session_scope
from convertr_core.accounts_models import LedgerEntry
from convertr_core.models import Conversion
from tests.accounts import toy_media
from tests.accounts.conftest import FORM, toy_convert

PARALLEL = 20


def run_parallel(registry, settings, tmp_path, monkeypatch) -> int:
    """Hold 20 admitted conversions at a barrier, release them together."""
    client_id = accounts.register_client(settings, FORM, None).client.id  # 10 minutes
    monkeypatch.setattr(toy_media, "barrier", threading.Barrier(PARALLEL))
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            toy_convert(registry, settings, tmp_path, client_id, b"TONE wait", name=f"c{index}")
        except BaseException as ex:
            errors.append(ex)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return client_id


def assert_ledger_matches_rows(settings, client_id: int) -> None:
    with session_scope(settings) as session:
        finished = session.exec(select(Conversion).where(
            Conversion.client_id == client_id, Conversion.status == "succeeded")).all()
        charges = session.exec(select(LedgerEntry).where(
            LedgerEntry.client_id == client_id, LedgerEntry.kind == "charge")).all()
        grants = session.exec(select(func.sum(LedgerEntry.minutes)).where(
            LedgerEntry.client_id == client_id, LedgerEntry.kind == "grant")).one()
    billed = sum(billing.billable_minutes(row.kind, row.runtime_ms, True) for row in finished)
    assert len(finished) == PARALLEL and billed >= PARALLEL
    assert sorted(c.conversion_id for c in charges) == sorted(row.id for row in finished)
    assert billing.balance_of(settings, client_id) == grants - billed == 10 - billed


def test_parallel_charges_on_sqlite(registry, settings, tmp_path, monkeypatch):
    client_id = run_parallel(registry, settings, tmp_path, monkeypatch)
    assert_ledger_matches_rows(settings, client_id)


@pytest.mark.services
def test_parallel_charges_on_postgresql(registry, pg_settings, tmp_path, monkeypatch):
    client_id = run_parallel(registry, pg_settings, tmp_path, monkeypatch)
    assert_ledger_matches_rows(pg_settings, client_id)
