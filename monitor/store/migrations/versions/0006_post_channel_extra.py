"""posts.channel and posts.extra: where within a source a post appeared ("r/spain", an
import row's "twitter"), and the rest of what the collector found (an export's other
columns), kept instead of dropped

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(200), nullable=True))
        batch_op.add_column(sa.Column("extra", sa.JSON(), nullable=True))
        batch_op.create_index("ix_posts_channel", ["channel"])  # the dashboard's filter


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_channel")
        batch_op.drop_column("extra")
        batch_op.drop_column("channel")
