"""RFC 2822 dates ("Fri, 01 Mar 2024 10:00:00 CET") with the zone names European and
Latin American feeds and exports write.

Python's ``email.utils`` and feedparser know only the North American zone names (EST,
PDT…) and read any other name as UTC: a Spanish feed's "10:00:00 CET" would be stored an
hour late (two in summer, "CEST"). Names that mean one offset only are mapped here; an
ambiguous one (IST: India or Ireland) is left to the parsers.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime

ZONE_OFFSETS = {
    "WET": "+0000",
    "WEST": "+0100",
    "CET": "+0100",
    "CEST": "+0200",
    "MET": "+0100",
    "MEST": "+0200",
    "EET": "+0200",
    "EEST": "+0300",
    "BST": "+0100",
    "MSK": "+0300",
    "ART": "-0300",
    "BRT": "-0300",
    "UYT": "-0300",
    "CLT": "-0400",
    "CLST": "-0300",
    "VET": "-0400",
    "BOT": "-0400",
    "PYT": "-0400",
    "COT": "-0500",
    "PET": "-0500",
    "ECT": "-0500",
    "JST": "+0900",
    "KST": "+0900",
    "HKT": "+0800",
    "SGT": "+0800",
    "AEST": "+1000",
    "AEDT": "+1100",
}
_TRAILING_ZONE = re.compile(r"\s([A-Za-z]{3,4})\s*$")


def with_zone_offset(value: str) -> str:
    """``value`` with a trailing zone name from :data:`ZONE_OFFSETS` written as its
    offset ("… 10:00:00 CET" -> "… 10:00:00 +0100"); anything else unchanged."""
    found = _TRAILING_ZONE.search(value)
    offset = ZONE_OFFSETS.get(found.group(1).upper()) if found else None
    return value[: found.start(1)] + offset if found and offset else value


def parse_rfc2822(value: str) -> datetime | None:
    """An RFC 2822 date, its zone name understood (see the module); None if unreadable."""
    try:
        return parsedate_to_datetime(with_zone_offset(value.strip()))
    except (TypeError, ValueError, IndexError):
        return None


def named_zone_date(value: str | None) -> datetime | None:
    """The date, when ``value`` ends with one of the zone names the standard parsers
    misread; None otherwise (the parsers' own reading stands)."""
    if not value or with_zone_offset(value.strip()) == value.strip():
        return None
    return parse_rfc2822(value)


__all__ = ["ZONE_OFFSETS", "named_zone_date", "parse_rfc2822", "with_zone_offset"]
