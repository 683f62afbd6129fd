"""What the store derives from its tables, as SQL expressions (SQLite and PostgreSQL),
shared by the dashboard's queries (``monitor.insights``) and the alert counts
(``monitor.alerts.stats``), so that both read a post the same way.

A person's correction (``post_actions``) wins over the model's label (``analyses``). A
review of one or two stars that the model did not call negative still *needs an answer*:
the customer has said they are unhappy, even when the text reads as neutral ("the app
logs me out every day"). The response queue and the alert rules use :data:`NEEDS_ANSWER`;
the charts show the labels as they are.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Float, and_, case, cast, func, literal, or_, true

from monitor.authors import Untracked
from monitor.store.schema import analyses, post_actions, posts

MAX_UNHAPPY_STARS = 2

# every post with its analysis and the team's actions on it (either may be missing)
JOINED = posts.outerjoin(analyses, analyses.c.post_id == posts.c.id).outerjoin(
    post_actions, post_actions.c.post_id == posts.c.id
)
SENTIMENT = func.coalesce(post_actions.c.corrected_sentiment, analyses.c.sentiment)
EMOTION = func.coalesce(post_actions.c.corrected_emotion, analyses.c.emotion)
# the probability behind the effective sentiment (1.0 once a person set it)
SENTIMENT_CONF = case(
    (post_actions.c.corrected_sentiment.is_not(None), literal(1.0)),
    else_=analyses.c.sentiment_conf,
)
# a low-star review the model did not call negative (or has not read yet), unlabelled by a person
UNHAPPY_REVIEW = and_(
    posts.c.rating <= MAX_UNHAPPY_STARS,
    post_actions.c.corrected_sentiment.is_(None),
    func.coalesce(analyses.c.sentiment, "") != "negative",
)
NEEDS_ANSWER = or_(SENTIMENT == "negative", UNHAPPY_REVIEW)
# nobody has marked the post handled yet (assigned or annotated posts are still open)
NOT_HANDLED = func.coalesce(post_actions.c.status, "open") != "handled"
# how sure we are that a post that needs an answer is negative: a person's label (1), the
# stars of an unhappy review ((3 - stars) / 2: 1 for one star, 0.5 for two), or the model
NEGATIVE_CONFIDENCE = case(
    (UNHAPPY_REVIEW, (3.0 - cast(posts.c.rating, Float)) / 2.0),
    else_=cast(SENTIMENT_CONF, Float),
)
# the probability of anger (1 or 0 once a person set the emotion)
ANGER = case(
    (post_actions.c.corrected_emotion == "anger", literal(1.0)),
    (post_actions.c.corrected_emotion.is_not(None), literal(0.0)),
    else_=func.coalesce(analyses.c.emotion_probs["anger"].as_float(), literal(0.0)),
)
_READS = func.coalesce(posts.c.reach, 0)
_INTERACTIONS = 10 * func.coalesce(posts.c.engagement, 0)
# readers where the source reports reach, else 10 reads per interaction (as PostStat.audience)
AUDIENCE = case((_READS > _INTERACTIONS, _READS), else_=_INTERACTIONS)


def author_tracked(untracked: Untracked) -> ColumnElement[bool]:
    """True where a post's author is followed for repeat complaints (:mod:`monitor.authors`):
    its source and its channel are not ``untracked``. A channel matches as written or in
    lower case (the database's ``lower``: A-Z on SQLite)."""
    conditions = []
    if untracked.sources:
        conditions.append(posts.c.source.not_in(untracked.sources))
    if untracked.channels:
        lowered = sorted({c.lower() for c in untracked.channels})
        named = or_(
            posts.c.channel.in_(untracked.channels), func.lower(posts.c.channel).in_(lowered)
        )
        conditions.append(or_(posts.c.channel.is_(None), ~named))
    return and_(true(), *conditions)


__all__ = [
    "ANGER",
    "AUDIENCE",
    "EMOTION",
    "JOINED",
    "MAX_UNHAPPY_STARS",
    "NEEDS_ANSWER",
    "NEGATIVE_CONFIDENCE",
    "NOT_HANDLED",
    "SENTIMENT",
    "SENTIMENT_CONF",
    "UNHAPPY_REVIEW",
    "author_tracked",
]
