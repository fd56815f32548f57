"""Accounts: API clients, bearer tokens and the conversion-minute ledger.

Revision ID: 0002_accounts
Revises: 0001_metering
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_metering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``api_clients``, ``api_tokens`` and ``ledger_entries``
    (see ``convertr_core.accounts_models``)."""
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("email_key", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("cohort", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    # unique on the lowered email: case-insensitive uniqueness even under races
    op.create_index("ix_api_clients_email_key", "api_clients", ["email_key"], unique=True)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_api_tokens_client_id", "api_tokens", ["client_id"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("client_id", sa.Integer(), sa.ForeignKey("api_clients.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("conversion_id", sa.String(32), nullable=True),
        sa.Column("note", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("conversion_id", name="uq_ledger_conversion"),
    )
    op.create_index("ix_ledger_entries_client_id", "ledger_entries", ["client_id"])


def downgrade() -> None:
    """Drop the accounts tables."""
    op.drop_index("ix_ledger_entries_client_id", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index("ix_api_tokens_client_id", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_api_clients_email_key", table_name="api_clients")
    op.drop_table("api_clients")
