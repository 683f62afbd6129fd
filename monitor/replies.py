"""Suggested first replies for the response queue, by emotion and language (pure logic).

A fast, generous first answer turns many failures into loyalty, so the queue offers a draft
the team edits and sends: it names the feeling the model read (anger is answered
differently from worry), apologises without excuses, and moves the case to a private
channel where a person owns it. Drafts are never sent by the product.

``[replies.<language>]`` in monitor.toml replaces any of the built-in texts (Spanish and
English) or adds a language, one text per emotion; ``{author}`` and ``{brand}`` are
filled in, and ``other`` is used for an emotion without its own text::

    [replies.es]
    anger = "Hola {author}, perdona el mal rato. Escríbenos por privado y lo resolvemos hoy."
    [replies.pt]
    other = "Olá {author}, lamentamos o incómodo. Fale connosco por mensagem privada."
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.errors import ConfigError
from monitor.types import EMOTION_LABELS

PLACEHOLDERS = ("author", "brand")
FALLBACK_EMOTION = "other"
_LANGUAGE = re.compile(r"[a-z]{2,3}")

DEFAULT_TEMPLATES: Mapping[str, Mapping[str, str]] = {
    "es": {
        "anger": (
            "Hola {author}, entendemos tu enfado y lo sentimos de verdad. Queremos "
            "solucionarlo hoy: escríbenos por mensaje privado con tu número de cliente y una "
            "persona del equipo se encarga de tu caso de principio a fin. Equipo {brand}"
        ),
        "disgust": (
            "Hola {author}, lo que cuentas no es el trato que queremos dar y lo sentimos. "
            "¿Nos escribes por privado con los detalles? Lo revisamos hoy mismo y te "
            "contamos qué vamos a cambiar. Equipo {brand}"
        ),
        "fear": (
            "Hola {author}, entendemos tu preocupación y queremos aclararlo cuanto antes. "
            "Escríbenos por privado y lo revisamos contigo paso a paso; no tienes que hacer "
            "nada más hasta entonces. Equipo {brand}"
        ),
        "sadness": (
            "Hola {author}, sentimos mucho haberte fallado. Nos gustaría compensarlo: "
            "escríbenos por privado y buscamos juntos una solución. Equipo {brand}"
        ),
        "surprise": (
            "Hola {author}, entendemos que no es lo que esperabas. Escríbenos por privado y "
            "te explicamos qué ha pasado y cómo lo arreglamos. Equipo {brand}"
        ),
        "other": (
            "Hola {author}, gracias por contárnoslo y sentimos las molestias. Escríbenos por "
            "privado con los detalles y te ayudamos enseguida. Equipo {brand}"
        ),
    },
    "en": {
        "anger": (
            "Hi {author}, you have every reason to be upset, and we are truly sorry. We want "
            "to fix this today: send us a private message with your customer number and one "
            "person from our team will own your case until it is solved. The {brand} team"
        ),
        "disgust": (
            "Hi {author}, that is not how we want to treat anyone, and we are sorry. Could "
            "you send us the details in a private message? We will look into it today and "
            "tell you what we are changing. The {brand} team"
        ),
        "fear": (
            "Hi {author}, we understand your concern and want to clear this up quickly. Send "
            "us a private message and we will go through it with you step by step; there is "
            "nothing else you need to do until then. The {brand} team"
        ),
        "sadness": (
            "Hi {author}, we are very sorry we let you down. We would like to make it right: "
            "send us a private message and we will find a solution together. The {brand} team"
        ),
        "surprise": (
            "Hi {author}, we understand this is not what you expected. Send us a private "
            "message and we will explain what happened and how we will put it right. "
            "The {brand} team"
        ),
        "other": (
            "Hi {author}, thank you for telling us, and sorry for the trouble. Send us the "
            "details in a private message and we will help you right away. The {brand} team"
        ),
    },
}


@dataclass(frozen=True)
class Draft:
    """A suggested reply, the language it is written in and the emotion it answers."""

    text: str
    lang: str
    emotion: str


@dataclass(frozen=True)
class ReplySettings:
    """The built-in texts with the ``[replies]`` table's on top."""

    templates: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: {lang: dict(t) for lang, t in DEFAULT_TEMPLATES.items()}
    )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ReplySettings:
        """Check ``[replies]``: language tables of emotion = text; mistakes raise
        ``ConfigError`` naming the key."""
        templates = {lang: dict(t) for lang, t in DEFAULT_TEMPLATES.items()}
        for lang, texts in (data or {}).items():
            where = f"replies.{lang}"
            if not _LANGUAGE.fullmatch(str(lang)):
                raise ConfigError(f"{where}: not a language code", hint="e.g. [replies.es]")
            if not isinstance(texts, Mapping):
                raise ConfigError(f"{where} must be a table of emotion = text")
            for emotion, text in texts.items():
                if emotion not in EMOTION_LABELS:
                    raise ConfigError(
                        f"{where}.{emotion}: unknown emotion",
                        hint=f"emotions: {', '.join(EMOTION_LABELS)}",
                    )
                templates.setdefault(lang, {})[emotion] = _checked(text, f"{where}.{emotion}")
            if FALLBACK_EMOTION not in templates[lang]:
                raise ConfigError(
                    f"{where}: add an `{FALLBACK_EMOTION}` text",
                    hint="it answers every emotion that has no text of its own",
                )
        return cls(templates)

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages that have a text for every emotion (through ``other``)."""
        return tuple(lang for lang, t in self.templates.items() if FALLBACK_EMOTION in t)


def _checked(text: Any, where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where} must be a non-empty text")
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as e:
        raise ConfigError(f"{where}: {e}", hint="write a literal brace as {{ or }}") from None
    unknown = sorted(set(names) - set(PLACEHOLDERS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown placeholder {{{unknown[0]}}}",
            hint=f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
        )
    return text.strip()


def draft_reply(
    settings: ReplySettings,
    *,
    emotion: str | None,
    lang: str | None,
    fallback_lang: str,
    author: str | None,
    brand: str,
) -> Draft | None:
    """The draft for a post: in its language when there are texts for it, else in
    ``fallback_lang`` (the reader's); ``None`` when neither has texts."""
    primary = (lang or "").split("-")[0].lower()
    chosen = next((x for x in (primary, fallback_lang) if x in settings.languages), None)
    if chosen is None:
        return None
    texts = settings.templates[chosen]
    key = emotion if emotion in texts else FALLBACK_EMOTION
    name = (author or "").strip()
    text = texts[key].format(author=name, brand=brand)
    if not name:  # "Hola , entendemos" -> "Hola, entendemos"
        text = re.sub(r" +([,.!?])", r"\1", text)
    return Draft(" ".join(text.split()), chosen, key)


__all__ = ["DEFAULT_TEMPLATES", "Draft", "ReplySettings", "draft_reply"]
