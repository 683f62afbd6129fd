"""Pure text helpers for themes and story grouping (Spanish + English, standard library only)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from monitor.normalize import fold, spellings

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
# An English contraction or possessive is one word ("doesn't", "won't", "company's"), not
# "doesn" and "t"; an elision such as French "l'app" still splits, its "app" a word.
_CONTRACTION = r"(?<=[^\W\d_])'(?:t|s|re|ve|ll|d|m)(?![^\W\d_])"
_WORD = re.compile(rf"[^\W\d_]+(?:{_CONTRACTION})?")
# a theme phrase never spans punctuation, a URL or a mention
_PHRASE_BREAK = re.compile(
    rf"https?://\S+|www\.\S+|[@#]\w+|(?!{_CONTRACTION})[^\w \t]+"  # \n breaks too
)
_ANY_WORD = re.compile(rf"[^\W_]+(?:{_CONTRACTION})?")  # letters or digits
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'"})  # as phones type them
# "it's", "that's": "is", not a possessive
_PRONOUNS = frozenset(
    {"it", "that", "there", "here", "what", "who", "where", "when", "how", "he", "she", "let"}
)


def _words(pattern: re.Pattern[str], text: str) -> list[str]:
    """``pattern``'s words in folded ``text``, a possessive as its noun ("company's" ->
    "company"); other contractions ("doesn't", "it's", "we'll") keep their apostrophe,
    which marks them as function words."""
    out = []
    for word in pattern.findall(text):
        if word.endswith("'s") and word not in STOP_WORDS and word[:-2] not in _PRONOUNS:
            word = word[:-2]
        out.append(word)
    return out


def _is_content(word: str, extra_stop: frozenset[str]) -> bool:
    """3+ letters, no contraction, not a stop word or a brand name."""
    return len(word) >= 3 and word.isalpha() and word not in STOP_WORDS and word not in extra_stop


def _folded(text: str) -> str:
    return fold(text).translate(_APOSTROPHES)


def tokens(text: str, extra_stop: frozenset[str] = frozenset()) -> list[str]:
    """Content words of ``text``: folded, no URLs, @mentions, numbers, contractions
    ("doesn't") or stop words."""
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    return [w for w in _words(_WORD, _folded(text)) if _is_content(w, extra_stop)]


def phrases(text: str, extra_stop: frozenset[str] = frozenset()) -> set[str]:
    """Theme candidates in ``text``, once each, folded: content words, two adjacent content
    words ("doble cargo"), and three words whose middle one is a function word or a number
    ("cobrado dos veces", "tiempo de espera", "cobrado 2 veces").

    A phrase starts and ends with a content word (3+ letters, not a stop word or a brand
    name) and never spans punctuation, a URL or a mention, so dropping the function word
    of "cobrado dos veces" cannot make the phrase "cobrado veces".
    """
    out: set[str] = set()
    for segment in _PHRASE_BREAK.split(_folded(text)):
        words = _words(_ANY_WORD, segment)
        content = [_is_content(w, extra_stop) for w in words]
        for i, word in enumerate(words):
            if not content[i]:
                continue
            out.add(word)
            if i + 1 < len(words) and content[i + 1]:
                out.add(f"{word} {words[i + 1]}")
            elif i + 2 < len(words) and content[i + 2] and words[i + 1] not in extra_stop:
                out.add(f"{word} {words[i + 1]} {words[i + 2]}")
    return out


def _inside(short: str, long: str) -> bool:
    """``short`` is a phrase within ``long`` ("doble" in "doble cargo")."""
    return short != long and f" {short} " in f" {long} "


def stop_words_for(names: Iterable[str]) -> frozenset[str]:
    """Brand names as extra stop words (a brand's name is in every one of its posts)."""
    out: set[str] = set()
    for name in names:
        for spelling in spellings(name):  # "Müller": "muller" and "mueller"
            # "McDonald's" -> "mcdonald", as in posts
            out |= set(_words(_WORD, spelling.translate(_APOSTROPHES)))
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
    A phrase is dropped when a chosen longer phrase that contains it has a similar
    count ("doble" beside "doble cargo"), and replaces a shorter one it contains.
    """
    now_sets = [phrases(text, extra_stop) for text in current]
    before_sets = [phrases(text, extra_stop) for text in previous]
    return _distinctive(now_sets, before_sets, top=top, min_posts=min_posts)


def _shares(count: int, n_cur: int, prev: int, n_prev: int) -> tuple[float, float, float]:
    """Share of the current texts, share of the previous ones, and the smoothed lift
    between them (1 when there are no previous texts)."""
    share = count / n_cur
    if not n_prev:
        return share, share, 1.0
    return share, prev / n_prev, (count + 1) / (n_cur + 2) / ((prev + 1) / (n_prev + 2))


def _distinctive(
    now_sets: list[set[str]], before_sets: list[set[str]], *, top: int, min_posts: int
) -> list[tuple[str, int, float, float, float]]:
    """:func:`distinctive_terms` on the texts' phrase sets, already extracted."""
    if not now_sets:
        return []
    cur = Counter(t for found in now_sets for t in found)
    prev = Counter(t for found in before_sets for t in found)
    n_cur, n_prev = len(now_sets), len(before_sets)
    rows = []
    for term, count in cur.items():
        if count < min_posts:
            continue
        share, prev_share, lift = _shares(count, n_cur, prev[term], n_prev)
        score = share * math.log(lift) if n_prev else share
        rows.append((score, term, count, share, prev_share, lift))
    rows.sort(key=lambda r: (-r[0], -r[2], r[1]))
    chosen: list[tuple[str, int, float, float, float]] = []
    for score, term, count, share, prev_share, lift in rows:
        if n_prev and score <= 0:
            break
        if any(_inside(term, c[0]) and c[1] >= 0.8 * count for c in chosen):
            continue
        # a longer phrase replaces a shorter one inside it that was chosen with a similar count
        chosen = [c for c in chosen if not (_inside(c[0], term) and count >= 0.8 * c[1])]
        chosen.append((term, count, share, prev_share, lift))
        if len(chosen) >= top:
            break
    return chosen


def written_forms(texts: Iterable[str]) -> dict[str, str]:
    """Each folded word's commonest spelling in ``texts``, lower case ("manana" ->
    "mañana"): themes are found in folded text and shown as people write them. Words are
    read as :func:`phrases` reads them (no links or mentions, a possessive as its noun).
    On a tie the spelling with more accents wins: typing without them is the shortcut."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        written = unicodedata.normalize("NFC", text.lower()).translate(_APOSTROPHES)
        for segment in _PHRASE_BREAK.split(written):
            for word in _words(_WORD, segment):
                seen.setdefault(_folded(word), Counter())[word] += 1
    return {
        key: max(forms.items(), key=lambda item: (item[1], _accents(item[0])))[0]
        for key, forms in seen.items()
    }


def _accents(word: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch))


def as_written(phrase: str, forms: Mapping[str, str]) -> str:
    """A folded phrase in the spellings of :func:`written_forms` (a word it has not seen
    stays folded)."""
    return " ".join(forms.get(word, word) for word in phrase.split(" "))


def theme_groups(
    current: Sequence[str],
    previous: Sequence[str],
    *,
    extra_stop: frozenset[str] = frozenset(),
    top: int = 10,
    min_posts: int = 2,
    overlap: float = 0.6,
) -> list[tuple[str, int, float, float, float, tuple[str, ...]]]:
    """Distinctive terms (:func:`distinctive_terms`) grouped by the posts they come from.

    One complaint spreads over several phrases ("doble", "cargo", "doble cargo", "me han
    cobrado"): a term whose posts are mostly (``overlap``) posts of a better-scored group
    joins it as a variant instead of taking a line of its own. Returns ``(theme, posts,
    share, previous_share, lift, variants)``, best first: ``theme`` is the group's best
    term, and posts, shares and lift count the posts of any of its terms. Terms are
    folded, as :func:`phrases` gives them (:func:`as_written` spells them for people).
    """
    now_sets = [phrases(t, extra_stop) for t in current]
    before_sets = [phrases(t, extra_stop) for t in previous]
    rows = _distinctive(now_sets, before_sets, top=3 * top, min_posts=min_posts)

    def posts_with(term: str, sets: list[set[str]]) -> set[int]:
        return {i for i, found in enumerate(sets) if term in found}

    groups: list[tuple[list[str], set[int], set[int]]] = []  # terms, posts now, posts before
    for term, *_ in rows:
        mine = posts_with(term, now_sets)
        home = next((g for g in groups if len(mine & g[1]) >= overlap * len(mine)), None)
        if home is not None:
            home[0].append(term)
            home[1].update(mine)
            home[2].update(posts_with(term, before_sets))
        elif len(groups) < top:
            groups.append(([term], mine, posts_with(term, before_sets)))
    n_cur, n_prev = len(current), len(previous)
    return [
        (terms[0], len(now), *_shares(len(now), n_cur, len(before), n_prev), tuple(terms[1:]))
        for terms, now, before in groups
    ]


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
