"""Billing through the real pipeline: admission, charges, free images, the ledger."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from convertr_core import DecodeFailed, OutOfBalance, billing
from convertr_core.accounts import session_scope
from convertr_core.accounts_models import LedgerEntry
from convertr_core.models import Conversion
from tests.accounts import toy_media
from tests.accounts.conftest import toy_convert
from tests.conftest import leftovers


@pytest.mark.parametrize("kind, runtime_ms, succeeded, minutes", [
    ("audio", 0, True, 1), ("audio", 3_000, True, 1), ("video", 60_000, True, 1),
    ("video", 60_001, True, 2), ("video", 61_000, True, 2), ("audio", 3_600_000, True, 60),
    ("video", 61_000, False, 0), ("image", 61_000, True, 0)])
def test_minutes_are_runtime_rounded_up(kind, runtime_ms, succeeded, minutes):
    assert billing.billable_minutes(kind, runtime_ms, succeeded) == minutes


def rows(settings):
    with session_scope(settings) as session:
        return session.exec(select(Conversion)).all()


def ledger(settings, client_id):
    with session_scope(settings) as session:
        return session.exec(select(LedgerEntry).where(LedgerEntry.client_id == client_id)
                            .order_by(LedgerEntry.id)).all()


def test_audio_costs_a_minute_and_images_are_free(registry, settings, client, tmp_path):
    client_id = client.client.id
    audio = toy_convert(registry, settings, tmp_path, client_id)
    assert audio.record.extra == {"billing": "admitted", "billed_minutes": 1,
                                  "balance_minutes": 9}
    image = toy_convert(registry, settings, tmp_path, client_id, b"PIC x", "png2", "img")
    assert image.record.extra == {"billing": "admitted", "billed_minutes": 0,
                                  "balance_minutes": 9}
    charges = [e for e in ledger(settings, client_id) if e.kind == "charge"]
    assert [(e.minutes, e.conversion_id) for e in charges] == [(-1, audio.record.id)]
    assert billing.balance_of(settings, client_id) == 9


def test_anonymous_and_failed_conversions_cost_nothing(registry, settings, client, tmp_path):
    anonymous = toy_convert(registry, settings, tmp_path, None)
    assert anonymous.record.extra == {}
    with pytest.raises(DecodeFailed):
        toy_convert(registry, settings, tmp_path, client.client.id, b"TONE fail")
    assert [row.status for row in rows(settings)] == ["succeeded", "failed"]
    assert billing.balance_of(settings, client.client.id) == 10


def test_empty_balance_is_refused_before_any_work(registry, settings, tmp_path, work_temp,
                                                  monkeypatch):
    monkeypatch.setenv("CONVERTR_SIGNUP_GRANT_MINUTES", "0")
    from tests.accounts.conftest import FORM
    from convertr_core import accounts
    broke = accounts.register_client(settings, FORM, None).client.id
    with pytest.raises(OutOfBalance) as caught:
        toy_convert(registry, settings, tmp_path, broke)
    body = caught.value.to_dict()
    assert (caught.value.status, body["error"], body["balance_minutes"]) == (
        402, "out_of_balance", 0)
    assert rows(settings) == [] and leftovers(work_temp) == []
    assert not (tmp_path / "in.out").exists()
    free = toy_convert(registry, settings, tmp_path, broke, b"PIC x", "png2", "img")
    assert free.record.extra == {"billing": "admitted", "billed_minutes": 0,
                                 "balance_minutes": 0}


def test_admitted_conversions_finish_and_may_go_below_zero(registry, settings, client,
                                                           tmp_path, monkeypatch):
    client_id = client.client.id
    billing.grant(settings, client_id, 1)
    with session_scope(settings) as session:  # spend down to exactly 1 minute
        session.add(LedgerEntry(client_id=client_id, kind="charge", minutes=-10))
    monkeypatch.setattr(toy_media, "barrier", threading.Barrier(2))
    results, threads = [], []
    for index in range(2):  # both pass admission at balance 1, then both finish
        threads.append(threading.Thread(target=lambda i=index: results.append(toy_convert(
            registry, settings, tmp_path, client_id, b"TONE wait", name=f"in{i}"))))
        threads[-1].start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and billing.balance_of(settings, client_id) == -1
    with pytest.raises(OutOfBalance):
        toy_convert(registry, settings, tmp_path, client_id)


def test_grants_must_be_positive(settings, client):
    assert billing.grant(settings, client.client.id, 5, note="support #12") == 15
    for minutes in (0, -3):
        with pytest.raises(Exception, match="1..") as caught:
            billing.grant(settings, client.client.id, minutes)
        assert caught.value.status == 422


def test_usage_reports_pairs_counts_and_minutes(registry, settings, client, tmp_path):
    client_id = client.client.id
    for index in range(2):
        toy_convert(registry, settings, tmp_path, client_id, name=f"a{index}")
    with pytest.raises(DecodeFailed):
        toy_convert(registry, settings, tmp_path, client_id, b"TONE fail", name="bad")
    toy_convert(registry, settings, tmp_path, client_id, b"PIC x", "png2", "img")
    toy_convert(registry, settings, tmp_path, None, name="anonymous")
    report = billing.usage(settings, client_id, days=30)
    assert report["pairs"] == [
        {"pair": "TONE -> BEEP", "source": "tone", "target": "beep", "requests": 3,
         "succeeded": 2, "failed": 1, "billed_minutes": 2},
        {"pair": "PIC -> PNG2", "source": "pic", "target": "png2", "requests": 1,
         "succeeded": 1, "failed": 0, "billed_minutes": 0}]
    assert report["total_billed_minutes"] == 2 and report["window_days"] == 30


def test_without_the_billing_plugin_nothing_is_refused_or_charged(settings, client, tmp_path):
    from convertr_core import metering
    from convertr_core.testing import make_registry
    unbilled = make_registry(toy_media, metering)  # e.g. CONVERTR_DISABLE_PLUGINS=billing
    result = toy_convert(unbilled, settings, tmp_path, client.client.id)
    assert result.record.extra == {} and len(rows(settings)) == 1
    assert billing.balance_of(settings, client.client.id) == 10
