"""Tables (SQLAlchemy 2 Core). Schema changes go through Alembic migrations only."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("cursor", Text),
    Column("last_run_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_at", DateTime(timezone=True)),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("last_new_posts", Integer, nullable=False, default=0),
)

source_runs = Table(
    "source_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("fetched", Integer, nullable=False, default=0),
    Column("matched", Integer, nullable=False, default=0),
    Column("new_posts", Integer, nullable=False, default=0),
    Column("not_modified", Boolean, nullable=False, default=False),
    Column("error", Text),
    Index("ix_source_runs_source_started", "source", "started_at"),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("external_id", String(500), nullable=False),
    Column("brand", String(200), nullable=False),
    Column("text", Text, nullable=False),
    Column("title", Text),
    Column("url", Text),
    Column("author", String(300)),
    Column("lang", String(10)),
    Column("content_hash", String(40), nullable=False),
    Column("duplicate_of", Integer),  # first post of the same brand with the same text
    Column("published_at", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True), nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),  # published, else collected
    Column("reach", Integer),
    Column("engagement", Integer),
    Column("rating", SmallInteger),  # a review's stars, 1-5
    Column("edited_at", DateTime(timezone=True)),  # when a re-collected text or rating changed
    Column("previous_rating", SmallInteger),  # the stars before the last edit that changed them
    Column("channel", String(200)),  # where within the source: "r/spain", an import's "twitter"
    # the rest of what the collector found (an export's other columns)
    Column("extra", JSON(none_as_null=True)),
    # the rules (monitor.categories fingerprint) that last put the post in categories;
    # NULL or another fingerprint: to be categorised (again)
    Column("categorized_with", String(16)),
    UniqueConstraint("source", "external_id", "brand", name="uq_posts_source_item_brand"),
    Index("ix_posts_brand_posted", "brand", "posted_at"),
    Index("ix_posts_brand_hash", "brand", "content_hash"),
    Index("ix_posts_posted", "posted_at"),
    Index("ix_posts_source_posted", "source", "posted_at"),
    Index("ix_posts_lang", "lang"),
    Index("ix_posts_channel", "channel"),
    Index("ix_posts_categorized_with", "categorized_with"),
    Index("ix_posts_brand_author", "brand", "author", "posted_at"),  # customers who come back
    # each source's first batch of undated posts about a brand (the alert rules skip it)
    Index(
        "ix_posts_undated",
        "brand",
        "source",
        "collected_at",
        sqlite_where=text("published_at IS NULL"),
        postgresql_where=text("published_at IS NULL"),
    ),
)

analyses = Table(
    "analyses",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("sentiment", String(20), nullable=False),
    Column("sentiment_conf", Float, nullable=False),
    Column("sentiment_probs", JSON, nullable=False),
    Column("emotion", String(20), nullable=False),
    Column("emotion_conf", Float, nullable=False),
    Column("emotion_probs", JSON, nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("note", Text),
    Column("analyzed_at", DateTime(timezone=True), nullable=False),
    Index("ix_analyses_sentiment", "sentiment"),
    Index("ix_analyses_analyzed_at", "analyzed_at"),  # the dashboard's data version
)

# What each post is about (monitor.categories): one row per post and category.
post_categories = Table(
    "post_categories",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("category", String(60), primary_key=True),
    Index("ix_post_categories_category", "category", "post_id"),
)

# What people did with a post: triage state, notes, and label corrections.
post_actions = Table(
    "post_actions",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(20), nullable=False, default="open"),  # open, assigned, handled
    Column("assignee", String(200)),
    Column("note", Text),
    Column("corrected_sentiment", String(20)),
    Column("corrected_emotion", String(20)),
    Column("corrected_by", String(200)),
    Column("first_response_at", DateTime(timezone=True)),
    Column("handled_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_post_actions_status", "status"),
)
