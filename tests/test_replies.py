"""Suggested replies: the right text for the emotion and language, and checked settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.replies import DEFAULT_TEMPLATES, ReplySettings, draft_reply
from monitor.settings import Settings, parse_config
from monitor.types import EMOTION_LABELS

BUILT_IN = ReplySettings()


def draft(emotion="anger", lang="es", fallback="en", author="ana_g", settings=BUILT_IN):
    return draft_reply(
        settings, emotion=emotion, lang=lang, fallback_lang=fallback, author=author, brand="Acme"
    )


def test_every_emotion_but_joy_has_its_own_text_in_every_built_in_language() -> None:
    assert set(DEFAULT_TEMPLATES) == {"es", "en", "pt", "fr", "it", "de"}
    for lang in DEFAULT_TEMPLATES:
        assert set(DEFAULT_TEMPLATES[lang]) == set(EMOTION_LABELS) - {"joy"}
        texts = [draft(e, lang).text for e in EMOTION_LABELS]
        assert all("{" not in x and "Acme" in x and "ana_g" in x for x in texts)
        assert len(set(texts)) == len(EMOTION_LABELS) - 1  # joy is answered as "other"


def test_the_posts_language_wins_then_the_readers() -> None:
    assert draft(lang="es").text.startswith("Hola ana_g, entendemos tu enfado")
    assert draft(lang="en-GB").lang == "en"
    dutch = draft(lang="nl", fallback="es")  # no texts for Dutch: the reader's language
    assert (dutch.lang, dutch.emotion) == ("es", "anger")
    assert draft(lang="pt-br").text.startswith("Olá ana_g, compreendemos a sua indignação")
    assert draft(lang=None, fallback="en").text.startswith("Hi ana_g, you have every reason")


def test_an_unknown_or_missing_emotion_is_answered_as_other() -> None:
    assert draft(emotion=None).emotion == "other"
    assert draft(emotion="joy", lang="en").text.startswith("Hi ana_g, thank you for telling us")


def test_no_author_leaves_no_stray_space() -> None:
    assert draft(author=None).text.startswith("Hola, entendemos tu enfado")
    assert draft(author="  ", lang="en").text.startswith("Hi, you have every reason")
    french = draft("disgust", "fr", author=None).text
    assert french.startswith("Bonjour, ce que") and "les détails ?" in french  # French spacing


def test_a_placeholder_author_is_greeted_as_nobody() -> None:
    # a deleted Reddit account, an anonymous review: the name is not somebody's name
    assert draft(author="[deleted]").text.startswith("Hola, entendemos tu enfado")
    assert draft(author="Anonymous", lang="en").text.startswith("Hi, you have every reason")


def test_braces_in_an_authors_name_are_kept_as_written() -> None:
    assert draft(author="{x}", lang="en").text.startswith("Hi {x}, you have")


def test_replies_in_the_config_replace_or_add_texts(tmp_path: Path) -> None:
    s = parse_config(
        {
            "replies": {
                "es": {"anger": "Perdona, {author}. {brand} lo arregla hoy."},
                "nl": {"other": "Hallo {author}, stuur ons een privébericht. {brand}"},
            }
        },
        tmp_path,
        Settings(),
    )
    assert draft(settings=s.replies).text == "Perdona, ana_g. Acme lo arregla hoy."
    assert draft("sadness", settings=s.replies).text.startswith("Hola ana_g, sentimos mucho")
    dutch = draft("fear", "nl-be", settings=s.replies)
    assert (dutch.lang, dutch.emotion, dutch.text[:13]) == ("nl", "other", "Hallo ana_g, ")


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        ({"español": {"other": "Hola"}}, "replies.español: not a language code"),
        ({"es": "Hola"}, "replies.es must be a table"),
        ({"es": {"rage": "Hola"}}, "replies.es.rage: unknown emotion"),
        ({"es": {"anger": " "}}, "replies.es.anger must be a non-empty text"),
        ({"es": {"anger": "Hola {nombre}"}}, r"unknown placeholder \{nombre\}"),
        ({"es": {"anger": "Hola {author"}}, "replies.es.anger: .*'}'"),
        ({"nl": {"anger": "Hallo"}}, "replies.nl: add an `other` text"),
        ({"nl": {}}, "replies.nl: add an `other` text"),  # its lines commented out
        ({"en": {"other": "Hi {author:x}"}}, r"replies.en.other: write \{author\} plainly"),
        ({"en": {"other": "Hi {author!r}"}}, r"write \{author\} plainly"),
    ],
)
def test_mistakes_in_replies_are_config_errors(tmp_path: Path, replies, message) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"replies": replies}, tmp_path, Settings())
