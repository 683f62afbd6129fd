"""Customers who complain again: pure counting, and the queue and list on real stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from dashdata import COLLECTED, D2, END

from monitor import insights
from monitor.authors import Untracked, history_since, is_somebody, ordinal, repeat_factor
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


def test_earlier_days_are_counted_over_whole_days():
    # every post of one day gets the same count; a weekly complainer keeps counting up to
    # the days inside the window
    weekly = [(i, "Acme", "tw", "ana", T + timedelta(days=7 * i, hours=i % 5)) for i in range(30)]
    counts = earlier_complaints(_frame(weekly), _frame(weekly)).tolist()
    assert counts[:13] == list(range(13)) and set(counts[12:]) == {12}  # 12 weeks in 90 days
    late = _frame([(99, "Acme", "tw", "ana", T + timedelta(days=1, hours=11))])  # 23:00
    early = _frame([(98, "Acme", "tw", "ana", T + timedelta(days=1, hours=-11))])  # 01:00
    history = _frame([(1, "Acme", "tw", "ana", T)])
    assert (
        earlier_complaints(late, history).tolist()
        == earlier_complaints(early, history).tolist()
        == [1]
    )


def test_complaints_on_one_day_are_one_occasion():
    hours = [0, 0, 1, 23, 30, 60]  # from 12:00: day 0, day 0, day 0, day 1, day 1, day 3
    history = _frame(
        [(i, "Acme", "tw", "ana", T + timedelta(hours=h)) for i, h in enumerate(hours)]
    )
    assert earlier_complaints(history, history).tolist() == [0, 0, 0, 1, 1, 2]


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


def test_a_source_whose_authors_are_not_followed_has_no_repeats(filled):
    engine, ids = filled.store.engine, filled.ids
    _same_author(engine, ids, "pepe", "neg2", "xss")  # both on tw
    tw, fb = Untracked.of(sources=["tw"]), Untracked.of(sources=["fb"])
    q = insights.response_queue(engine, ACME, untracked=tw).set_index("post_id")
    assert (q["earlier_complaints"] == 0).all()
    assert repeat_complainers(engine, ACME, untracked=tw).empty
    assert not repeat_complainers(engine, ACME, untracked=fb).empty


def test_posts_in_an_untracked_channel_are_nobodys_complaints(filled):
    engine, ids = filled.store.engine, filled.ids
    _same_author(engine, ids, "pepe", "neg2", "xss")  # both on tw
    with engine.begin() as conn:  # an export's news row and a forum row
        conn.execute(posts.update().where(posts.c.id == ids["xss"]).values(channel="News"))
        conn.execute(posts.update().where(posts.c.id == ids["neg2"]).values(channel="forum"))
    news = Untracked.of(channels=["news"])  # case ignored
    q = insights.response_queue(engine, ACME, untracked=news).set_index("post_id")
    assert (q["earlier_complaints"] == 0).all()
    assert repeat_complainers(engine, ACME, untracked=news).empty
    once = repeat_complainers(engine, ACME, min_occasions=1, untracked=news).set_index("author")
    assert once.at["pepe", "complaints"] == 1 and once.at["pepe", "last_post_id"] == ids["neg2"]
    elsewhere = Untracked.of(channels=["blogs"])  # other channels are followed
    q = insights.response_queue(engine, ACME, untracked=elsewhere).set_index("post_id")
    assert q.at[ids["xss"], "earlier_complaints"] == 1
    assert repeat_complainers(engine, ACME, untracked=elsewhere)["author"].tolist() == ["pepe"]


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
    assert found[
        ["brand", "source", "author", "occasions", "complaints", "open"]
    ].values.tolist() == [["Acme", "tw", "pepe", 2, 2, 2]]
    assert found.at[0, "last_post_id"] == ids["xss"]  # their latest complaint
    assert found.at[0, "first_at"] < found.at[0, "last_at"]
    store.update_action(ids["xss"], COLLECTED, status="handled")
    assert repeat_complainers(engine, ACME).at[0, "open"] == 1
    # the filters pick who complained in the period (xss is in English); their complaints
    # then count whole, as the queue counts them (neg2 is in Spanish)
    assert repeat_complainers(engine, ACME.replace(languages=("en",)))["complaints"].tolist() == [2]
    assert repeat_complainers(engine, ACME.replace(languages=("fr",))).empty
    assert repeat_complainers(engine, ACME, min_occasions=3).empty


def test_a_thread_on_one_day_is_not_a_repeat_complaint(filled):
    engine, ids = filled.store.engine, filled.ids
    with engine.begin() as conn:  # neg1c moves to tw: two complaints by pepe 5 minutes apart
        conn.execute(posts.update().where(posts.c.id == ids["neg1c"]).values(source="tw"))
        conn.execute(posts.update().where(posts.c.id == ids["neg1c"]).values(duplicate_of=None))
    _same_author(engine, ids, "pepe", "neg1", "neg1c")
    assert repeat_complainers(engine, ACME).empty  # one occasion
    pepe = repeat_complainers(engine, ACME, min_occasions=1).set_index("author").loc["pepe"]
    assert (pepe["occasions"], pepe["complaints"]) == (1, 2)


def test_the_list_holds_authors_who_complained_in_the_period_counting_90_days(filled):
    engine, ids = filled.store.engine, filled.ids
    _same_author(engine, ids, "pepe", "neg2", "xss")  # END - 36 h, END - 9 h
    last_day = repeat_complainers(engine, ACME.replace(start=END - timedelta(hours=24)))
    assert last_day["complaints"].tolist() == [2]  # xss in the period, neg2 before it
    assert repeat_complainers(engine, ACME.replace(start=END - timedelta(hours=6))).empty


def test_a_cross_post_at_the_same_source_is_not_its_own_earlier_complaint(filled):
    engine, ids = filled.store.engine, filled.ids
    with engine.begin() as conn:  # neg1c: the same text by the same person, 5 min later
        conn.execute(posts.update().where(posts.c.id == ids["neg1c"]).values(source="tw"))
    _same_author(engine, ids, "pepe", "neg1", "neg1c")
    q = insights.response_queue(engine, ACME).set_index("post_id")
    assert q.at[ids["neg1c"], "duplicate_of"] == ids["neg1"]
    assert q.at[ids["neg1c"], "earlier_complaints"] == 0


def test_a_repeat_complaint_below_the_cut_is_weighed_before_the_cut(filled):
    engine, ids = filled.store.engine, filled.ids
    raw = insights.response_queue(engine, ACME).set_index("post_id")["urgency"]
    ranked = raw.sort_values(ascending=False).index.tolist()
    assert ranked[:3] == [ids["xss"], ids["neg1"], ids["neg1c"]]
    assert 2 * raw[ids["neg1c"]] > raw[ids["xss"]]  # doubled, the third would come first
    # neg1c (on fb) becomes pepe's third complaint there, on a third day
    with engine.begin() as conn:
        for days, key in ((5, "pos1"), (3, "neu1")):
            conn.execute(
                posts.update()
                .where(posts.c.id == ids[key])
                .values(posted_at=D2 - timedelta(days=days), rating=1, source="fb")
            )
    _same_author(engine, ids, "pepe", "neg1c", "pos1", "neu1")
    top = insights.response_queue(engine, ACME, limit=1)  # read past the cut, then weighed
    assert top["post_id"].tolist() == [ids["neg1c"]]
    assert top.at[0, "earlier_complaints"] == 2
    assert top.at[0, "urgency"] == pytest.approx(2 * raw[ids["neg1c"]])


def test_history_reaches_back_to_the_start_of_the_first_counted_day(filled):
    at = datetime(2026, 11, 19, 15, tzinfo=UTC)
    assert history_since(at) == datetime(2026, 8, 21, tzinfo=UTC)  # not 21 Aug 15:00
    engine, ids = filled.store.engine, filled.ids
    xss = insights.response_queue(engine, ACME).set_index("post_id").loc[ids["xss"]]
    assert xss["posted_at"] == pd.Timestamp(at)
    with engine.begin() as conn:  # a one-star review on the first counted day, at 10:00
        conn.execute(
            posts.update()
            .where(posts.c.id == ids["pos1"])
            .values(posted_at=datetime(2026, 8, 21, 10), rating=1, source="tw")
        )
    _same_author(engine, ids, "pepe", "pos1", "xss")
    last_hours = ACME.replace(start=END - timedelta(hours=10))  # xss is the queue's only post
    q = insights.response_queue(engine, last_hours).set_index("post_id")
    assert q.index.tolist() == [ids["xss"]] and q.at[ids["xss"], "earlier_complaints"] == 1
    # the list counts the days that card counts: the period ends at midnight, so its last
    # day is the 19th and the first counted day is still 21 August
    assert datetime(2026, 11, 20, tzinfo=UTC) == END
    listed = repeat_complainers(engine, last_hours)
    assert listed[["author", "occasions", "complaints"]].values.tolist() == [["pepe", 2, 2]]


def test_tied_repeat_complainers_come_in_the_same_order_on_every_database(store):
    # customers with as many days, complaints and as recent a last complaint as each other
    # (one of them about both brands): listed by brand, source and name, not in whatever
    # order the database's sort leaves ties (SQLite and PostgreSQL leave them differently)
    from dashdata import fill

    names = ["zoe", "mia", "leo", "ana", "teo", "eva"]
    rows = [
        (f"{name}-{brand}-{i}", "tw", brand, "es", when, f"{brand}: queja {i} de {name}", 5,
         "negative", 0.9, "anger", 0.8, 0.8)
        for name in names
        for brand in (("Rival", "Acme") if name == "leo" else ("Acme",))
        for i, when in enumerate((D2, D2 + timedelta(hours=20)))
    ]  # fmt: skip
    ids = fill(store, rows)
    with store.engine.begin() as conn:
        for key, post_id in ids.items():
            conn.execute(
                posts.update().where(posts.c.id == post_id).values(author=key.split("-")[0])
            )
    found = repeat_complainers(store.engine, ACME.replace(brands=()))
    expected = sorted([("Acme", "tw", n) for n in names] + [("Rival", "tw", "leo")])
    assert list(zip(found["brand"], found["source"], found["author"], strict=True)) == expected
    behind = insights.posts_by_id(store.engine, found["last_post_id"].tolist())
    # the same audience and time: the newest post first, then by id
    assert behind["post_id"].tolist() == sorted(found["last_post_id"], reverse=True)
    # so the weekly report's most-read complaints are the same posts on every database
    top = insights.most_read_negative(store.engine, ACME.replace(brands=()), limit=3)
    assert top["post_id"].tolist() == sorted(found["last_post_id"], reverse=True)[:3]
