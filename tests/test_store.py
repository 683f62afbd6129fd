from datetime import timedelta

import pytest
from sqlalchemy import inspect, select

from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.migrate import current_revision
from monitor.store.schema import post_actions, posts
from monitor.types import Analysis, FetchState, Post, Prediction, SourceRun
from tests.conftest import T0


def post(ext_id, text="Movistela me cobró dos veces", brand="Movistela", source="feed", h=None):
    return Post(
        source, ext_id, brand, text, h or f"hash-{text}", "es", url=f"https://example.com/{ext_id}"
    )


def run(source="feed", error=None):
    return SourceRun(source, T0, T0 + timedelta(seconds=2), fetched=3, matched=3, error=error)


def analysis(label="negative"):
    s = Prediction("sentiment", label, {"negative": 0.8, "neutral": 0.1, "positive": 0.1})
    e = Prediction("emotion", "anger", {"anger": 0.7, "other": 0.3})
    return Analysis(s, e, "test-model")


def test_migrations_create_schema_and_record_revision(store):
    names = set(inspect(store.engine).get_table_names())
    assert {
        "posts",
        "analyses",
        "sources",
        "source_runs",
        "post_actions",
        "alembic_version",
    } <= names
    with store.engine.connect() as conn:
        assert current_revision(conn) is not None
    store.migrate()  # idempotent


def test_the_migrations_build_exactly_the_schema_the_code_declares(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from monitor.store.schema import metadata

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []  # e.g. a column added to schema.py without a migration


def test_same_item_twice_is_stored_once(store):
    assert (
        store.save_collection(
            run(), "rss", [post("a"), post("b", text="otra cosa")], FetchState("e1")
        )
        == 2
    )
    assert (
        store.save_collection(
            run(), "rss", [post("a"), post("b", text="otra cosa")], FetchState("e2")
        )
        == 0
    )
    assert store.post_count() == 2
    assert store.source_state("feed").etag == "e2"


def test_channel_and_the_collectors_other_fields_are_kept(store):
    from dataclasses import replace
    from datetime import datetime

    odd = {"likes": "12", "when": datetime(2026, 11, 1), "score": float("nan"), "n\x00": "a\x00b"}
    stored = replace(post("a"), channel="twitter", extra=odd)
    store.save_collection(run(), "file", [stored, post("b", text="otra")], None)

    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.external_id, posts.c.channel, posts.c.extra)).all()
    assert sorted(rows) == [
        ("a", "twitter", {"likes": "12", "when": "2026-11-01 00:00:00", "score": None, "n": "ab"}),
        ("b", None, None),
    ]
    with store.engine.connect() as conn:  # no fields: SQL NULL, not the JSON text 'null'
        assert conn.execute(select(posts.c.id).where(posts.c.extra.is_(None))).all() != []


def test_a_post_stored_before_channels_were_kept_gets_its_channel_when_collected_again(store):
    from dataclasses import replace

    store.save_collection(run(), "reddit", [post("a"), post("b", text="otra")], None)
    again = [
        replace(post("a"), channel="r/spain\x00", extra={"score": 3}),
        replace(post("b", text="otra, editada"), channel="r/mexico"),  # an edit
    ]
    store.save_collection(run(), "reddit", again, None)
    store.save_collection(run(), "reddit", [replace(post("a"), channel="r/other")], None)

    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.external_id, posts.c.channel, posts.c.extra)).all()
    assert sorted(rows) == [("a", "r/spain", {"score": 3}), ("b", "r/mexico", None)]


def test_cross_posted_text_is_marked_duplicate(store):
    store.save_collection(run("a"), "rss", [post("1", source="a", h="same")], None)
    store.save_collection(run("b"), "rss", [post("9", source="b", h="same")], None)
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.id, posts.c.duplicate_of).order_by(posts.c.id)).all()
    assert rows[0].duplicate_of is None
    assert rows[1].duplicate_of == rows[0].id


def test_the_same_short_complaint_from_different_people_counts_for_each(store):
    from dataclasses import replace

    chorus = "@Movistela no tengo internet desde esta mañana"

    def by(ext, author, text=chorus, source="a"):
        return replace(post(ext, text=text, source=source, h=text[:30]), author=author)

    story = " ".join(["Movistela anuncia una subida de tarifas para todos sus clientes"] * 3)
    store.save_collection(run("a"), "rss", [by("1", "ana"), by("2", "luis")], None)
    items = [
        by("3", "eva", source="b"),  # a third customer
        by("4", "ana", source="b"),  # ana again, at another source: her cross-post
        by("5", None, source="b"),  # nobody in particular: a copy
        by("6", "efe", story, source="b"),
        by("7", "europa_press", story, source="b"),  # the same agency story at another outlet
    ]
    store.save_collection(run("b"), "rss", items, None)
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.external_id, posts.c.id, posts.c.duplicate_of)).all()
    ids = {ext: pid for ext, pid, _ in rows}
    links = {ext: dup for ext, _, dup in rows}
    assert links == {
        "1": None,
        "2": None,
        "3": None,
        "4": ids["1"],
        "5": ids["1"],
        "6": None,
        "7": ids["6"],
    }


def test_failed_run_keeps_state_and_counts_failures(store):
    store.save_collection(run(), "rss", [post("a")], FetchState("good-etag"))
    store.save_collection(run(error="HTTP 500"), "rss", [], None)
    store.save_collection(run(error="HTTP 500"), "rss", [], None)
    (health,) = store.source_health()
    assert health.consecutive_failures == 2
    assert health.last_error == "HTTP 500"
    assert health.total_posts == 1
    assert store.source_state("feed").etag == "good-etag"


def test_source_health_counts_each_sources_undated_posts_over_every_brand(store):
    from dataclasses import replace

    dated = replace(post("c"), published=T0 - timedelta(days=1))
    store.save_collection(run(), "rss", [post("a"), post("b", brand="Telvia"), dated], None)
    store.save_collection(run("other"), "rss", [post("d", source="other")], None)
    health = {h.name: h for h in store.source_health()}
    assert (health["feed"].total_posts, health["feed"].undated_posts) == (3, 2)
    assert health["other"].undated_posts == 1


def test_a_working_source_that_never_stores_a_post_says_why(store):
    def collect(fetched, matched, error=None):
        r = SourceRun("feed", T0, T0, fetched=fetched, matched=matched, error=error)
        store.save_collection(r, "rss", [], None)
        (health,) = store.source_health()
        return health

    assert collect(0, 0).empty_reason is None  # one run is too early to tell
    assert collect(0, 0, error="HTTP 500").empty_reason is None  # failing: said elsewhere
    assert collect(0, 0).empty_reason == "nothing_fetched"  # e.g. a wrong app id
    assert collect(25, 0).empty_reason == "nothing_matched"  # e.g. a misspelt brand
    store.save_collection(run(), "rss", [post("a")], None)
    (health,) = store.source_health()
    assert health.empty_reason is None and health.successful_runs == 4


def test_unclassified_then_analyses_saved_once(store):
    store.save_collection(run(), "rss", [post("a"), post("b", text="hola Movistela")], None)
    pending = store.unclassified(10)
    assert len(pending) == 2 and store.count_unclassified() == 2
    store.save_analyses([(pending[0][0], analysis())], T0)
    store.save_analyses(
        [(pending[0][0], analysis("positive"))], T0
    )  # re-run after a crash: ignored
    assert store.count_unclassified() == 1


def test_reviews_keep_their_stars_and_are_checked_against_the_classifier(store):
    from dataclasses import replace

    from monitor.classify.metrics import agreement_with_stars

    reviews = [
        replace(post(str(i), text=f"opinión {i}"), rating=r) for i, r in enumerate((1, 5, 3))
    ]
    store.save_collection(run(), "file", [*reviews, post("plain")], None)
    ids = dict((text, pid) for pid, text in store.unclassified(10))
    store.save_analyses([(ids["opinión 0"], analysis("negative"))], T0)
    store.save_analyses([(ids["opinión 1"], analysis("negative"))], T0)  # 5 stars: disagrees
    store.save_analyses([(ids["Movistela me cobró dos veces"], analysis("negative"))], T0)
    pairs = sorted(store.rated_sentiments())  # the unclassified 3-star review is not counted
    assert pairs == [(1, "negative"), (5, "negative")]
    check = agreement_with_stars(pairs)
    assert check["n"] == 2 and check["accuracy"] == 0.5
    assert agreement_with_stars([]) is None


def test_identical_reviews_are_two_opinions_not_a_cross_post(store):
    from dataclasses import replace

    same = [replace(post(i, text="Excelente"), rating=5) for i in ("r1", "r2")]
    store.save_collection(run(), "appstore", [*same, post("p1"), post("p2")], None)
    with store.engine.connect() as conn:
        rows = dict(conn.execute(select(posts.c.external_id, posts.c.duplicate_of)).all())
    assert rows["r1"] is None and rows["r2"] is None  # both reviews count
    assert rows["p1"] is None and rows["p2"] is not None  # posts still link their copies


def test_an_edited_review_is_updated_and_classified_again(store):
    from dataclasses import replace

    angry = replace(post("r1", text="Me cobraron dos veces"), rating=1)
    other = replace(post("r2", text="Bien"), rating=4)
    store.save_collection(run(), "appstore", [angry, other], None)
    ids = dict((text, pid) for pid, text in store.unclassified(10))
    store.save_analyses([(pid, analysis()) for pid in ids.values()], T0)
    store.update_action(ids["Me cobraron dos veces"], T0, status="handled", assignee="ana")
    # the team answered; the customer rewrote the review and raised the stars
    happy = replace(post("r1", text="Me devolvieron el cargo. Gracias"), rating=5)
    edited_at = T0 + timedelta(days=1)
    later = SourceRun("feed", edited_at, edited_at, fetched=2, matched=2)
    assert store.save_collection(later, "appstore", [happy, other], None) == 0  # nothing new
    with store.engine.connect() as conn:
        row = conn.execute(select(posts).where(posts.c.external_id == "r1")).mappings().one()
        action = conn.execute(select(post_actions.c.status)).scalar_one()
    assert (row["text"], row["rating"], row["previous_rating"]) == (happy.text, 5, 1)
    assert row["content_hash"] == happy.content_hash
    assert row["edited_at"].replace(tzinfo=None) == edited_at.replace(tzinfo=None)
    assert action == "handled"  # the team's work on it is kept
    # only the edited review waits for the classifier again, with its new text
    assert store.unclassified(10) == [(ids["Me cobraron dos veces"], happy.text)]


def test_an_edit_that_arrives_without_stars_keeps_the_stored_stars(store):
    from dataclasses import replace

    store.save_collection(run(), "appstore", [replace(post("r1"), rating=2)], None)
    store.save_collection(run(), "appstore", [post("r1", text="Ya me lo han devuelto")], None)
    with store.engine.connect() as conn:
        row = conn.execute(select(posts)).mappings().one()
    assert row["text"] == "Ya me lo han devuelto"  # the edit landed
    assert (row["rating"], row["previous_rating"]) == (2, None)  # the stars did not vanish


def test_copies_of_an_edited_post_keep_counting_once(store):
    # the same complaint cross-posted three times; then the first one is edited
    store.save_collection(run(), "reddit", [post("a"), post("b"), post("c")], None)
    store.save_collection(run(), "reddit", [post("a", text="Resuelto, gracias")], None)
    with store.engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(select(posts))}
    assert rows["a"].duplicate_of is None and rows["a"].text == "Resuelto, gracias"
    assert rows["b"].duplicate_of is None  # the oldest copy now stands for the old text
    assert rows["c"].duplicate_of == rows["b"].id  # and the other copy points to it


def test_copies_of_an_edited_post_are_linked_again_by_the_insert_rule(store):
    from dataclasses import replace

    chorus = "@Movistela no tengo internet desde esta mañana"

    def by(ext, author, text=chorus):
        return replace(post(ext, text=text, h=text[:30]), author=author)

    # an item nobody signs, then two customers and ana again with the same short complaint
    items = [by("anon", None), by("ana", "ana"), by("luis", "luis"), by("ana2", "ana")]
    store.save_collection(run(), "rss", items, None)
    store.save_collection(
        run(), "rss", [by("anon", None, "Actualizado: servicio restablecido")], None
    )
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.external_id, posts.c.id, posts.c.duplicate_of)).all()
    ids = {ext: pid for ext, pid, _ in rows}
    links = {ext: dup for ext, _, dup in rows}
    # as if inserted fresh: ana and luis are two customers, ana2 is ana's cross-post
    assert links == {"anon": None, "ana": None, "luis": None, "ana2": ids["ana"]}


def test_a_post_dated_in_the_future_counts_as_posted_when_collected(store):
    from dataclasses import replace

    future = replace(post("f"), published=T0 + timedelta(days=200))
    store.save_collection(
        run(), "rss", [future, replace(post("p", text="ayer"), published=T0)], None
    )
    with store.engine.connect() as conn:
        rows = {r.external_id: r for r in conn.execute(select(posts))}
    collected = rows["f"].collected_at.replace(tzinfo=None)
    assert rows["f"].posted_at.replace(tzinfo=None) == collected  # not 200 days ahead
    assert rows["f"].published_at.replace(tzinfo=None) == (T0 + timedelta(days=200)).replace(
        tzinfo=None
    )  # the source's own value is kept
    assert rows["p"].posted_at.replace(tzinfo=None) == T0.replace(tzinfo=None)


def test_a_post_deleted_at_its_source_keeps_its_stored_text(store):
    from dataclasses import replace

    store.save_collection(run(), "reddit", [post("t3_a")], None)
    gone = replace(post("t3_a", text="[deleted]"), content_hash="hash-deleted")
    store.save_collection(run(), "reddit", [gone], None)
    with store.engine.connect() as conn:
        text, edited = conn.execute(select(posts.c.text, posts.c.edited_at)).one()
    assert text == "Movistela me cobró dos veces" and edited is None


def test_a_reddit_post_whose_body_was_removed_keeps_its_stored_text(store):
    from monitor.normalize import clean_text
    from monitor.query import BrandMatcher, match_posts
    from monitor.settings import BrandConfig
    from monitor.sources.reddit import parse_submission

    data = {
        "id": "abc",
        "title": "Movistela me ha cobrado dos veces",
        "selftext": "Llevo tres semanas llamando y nadie me devuelve los 59 euros.",
        "created_utc": 1_700_000_000,
    }
    matcher = BrandMatcher(BrandConfig("Movistela"))

    def collect(raw):
        (p,) = match_posts([raw], [matcher], lambda text: "es", clean_text)
        store.save_collection(run("reddit"), "reddit", [p], None)

    collect(parse_submission(data))
    ((pid, _),) = store.unclassified(1)
    store.save_analyses([(pid, analysis())], T0)
    collect(parse_submission({**data, "selftext": "[removed]"}))  # moderators removed it
    with store.engine.connect() as conn:
        text, edited = conn.execute(select(posts.c.text, posts.c.edited_at)).one()
    assert "59 euros" in text and edited is None
    assert store.count_unclassified() == 0  # its analysis is kept


def test_actions_record_first_response_and_corrections(store):
    store.save_collection(run(), "rss", [post("a")], None)
    ((pid, _),) = store.unclassified(1)
    store.update_action(pid, T0, status="assigned", assignee="ana")
    store.update_action(
        pid,
        T0 + timedelta(hours=1),
        status="handled",
        note="refund issued",
        corrected_emotion="sadness",
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(post_actions)).mappings().one()
    assert row["status"] == "handled" and row["assignee"] == "ana"
    assert row["corrected_emotion"] == "sadness"
    assert row["first_response_at"].replace(tzinfo=None) == T0.replace(tzinfo=None)
    with pytest.raises(StoreError):
        store.update_action(99999, T0, status="handled")


def test_bad_url_is_a_store_error():
    with pytest.raises(StoreError) as e:
        Store.open("postgresql://nobody@127.0.0.1:1/nothing")
    assert e.value.hint


# ---- categories ----------------------------------------------------------------


def _categories(store) -> dict[str, set[str]]:
    from monitor.store.schema import post_categories

    q = select(posts.c.external_id, post_categories.c.category).join(
        post_categories, post_categories.c.post_id == posts.c.id
    )
    with store.engine.connect() as conn:
        out: dict[str, set[str]] = {}
        for ext, category in conn.execute(q):
            out.setdefault(ext, set()).add(category)
    return out


def test_categories_are_saved_replaced_and_redone_when_the_rules_change(store):
    store.save_collection(
        run(), "rss", [post("a", "Me cobraron dos veces"), post("b", "Hola", h="h-b")], None
    )
    assert store.count_uncategorized("rules-1") == 2
    pending = store.uncategorized("rules-1", 10)
    assert [(text, lang) for _, text, lang, _ in pending] == [
        ("Me cobraron dos veces", "es"),
        ("Hola", "es"),
    ]
    read = {text: (pid, version) for pid, text, _, version in pending}
    (a, a_hash), (b, b_hash) = read["Me cobraron dos veces"], read["Hola"]
    store.save_categories(
        [(a, a_hash, ("billing", "support", "billing")), (b, b_hash, ())], "rules-1"
    )
    assert store.count_uncategorized("rules-1") == 0  # a post in no category is done too
    assert _categories(store) == {"a": {"billing", "support"}}
    assert store.count_in_a_category() == 1
    # new rules: every post waits again, and saving replaces what the old rules said
    assert store.count_uncategorized("rules-2") == 2
    assert store.count_uncategorized("rules-0") == 2  # sorts before: the index's other range
    store.save_categories([(a, a_hash, ("refunds",))], "rules-2")
    assert _categories(store) == {"a": {"refunds"}}
    assert [text for _, text, _, _ in store.uncategorized("rules-2", 10)] == ["Hola"]


def test_an_edited_post_is_categorised_again(store):
    store.save_collection(run(), "rss", [post("a", "Me cobraron dos veces")], None)
    ((pid, _, _, version),) = store.uncategorized("r", 10)
    store.save_categories([(pid, version, ("billing",))], "r")
    edited = post("a", "Ya me devolvieron el dinero")
    later = SourceRun("feed", T0 + timedelta(days=1), T0 + timedelta(days=1))
    store.save_collection(later, "rss", [edited], None)
    assert store.uncategorized("r", 10) == [(pid, edited.text, "es", edited.content_hash)]


def test_a_post_edited_while_it_was_being_categorised_waits_for_its_new_text(store):
    store.save_collection(run(), "rss", [post("a", "Me cobraron dos veces")], None)
    ((pid, _, _, version),) = store.uncategorized("r", 10)  # read the old text…
    edited = post("a", "El repartidor nunca llegó")
    later = SourceRun("feed", T0 + timedelta(days=1), T0 + timedelta(days=1))
    store.save_collection(later, "rss", [edited], None)  # …edited meanwhile…
    store.save_categories([(pid, version, ("billing",))], "r")  # …saved from the old text
    assert store.uncategorized("r", 10) == [(pid, edited.text, "es", edited.content_hash)]


def test_posts_stored_before_categories_existed_are_categorised_after_the_upgrade(tmp_path):
    from sqlalchemy import insert

    from monitor.store.db import make_engine
    from monitor.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        upgrade(conn, "0006")
        conn.execute(  # only columns that revision 0006 has
            insert(posts).values(
                source="feed",
                external_id="old",
                brand="Movistela",
                text="La factura llegó duplicada",
                content_hash="h",
                collected_at=T0,
                posted_at=T0,
            )
        )
    engine.dispose()
    store = Store.open(url)  # migrates to the newest revision
    try:
        assert [text for _, text, _, _ in store.uncategorized("any-rules", 10)] == [
            "La factura llegó duplicada"
        ]
    finally:
        store.close()


def test_a_post_stored_under_a_long_raw_id_is_found_under_its_digest(store, monkeypatch):
    import monitor.store.db as db

    long_id = "https://news.example.com/articulo?" + "utm=x&" * 100  # over 500 characters
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL enforces the width: such rows can only be SQLite's")
    # before ids were fitted to the column, SQLite stored the raw id
    monkeypatch.setattr(db, "fit_to_columns", lambda p: p)
    store.save_collection(run(), "rss", [post(long_id)], None)
    monkeypatch.undo()

    assert store.save_collection(run(), "rss", [post(long_id)], None) == 0
    assert store.post_count() == 1
    with store.engine.connect() as conn:
        stored = conn.execute(select(posts.c.external_id)).scalar_one()
    assert stored == db.fit_to_columns(post(long_id)).external_id  # found directly next time


def test_an_import_row_stored_under_its_pages_old_id_is_not_stored_again(store):
    from dataclasses import replace

    from monitor.sources.base import stable_id

    page = "https://www.trustpilot.com/review/movistela.es"
    old_id = stable_id(page)  # every row of the page was stored under this one id before
    store.save_collection(run(), "import", [post(old_id, text="Me cobra de más")], None)

    def row(ext, text):  # the same rows read today: ids of their own, the old one kept
        return replace(post(ext, text=text), extra={"previous_id": old_id, "likes": "3"})

    items = [row("r2", "No me da de baja"), row("r1", "Me cobra de más")]
    assert store.save_collection(run(), "import", items, None) == 1  # only the other row
    with store.engine.connect() as conn:
        rows = {r.text: r for r in conn.execute(select(posts))}
    assert rows["Me cobra de más"].external_id == "r1"  # adopted: found directly next time
    assert rows["No me da de baja"].extra == {"likes": "3"}  # the old id is not stored
