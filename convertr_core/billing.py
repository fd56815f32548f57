"""Conversion-minute billing: the ledger, the balance, admission and the charge.

The rules (docs/billing.md says the same to users):

* Anonymous conversions are free; so are image conversions for everybody.
* An audio or video conversion by a registered client costs its runtime rounded UP to
  the full minute, at least one minute (3 s → 1, 60 s → 1, 61 s → 2). Failed
  conversions cost nothing.
* A client whose balance is not positive is refused before any work (``OutOfBalance``,
  402). A conversion that was admitted is finished and charged even when the charge
  takes the balance below zero.
* The balance is the sum of an append-only ledger of grants (positive) and charges
  (negative). The charge is written by a metering finaliser inside the same transaction
  that finalises the conversion's row: no charge without a row, no row without its charge.

This module is also the built-in ``billing`` plugin (admission hook). The registry imports
it for every command, so SQLAlchemy, SQLModel and the accounts code are imported inside the
functions that touch the database, never at module level: anonymous conversions never
load them (tests/metering/test_startup_cost.py checks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .errors import OutOfBalance, ValidationFailed
from .hookspecs import hookimpl
from .records import ConversionRecord
from .settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from .accounts_models import LedgerEntry

CONVERTR_PLUGIN_INTERFACE = 1
FREE_KINDS = frozenset({"image"})
MAX_GRANT_MINUTES = 10_000_000

# record.extra keys billing fills in, and the HTTP headers that carry them
EXTRA_ADMITTED = "billing"  # set at admission: only admitted conversions are charged
EXTRA_BILLED = "billed_minutes"
EXTRA_BALANCE = "balance_minutes"
RESPONSE_HEADERS = {EXTRA_BILLED: "X-Convertr-Billed-Minutes",
                    EXTRA_BALANCE: "X-Convertr-Balance-Minutes"}


def billable_minutes(kind: str, runtime_ms: int | None, succeeded: bool) -> int:
    """Minutes a conversion costs: 0 when free or failed, else runtime rounded up (≥ 1)."""
    if kind in FREE_KINDS or not succeeded:
        return 0
    return max(1, math.ceil((runtime_ms or 0) / 60_000))


def is_billed(record: ConversionRecord) -> bool:
    """Whether this attempt spends minutes at all (a client's audio or video work)."""
    return record.client_id is not None and record.kind not in FREE_KINDS


# -- the ledger -----------------------------------------------------------------------
def balance(session: Session, client_id: int) -> int:
    """The client's balance in minutes: the sum of its ledger."""
    from sqlalchemy import func
    from sqlmodel import select

    from .accounts_models import LedgerEntry

    total = session.exec(select(func.coalesce(func.sum(LedgerEntry.minutes), 0)).where(
        LedgerEntry.client_id == client_id)).one()
    return int(total)


def balance_of(settings: Settings, client_id: int) -> int:
    """``balance`` in a session of its own."""
    with session_scope(settings) as session:
        return balance(session, client_id)


def balances(settings: Settings) -> dict[int, int]:
    """Every client's balance in one query (clients without entries are absent)."""
    from sqlalchemy import func
    from sqlmodel import select

    from .accounts_models import LedgerEntry

    query = select(LedgerEntry.client_id, func.sum(LedgerEntry.minutes)).group_by(
        LedgerEntry.client_id)
    with session_scope(settings) as session:
        return {client_id: int(total) for client_id, total in session.exec(query).all()}


def grant(settings: Settings, client_id: int, minutes: int, note: str | None = None) -> int:
    """Append a grant and return the new balance.

    Raises:
        ValidationFailed: ``minutes`` is not a positive whole number of sensible size.
    """
    if not 0 < minutes <= MAX_GRANT_MINUTES:
        raise ValidationFailed(f"a grant must be 1..{MAX_GRANT_MINUTES} minutes",
                               errors={"minutes": ["must be a positive number of minutes"]})
    from .accounts_models import LedgerEntry

    with session_scope(settings) as session:
        session.add(LedgerEntry(client_id=client_id, kind="grant", minutes=minutes,
                                note=(note or "")[:500] or None))
        session.flush()
        return balance(session, client_id)


def entries(settings: Settings, client_id: int, limit: int = 20) -> list[LedgerEntry]:
    """The client's newest ledger entries, newest first."""
    from sqlmodel import select

    from .accounts_models import LedgerEntry

    with session_scope(settings) as session:
        return list(session.exec(select(LedgerEntry).where(
            LedgerEntry.client_id == client_id).order_by(
            LedgerEntry.id.desc()).limit(limit)).all())


# -- admission and charging -----------------------------------------------------------
@hookimpl
def convertr_conversion_admit(record: ConversionRecord, settings: Settings) -> None:
    """Refuse a client's audio/video conversion when its balance is not positive.

    Marks every client conversion it lets through, so that a registry without this
    plugin (``CONVERTR_DISABLE_PLUGINS=billing``) neither refuses nor charges.
    """
    if record.client_id is None:
        return
    if is_billed(record):
        check_balance(settings, record.client_id)
    record.extra[EXTRA_ADMITTED] = "admitted"


def check_balance(settings: Settings, client_id: int) -> int:
    """The positive balance of a client, or ``OutOfBalance`` (402)."""
    minutes = balance_of(settings, client_id)
    if minutes <= 0:
        raise OutOfBalance(
            f"out of balance: {minutes} conversion minutes left. Image conversions stay "
            "free; audio and video conversions need a positive balance.",
            balance_minutes=minutes)
    return minutes


def charge(session: Session, record: ConversionRecord) -> None:
    """Metering finaliser: append the conversion's charge in the row's own transaction.

    Fills ``record.extra`` with ``billed_minutes`` and ``balance_minutes`` for every
    client conversion (0 billed when free or failed) so transports can show them.
    """
    if record.client_id is None or EXTRA_ADMITTED not in record.extra:
        return
    minutes = billable_minutes(record.kind, record.runtime_ms, record.outcome == "succeeded")
    if minutes:
        from .accounts_models import LedgerEntry

        session.add(LedgerEntry(client_id=record.client_id, kind="charge", minutes=-minutes,
                                conversion_id=record.id,
                                note=f"{record.pair_label}, {record.runtime_ms or 0} ms"))
        session.flush()
    record.extra[EXTRA_BILLED] = minutes
    record.extra[EXTRA_BALANCE] = balance(session, record.client_id)


# -- usage ----------------------------------------------------------------------------
@dataclass
class PairUsage:
    """One pair's use by a client over a window."""

    pair: str
    source: str
    target: str
    requests: int = 0
    succeeded: int = 0
    failed: int = 0
    billed_minutes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def usage(settings: Settings, client_id: int, days: int) -> dict[str, Any]:
    """Per-pair requests, outcomes and billed minutes of a client's last ``days`` days,
    from the metering rows joined to their ledger charges."""
    from sqlalchemy import func
    from sqlmodel import select

    from .accounts_models import LedgerEntry, utcnow
    from .models import Conversion  # the metering table

    since = utcnow() - timedelta(days=days)
    query = (select(Conversion.source, Conversion.target, Conversion.status,
                    func.count(Conversion.id), func.coalesce(func.sum(LedgerEntry.minutes), 0))
             .join(LedgerEntry, LedgerEntry.conversion_id == Conversion.id, isouter=True)
             .where(Conversion.client_id == client_id, Conversion.started_at >= since)
             .group_by(Conversion.source, Conversion.target, Conversion.status))
    pairs: dict[tuple[str, str], PairUsage] = {}
    with session_scope(settings) as session:
        for source, target, status, count, minutes in session.exec(query).all():
            row = pairs.setdefault((source, target), PairUsage(
                f"{source.upper()} -> {target.upper()}", source, target))
            row.requests += count
            row.succeeded += count if status == "succeeded" else 0
            row.failed += count if status in ("failed", "abandoned") else 0
            row.billed_minutes += -int(minutes)
    listed = sorted(pairs.values(), key=lambda p: (-p.requests, p.pair))
    return {"window_days": days, "since": since.isoformat() + "Z",
            "pairs": [p.to_dict() for p in listed],
            "total_billed_minutes": sum(p.billed_minutes for p in listed)}


def session_scope(settings: Settings) -> Any:
    """``accounts.session_scope``: a session on a database migrated to head (imported
    here, on first use, so that loading the plugin does not load SQLModel and bcrypt)."""
    from .accounts import session_scope as accounts_session

    return accounts_session(settings)


def _register_finaliser() -> None:
    """Hook ``charge`` into metering's finalisation transaction (once per process)."""
    from .metering import FINALISERS

    if charge not in FINALISERS:
        FINALISERS.append(charge)


_register_finaliser()
