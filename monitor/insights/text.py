"""Pure text helpers for themes and story grouping (Spanish + English, standard library only)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

# Spanish, English and a few Portuguese/Italian function words, accents folded.
_STOP_TEXT = """
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun aunque bajo bien
cada casi como con contra cual cuales cuando cuanto de del desde donde dos el ella ellas
ellos en entre era eran es esa esas ese eso esos esta estaba estado estan estar estas
este esto estos fue fueron ha hace hacen hacer han has hasta hay la las le les lo los
mas me mi mis mismo mucho muy nada ni no nos nosotros nuestra nuestro o os otra otro
otros para pero poco por porque que quien se sea ser si sido siempre sin sobre solo son
su sus tal tambien tan tanto te tengo tiene tienen todo todos tu tus un una unas uno
unos usted va vamos van vez y ya yo dice dicen decis hoy ayer mes dia dias ahora otra
vez gracias hola the and for are but not you your with this that have has had was were
will would can could should what when where which who why how all any our out they them
their there then than too very just from into about after again also been being did does
doing done its it's i'm i've don't can't won't isn't was got get gets getting one two
still more most much many some such only own same over under off yet via per lol omg do
em um uma os as no na nos nas que com por para pelo pela mais mas foi ser tem sem il lo
la le gli di da in con su per tra fra che non una uno del della dei delle sono
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"[@#]\w+")
_WORD = re.compile(r"[^\W\d_]{3,}")


def fold(text: str) -> str:
    """Lower case without accents ('Atención' -> 'atencion')."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Content words of ``text``: folded, no URLs, @mentions, numbers or stop words."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    return [w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS and w not in extra_stop]


def terms(words: Sequence[str]) -> set[str]:
    """Unigrams and bigrams of a token list, once each."""
    return set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


def stop_words_for(names: Iterable[str]) -> frozenset[str]:
    """Brand names as extra stop words (a brand's name is in every one of its posts)."""
    out: set[str] = set()
    for name in names:
        out |= set(_WORD.findall(fold(name)))
    return frozenset(out)


def distinctive_terms(
    current: Sequence[str],
    previous: Sequence[str],
    *,
    extra_stop: frozenset[str] = frozenset(),
    top: int = 10,
    min_posts: int = 2,
) -> list[tuple[str, int, float, float, float]]:
    """Terms that are more frequent in ``current`` texts than in ``previous`` ones.

    Returns ``(term, posts, share, previous_share, lift)`` tuples, best first.
    Share = fraction of texts containing the term; lift = smoothed share ratio.
    Score = share × ln(lift): frequent *and* new beats merely frequent. With no
    previous texts every term has lift 1, and the most frequent ones are returned.
    A unigram is dropped when a chosen bigram covers it with a similar count.
    """
    if not current:
        return []
    cur = Counter(t for text in current for t in terms(tokens(text, extra_stop)))
    prev = Counter(t for text in previous for t in terms(tokens(text, extra_stop)))
    n_cur, n_prev = len(current), len(previous)
    rows = []
    for term, count in cur.items():
        if count < min_posts:
            continue
        share = count / n_cur
        prev_share = prev[term] / n_prev if n_prev else share
        lift = (count + 1) / (n_cur + 2) / ((prev[term] + 1) / (n_prev + 2)) if n_prev else 1.0
        score = share * math.log(lift) if n_prev else share
        rows.append((score, term, count, share, prev_share, lift))
    rows.sort(key=lambda r: (-r[0], -r[2], r[1]))
    chosen: list[tuple[str, int, float, float, float]] = []
    for score, term, count, share, prev_share, lift in rows:
        if n_prev and score <= 0:
            break
        if " " not in term and any(
            term in c[0].split() and c[1] >= 0.8 * count for c in chosen if " " in c[0]
        ):
            continue
        if " " in term:  # a bigram replaces its own unigram if that was chosen with a similar count
            chosen = [c for c in chosen if not (c[0] in term.split() and count >= 0.8 * c[1])]
        chosen.append((term, count, share, prev_share, lift))
        if len(chosen) >= top:
            break
    return chosen


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.6) -> list[int]:
    """Group index for each text: texts whose content-word sets overlap by at least
    ``threshold`` (Jaccard) end in the same group, transitively. O(n²); for short lists."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sets = [set(tokens(t)) for t in texts]
    for i in range(len(texts)):
        if len(sets[i]) < 3:
            continue
        for j in range(i + 1, len(texts)):
            if len(sets[j]) >= 3 and jaccard(sets[i], sets[j]) >= threshold:
                parent[find(j)] = find(i)
    return [find(i) for i in range(len(texts))]
