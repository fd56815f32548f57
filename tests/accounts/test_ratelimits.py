"""Rate limits counted in the database: one limit for every worker and machine."""

from __future__ import annotations

import threading
from datetime import timedelta

import falcon.testing
import pytest
from sqlalchemy import text

from convertr_core import RateLimited, accounts, ratelimits
from convertr_core.db import get_engine
from convertr_core.rows import utcnow
from convertr_http.app import create_app
from tests.accounts.test_http import register


def test_two_workers_share_one_limit(settings, registry, monkeypatch):
    # Two app instances are two gunicorn workers: the old in-memory limit let each of
    # them count to 2 on its own.
    monkeypatch.setenv("CONVERTR_REGISTRATIONS_PER_HOUR", "2")
    workers = [falcon.testing.TestClient(create_app(settings, registry)) for _ in range(2)]
    statuses = [register(workers[n % 2], name="").status_code for n in range(4)]
    assert statuses == [422, 422, 429, 429]
    assert accounts.list_clients(settings) == []


def test_the_limit_is_per_address_and_bucket(settings):
    for _ in range(2):
        ratelimits.hit(settings, "registrations", "192.0.2.1", limit=2, window_s=60, what="x")
    with pytest.raises(RateLimited):
        ratelimits.hit(settings, "registrations", "192.0.2.1", limit=2, window_s=60, what="x")
    ratelimits.hit(settings, "registrations", "192.0.2.2", limit=2, window_s=60, what="x")
    ratelimits.hit(settings, "tokens", "192.0.2.1", limit=2, window_s=60, what="x")


def test_hits_leave_the_window_and_the_table(settings):
    ratelimits.hit(settings, "tokens", "192.0.2.9", limit=1, window_s=60, what="tokens")
    _age_every_hit(settings, timedelta(seconds=61))
    ratelimits.hit(settings, "tokens", "192.0.2.9", limit=1, window_s=60, what="tokens")
    assert len(_hits(settings)) == 1  # the expired one was deleted, the new one counted


def test_retry_after_says_when_the_oldest_hit_expires(settings):
    ratelimits.hit(settings, "tokens", "192.0.2.5", limit=1, window_s=3600, what="tokens")
    _age_every_hit(settings, timedelta(seconds=600))
    with pytest.raises(RateLimited) as refused:
        ratelimits.hit(settings, "tokens", "192.0.2.5", limit=1, window_s=3600,
                       what="token requests")
    assert 2990 <= refused.value.details["retry_after"] <= 3000
    assert "too many token requests" in refused.value.message


def test_addresses_are_stored_only_as_keyed_hashes(settings):
    ratelimits.hit(settings, "registrations", "198.51.100.77", limit=5, window_s=60, what="x")
    [(bucket, key)] = [(row[0], row[1]) for row in _hits(settings)]
    assert bucket == "registrations" and len(key) == 64 and "198.51" not in key
    database = settings.home / "convertr.db"
    stored = b"".join(p.read_bytes() for p in database.parent.glob("convertr.db*"))
    assert b"198.51.100.77" not in stored


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_concurrent_requests_never_pass_more_than_the_limit(database, request):
    settings = request.getfixturevalue("pg_settings" if database == "postgresql"
                                       else "settings")
    ratelimits.hit(settings, "warm", "-", limit=1, window_s=1, what="x")  # migrate first
    passed, start = [], threading.Barrier(12)

    def attempt() -> None:
        start.wait()
        try:
            ratelimits.hit(settings, "registrations", "203.0.113.3", limit=5, window_s=60,
                           what="registrations")
            passed.append(1)
        except RateLimited:
            pass

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(passed) == 5


def _hits(settings) -> list[tuple]:
    with get_engine(settings).connect() as connection:
        return list(connection.execute(text("SELECT bucket, key, at FROM rate_limit_hits")))


def _age_every_hit(settings, by: timedelta) -> None:
    with get_engine(settings).begin() as connection:
        connection.execute(text("UPDATE rate_limit_hits SET at = :at"), {"at": utcnow() - by})
