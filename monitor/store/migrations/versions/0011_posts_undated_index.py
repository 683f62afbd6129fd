"""ix_posts_undated: where each source's first batch of undated posts about a brand
ends, read by every alert check (undated posts count for alerts from the next batch
on); partial, so it holds the undated posts only

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UNDATED = sa.text("published_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_posts_undated",
        "posts",
        ["brand", "source", "collected_at"],
        sqlite_where=UNDATED,
        postgresql_where=UNDATED,
    )


def downgrade() -> None:
    op.drop_index("ix_posts_undated", table_name="posts")
