"""Alembic environment: runs on the connection that Store hands over."""

from alembic import context

import monitor.store.alerts_schema  # noqa: F401  (adds the alert tables to metadata)
from monitor.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # `alembic` CLI use: build an engine from the ini's URL
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url")).connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
