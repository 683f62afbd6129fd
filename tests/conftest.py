"""Shared fixtures: real databases (SQLite file, PostgreSQL on loopback), settings, paths."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MONITOR_SHARED_DIR", REPO.parent / "shared"))
DATASETS = Path(os.environ.get("MONITOR_DATASETS_DIR", SHARED / "datasets"))
PG_ADMIN_URL = os.environ.get(
    "MONITOR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
T0 = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", help="run slow tests (training)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _pg_database():
    """Create a throw-away PostgreSQL database; yields its URL."""
    psycopg = pytest.importorskip("psycopg")
    admin = PG_ADMIN_URL
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {admin}: {e}")
    name = f"escucha_test_{uuid.uuid4().hex[:10]}"
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + "/" + name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _pg_database()


@pytest.fixture
def store(db_url):
    from monitor.store import Store

    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    from monitor.store import Store

    s = Store.open(f"sqlite:///{tmp_path / 'monitor.db'}")
    yield s
    s.close()


@pytest.fixture
def datasets_dir():
    if not (DATASETS / "umsab").exists():
        pytest.skip(f"labelled data sets not found at {DATASETS} (set MONITOR_DATASETS_DIR)")
    return DATASETS
