"""Fixtures for the dashboard tests; the data lives in ``dashdata``."""

from __future__ import annotations

import pytest
from dashdata import Filled, fill

from monitor.store import Store


@pytest.fixture
def filled(store) -> Filled:
    return Filled(store, fill(store))


@pytest.fixture
def filled_sqlite(tmp_path) -> Filled:
    s = Store.open(f"sqlite:///{tmp_path / 'dash.db'}")
    yield Filled(s, fill(s))
    s.close()
