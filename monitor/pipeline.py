"""Orchestration only: fetch -> clean/match -> store, and score what is unscored.

It calls the parts in order and decides nothing itself: matching lives in
``query``, clean-up in ``normalize``, persistence in ``store``. One failing
source is recorded (``monitor status`` shows it) and never stops the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime

from monitor.categories import Categorizer
from monitor.errors import MonitorError
from monitor.langid import language_detector
from monitor.normalize import clean_text
from monitor.query import BrandMatcher, match_posts
from monitor.settings import Settings, SourceConfig
from monitor.sources import Source, make_source
from monitor.store import Store
from monitor.types import FetchState, SourceRun

log = logging.getLogger(__name__)
SOURCE_FAILED = "source %s failed: %s"  # the log line of a failed collection
GAP_POSSIBLE = (
    "source %s: all %d items read were new and its last page was full: older new items "
    "may have been missed (read more pages, e.g. an App Store source's pages = 10, or "
    "collect more often)"
)
Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        source_factory: Callable[[SourceConfig], Source] | None = None,
        classifier_factory: Callable[[], object] | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._source_factory = source_factory or (lambda c: make_source(c.name, c.kind, c.params))
        self._classifier_factory = classifier_factory
        self._classifier = None
        self._sources: dict[str, Source] = {}
        self._matchers = {b.name: BrandMatcher(b) for b in settings.brands}
        self._detect_language = language_detector(settings.watched_languages)
        self._categorizer: Categorizer | None = None

    # ---- collection -----------------------------------------------------

    def source(self, cfg: SourceConfig) -> Source:
        """The collector for ``cfg``, built once and kept (praw's rate limiter lives in it)."""
        if cfg.name not in self._sources:
            self._sources[cfg.name] = self._source_factory(cfg)
        return self._sources[cfg.name]

    def matchers_for(self, cfg: SourceConfig) -> list[BrandMatcher]:
        if not cfg.brands:
            return list(self._matchers.values())
        return [self._matchers[b] for b in cfg.brands if b in self._matchers]

    def collect(self, names: Iterable[str] | None = None) -> list[SourceRun]:
        wanted = set(names) if names else None
        runs = []
        for cfg in self.settings.sources:
            if wanted is None or cfg.name in wanted:
                runs.append(self.collect_source(cfg))
        return runs

    def collect_source(self, cfg: SourceConfig) -> SourceRun:
        started = self.clock()
        state: FetchState = self.store.source_state(cfg.name)
        try:
            result = self.source(cfg).fetch(state)
        except MonitorError as e:
            message = e.message + (f" (hint: {e.hint})" if e.hint else "")
            log.warning(SOURCE_FAILED, cfg.name, message)
            return self._record_failure(cfg, SourceRun(cfg.name, started, started), message)
        except Exception as e:  # a bug in one collector must not stop the others
            log.exception("source %s crashed", cfg.name)
            failed = SourceRun(cfg.name, started, started)
            return self._record_failure(cfg, failed, f"unexpected error: {e!r}")
        for warning in result.warnings:
            log.warning("source %s: %s", cfg.name, warning)
        left_out: Counter = Counter()
        posts = match_posts(
            result.posts,
            self.matchers_for(cfg),
            self._detect_language,
            clean_text,
            assume_mentioned=cfg.about_brand,
            left_out=left_out,
        )
        finished = self.clock()
        run = SourceRun(
            cfg.name,
            started,
            finished,
            fetched=len(result.posts),
            matched=len(posts),
            not_modified=result.not_modified,
        )
        try:
            new = self.store.save_collection(run, cfg.kind, posts, result.state)
        except Exception as e:  # one source's batch must not stop the others
            return self._failed_save(cfg, run, e)
        if result.pages_full and posts and new == len(posts):
            log.warning(GAP_POSSIBLE, cfg.name, new)
        run = SourceRun(
            cfg.name,
            started,
            finished,
            len(result.posts),
            len(posts),
            new,
            None,
            result.not_modified,
            tuple(left_out.most_common()),
        )
        log.info(
            "source %s: fetched %d, matched %d, new %d", cfg.name, run.fetched, run.matched, new
        )
        return run

    def _failed_save(self, cfg: SourceConfig, run: SourceRun, error: Exception) -> SourceRun:
        """A batch the store refused (rolled back whole, fetch state included, so the next
        run fetches it again): recorded as the source's failure, and the other sources
        are still collected. When the failure cannot be recorded either, the store
        itself is down: that error is raised."""
        message = error.message if isinstance(error, MonitorError) else repr(error)
        log.error("source %s: its posts could not be stored: %s", cfg.name, message)
        return self._record_failure(cfg, run, message)

    def _record_failure(self, cfg: SourceConfig, run: SourceRun, message: str) -> SourceRun:
        """Store ``run`` (its counts kept) as a failed collection of ``cfg``, ending now:
        no posts, and the fetch state left as it was."""
        failed = replace(run, finished=self.clock(), new_posts=0, error=message)
        self.store.save_collection(failed, cfg.kind, [], None)
        return failed

    # ---- classification -------------------------------------------------

    @property
    def classifier(self):
        if self._classifier is None:
            if self._classifier_factory is None:
                raise MonitorError("no classifier configured")
            self._classifier = self._classifier_factory()
        return self._classifier

    def classify_pending(
        self,
        batch_size: int = 256,
        limit: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Score unscored posts in batches; each batch commits on its own."""
        total = self.store.count_unclassified()
        if limit is not None:
            total = min(total, limit)

        def score(batch) -> None:
            analyses = self.classifier.predict([text for _, text in batch])
            self.store.save_analyses(
                [(pid, a) for (pid, _), a in zip(batch, analyses, strict=True)], self.clock()
            )

        return _in_batches(total, batch_size, self.store.unclassified, score, progress)

    # ---- categories -----------------------------------------------------

    @property
    def categorizer(self) -> Categorizer:
        if self._categorizer is None:
            self._categorizer = Categorizer(self.settings.categories)
        return self._categorizer

    def categorize_pending(
        self, batch_size: int = 2000, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Put posts that the current rules have not read yet into their categories
        (all posts again after the rules change); each batch commits on its own."""
        rules = self.settings.categories.fingerprint
        total = self.store.count_uncategorized(rules)

        def categorize(batch) -> None:
            found = [
                (pid, version, self.categorizer.categorize(text, lang))
                for pid, text, lang, version in batch
            ]
            self.store.save_categories(found, rules)

        return _in_batches(
            total,
            batch_size,
            lambda size: self.store.uncategorized(rules, size),
            categorize,
            progress,
        )


def _in_batches(
    total: int,
    batch_size: int,
    fetch: Callable[[int], list],
    handle: Callable[[list], None],
    progress: Callable[[int, int], None] | None,
) -> int:
    """Fetch up to ``total`` items ``batch_size`` at a time and handle each batch (which
    commits on its own), reporting progress; stops early when nothing is left."""
    done = 0
    while done < total:
        batch = fetch(min(batch_size, total - done))
        if not batch:
            break
        handle(batch)
        done += len(batch)
        if progress:
            progress(done, total)
    return done
