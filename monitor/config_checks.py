"""Type and range checks for values read from monitor.toml (raise ConfigError with the key)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from monitor.errors import ConfigError


def known_keys(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(allowed), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{where}: unknown keys {unknown}",
            hint=f"{guess}known: {', '.join(sorted(allowed))}",
        )


def table(value: Any, where: str) -> Mapping[str, Any]:
    """A TOML table (``[where]``); a missing one is passed in as ``{}``."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"[{where}] must be a table, got {_kind(value)}")
    return value


def tables(value: Any, where: str) -> list[Mapping[str, Any]]:
    """An array of tables (``[[where]]``), e.g. one table per brand."""
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        # the value is described, not echoed: a mistyped [sources] table may hold a secret
        got = "a list of other values" if isinstance(value, list) else _kind(value)
        raise ConfigError(
            f"{where} must be an array of tables, got {got}",
            hint=f"write one [[{where}]] block per entry (two brackets)",
        )
    return value


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a single table"
    return {str: "a string", bool: "true or false", list: "a list"}.get(
        type(value), type(value).__name__
    )


def text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a non-empty string, got {value!r}")
    return value.strip()


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    return value


def number(value: Any, where: str, *, zero: bool = False, whole: bool = False) -> float:
    """A number above zero (or zero too with ``zero``); a whole one with ``whole``."""
    kind = "whole number" if whole else "number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a {kind}, got {value!r}")
    if (
        not math.isfinite(value)
        or value < 0
        or (value == 0 and not zero)
        or (whole and value != int(value))
    ):
        wanted = f"a {kind} of zero or more" if zero else f"a positive {kind}"
        raise ConfigError(f"{where} must be {wanted}, got {value!r}")
    return float(value)


def choice(value: Any, options: tuple[str, ...], where: str) -> str:
    if value not in options:
        raise ConfigError(f"{where} must be one of {', '.join(options)}, not {value!r}")
    return value
