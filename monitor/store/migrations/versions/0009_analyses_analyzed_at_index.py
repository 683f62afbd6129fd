"""ix_analyses_analyzed_at: the newest classification, read by the dashboard's data version
on every page run (a post edited at its source and classified again changes nothing else)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 19:10:00.000000
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_analyses_analyzed_at", "analyses", ["analyzed_at"])


def downgrade() -> None:
    op.drop_index("ix_analyses_analyzed_at", table_name="analyses")
