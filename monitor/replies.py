"""Suggested first replies for the response queue, by emotion and language (pure logic).

A fast, generous first answer turns many failures into loyalty, so the queue offers a draft
the team edits and sends: it names the feeling the model read (anger is answered
differently from worry), apologises without excuses, and moves the case to a private
channel where a person owns it. Drafts are never sent by the product.

``[replies.<language>]`` in monitor.toml replaces any of the built-in texts (Spanish,
English, Portuguese, French, Italian, German) or adds a language, one text per emotion; ``{author}`` and ``{brand}`` are
filled in, and ``other`` is used for an emotion without its own text::

    [replies.es]
    anger = "Hola {author}, perdona el mal rato. Escríbenos por privado y lo resolvemos hoy."
    [replies.nl]
    other = "Hallo {author}, sorry voor het ongemak. Stuur ons een privébericht."
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from monitor.authors import is_somebody
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
    "pt": {
        "anger": (
            "Olá {author}, compreendemos a sua indignação e pedimos sinceras desculpas. "
            "Queremos resolver isto hoje: envie-nos uma mensagem privada com o seu número de "
            "cliente e uma pessoa da equipa acompanha o seu caso do início ao fim. Equipa {brand}"
        ),
        "disgust": (
            "Olá {author}, o que nos conta não é o tratamento que queremos dar, e lamentamos. "
            "Pode enviar-nos os detalhes por mensagem privada? Analisamos hoje mesmo e "
            "dizemos-lhe o que vamos mudar. Equipa {brand}"
        ),
        "fear": (
            "Olá {author}, compreendemos a sua preocupação e queremos esclarecer isto quanto "
            "antes. Envie-nos uma mensagem privada e vemos tudo consigo, passo a passo. "
            "Equipa {brand}"
        ),
        "sadness": (
            "Olá {author}, lamentamos muito esta desilusão. Gostaríamos de compensar: "
            "envie-nos uma mensagem privada e encontramos juntos uma solução. Equipa {brand}"
        ),
        "surprise": (
            "Olá {author}, percebemos que não era isto que esperava. Envie-nos uma mensagem "
            "privada e explicamos o que aconteceu e como vamos resolver. Equipa {brand}"
        ),
        "other": (
            "Olá {author}, obrigado por nos avisar e lamentamos o incómodo. Envie-nos os "
            "detalhes por mensagem privada e ajudamos já. Equipa {brand}"
        ),
    },
    "fr": {
        "anger": (
            "Bonjour {author}, nous comprenons votre colère et nous en sommes sincèrement "
            "désolés. Nous voulons régler cela aujourd'hui : écrivez-nous en message privé avec "
            "votre numéro client, une personne de l'équipe suivra votre dossier jusqu'au bout. "
            "L'équipe {brand}"
        ),
        "disgust": (
            "Bonjour {author}, ce que vous décrivez n'est pas ce que nous voulons offrir, et "
            "nous en sommes désolés. Pouvez-vous nous écrire en message privé avec les détails ? "
            "Nous examinons cela dès aujourd'hui et vous dirons ce que nous changeons. "
            "L'équipe {brand}"
        ),
        "fear": (
            "Bonjour {author}, nous comprenons votre inquiétude et voulons clarifier cela au "
            "plus vite. Écrivez-nous en message privé et nous verrons tout avec vous, étape par "
            "étape. L'équipe {brand}"
        ),
        "sadness": (
            "Bonjour {author}, nous sommes vraiment désolés de cette déception. Nous aimerions "
            "nous rattraper : écrivez-nous en message privé et nous trouverons ensemble une "
            "solution. L'équipe {brand}"
        ),
        "surprise": (
            "Bonjour {author}, nous comprenons que ce n'est pas ce que vous attendiez. "
            "Écrivez-nous en message privé et nous vous expliquerons ce qui s'est passé et "
            "comment nous allons corriger cela. L'équipe {brand}"
        ),
        "other": (
            "Bonjour {author}, merci de nous l'avoir signalé et désolés pour la gêne. "
            "Envoyez-nous les détails en message privé et nous vous aidons tout de suite. "
            "L'équipe {brand}"
        ),
    },
    "it": {
        "anger": (
            "Ciao {author}, capiamo la tua frustrazione e ci dispiace davvero. Vogliamo risolvere "
            "oggi stesso: scrivici in privato con il tuo codice cliente e una persona del team "
            "seguirà il tuo caso dall'inizio alla fine. Il team {brand}"
        ),
        "disgust": (
            "Ciao {author}, quello che racconti non è il trattamento che vogliamo offrire, e ci "
            "dispiace. Ci scrivi in privato con i dettagli? Lo verifichiamo oggi e ti diciamo "
            "cosa cambieremo. Il team {brand}"
        ),
        "fear": (
            "Ciao {author}, capiamo la tua preoccupazione e vogliamo chiarire al più presto. "
            "Scrivici in privato e vediamo tutto insieme, passo dopo passo. Il team {brand}"
        ),
        "sadness": (
            "Ciao {author}, ci dispiace molto per questa delusione. Vorremmo rimediare: "
            "scrivici in privato e troviamo insieme una soluzione. Il team {brand}"
        ),
        "surprise": (
            "Ciao {author}, capiamo che non è quello che ti aspettavi. Scrivici in privato e ti "
            "spieghiamo cosa è successo e come lo sistemiamo. Il team {brand}"
        ),
        "other": (
            "Ciao {author}, grazie per avercelo segnalato e ci scusiamo per il disagio. "
            "Scrivici in privato con i dettagli e ti aiutiamo subito. Il team {brand}"
        ),
    },
    "de": {
        "anger": (
            "Hallo {author}, wir verstehen Ihren Ärger und es tut uns aufrichtig leid. Wir "
            "möchten das heute lösen: Schreiben Sie uns eine Direktnachricht mit Ihrer "
            "Kundennummer, und eine Person aus unserem Team kümmert sich bis zum Schluss um "
            "Ihren Fall. Ihr {brand}-Team"
        ),
        "disgust": (
            "Hallo {author}, so wollen wir niemanden behandeln, und es tut uns leid. Könnten "
            "Sie uns die Details per Direktnachricht schicken? Wir sehen uns das heute an und "
            "sagen Ihnen, was wir ändern. Ihr {brand}-Team"
        ),
        "fear": (
            "Hallo {author}, wir verstehen Ihre Sorge und möchten das schnell klären. Schreiben "
            "Sie uns eine Direktnachricht, dann gehen wir alles Schritt für Schritt mit Ihnen "
            "durch. Ihr {brand}-Team"
        ),
        "sadness": (
            "Hallo {author}, es tut uns sehr leid, dass wir Sie enttäuscht haben. Wir möchten "
            "es wiedergutmachen: Schreiben Sie uns eine Direktnachricht, und wir finden "
            "gemeinsam eine Lösung. Ihr {brand}-Team"
        ),
        "surprise": (
            "Hallo {author}, wir verstehen, dass Sie damit nicht gerechnet haben. Schreiben Sie "
            "uns eine Direktnachricht, und wir erklären Ihnen, was passiert ist und wie wir es "
            "beheben. Ihr {brand}-Team"
        ),
        "other": (
            "Hallo {author}, danke für Ihren Hinweis, und entschuldigen Sie die "
            "Unannehmlichkeiten. Schicken Sie uns die Details per Direktnachricht, und wir "
            "helfen Ihnen sofort. Ihr {brand}-Team"
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
            if FALLBACK_EMOTION not in templates.get(lang, {}):  # an empty table adds none
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
    hint = f"placeholders: {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
    try:
        fields = [
            (n, spec, conv) for _, n, spec, conv in string.Formatter().parse(text) if n is not None
        ]
    except ValueError as e:
        raise ConfigError(f"{where}: {e}", hint="write a literal brace as {{ or }}") from None
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            raise ConfigError(f"{where}: unknown placeholder {{{name}}}", hint=hint)
        if spec or conversion:  # "{author:x}" would fail when a draft is written, not here
            raise ConfigError(f"{where}: write {{{name}}} plainly", hint=hint)
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
    name = author.strip() if is_somebody(author) else ""  # not "Hola [deleted],"
    text = texts[key].format(author=name, brand=brand)
    if not name:  # "Hola , entendemos" -> "Hola, entendemos" (French "détails ?" stays)
        text = re.sub(r"^(\S+) +([,.!])", r"\1\2", text)
    return Draft(" ".join(text.split()), chosen, key)


__all__ = ["DEFAULT_TEMPLATES", "Draft", "ReplySettings", "draft_reply"]
