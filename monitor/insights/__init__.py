"""The dashboard's query layer: figures from the store as pandas DataFrames.

Every function takes a SQLAlchemy ``Engine`` (``Store.engine``) and a
:class:`Filters`; the dashboard calls nothing else to read data. Conventions:

- Effective labels: a person's correction (``post_actions``) wins over the model's
  label (``analyses``), in every figure and filter.
- Cross-posts count once: posts with ``duplicate_of`` set are left out of the
  figures; the response queue shows them inside their story.
- Net sentiment = (P − N) / (P + N) × 100, from −100 to +100, where P and N are
  the positive and negative posts (neutral ones do not move it).
- Aggregation happens in SQL (GROUP BY time bucket); time buckets are UTC.
- Response-queue urgency: see :mod:`monitor.insights.queue`; authors who complain again:
  :mod:`monitor.insights.authors`.
"""

from monitor.insights.authors import repeat_complainers
from monitor.insights.base import PENDING, UNKNOWN_LANG, Filters, net_sentiment
from monitor.insights.categories import (
    categorized_posts,
    category_breakdown,
    complaint_categories,
    complaint_trend,
    weekly_categories,
)
from monitor.insights.export import EXPORT_LIMIT, posts_csv
from monitor.insights.live import (
    REST,
    Options,
    alerts_raised,
    breakdown,
    data_range,
    data_version,
    default_filters,
    emotion_mix,
    filter_options,
    latest_posts,
    net_sentiment_series,
    period_counts,
    posts_by_id,
    sentiment_series,
    totals,
    volume,
)
from monitor.insights.queue import group_stories, response_queue, response_times
from monitor.insights.weekly import (
    calendar_weeks,
    most_read_negative,
    negative_themes,
    share_of_voice,
    sov_brands,
    week_over_week,
    week_start_for,
    week_windows,
    weekly_counts,
    weekly_emotions,
    weekly_ratings,
)

__all__ = [
    "EXPORT_LIMIT",
    "PENDING",
    "REST",
    "UNKNOWN_LANG",
    "Filters",
    "Options",
    "alerts_raised",
    "breakdown",
    "categorized_posts",
    "category_breakdown",
    "complaint_categories",
    "complaint_trend",
    "data_range",
    "data_version",
    "default_filters",
    "emotion_mix",
    "filter_options",
    "group_stories",
    "latest_posts",
    "most_read_negative",
    "negative_themes",
    "net_sentiment",
    "net_sentiment_series",
    "period_counts",
    "posts_by_id",
    "posts_csv",
    "repeat_complainers",
    "response_queue",
    "response_times",
    "sentiment_series",
    "share_of_voice",
    "sov_brands",
    "totals",
    "volume",
    "week_over_week",
    "calendar_weeks",
    "week_start_for",
    "week_windows",
    "weekly_categories",
    "weekly_counts",
    "weekly_emotions",
    "weekly_ratings",
]
