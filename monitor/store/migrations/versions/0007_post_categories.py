"""post_categories and posts.categorized_with: what each post is about (billing, delivery…)
by the keyword rules of monitor.categories, and which rules said so, so that posts are
categorised again when the rules change

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "post_categories",
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("category", sa.String(60), primary_key=True),
    )
    op.create_index("ix_post_categories_category", "post_categories", ["category", "post_id"])
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(sa.Column("categorized_with", sa.String(16), nullable=True))
        batch_op.create_index("ix_posts_categorized_with", ["categorized_with"])


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_index("ix_posts_categorized_with")
        batch_op.drop_column("categorized_with")
    op.drop_index("ix_post_categories_category", table_name="post_categories")
    op.drop_table("post_categories")
