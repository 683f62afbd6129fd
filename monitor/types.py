"""Frozen value objects, named for their step in the flow.

``RawPost``  what a collector parsed from a payload (sources/*)
``Post``     a RawPost after clean-up, language id and brand matching (pipeline)
``Analysis`` one task's prediction for one text (classify/*)
``FetchState`` what the store keeps between runs of one source
``SourceRun`` the outcome of collecting one source once (pipeline -> store)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")
EMOTION_LABELS: tuple[str, ...] = (
    "anger",
    "disgust",
    "fear",
    "joy",
    "sadness",
    "surprise",
    "other",
)
TASK_LABELS: Mapping[str, tuple[str, ...]] = {
    "sentiment": SENTIMENT_LABELS,
    "emotion": EMOTION_LABELS,
}


@dataclass(frozen=True)
class RawPost:
    """A post as a collector found it. ``external_id`` is unique within ``source``."""

    source: str
    external_id: str
    text: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    lang: str | None = None  # the post's own language tag: trusted over detection
    reach: int | None = None
    engagement: int | None = None
    rating: int | None = None  # a review's stars, 1-5 (App Store, review exports)
    # where within the source it was published: "r/spain", a feed item's publisher, an
    # import row's own source ("twitter", "forum")
    channel: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # a language declared for the whole source rather than this post (an RSS channel's
    # <language>): used only when the text's own language cannot be told
    lang_hint: str | None = None


def source_and_channel(source: str, channel: str | None) -> str:
    """Where a post appeared, as people read it: "reddit · r/spain", or the bare source
    when it names no channel (``None``, "" or a missing value read by pandas)."""
    return f"{source} · {channel}" if isinstance(channel, str) and channel else source


@dataclass(frozen=True)
class Post:
    """A cleaned post that mentions ``brand``; ready to store."""

    source: str
    external_id: str
    brand: str
    text: str
    content_hash: str
    lang: str | None
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    reach: int | None = None
    engagement: int | None = None
    rating: int | None = None
    channel: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # what else the collector found


@dataclass(frozen=True)
class Prediction:
    """One task's answer for one text: ``label`` and calibrated ``probas``."""

    task: str
    label: str
    probas: Mapping[str, float]

    @property
    def confidence(self) -> float:
        return float(self.probas[self.label])


@dataclass(frozen=True)
class Analysis:
    """Sentiment and emotion for one text, with the model that produced them."""

    sentiment: Prediction
    emotion: Prediction
    model_version: str
    note: str | None = None  # e.g. "truncated to 256 tokens", "no text"


@dataclass(frozen=True)
class FetchState:
    """What the store remembers between runs for one source.

    ``etag`` and ``last_modified`` are the HTTP validators of the last 200 response
    (RSS). ``cursor`` is opaque to everyone but the source that wrote it: Reddit keeps
    the newest ``created_utc`` seen, as integer seconds in a string (and that of the newest
    comment read, after a space).
    """

    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class SourceRun:
    """What happened when one source was collected once."""

    source: str
    started: datetime
    finished: datetime
    fetched: int = 0
    matched: int = 0
    new_posts: int = 0
    error: str | None = None
    not_modified: bool = False
    left_out: tuple[tuple[str, int], ...] = ()  # (reason, items) for items matching no brand


__all__ = [
    "EMOTION_LABELS",
    "SENTIMENT_LABELS",
    "TASK_LABELS",
    "Analysis",
    "FetchState",
    "Post",
    "Prediction",
    "RawPost",
    "SourceRun",
]
