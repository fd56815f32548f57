"""Metering: the conversions table (one row per conversion attempt).

Revision ID: 0001_metering
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_metering"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``conversions`` and its indexes (see ``convertr_core.models.Conversion``)."""
    op.create_table(
        "conversions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("transport", sa.String(16), nullable=False),
        sa.Column("plugin", sa.String(64), nullable=False, server_default=""),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("cohort", sa.String(23), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("runtime_ms", sa.BigInteger(), nullable=True),
        sa.Column("bytes_in", sa.BigInteger(), nullable=False),
        sa.Column("bytes_out", sa.BigInteger(), nullable=True),
        sa.Column("owner_host", sa.String(255), nullable=False, server_default=""),
        sa.Column("owner_pid", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("owner_start", sa.String(32), nullable=True),
    )
    op.create_index("ix_conversions_started_at", "conversions", ["started_at"])
    op.create_index("ix_conversions_status", "conversions", ["status"])
    op.create_index("ix_conversions_cohort", "conversions", ["cohort"])


def downgrade() -> None:
    """Drop ``conversions``."""
    op.drop_index("ix_conversions_cohort", table_name="conversions")
    op.drop_index("ix_conversions_status", table_name="conversions")
    op.drop_index("ix_conversions_started_at", table_name="conversions")
    op.drop_table("conversions")
