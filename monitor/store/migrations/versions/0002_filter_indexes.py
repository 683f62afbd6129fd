"""indexes for the dashboard's source and language filters

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.create_index("ix_posts_source_posted", ["source", "posted_at"], unique=False)
        batch_op.create_index("ix_posts_lang", ["lang"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_lang")
        batch_op.drop_index("ix_posts_source_posted")
