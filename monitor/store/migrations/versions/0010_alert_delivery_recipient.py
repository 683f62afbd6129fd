"""alert_deliveries.recipient: which address of an email channel took an alert, so that
a retry after one refused recipient does not send it again to those that have it

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_deliveries") as batch_op:
        batch_op.drop_column("recipient")
