"""Rate limits shared by every worker: one row per counted request.

Revision ID: 0003_rate_limits
Revises: 0002_accounts
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_rate_limits"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``rate_limit_hits`` (see ``convertr_core.accounts_models.RateLimitHit``)."""
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_rate_limit_hits_lookup", "rate_limit_hits", ["bucket", "key", "at"])


def downgrade() -> None:
    """Drop ``rate_limit_hits``."""
    op.drop_index("ix_rate_limit_hits_lookup", table_name="rate_limit_hits")
    op.drop_table("rate_limit_hits")
