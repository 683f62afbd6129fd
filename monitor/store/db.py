"""The Store: every read and write of the pipeline goes through here.

All timestamps are stored and returned as timezone-aware UTC.
Writes that belong together (a source's new posts and its fetch state) commit
in one transaction, so a process killed mid-batch leaves either all of it or
none of it, and the next run re-fetches what was lost.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from monitor.authors import AuthorKey, Complaint, is_somebody
from monitor.errors import StoreError
from monitor.store import migrate
from monitor.store.derived import JOINED, NEEDS_ANSWER
from monitor.store.schema import (
    analyses,
    post_actions,
    post_categories,
    posts,
    source_runs,
    sources,
)
from monitor.types import Analysis, FetchState, Post, SourceRun

log = logging.getLogger(__name__)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetime (SQLite hands back naive values)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class SourceHealth:
    name: str
    kind: str
    last_run_at: datetime | None
    last_success_at: datetime | None
    last_new_posts: int
    total_posts: int
    consecutive_failures: int
    last_error: str | None
    last_error_at: datetime | None
    successful_runs: int = 0
    fetched_total: int = 0  # items the successful runs read, before brand matching
    matched_total: int = 0  # ... and those that mentioned a brand
    undated_posts: int = 0  # stored at the time they were collected: the source gave no date

    @property
    def empty_reason(self) -> str | None:
        """Why a working source has never stored a post, when it has run enough to say:
        ``"nothing_fetched"`` (every run came back empty: a wrong address, app id or
        query looks like this) or ``"nothing_matched"`` (items came, none mentioned a
        brand: the brand's names or languages may be too narrow); None otherwise."""
        if (
            self.total_posts
            or self.consecutive_failures
            or self.successful_runs < MIN_RUNS_TO_JUDGE
        ):
            return None
        if not self.fetched_total:
            return "nothing_fetched"
        return "nothing_matched" if not self.matched_total else None


def posted_at(published: datetime | None, collected: datetime) -> datetime:
    """When a post counts as posted: its published time, else when it was collected; never
    later than collected (a wrong clock or time zone at the source must not put a post in
    the future, where it would end every dashboard period). ``published_at`` keeps the
    source's own value."""
    return collected if published is None else min(utc(published), utc(collected))


MIN_RUNS_TO_JUDGE = 2  # successful runs before an empty source is called out
REMOVED_TEXTS = frozenset({"", "[deleted]", "[removed]"})


def json_safe(value: Any) -> Any:
    """``value`` as every database's JSON can hold it: a date or other object becomes its
    text, NaN and infinity null, NUL characters (PostgreSQL refuses them) are dropped, so
    that one odd column in an export never costs the batch."""
    if isinstance(value, Mapping):
        return {_no_nul(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int):
        return value
    return _no_nul(str(value))


def _no_nul(value: str | None) -> str | None:
    """PostgreSQL refuses NUL characters in text: one in an export cell must not cost
    the batch."""
    return value.replace("\x00", "") if value else value


# in a post's extra, the id a collector gave the same item before (not stored): a stored
# post with that id and the same text is this post (sources/files.py, shared-url rows)
PREVIOUS_ID = "previous_id"
MAX_COUNT = 2**31 - 1  # posts.reach and posts.engagement are 32-bit integers


def fit_to_columns(p: Post) -> Post:
    """The post as the posts table can hold it, so that one odd value (a 600-character
    feed id, twenty authors in one cell, a count of 1.5E+19, a language written out)
    does not cost the whole batch: an id longer than its column becomes a stable digest
    (ids stay unique, and the same item maps to the same id on every run), a long author
    name is cut, a language tag longer than its column is dropped (the language is then
    unknown), counts are capped at the column's maximum."""
    changes: dict[str, Any] = {}
    if len(p.external_id) > _width("external_id"):
        changes["external_id"] = "sha1:" + hashlib.sha1(p.external_id.encode()).hexdigest()
    if p.author and len(p.author) > _width("author"):
        changes["author"] = p.author[: _width("author") - 1] + "…"
    if p.lang and len(p.lang) > _width("lang"):
        changes["lang"] = None
    for name in ("reach", "engagement"):
        value = getattr(p, name)
        if value is not None and abs(value) > MAX_COUNT:
            changes[name] = MAX_COUNT if value > 0 else -MAX_COUNT
    return replace(p, **changes) if changes else p


def _width(column: str) -> int:
    return posts.c[column].type.length


Firsts = dict[str | None, int]  # author (None: nobody) -> their first post of a text
SYNDICATED_WORDS = 30  # a text this long, the same word for word, is one story: a copy


def _author_key(author: str | None) -> str | None:
    return author if is_somebody(author) else None


class _Written(NamedTuple):
    """What ``copy_of`` reads of a post: a stored copy's author and text."""

    author: str | None
    text: str


def copy_of(p: Post | _Written, firsts: Firsts) -> int | None:
    """The stored post that ``p`` is a copy of (the same text about the same brand), if any.

    A cross-post of one person's complaint, or a text nobody in particular signs, is a
    copy of the first post with that text. Short texts by different people are not: three
    customers writing "@Movistela no tengo internet desde esta mañana" are three unhappy
    customers, the first sign of an outage. A long text repeated word for word (an agency
    story run by several outlets) is one story whoever signs it."""
    if not firsts:
        return None
    author = _author_key(p.author)
    if author is None or len(p.text.split()) >= SYNDICATED_WORDS:
        return min(firsts.values())
    same = [first for who, first in firsts.items() if who in (author, None)]
    return min(same, default=None)


def _placement(p: Post) -> dict[str, Any]:
    """The channel and the collector's other fields, as the posts table keeps them."""
    channel = _no_nul(p.channel)
    extra = {k: v for k, v in (p.extra or {}).items() if k != PREVIOUS_ID}
    return {"channel": channel[:200] if channel else None, "extra": json_safe(extra) or None}


def is_edit(post: Post, stored_hash: str, stored_rating: int | None) -> bool:
    """Whether a re-collected post changed at its source: new text, or new stars. A post
    deleted or removed there keeps what was stored (Reddit shows "[deleted]" as a comment's
    text; a submission whose body is gone comes back as its title alone, with
    ``extra["removed"]`` set by the collector)."""
    if post.text.strip() in REMOVED_TEXTS or (post.extra or {}).get("removed"):
        return False
    return post.content_hash != stored_hash or (
        post.rating is not None and post.rating != stored_rating
    )


def readable_text(title: str | None, text: str) -> str:
    """What the classifier and the categories read: the title, when the text lacks it, and
    the text."""
    return text if not title or title in text else f"{title}\n{text}"


def categories_by_post(conn, ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The categories of these posts (ids absent: in none), read 500 ids at a time."""
    out: dict[int, tuple[str, ...]] = {}
    for chunk in _chunks(sorted({int(i) for i in ids})):
        q = (
            select(post_categories.c.post_id, post_categories.c.category)
            .where(post_categories.c.post_id.in_(chunk))
            .order_by(post_categories.c.post_id, post_categories.c.category)
        )
        for pid, category in conn.execute(q):
            out[pid] = (*out.get(pid, ()), category)
    return out


def complaints_by(
    conn, keys: Iterable[AuthorKey], since: datetime, until: datetime, *where
) -> list[Complaint]:
    """Every complaint (a post that needs an answer; cross-posts once) of these (brand,
    source, author) in [since, until), as (post id, key, posted_at); ``where``: more
    conditions over :data:`~monitor.store.derived.JOINED`. Nobody's keys are dropped."""
    wanted = {k for k in keys if is_somebody(k[2])}
    out: list[Complaint] = []
    for brand in sorted({k[0] for k in wanted}):
        authors = sorted({a for b, _, a in wanted if b == brand})
        for chunk in _chunks(authors):
            q = (
                select(posts.c.id, posts.c.source, posts.c.author, posts.c.posted_at)
                .select_from(JOINED)
                .where(
                    posts.c.brand == brand,
                    posts.c.author.in_(chunk),
                    posts.c.posted_at >= since,
                    posts.c.posted_at < until,
                    posts.c.duplicate_of.is_(None),
                    NEEDS_ANSWER,
                    *where,
                )
            )
            for pid, source, author, at in conn.execute(q):
                if (brand, source, author) in wanted:
                    out.append((pid, (brand, source, author), utc(at)))
    return out


StoredRow = tuple[int, str, int | None, str | None]  # id, content_hash, rating, channel


def _stored_by_id(conn, external_ids: Iterable[str]) -> dict[tuple[str, str, str], StoredRow]:
    """The stored posts with these external ids, by (source, external id, brand)."""
    out: dict[tuple[str, str, str], StoredRow] = {}
    for chunk in _chunks(sorted(set(external_ids))):
        rows = conn.execute(
            select(
                posts.c.source,
                posts.c.external_id,
                posts.c.brand,
                posts.c.id,
                posts.c.content_hash,
                posts.c.rating,
                posts.c.channel,
            ).where(posts.c.external_id.in_(chunk))
        )
        out |= {tuple(r[:3]): tuple(r[3:]) for r in rows}
    return out


def _chunks(values: Sequence, size: int = 500) -> Iterable[Sequence[str]]:
    """Slices small enough for one ``IN (...)`` list on every database."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def sqlite_file_missing(url: str) -> bool:
    """True for a SQLite URL whose file does not exist (connecting would create it)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return False
    return not Path(url[len("sqlite:///") :]).exists()


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as e:
        raise StoreError(
            f"invalid database URL: {e}",
            hint="e.g. sqlite:///monitor.db or postgresql://user@host/db",
        ) from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """Database access for the pipeline, the CLI and the dashboard."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        store = cls(make_engine(url))
        if migrate_schema:
            store.migrate()
        return store

    def migrate(self) -> None:
        try:
            with self.engine.begin() as conn:
                migrate.upgrade(conn)
        except SQLAlchemyError as e:
            raise StoreError(
                f"cannot open or migrate the database: {str(e).splitlines()[0]}",
                hint="check database_url / MONITOR_DATABASE_URL and that the server is running",
            ) from e

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _insert_ignore(self, table):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).on_conflict_do_nothing()
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(table).on_conflict_do_nothing()
        return insert(table).prefix_with("IGNORE")

    # ---- sources --------------------------------------------------------

    def source_state(self, name: str) -> FetchState:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.name == name)).mappings().first()
        if row is None:
            return FetchState()
        return FetchState(row["etag"], row["last_modified"], row["cursor"])

    def _ensure_source(self, conn, name: str, kind: str) -> None:
        conn.execute(
            self._insert_ignore(sources).values(
                name=name, kind=kind, consecutive_failures=0, last_new_posts=0
            )
        )

    def save_collection(
        self, run: SourceRun, kind: str, new: Sequence[Post], state: FetchState | None
    ) -> int:
        """Store a source's matched posts, its run record and its next fetch state, atomically.

        Returns how many posts were new (already-stored items are skipped).
        """
        try:
            with self.engine.begin() as conn:
                self._ensure_source(conn, run.source, kind)
                added = self._add_posts(conn, new, run.finished)
                ok = run.error is None
                values: dict = {"last_run_at": run.finished}
                if ok:
                    values |= {
                        "last_success_at": run.finished,
                        "consecutive_failures": 0,
                        "last_new_posts": added,
                    }
                    if state is not None:
                        values |= {
                            "etag": state.etag,
                            "last_modified": state.last_modified,
                            "cursor": state.cursor,
                        }
                else:
                    values |= {
                        "last_error": run.error,
                        "last_error_at": run.finished,
                        "consecutive_failures": sources.c.consecutive_failures + 1,
                        "last_new_posts": added,
                    }
                conn.execute(update(sources).where(sources.c.name == run.source).values(**values))
                conn.execute(
                    insert(source_runs).values(
                        source=run.source,
                        started_at=run.started,
                        finished_at=run.finished,
                        fetched=run.fetched,
                        matched=run.matched,
                        new_posts=added,
                        not_modified=run.not_modified,
                        error=run.error,
                    )
                )
            return added
        except SQLAlchemyError as e:
            raise StoreError(
                f"could not save posts of {run.source}: {str(e).splitlines()[0]}"
            ) from e

    def _add_posts(self, conn, items: Sequence[Post], now: datetime) -> int:
        """Insert the posts not stored yet; returns how many. Stored ones whose text or
        stars changed since (an edited review or post) are updated in place instead, and
        posts stored under a former id take their new one (``_adopt_former_ids``)."""
        if not items:
            return 0
        fitted = [fit_to_columns(p) for p in items]
        # ids the same post may be stored under from before: a long id as it came (SQLite
        # never enforced the column's width), and the id an import row had before
        formers = [
            (f, p.external_id, False)
            for p, f in zip(items, fitted, strict=True)
            if f.external_id != p.external_id
        ]
        formers += [
            (p, (p.extra or {})[PREVIOUS_ID], True)
            for p in fitted
            if (p.extra or {}).get(PREVIOUS_ID) not in (None, p.external_id)
        ]
        items = fitted
        keys = {(p.source, p.external_id, p.brand) for p in items}
        stored = {
            k: row
            for k, row in _stored_by_id(conn, {p.external_id for p in items}).items()
            if k in keys
        }
        self._adopt_former_ids(conn, formers, stored)
        fresh: dict[tuple, Post] = {}
        edits: dict[int, tuple[Post, int | None]] = {}
        placed: dict[int, Post] = {}  # stored without a channel, which this copy names
        for p in items:
            key = (p.source, p.external_id, p.brand)
            if key in stored:
                post_id, old_hash, old_rating, old_channel = stored[key]
                if post_id not in edits and is_edit(p, old_hash, old_rating):
                    edits[post_id] = (p, old_rating)
                elif old_channel is None and p.channel:
                    placed[post_id] = p
            elif key not in fresh:
                fresh[key] = p
        self._apply_edits(conn, edits, now)
        for post_id, p in placed.items():  # posts stored before channels were kept
            conn.execute(update(posts).where(posts.c.id == post_id).values(**_placement(p)))
        if not fresh:
            return 0
        originals = self._firsts_by_hash(conn, fresh.values())
        added = 0
        for p in fresh.values():
            # a review is one person's verdict: two identical short reviews ("Excelente",
            # 5 stars) are two opinions, not a cross-post, so reviews are never linked
            group = originals.setdefault((p.brand, p.content_hash), {})
            first = None if p.rating is not None else copy_of(p, group)
            result = conn.execute(
                self._insert_ignore(posts).values(
                    source=p.source,
                    external_id=p.external_id,
                    brand=p.brand,
                    text=p.text,
                    title=p.title,
                    url=_no_nul(p.url),
                    author=_no_nul(p.author),
                    lang=p.lang,
                    content_hash=p.content_hash,
                    duplicate_of=first,
                    published_at=p.published,
                    collected_at=now,
                    posted_at=posted_at(p.published, now),
                    reach=p.reach,
                    engagement=p.engagement,
                    rating=p.rating,
                    **_placement(p),
                )
            )
            if result.rowcount:
                added += 1
                if first is None and p.rating is None and result.inserted_primary_key:
                    group.setdefault(_author_key(p.author), result.inserted_primary_key[0])
        return added

    @staticmethod
    def _adopt_former_ids(
        conn, formers: Sequence[tuple[Post, str, bool]], stored: dict[tuple, StoredRow]
    ) -> None:
        """Posts not stored under their id but under a former one (``formers``: the post,
        its former id, and whether the stored text must be the same) take their id now, so
        that they are not stored twice and the next run finds them directly. Adopted rows
        are added to ``stored``."""
        wanted = [f for f in formers if (f[0].source, f[0].external_id, f[0].brand) not in stored]
        found = _stored_by_id(conn, {old for _, old, _ in wanted})
        for p, old, same_text in wanted:
            key, old_key = (p.source, p.external_id, p.brand), (p.source, old, p.brand)
            row = found.get(old_key)
            if key in stored or row is None or (same_text and row[1] != p.content_hash):
                continue
            conn.execute(update(posts).where(posts.c.id == row[0]).values(external_id=key[1]))
            stored[key] = found.pop(old_key)

    def _apply_edits(self, conn, edits: dict[int, tuple[Post, int | None]], now: datetime) -> None:
        """New text and stars for edited posts; their analysis is dropped so that the next
        classify run reads the new text (a human correction in post_actions stays)."""
        for post_id, (p, old_rating) in edits.items():
            values = {
                "text": p.text,
                "title": p.title,
                "content_hash": p.content_hash,
                "duplicate_of": None,  # the new text is this post's own
                "edited_at": now,
                "categorized_with": None,  # its categories are found again from the new text
                **{k: v for k, v in _placement(p).items() if v is not None},
            }
            if p.rating is not None and p.rating != old_rating:  # no stars: keep the stored
                values["rating"] = p.rating
                values["previous_rating"] = old_rating
            conn.execute(update(posts).where(posts.c.id == post_id).values(**values))
            self._relink_copies(conn, post_id)
        for chunk in _chunks(list(edits)):
            conn.execute(delete(analyses).where(analyses.c.post_id.in_(chunk)))
        if edits:
            log.info("%d stored posts were edited at their source: updated", len(edits))

    @staticmethod
    def _relink_copies(conn, post_id: int) -> None:
        """Cross-posted copies of a post whose text changed still carry the old text: they
        are linked again among themselves by the insert rule (``copy_of``), in the order
        they were stored, so the old story still counts once and different people's short
        complaints stay apart, as if the copies had been inserted fresh."""
        copies = conn.execute(
            select(posts.c.id, posts.c.author, posts.c.text)
            .where(posts.c.duplicate_of == post_id)
            .order_by(posts.c.id)
        ).all()
        firsts: Firsts = {}
        links: dict[int | None, list[int]] = {}
        for copy_id, author, text in copies:
            first = copy_of(_Written(author, text), firsts)
            links.setdefault(first, []).append(copy_id)
            if first is None:
                firsts.setdefault(_author_key(author), copy_id)
        for first, ids in links.items():
            for chunk in _chunks(ids):
                conn.execute(update(posts).where(posts.c.id.in_(chunk)).values(duplicate_of=first))

    def _firsts_by_hash(self, conn, items: Iterable[Post]) -> dict[tuple[str, str], Firsts]:
        """For each (brand, content hash) of ``items``: the first stored post of each
        author with that text (None: nobody in particular)."""
        wanted = {(p.brand, p.content_hash) for p in items}
        hashes = list({h for _, h in wanted})
        out: dict[tuple[str, str], Firsts] = {}
        for chunk in _chunks(hashes):
            rows = conn.execute(
                select(posts.c.brand, posts.c.content_hash, posts.c.author, func.min(posts.c.id))
                .where(posts.c.content_hash.in_(chunk))
                .group_by(posts.c.brand, posts.c.content_hash, posts.c.author)
            )
            for b, h, author, first in rows:
                if (b, h) in wanted:
                    group = out.setdefault((b, h), {})
                    key = _author_key(author)
                    group[key] = min(first, group.get(key, first))
        return out

    def source_health(self) -> list[SourceHealth]:
        totals = select(posts.c.source, func.count().label("n")).group_by(posts.c.source).subquery()
        # by brand first, so that the count reads the small partial index ix_posts_undated
        # (grouped by source alone, SQLite walks every post of the source index instead)
        by_brand = (
            select(posts.c.brand, posts.c.source, func.count().label("n"))
            .where(posts.c.published_at.is_(None))
            .group_by(posts.c.brand, posts.c.source)
            .subquery()
        )
        undated = (
            select(by_brand.c.source, func.sum(by_brand.c.n).label("n"))
            .group_by(by_brand.c.source)
            .subquery()
        )
        ok = source_runs.c.error.is_(None)
        runs = (
            select(
                source_runs.c.source,
                func.count().label("runs"),
                func.coalesce(func.sum(source_runs.c.fetched), 0).label("fetched"),
                func.coalesce(func.sum(source_runs.c.matched), 0).label("matched"),
            )
            .where(ok, source_runs.c.not_modified.is_(False))
            .group_by(source_runs.c.source)
            .subquery()
        )
        q = (
            select(
                sources,
                func.coalesce(totals.c.n, 0).label("total"),
                func.coalesce(runs.c.runs, 0).label("runs"),
                func.coalesce(runs.c.fetched, 0).label("fetched"),
                func.coalesce(runs.c.matched, 0).label("matched"),
                func.coalesce(undated.c.n, 0).label("undated"),
            )
            .outerjoin(totals, totals.c.source == sources.c.name)
            .outerjoin(undated, undated.c.source == sources.c.name)
            .outerjoin(runs, runs.c.source == sources.c.name)
            .order_by(sources.c.name)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return [
            SourceHealth(
                r["name"],
                r["kind"],
                utc(r["last_run_at"]),
                utc(r["last_success_at"]),
                r["last_new_posts"],
                r["total"],
                r["consecutive_failures"],
                r["last_error"],
                utc(r["last_error_at"]),
                int(r["runs"]),
                int(r["fetched"]),
                int(r["matched"]),
                int(r["undated"]),
            )
            for r in rows
        ]

    # ---- classification -------------------------------------------------

    def unclassified(self, limit: int) -> list[tuple[int, str]]:
        q = (
            select(posts.c.id, posts.c.title, posts.c.text)
            .outerjoin(analyses, analyses.c.post_id == posts.c.id)
            .where(analyses.c.post_id.is_(None))
            .order_by(posts.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [(i, readable_text(title, text)) for i, title, text in rows]

    # ---- categories (what a post is about) ---------------------------------

    @contextmanager
    def _reading(self, what: str):
        """A connection whose database errors become StoreError naming ``what``."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as e:
            raise StoreError(f"cannot read {what}: {str(e).splitlines()[0]}") from e

    @staticmethod
    def _not_categorized_with(rules: str):
        """Posts never categorised, or by other rules (written so that the index on
        categorized_with serves it: two ranges and the NULLs)."""
        c = posts.c.categorized_with
        return or_(c.is_(None), c < rules, c > rules)

    def uncategorized(self, rules: str, limit: int) -> list[tuple[int, str, str | None, str]]:
        """(post id, title and text, language, content hash) of posts not categorised by
        ``rules`` yet; the hash goes back to :meth:`save_categories`."""
        q = (
            select(posts.c.id, posts.c.title, posts.c.text, posts.c.lang, posts.c.content_hash)
            .where(self._not_categorized_with(rules))
            .order_by(posts.c.id)
            .limit(limit)
        )
        with self._reading("posts to categorise") as conn:
            rows = conn.execute(q).all()
        return [(i, readable_text(title, text), lang, h) for i, title, text, lang, h in rows]

    def count_uncategorized(self, rules: str) -> int:
        q = select(func.count()).select_from(posts).where(self._not_categorized_with(rules))
        with self._reading("posts to categorise") as conn:
            return int(conn.execute(q).scalar_one())

    def count_in_a_category(self) -> int:
        """Posts that are in at least one category."""
        q = select(func.count(func.distinct(post_categories.c.post_id)))
        with self._reading("categories") as conn:
            return int(conn.execute(q).scalar_one())

    def save_categories(self, results: Sequence[tuple[int, str, Sequence[str]]], rules: str) -> int:
        """Replace the categories of these posts (post id, the content hash read with the
        text, categories) in one transaction, and mark them as categorised by ``rules``.

        A post whose text was edited since it was read keeps waiting (its hash no longer
        matches): the next run reads the new text."""
        ids = [pid for pid, _, _ in results]
        rows = [
            {"post_id": pid, "category": c} for pid, _, cats in results for c in dict.fromkeys(cats)
        ]
        mark = (
            update(posts)
            .where(posts.c.id == bindparam("b_id"), posts.c.content_hash == bindparam("b_hash"))
            .values(categorized_with=rules)
        )
        try:
            with self.engine.begin() as conn:
                for chunk in _chunks(ids):
                    conn.execute(
                        delete(post_categories).where(post_categories.c.post_id.in_(chunk))
                    )
                if rows:
                    # ignore rows a second categoriser (monitor classify beside monitor run on
                    # PostgreSQL) committed since our delete: they say the same
                    conn.execute(self._insert_ignore(post_categories), rows)
                if results:
                    conn.execute(mark, [{"b_id": pid, "b_hash": h} for pid, h, _ in results])
        except SQLAlchemyError as e:
            raise StoreError(f"could not save categories: {str(e).splitlines()[0]}") from e
        return len(ids)

    def rated_sentiments(self) -> list[tuple[int, str]]:
        """(stars, the classifier's sentiment) of every classified review."""
        q = (
            select(posts.c.rating, analyses.c.sentiment)
            .join(analyses, analyses.c.post_id == posts.c.id)
            .where(posts.c.rating.is_not(None))
        )
        with self.engine.connect() as conn:
            return [(int(r), s) for r, s in conn.execute(q).all()]

    def count_unclassified(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> int:
        """Posts awaiting classification; posted in [``since``, ``until``) when given."""
        within = []
        if since is not None:
            within.append(posts.c.posted_at >= since)
        if until is not None:
            within.append(posts.c.posted_at < until)
        q = (
            select(func.count())
            .select_from(posts.outerjoin(analyses, analyses.c.post_id == posts.c.id))
            .where(analyses.c.post_id.is_(None), *within)
        )
        with self._reading("posts awaiting classification") as conn:
            return int(conn.execute(q).scalar_one())

    def save_analyses(self, results: Sequence[tuple[int, Analysis]], now: datetime) -> int:
        rows = [
            {
                "post_id": pid,
                "sentiment": a.sentiment.label,
                "sentiment_conf": a.sentiment.confidence,
                "sentiment_probs": dict(a.sentiment.probas),
                "emotion": a.emotion.label,
                "emotion_conf": a.emotion.confidence,
                "emotion_probs": dict(a.emotion.probas),
                "model_version": a.model_version,
                "note": a.note,
                "analyzed_at": now,
            }
            for pid, a in results
        ]
        if not rows:
            return 0
        try:
            with self.engine.begin() as conn:
                conn.execute(self._insert_ignore(analyses), rows)
        except SQLAlchemyError as e:
            raise StoreError(f"could not save analyses: {str(e).splitlines()[0]}") from e
        return len(rows)

    # ---- people's actions on posts ----------------------------------------

    def update_action(self, post_id: int, now: datetime, **changes) -> None:
        """Assign, annotate, mark handled, or correct labels of one post."""
        allowed = {
            "status",
            "assignee",
            "note",
            "corrected_sentiment",
            "corrected_emotion",
            "corrected_by",
        }
        bad = set(changes) - allowed
        if bad:
            raise StoreError(f"unknown post action fields {sorted(bad)}")
        with self.engine.begin() as conn:
            if conn.execute(select(posts.c.id).where(posts.c.id == post_id)).first() is None:
                raise StoreError(f"no post with id {post_id}")
            conn.execute(
                self._insert_ignore(post_actions).values(
                    post_id=post_id, status="open", updated_at=now
                )
            )
            current = (
                conn.execute(select(post_actions).where(post_actions.c.post_id == post_id))
                .mappings()
                .one()
            )
            values = dict(changes, updated_at=now)
            responded = changes.get("status") in {"assigned", "handled"} or changes.get("note")
            if responded and current["first_response_at"] is None:
                values["first_response_at"] = now
            if changes.get("status") == "handled":
                values["handled_at"] = now
            conn.execute(
                update(post_actions).where(post_actions.c.post_id == post_id).values(**values)
            )

    def post_count(self, brand: str | None = None) -> int:
        q = select(func.count()).select_from(posts)
        if brand:
            q = q.where(and_(posts.c.brand == brand))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())
