"""Type and range checks for values read from monitor.toml (raise ConfigError with the key)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.errors import ConfigError


def known_keys(data: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {sorted(unknown)}", hint=f"known: {', '.join(sorted(allowed))}"
        )


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def number(value: Any, where: str, *, zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} must be a number")
    if value < 0 or (value == 0 and not zero):
        raise ConfigError(f"{where} must be {'zero or more' if zero else 'positive'}")
    return float(value)


def choice(value: Any, options: tuple[str, ...], where: str) -> str:
    if value not in options:
        raise ConfigError(f"{where} must be one of {', '.join(options)}, not {value!r}")
    return value
