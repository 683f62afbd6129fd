"""The effective labels of stored posts, as SQL expressions (SQLite and PostgreSQL).

A person's correction (``post_actions``) wins over the model's label (``analyses``). A
review of one or two stars that the model did not call negative still *needs an answer*:
the customer has said they are unhappy, even when the text reads as neutral ("the app
logs me out every day"). The response queue and the alert rules use :data:`NEEDS_ANSWER`;
the charts show the labels as they are.
"""

from __future__ import annotations

from sqlalchemy import Float, and_, cast, func, or_

from monitor.store.schema import analyses, post_actions, posts

MAX_UNHAPPY_STARS = 2

SENTIMENT = func.coalesce(post_actions.c.corrected_sentiment, analyses.c.sentiment)
# a low-star review the model did not call negative (or has not read yet), unlabelled by a person
UNHAPPY_REVIEW = and_(
    posts.c.rating <= MAX_UNHAPPY_STARS,
    post_actions.c.corrected_sentiment.is_(None),
    func.coalesce(analyses.c.sentiment, "") != "negative",
)
NEEDS_ANSWER = or_(SENTIMENT == "negative", UNHAPPY_REVIEW)
# how sure the stars are that the customer is unhappy: 1 for one star, 0.5 for two
STARS_CONFIDENCE = (3.0 - cast(posts.c.rating, Float)) / 2.0

__all__ = ["MAX_UNHAPPY_STARS", "NEEDS_ANSWER", "SENTIMENT", "STARS_CONFIDENCE", "UNHAPPY_REVIEW"]
