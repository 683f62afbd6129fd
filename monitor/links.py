"""Links to the original posts, as the dashboard and the report show them (pure).

A collected URL is data from outside: only http(s) links become clickable, so a
``javascript:`` or ``data:`` URL in a feed never runs in a reader's browser or mail client.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["safe_url"]


def safe_url(url) -> str | None:
    """``url`` when it is an http(s) link with a host; None for anything else (javascript:,
    data:, text with spaces or control characters, a missing value)."""
    if not isinstance(url, str) or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in {"http", "https"} and parts.netloc else None
