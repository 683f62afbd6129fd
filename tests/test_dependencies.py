"""What the tests import is declared in pyproject.toml, so that a fresh install runs them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"playwright.sync_api": "playwright", "scipy.stats": "scipy"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in reqs}


def test_every_module_a_test_skips_without_is_declared():
    """pytest.importorskip turns a missing package into a skip, not a failure: a package
    that only came in as another one's dependency (scipy, with scikit-learn) silently
    takes its tests with it when that one is dropped."""
    wanted = set()
    for path in (ROOT / "tests").rglob("*.py"):
        for name in re.findall(r"importorskip\(\s*\"([\w.]+)\"", path.read_text("utf-8")):
            wanted.add(DISTRIBUTIONS.get(name, name.split(".")[0]).lower())
    assert wanted and wanted - _declared() == set()
