"""One exception tree for Escucha.

    MonitorError                 base: every error the product raises on purpose
    ├── ConfigError              a config file, flag or environment value is wrong
    ├── SourceError(source)      a collector could not fetch or parse one source
    │   ├── SourceUnavailable    network trouble, timeouts, HTTP 429/5xx after retries
    │   └── SourceAuthError      credentials missing or refused
    ├── ImportFileError(path)    an import file is missing, unreadable or malformed
    ├── StoreError               the database could not be opened, migrated or written
    ├── ModelError               the classifier could not be built, loaded or run
    ├── DatasetError(path)       a training/evaluation file is missing or malformed
    └── NotifyError(channel)     an alert or report could not be delivered

Every error carries a one-line message and, where one exists, a ``hint`` that
tells the user what to try; the CLI prints both and exits non-zero.
Third-party exceptions are wrapped at the boundary with ``raise ... from e``.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class; ``hint`` is an optional suggestion for the user."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(MonitorError):
    """The configuration (file, environment or flags) is invalid."""


class SourceError(MonitorError):
    """A source could not be collected; ``source`` names it."""

    def __init__(self, source: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{source}: {message}", hint=hint)
        self.source = source


class SourceUnavailable(SourceError):
    """The source did not answer usefully (network, timeout, HTTP 429/5xx)."""


class SourceAuthError(SourceError):
    """The source refused or lacks credentials."""


class ImportFileError(MonitorError):
    """An import file could not be read; ``path`` names it."""

    def __init__(self, path: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}", hint=hint)
        self.path = path


class StoreError(MonitorError):
    """The database failed."""


class ModelError(MonitorError):
    """The classifier failed to build, load or predict."""


class DatasetError(MonitorError):
    """A labelled data file is missing or malformed; ``path`` names it."""

    def __init__(self, path: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {message}", hint=hint)
        self.path = path


class NotifyError(MonitorError):
    """An alert or report could not be delivered; ``channel`` names where."""

    def __init__(
        self,
        channel: str,
        message: str,
        *,
        hint: str | None = None,
        reached: tuple[str, ...] = (),
    ) -> None:
        super().__init__(f"{channel}: {message}", hint=hint)
        self.channel = channel
        self.reason = message  # without the channel, for callers that name it themselves
        self.reached = reached  # recipients who did get it (an email to several)


__all__ = [
    "ConfigError",
    "DatasetError",
    "ImportFileError",
    "ModelError",
    "MonitorError",
    "NotifyError",
    "SourceAuthError",
    "SourceError",
    "SourceUnavailable",
    "StoreError",
]
