"""What every collector shares: the state kept between runs, the result, the protocol.

A source is collected by calling ``fetch(state)`` with the ``FetchState`` the store
remembered from the previous run (``FetchState()`` the first time); the store saves
``result.state`` for the next run. Deduplication is the store's job: a source may
return posts it returned before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.errors import ConfigError
from monitor.types import FetchState, RawPost


@dataclass(frozen=True)
class FetchResult:
    """The posts one ``fetch`` found, the state to remember and what went wrong softly.

    ``not_modified`` is true when the server said nothing changed (HTTP 304);
    ``warnings`` are problems that did not stop the fetch (a malformed feed that still
    had entries, rows skipped in an import file); ``pages_full``: the fetch stopped at its
    page limit, not at the end of what the source had.
    """

    posts: list[RawPost]
    state: FetchState
    not_modified: bool = False
    warnings: tuple[str, ...] = ()
    # every page the source may read was full: older items than these were not read,
    # which loses items when all of these turn out to be new (see Pipeline.collect_source)
    pages_full: bool = False


class Source(Protocol):
    """A configured place to collect posts from."""

    name: str
    kind: str

    def fetch(self, state: FetchState) -> FetchResult: ...


def stable_id(*parts: str | None) -> str:
    """A short, stable id for an item that has none of its own (sha256 of ``parts``)."""
    joined = "\x1f".join(part or "" for part in parts)
    return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


class Params:
    """Checked access to one source's configuration table; mistakes raise ``ConfigError``."""

    def __init__(
        self, name: str, kind: str, params: Mapping[str, Any], allowed: Collection[str]
    ) -> None:
        self.name, self.kind, self._params = name, kind, params
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise self.error(
                f"unknown parameter {unknown[0]!r}",
                hint=f"{kind} sources accept: {', '.join(sorted(allowed))}",
            )

    def error(self, message: str, *, hint: str | None = None) -> ConfigError:
        return ConfigError(f"source {self.name!r} ({self.kind}): {message}", hint=hint)

    def text(self, key: str, *, required: bool = False, example: str = "...") -> str | None:
        value = self._params.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(
                    f"missing required parameter {key!r}", hint=f'add {key} = "{example}"'
                )
            return None
        if not isinstance(value, str):
            raise self.error(f"{key!r} must be a string, not {type(value).__name__}")
        return value.strip()

    def number(self, key: str, default: float, *, integer: bool = False) -> float:
        value = self._params.get(key, default)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
        if not ok or (integer and value != int(value)):
            kind = "a positive whole number" if integer else "a positive number"
            raise self.error(f"{key!r} must be {kind}, not {value!r}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._params.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"{key!r} must be true or false, not {value!r}")
        return value

    def table(self, key: str) -> dict[str, Any]:
        """A table of settings (``{}`` when absent), such as ``columns = { text = "Body" }``."""
        value = self._params.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f'{key!r} must be a table, e.g. {key} = {{ text = "Body" }}')
        return dict(value)

    def names(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A list of names, or one string of names separated by commas or '+'."""
        value = self._params.get(key)
        if value is None:
            return default
        if isinstance(value, str):
            value = value.replace("+", ",").split(",")
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.error(f"{key!r} must be a list of names, not {value!r}")
        names = tuple(v.strip() for v in value if v.strip())
        return names or default


__all__ = ["FetchResult", "FetchState", "Params", "Source", "stable_id"]
