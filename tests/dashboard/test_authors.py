"""Customers who complain again: pure counting, and the queue and list on real stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from dashdata import COLLECTED, END

from monitor import insights
from monitor.authors import is_somebody, ordinal, repeat_factor
from monitor.insights import Filters
from monitor.insights.authors import earlier_complaints, repeat_complainers
from monitor.store.schema import posts

ACME = Filters(brands=("Acme",), start=END - timedelta(days=7), end=END)
T = datetime(2026, 11, 20, 12, tzinfo=UTC)


def test_placeholder_and_missing_names_are_nobody():
    assert is_somebody("maria_88")
    for name in (None, "", "  ", "[deleted]", "Anonymous", "Anónimo", "A Google user", 3):
        assert not is_somebody(name), name


def test_ordinals():
    assert [ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
    ]  # fmt: skip
    assert ordinal(3, "es") == "3.ª"


def test_the_repeat_factor_grows_with_earlier_complaints_and_stops_at_two():
    assert [repeat_factor(n) for n in (0, 1, 2, 5, -1)] == [1.0, 1.5, 2.0, 2.0, 1.0]


def _frame(rows):
    return pd.DataFrame(rows, columns=["post_id", "brand", "source", "author", "posted_at"])


def test_earlier_complaints_count_the_same_author_brand_and_source_within_90_days():
    history = _frame(
        [
            (1, "Acme", "tw", "ana", T - timedelta(days=92)),  # too old for both
            (2, "Acme", "tw", "ana", T - timedelta(days=30)),
            (3, "Acme", "tw", "ana", T - timedelta(days=1)),
            (4, "Acme", "fb", "ana", T - timedelta(days=1)),  # another source: another person
            (5, "Rival", "tw", "ana", T - timedelta(days=1)),  # about another brand
            (6, "Acme", "tw", "ana", T),  # the post itself
            (7, "Acme", "tw", "[deleted]", T - timedelta(days=1)),
        ]
    )
    rows = _frame(
        [
            (6, "Acme", "tw", "ana", T),
            (3, "Acme", "tw", "ana", T - timedelta(days=1)),
            (8, "Acme", "tw", "[deleted]", T),
            (9, "Acme", "tw", "luis", T),
        ]
    )
    assert earlier_complaints(rows, history).tolist() == [2, 1, 0, 0]


def test_posts_at_the_same_moment_count_in_id_order():
    history = _frame([(1, "Acme", "tw", "ana", T), (2, "Acme", "tw", "ana", T)])
    assert earlier_complaints(history, history).tolist() == [0, 1]


def _same_author(engine, ids, author, *keys):
    with engine.begin() as conn:
        conn.execute(
            posts.update().where(posts.c.id.in_([ids[k] for k in keys])).values(author=author)
        )


def test_a_second_complaint_weighs_more_in_the_queue(filled):
    engine, ids = filled.store.engine, filled.ids
    before = insights.response_queue(engine, ACME).set_index("post_id")
    assert (before["earlier_complaints"] == 0).all()
    _same_author(engine, ids, "pepe", "neg2", "xss")  # neg2 (D-2) then xss (D-1), both on tw
    after = insights.response_queue(engine, ACME).set_index("post_id")
    assert after.at[ids["xss"], "earlier_complaints"] == 1
    assert after.at[ids["xss"], "urgency"] == pytest.approx(before.at[ids["xss"], "urgency"] * 1.5)
    assert after.at[ids["neg2"], "earlier_complaints"] == 0  # the first one is not weighed
    assert after.at[ids["neg2"], "urgency"] == pytest.approx(before.at[ids["neg2"], "urgency"])


def test_the_same_name_at_another_source_or_a_placeholder_is_not_a_repeat(filled):
    engine, ids = filled.store.engine, filled.ids
    _same_author(engine, ids, "pepe", "neg1c", "xss")  # fb and tw: not the same person
    _same_author(engine, ids, "[deleted]", "neg1", "neg2")
    q = insights.response_queue(engine, ACME)
    assert (q["earlier_complaints"] == 0).all()
    assert repeat_complainers(engine, ACME).empty


def test_repeat_complainers_list_who_complained_again_and_what_is_still_open(filled):
    store, ids = filled.store, filled.ids
    engine = store.engine
    _same_author(engine, ids, "pepe", "neg2", "xss", "pos1")  # pos1 is not a complaint
    found = repeat_complainers(engine, ACME)
    assert found[["brand", "source", "author", "complaints", "open"]].values.tolist() == [
        ["Acme", "tw", "pepe", 2, 2]
    ]
    assert found.at[0, "last_post_id"] == ids["xss"]  # their latest complaint
    assert found.at[0, "first_at"] < found.at[0, "last_at"]
    store.update_action(ids["xss"], COLLECTED, status="handled")
    assert repeat_complainers(engine, ACME).at[0, "open"] == 1
    # the filters apply: in English only one of the two complaints is left
    assert repeat_complainers(engine, ACME.replace(languages=("en",))).empty
    assert repeat_complainers(engine, ACME, min_complaints=3).empty


def test_the_list_holds_authors_who_complained_in_the_period_counting_90_days(filled):
    engine, ids = filled.store.engine, filled.ids
    _same_author(engine, ids, "pepe", "neg2", "xss")  # END - 36 h, END - 9 h
    last_day = repeat_complainers(engine, ACME.replace(start=END - timedelta(hours=24)))
    assert last_day["complaints"].tolist() == [2]  # xss in the period, neg2 before it
    assert repeat_complainers(engine, ACME.replace(start=END - timedelta(hours=6))).empty
