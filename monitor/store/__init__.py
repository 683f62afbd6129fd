"""Persistence through SQLAlchemy 2: SQLite by default (WAL), PostgreSQL by URL."""

from monitor.store.db import Store

__all__ = ["Store"]
