"""Which collected URLs become clickable links (dashboard and report)."""

from __future__ import annotations

import math

import pytest

from monitor.links import safe_url


@pytest.mark.parametrize("url", ["https://example.com/p/1", "http://example.com/a?b=c#d"])
def test_http_and_https_links_are_kept(url):
    assert safe_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "javascript://example.com/%0Aalert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "JaVaScRiPt:alert(1)",
        "https://exa mple.com/",  # spaces would let a mail client cut the link elsewhere
        "https://example.com/\nx",
        "https:///no-host",
        "/relative/path",
        "",
        None,
        math.nan,  # a missing URL among present ones, as pandas reads it
    ],
)
def test_anything_else_is_no_link(url):
    assert safe_url(url) is None
