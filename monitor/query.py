"""Pure brand matching: whole words, case- and accent-insensitive, aliases,
quoted phrases, context terms, exclusions and a language filter.

German umlauts match their written-out spelling both ways ('Müller' finds 'Mueller', and
'Mueller' finds 'Müller'): a term is searched in the folded text and, when the text has
umlauts, in its folded form with them written out (:func:`monitor.normalize.fold_umlauts`);
an umlaut in a term also matches its vowel followed by "e". Words that merely contain
"ae", "oe" or "ue" ('blue', 'poet') still only match terms spelt that way.

    matcher = BrandMatcher(brand_config)
    matcher.matches("Telefónica me cobró dos veces", lang="es")  -> True

Standard library only (the language is identified elsewhere and passed in).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from monitor.langid import primary_language
from monitor.normalize import content_hash, search_spellings, spellings, umlaut_pattern
from monitor.settings import BrandConfig
from monitor.types import Post, RawPost


def _term_pattern(term: str) -> str:
    """Regex for one term: quoted or multi-word terms are phrases; whole words only.

    A brand name also matches as a hashtag or handle ('#movistela', '@movistela').
    """
    term = term.strip()
    if len(term) >= 2 and term[0] == term[-1] == '"':
        term = term[1:-1]
    # each umlaut also matches its vowel with or without an "e" ('Müller' -> mue?ller)
    words = [umlaut_pattern(w) for w in term.split()]
    if not words:
        raise ValueError("empty term")
    body = r"\s+".join(words)
    return rf"(?<!\w){body}(?!\w)"


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = [_term_pattern(t) for t in terms if t.strip()]
    return re.compile("|".join(parts)) if parts else None


NOT_MENTIONED = "brand not mentioned"


@dataclass(frozen=True)
class MatchResult:
    matched: bool
    reason: str


class BrandMatcher:
    """Decides whether a text mentions one brand, and why not when it does not."""

    def __init__(self, brand: BrandConfig) -> None:
        self.brand = brand
        self._any = compile_terms(brand.terms)
        self._include = compile_terms(brand.include)
        self._exclude = compile_terms(brand.exclude)
        self._languages = {primary_language(lang) for lang in brand.languages} - {None}

    def explain(
        self, text: str, lang: str | None = None, *, assume_mentioned: bool = False
    ) -> MatchResult:
        # the text as folded, and with its umlauts written out if it has any
        forms = spellings(text)
        if not assume_mentioned:
            if not search_spellings(self._any, forms):
                return MatchResult(False, NOT_MENTIONED)
            if self._include is not None and not search_spellings(self._include, forms):
                return MatchResult(False, "no context term")
        if hit := search_spellings(self._exclude, forms):
            return MatchResult(False, f"excluded term {hit.group(0)!r}")
        # a text too short or too mixed to identify is kept: it may be a complaint in a
        # watched language ("Movistela is the worst"), and losing it costs more than a
        # stray post in another language
        code = primary_language(lang)
        if self._languages and code is not None and code not in self._languages:
            return MatchResult(False, f"language {code} not watched")
        return MatchResult(True, "match")

    def matches(self, text: str, lang: str | None = None) -> bool:
        return self.explain(text, lang).matched


def match_posts(
    raws: Iterable[RawPost],
    matchers: Iterable[BrandMatcher],
    detect_language: Callable[[str], str | None],
    clean: Callable[[str | None], str],
    *,
    assume_mentioned: bool = False,
    left_out: Counter | None = None,
) -> list[Post]:
    """Cleaned posts for every (raw post, brand) pair that matches.

    ``left_out``, when given, counts why each raw post that matched no brand was left
    out (the most telling reason over the brands: a watched brand in an unwatched
    language says more than "brand not mentioned").

    ``detect_language`` and ``clean`` are injected (the pipeline passes the
    real language identifier and :func:`monitor.normalize.clean_text`).
    ``assume_mentioned``: the items are about the brands by where they come from
    (reviews of the brand's app), so no brand term is needed; exclusions and the
    language filter still apply.
    """
    matchers = list(matchers)
    out: list[Post] = []
    for raw in raws:
        body = clean(raw.text)
        title = clean(raw.title) if raw.title else None
        searchable = f"{title}\n{body}" if title and title not in body else body
        if not searchable.strip():
            if left_out is not None:
                left_out["no text"] += 1
            continue
        lang = (
            primary_language(raw.lang)
            or detect_language(searchable)
            or primary_language(raw.lang_hint)
        )
        results = [m.explain(searchable, lang, assume_mentioned=assume_mentioned) for m in matchers]
        for m, result in zip(matchers, results, strict=True):
            if result.matched:
                out.append(
                    Post(
                        source=raw.source,
                        external_id=raw.external_id,
                        brand=m.brand.name,
                        text=body or title or "",
                        content_hash=content_hash(searchable),
                        lang=lang,
                        url=raw.url,
                        title=title,
                        author=raw.author,
                        published=raw.published,
                        reach=raw.reach,
                        engagement=raw.engagement,
                        rating=raw.rating,
                        channel=raw.channel,
                        extra=raw.extra,
                    )
                )
        if left_out is not None and not any(r.matched for r in results):
            telling = [r.reason for r in results if r.reason != NOT_MENTIONED]
            left_out[_reason_kind(telling[0]) if telling else NOT_MENTIONED] += 1
    return out


def _reason_kind(reason: str) -> str:
    """A reason to count under: every excluded term is one kind, each language its own."""
    return "an excluded term" if reason.startswith("excluded term") else reason
