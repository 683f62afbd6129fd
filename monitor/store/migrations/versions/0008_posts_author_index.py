"""ix_posts_brand_author: an author's complaints about a brand, read for every post of the
response queue (customers who complain again weigh more) and for the list of them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 14:30:00.000000
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_posts_brand_author", "posts", ["brand", "author", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_posts_brand_author", table_name="posts")
