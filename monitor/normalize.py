"""Pure text clean-up: HTML to plain text, whitespace, length caps, stable ids.

Standard library only.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser

MAX_TEXT_CHARS = 20_000  # a 1 MB post is stored cut to this, with a marker

_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"}
_DROP_TAGS = {"script", "style", "noscript", "template", "svg", "math"}
# HTML's elements: text is markup only when it has one of these (or an entity), so that a
# plain-text review's "<Movistela ID>" or "<contraseña>" is words, not an unknown tag
_OTHER_HTML_TAGS = (
    "a abbr address area article aside audio b bdi bdo big body button caption center cite "
    "code col colgroup dd del details dfn dl dt em embed figcaption figure font footer form "
    "h5 h6 head header hr html i iframe img input ins kbd label link main map mark meta nav "
    "ol option picture pre q s samp section select small source span strike strong sub "
    "summary sup table tbody td textarea tfoot th thead time title tt u ul var video wbr "
    # obsolete or rarer elements that feeds still carry
    "acronym applet basefont blink canvas data datalist dialog dir fieldset "
    "frame frameset legend listing marquee menu meter nobr noembed noframes object optgroup "
    "output param plaintext progress rb rp rt rtc ruby slot track xmp"
)
_HTML_TAGS = _BLOCK_TAGS | _DROP_TAGS | set(_OTHER_HTML_TAGS.split())
_MARKUP = re.compile(
    r"<!--|<!\[CDATA\[|</?(?:o|w|v|m|st1):[a-z]"  # comments, CDATA, Word's <o:p>
    r"|</?(?:" + "|".join(sorted(_HTML_TAGS, key=len, reverse=True)) + r")(?=[\s/>])"
    r"|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);",
    re.IGNORECASE,
)
_WS = re.compile(r"[ \t\r\f\v]+")
_NL = re.compile(r"\n{3,}")
_URL = re.compile(r"https?://\S+")
_MENTION = re.compile(r"(?<!\w)@\w+")
TRUNCATION_MARK = " […]"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif _words(tag):  # "<Movistela ID>" beside real markup
            self.handle_data(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if _words(tag):
            self.handle_data(self.get_starttag_text() or "")
        else:
            super().handle_startendtag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif _words(tag):
            self.handle_data(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _words(tag: str) -> bool:
    """Whether a 'tag' the parser found is words written in angle brackets: no HTML
    element, nor a namespaced one (Word's ``<o:p>``)."""
    return tag not in _HTML_TAGS and ":" not in tag


def html_to_text(text: str) -> str:
    """Visible text of an HTML fragment; script/style content is dropped. Text without
    HTML elements or entities is plain text (an App Store review, a CSV cell) and is
    returned as it is; angle brackets that are no HTML element are kept as words."""
    if not _MARKUP.search(text):
        return text
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # HTMLParser is lenient; never lose a post over markup
        return html.unescape(re.sub(r"<[^>]+>", " ", text))
    return "".join(parser.parts)


def clean_text(text: str | None, max_chars: int = MAX_TEXT_CHARS) -> str:
    """Plain, whitespace-normalised text, cut to ``max_chars``."""
    if not text:
        return ""
    text = html_to_text(text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    text = _NL.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + TRUNCATION_MARK
    return text


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Telefónica' -> 'telefonica'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# German umlauts (folded), written out with an "e" where there is no key for them
_WRITTEN = {"ä": "ae", "ö": "oe", "ü": "ue"}
_WRITTEN_OUT = str.maketrans(_WRITTEN)
UMLAUTS = "".join(_WRITTEN)
_UMLAUT = re.compile(f"([{UMLAUTS}])")


_ANY_UMLAUT = re.compile("[äöüÄÖÜ]|[aouAOU]\u0308")  # composed, or a vowel + diaeresis


def has_umlauts(text: str) -> bool:
    """Whether ``text`` has a German umlaut, so :func:`fold_umlauts` would differ from
    :func:`fold` (cheaper than folding twice)."""
    return _ANY_UMLAUT.search(text) is not None


_WRITTEN_OUT_CASED = str.maketrans(_WRITTEN | {"Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def write_out_umlauts(text: str) -> str:
    """``text`` with German umlauts written out, case kept and nothing else changed:
    'Müller Öl' -> 'Mueller Oel' (for search engines that match words as written)."""
    return unicodedata.normalize("NFC", text).translate(_WRITTEN_OUT_CASED)


def fold_umlauts(text: str) -> str:
    """:func:`fold` with German umlauts written out: 'Müller' -> 'mueller', as German is
    written without an umlaut key (ä -> ae, ö -> oe, ü -> ue); 'ß' folds to 'ss' in both."""
    return fold(unicodedata.normalize("NFC", text.casefold()).translate(_WRITTEN_OUT))


def spellings(text: str) -> tuple[str, ...]:
    """``text`` folded (:func:`fold`) and, when it has German umlauts, also folded with them
    written out (:func:`fold_umlauts`): the forms that :func:`umlaut_pattern` terms are
    searched in, so that 'Müller' and 'Mueller' find each other."""
    folded = fold(text)
    return (folded, fold_umlauts(text)) if has_umlauts(text) else (folded,)


def search_spellings(pattern: re.Pattern[str] | None, forms: Iterable[str]) -> re.Match[str] | None:
    """The first match of ``pattern`` in any of a text's ``forms`` (its :func:`spellings`);
    None without one, or without a pattern."""
    if pattern is None:
        return None
    return next((hit for text in forms if (hit := pattern.search(text))), None)


def fold_keeping_umlauts(text: str) -> str:
    """:func:`fold` that leaves German umlauts in place: 'Gebühr-Café' -> 'gebühr-cafe'."""
    parts = _UMLAUT.split(unicodedata.normalize("NFC", text.casefold()))
    # split() puts the umlauts it split on at the odd places
    return "".join(part if i % 2 else fold(part) for i, part in enumerate(parts))


def umlaut_pattern(word: str) -> str:
    """Regex for a folded word in which each German umlaut matches its vowel with or
    without an "e" ('Müller' -> ``mue?ller``): searched in the folded text, and in the
    text folded with umlauts written out (:func:`fold_umlauts`), it finds 'Muller',
    'Mueller' and 'Müller'. Everything else in the word is matched literally."""
    parts = _UMLAUT.split(fold_keeping_umlauts(word))
    return "".join(
        re.escape(fold(part)) + "e?" if i % 2 else re.escape(part) for i, part in enumerate(parts)
    )


def content_hash(text: str) -> str:
    """Identity of a text across sources: folded, links and @mentions removed, spaces collapsed.

    The same message cross-posted to several places gets the same hash and is
    counted once in the figures.
    """
    core = _MENTION.sub(" ", _URL.sub(" ", fold(text)))
    core = " ".join(re.findall(r"\w+", core))
    return hashlib.sha1(core.encode("utf-8")).hexdigest()
