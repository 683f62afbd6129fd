"""Fixtures for the collector tests: payload folders, an httpx client, a fake sleep."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
FEEDS = REPO / "tests" / "data" / "feeds"


@pytest.fixture(scope="session")
def shared_fixtures() -> Path:
    """Recorded third-party payloads: $MONITOR_FIXTURES or ../shared/fixtures."""
    root = Path(os.environ.get("MONITOR_FIXTURES") or REPO.parent / "shared" / "fixtures")
    if not root.is_dir():
        pytest.skip(f"recorded fixtures not found at {root}; set MONITOR_FIXTURES to their folder")
    return root


@pytest.fixture
def feeds() -> Path:
    return FEEDS


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False) as c:
        yield c


@pytest.fixture
def sleeps() -> list[float]:
    """Pass ``sleeps.append`` as ``sleep=`` and read back what would have been slept."""
    return []
