"""What a post is about: billing, delivery, customer service… (pure logic).

Sentiment says a customer is unhappy; the category says *why*, in words a team owns
("billing" goes to finance, "delivery" to logistics). Categories are keyword rules, as in
the commercial listening suites: transparent (each match names the word that made it),
instant, and editable by the people who know the brand. A post can be in several
categories, or in none.

Built in: ten customer-experience categories with terms in Spanish, English, Portuguese,
French, Italian and German. ``[categories]`` in monitor.toml adds your own, replaces or
extends a built-in one, or turns the built-in set off::

    [categories]
    builtin = true                        # the default
    [categories.network]                  # a new category
    name = { es = "Red y cobertura", en = "Network and coverage" }
    terms = { es = ["cobertura", "sin señal"], en = ["coverage", "no signal"] }
    [categories.billing]
    add_terms = ["prorrateo"]             # more words for a built-in category
    exclude = ["factura electrónica"]     # a post with these is not in it
    [categories.price]
    enabled = false                       # drop a built-in category
    [categories.refunds]
    owner = "Finanzas"                    # who handles it: the queue suggests them

Terms match whole words, case- and accent-insensitively; several words match as a
phrase; a trailing ``*`` matches any ending (``cobr*``: cobro, cobrado, cobraron). German
umlauts match their written-out spelling both ways, as in brand matching
(:mod:`monitor.query`): ``gebühr*`` finds Gebühr, Gebuehr and Gebuhr, and ``Rueckerstattung``
finds Rückerstattung; words that merely contain "ae", "oe" or "ue" (bueno, queue, poema) are
read as they are.
A category's terms listed under a language are used for posts in that language (with its
plain-list terms, which count for every language); a post whose language is unknown, or one
the category has no terms in, is read with all of the category's terms.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from monitor.errors import ConfigError
from monitor.langid import primary_language
from monitor.normalize import fold_keeping_umlauts, search_spellings, spellings, umlaut_pattern

ANY_LANGUAGE = "*"
_ID = re.compile(r"[a-z][a-z0-9_]{0,59}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")  # es, pt-br: its primary subtag counts
_BETWEEN_WORDS = r"[\s\-']+"  # "wi-fi" matches "wi fi", "d'operateur" matches "d operateur"
# typographic apostrophes and hyphens, as phones type them, read as the plain ones
_PLAIN_PUNCTUATION = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2013": "-"}
)
CATEGORY_KEYS = {"name", "terms", "add_terms", "exclude", "enabled", "owner"}
# bump when matching itself changes, so stored categories are redone
# (2: German umlauts match written out)
RULES_VERSION = 2


@dataclass(frozen=True)
class Category:
    """One category: its id, names for people (``es``, ``en``), and its terms per language
    (``"*"``: every language); ``exclude`` terms veto a match."""

    id: str
    names: Mapping[str, str]
    terms: Mapping[str, tuple[str, ...]]
    exclude: tuple[str, ...] = ()
    owner: str | None = None  # the person or team that answers posts about it

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.id.replace("_", " ")

    def __repr__(self) -> str:
        n = sum(len(v) for v in self.terms.values())
        return f"Category({self.id!r}, {n} terms in {', '.join(sorted(self.terms))})"


def _c(cid: str, name_es: str, name_en: str, /, **terms: str) -> Category:
    split = {lang: tuple(words.split("|")) for lang, words in terms.items()}
    return Category(cid, {"es": name_es, "en": name_en}, split)


# Terms are separated by "|" and need no accents (text and terms are folded), but German
# terms keep their umlauts, which also match written out: "gebühr*" finds Gebühr, Gebuehr
# and Gebuhr, where "gebuhr*" would miss Gebuehr.
BUILTIN_CATEGORIES: tuple[Category, ...] = (
    _c(
        "billing",
        "Facturación y cobros",
        "Billing and charges",
        es="factur*|cobr*|cargo|cargos|cargado|cargaron"
        "|recibo|recibos|cuota|cuotas|domiciliacion|importe|pago|pagos|pagar|pagado|pague"
        "|tarificacion",
        en="bill|bills|billed|billing|invoice*|charge|charges|charged|overcharg*|payment*"
        "|paid|pay|direct debit|fee|fees|statement",
        pt="fatura*|cobran*|cobrad*|cobrar*|cobraram|cobrou|pagamento*|pagar|pago|taxa*"
        "|mensalidade*",
        fr="factur*|prelev*|paiement*|payer|paye|debit*|frais",
        it="fattur*|addebit*|bolletta|bollette|pagament*|pagare|pagato",
        de="rechnung*|abbuch*|abgebucht|lastschrift|zahlung*|bezahlt|gebühr*",
    ),
    _c(
        "refunds",
        "Devoluciones y reembolsos",
        "Returns and refunds",
        es="devolucion*|devolver*|devuelv*|devuelt*|devolvi*|me lo devolv*|reembols*|abono"
        "|reintegro",
        en="refund*|return|returns|returned|money back|reimburs*",
        pt="reembols*|devolu*|estorno",
        fr="rembours*|retour|retourner",
        it="rimbors*|reso|resi|restituzione",
        de="erstatt*|rückerstattung|rücksendung|zurückschicken|geld zurück",
    ),
    _c(
        "price",
        "Precios y tarifas",
        "Prices and plans",
        es="precio*|caro|cara|caros|caras|carisim*|barato*|cuesta|cuestan|coste|tarifa*|subida"
        "|sube|suben|subido|oferta*"
        "|descuento*|promocion*",
        en="price*|pricing|expensive|pricey|cost|costs|costly|cheap*|overpriced|plan|plans"
        "|tariff*|deal|deals|discount*|went up|goes up|price increase"
        "|promo*|price rise|price hike",
        # "barata" is also a cockroach: cheap only after a comparative or an intensifier
        pt="preco*|caro|cara|barato*|mais barata*|bem barata*|muito barata*|tao barata*"
        "|tarifa*|aumento*|promocao*|desconto*",
        fr="prix|cher|chere|tarif*|augmentation*|promo*|reduction*",
        it="prezz*|caro|cara|costoso|economico|tariff*|aumento*|sconto*|offerta*",
        de="preis*|teuer*|billig*|tarif*|erhöhung|rabatt*|angebot*",
    ),
    _c(
        "delivery",
        "Envíos y entregas",
        "Delivery and shipping",
        es="envio*|enviado|entrega*|entregado|paqueteria|reparto|repartidor*|mensajer*|pedido*"
        "|seguimiento|transportista|llego tarde|no ha llegado|sin llegar|nunca llego|se perdio"
        "|extraviad*|maleta*|equipaje|recogida",
        en="deliver*|shipping|shipment*|shipped|parcel*|package*|courier*|order|orders|tracking"
        "|dispatch*|arrived late|never arrived|not arrived|lost my parcel|luggage"
        "|baggage|suitcase|pickup",
        pt="entrega*|envio*|encomenda*|pacote*|pedido*|rastreio|transportadora|estafeta",
        fr="livr*|colis|commande*|envoi|expedi*|suivi|transporteur",
        it="consegn*|spedizion*|pacco|pacchi|ordine|ordini|corriere|tracciamento",
        de="liefer*|versand|paket*|bestellung*|sendung*|zusteller|kurier",
    ),
    _c(
        "support",
        "Atención al cliente",
        "Customer service",
        es="atencion al cliente|servicio al cliente|atencion|soporte|call center|llame|llamo"
        "|llamada*|llamar*|telefono|operador*|operadora*|agente|chat|reclamacion*|reclamar"
        "|incidencia*|queja*|esperando|en espera|nadie contesta|nadie responde|no contesta"
        "|no contestan|no responde|no responden|sin respuesta",
        en="customer service|customer support|support|helpdesk|help desk|call center"
        "|call centre|called|calling|call back|phone|agent*|chat|complaint*|ticket*|on hold|hold"
        "|nobody answers|no answer|no response|no reply|unanswered",
        pt="atendimento*|apoio ao cliente|suporte|liguei|ligacao|chamada*|reclamacao*|espera",
        fr="service client|sav|support|conseiller*|appel*|appele|reclamation*|attente",
        it="assistenza|servizio clienti|supporto|operatore|operatrice|chiamat*|reclamo|reclami"
        "|attesa",
        de="kundenservice|kundendienst|support|hotline|angerufen|anruf*|beschwerde*|warteschleife",
    ),
    _c(
        "staff",
        "Personal y tiendas",
        "Staff and stores",
        es="personal|empleado*|empleada*|dependiente*|dependienta*|tienda*|local|sucursal"
        "|oficina*|tecnico|tecnica|instalacion|instalador*|trato|borde|bordes|maleducad*|amable*"
        "|camarer*|recepcion*|farmaceutic*|cajer*|encargad*|tripulacion|azafat*|atento|atenta"
        "|atentos|atentas|horario",
        en="staff|employee*|shop|store|branch|cashier*|technician*|engineer|installer*"
        "|installation|rude|friendly|polite|manager|waiter*|waitress*|receptionist*"
        "|attendant*|pharmacist*|crew|opening hours|folks at",
        pt="funcionari*|loja*|balcao|tecnico|simpatic*|mal educad*|gerente",
        fr="personnel|employe*|vendeu*|boutique*|magasin*|agence|technicien*|impoli*|aimable*",
        it="personale|dipendent*|commess*|negozio|negozi|filiale|tecnico|scortes*|gentil*",
        de="personal|mitarbeiter*|filiale|laden|geschäft|techniker|unfreundlich*|freundlich*",
    ),
    _c(
        "digital",
        "App y web",
        "App and website",
        es="app|aplicacion|web|pagina web|login|contrasena|acceso|acceder|area de clientes"
        "|se cuelga|se cierra sola|boton|codigo sms|iniciar sesion",
        en="app|application|website|login|log in|password|online account|app update|crash*"
        "|bug|bugs|button|sign in",
        pt="app|aplicacao|aplicativo|site|pagina|login|senha|conta|atualizacao",
        fr="appli*|site|page|connexion|identifiant|mot de passe|compte|mise a jour|bug*",
        it="app|applicazione|sito|pagina|accesso|password|account|aggiornamento|bug",
        de="app|anwendung|webseite|website|login|anmeldung|passwort|konto|kundenkonto|update"
        "|absturz|stürzt ab",
    ),
    _c(
        "network",
        "Red, cobertura y averías",
        "Network, coverage and outages",
        es="averia*|caido|caida|se cae|corte*|sin servicio|sin internet|sin linea|sin fibra"
        "|sin senal|sin datos|sin luz|sin cobertura|cobertura|no funciona|no va nada|no me va"
        "|senal|la red|sin red|velocidad|lento|lenta|megas|router|fibra|mantenimiento|conexion",
        en="outage*|is down|went down|been down|down again|no service|no internet|no signal"
        "|no connection|offline|not working|stopped working|coverage|signal|network|broadband"
        "|connection|speed|slow|buffering|router|fibre|fiber|maintenance",
        pt="avaria*|falha*|sem servico|sem internet|sem rede|sem sinal|nao funciona|rede|sinal"
        "|cobertura",
        fr="panne*|coupure*|hors service|sans internet|pas de reseau|ne marche pas"
        "|ne fonctionne pas|reseau|couverture|connexion",
        it="guast*|disservizio|interruzione|senza servizio|senza internet|senza linea"
        "|non funziona|rete|copertura|segnale",
        de="störung*|ausfall|ausgefallen|kein internet|kein netz|funktioniert nicht|netz"
        "|empfang|verbindung",
        **{ANY_LANGUAGE: "5g|4g|3g|lte|roaming|wifi|wi-fi|mbps|ftth"},
    ),
    _c(
        "quality",
        "Calidad del producto",
        "Product quality",
        es="calidad|roto|rota|rotos|defectuos*|estropead*|mal estado|con defecto*"
        "|defecto de fabrica*|se rompio|dejo de funcionar|no sirve|caducad*|podrid*|rancio"
        "|sucio|sucia|sucios|sucias|suciedad|mugre|moho|cucaracha*|pelo en|un pelo|asco"
        "|asqueroso|asquerosa|olor|olia|huele|apesta|sabor|sabe a|insipido|delicios*"
        "|riquisim*|comodo|comoda|comodisim*|incomodo|retirada del mercado|retiran",
        en="quality|broken|defective|faulty|damaged|poor quality|cheaply made|stopped working"
        "|expired|rotten|stale|mouldy|moldy|mould|mold|dirty|filthy|vile|gross|disgusting"
        "|cockroach*|hair in|smell*|stink*|reek*|taste*|tasty|delicious|undercooked"
        "|comfortable|uncomfortable|recall|recalled|recall notice",
        pt="qualidade|partid*|avariad*|defeituos*|danificad*|estragad*|podre|sujo|suja"
        "|sujeira|mofo|uma barata|cheio de baratas|cheia de baratas|nojo|nojento|cheiro|fede"
        "|sabor|delicios*|confortavel",
        fr="qualite|casse*|defectueu*|abime*|endommage*|pourri*|sale|salete|moisi*|cafard*"
        "|degoutant*|odeur|puant*|gout|delicieu*|confortable|rappel",
        it="qualita|rotto|rotta|difettos*|danneggiat*|scadente|marcio|sporco|sporca|sporcizia"
        "|muffa|scarafagg*|schifo|odore|puzza|sapore|delizios*|buonissim*|comodo|comoda"
        "|richiamo",
        de="qualität|kaputt|defekt*|beschädigt*|mangelhaft|verschimmelt|schimmel|dreckig"
        "|schmutzig|eklig|ekelhaft|kakerlake*|gestank|stinkt|geschmack|lecker|bequem"
        "|rückruf",
    ),
    _c(
        "contract",
        "Bajas y permanencia",
        "Cancellations and contracts",
        # "baja" alone is also low ("velocidad muy baja", "de baja calidad"): phrases only
        es="da* de baja|doy de baja|di de baja|dio de baja|dieron de baja|pedi* la baja"
        "|quier* la baja|solicit* la baja|tramit* la baja|gestion* la baja|solicitud de baja"
        "|departamento de bajas|cancelar|cancelacion|cancelado|permanencia"
        "|contrato*|portabilidad|cambiarme a|me cambio a|me paso a|me he pasado|pasarme a",
        en="cancel*|contract*|switch*|leaving|unsubscrib*|terminate|termination|porting"
        "|subscription*",
        pt="cancelar|cancelamento|contrato*|fidelizacao|portabilidade|mudar de operador",
        fr="resili*|annul*|contrat*|engagement|portabilite|changer d operateur",
        it="disdett*|recesso|annull*|contratto*|vincolo|portabilita|cambiare operatore",
        de="kündig*|gekündigt|vertrag*|vertragslaufzeit|wechsel*|stornier*",
    ),
)


class _Text:
    """A post as the rules read it (:func:`monitor.normalize.spellings`): folded (case and
    accents), with plain punctuation, and, when it has German umlauts, also folded with them
    written out (ä -> ae, ö -> oe, ü -> ue), so that a term typed without an umlaut key
    ("kuendig*") finds the word written with one."""

    def __init__(self, text: str) -> None:
        self.forms = tuple(s.translate(_PLAIN_PUNCTUATION) for s in spellings(text))
        self.plain, *written = self.forms
        self.written = written[0] if written else None

    def search(self, pattern: re.Pattern[str]) -> bool:
        return search_spellings(pattern, self.forms) is not None

    def words(self, pattern: re.Pattern[str]) -> tuple[str, ...]:
        """The words ``pattern`` finds in either spelling, as the folded text has them, in
        their order in the text, each once."""
        spans = {m.span() for m in pattern.finditer(self.plain)}
        unplaced = []
        if self.written is not None:
            where = self._where
            for m in pattern.finditer(self.written):
                if where is None:
                    unplaced.append(m.group(0))
                else:
                    spans.add((where[m.start()], where[m.end()]))
        placed = (self.plain[start:end] for start, end in sorted(spans))
        return tuple(dict.fromkeys((*placed, *unplaced)))

    @cached_property
    def _where(self) -> list[int] | None:
        """For each position in the written-out spelling, the same place in the folded
        one. They differ only by the "e"s written after umlauts, inside words, so a greedy
        walk places every word boundary, where matches start and end, exactly; None if
        they differ otherwise (no character is known to do that)."""
        where, i = [], 0
        for ch in self.written or "":
            where.append(i)
            if i < len(self.plain) and self.plain[i] == ch:
                i += 1
            elif ch != "e":
                return None
        where.append(i)
        return where if i == len(self.plain) else None


def _term_regex(term: str) -> str:
    """Whole words on folded text; a German umlaut matches its vowel with or without an
    "e" (:func:`monitor.normalize.umlaut_pattern`, as brand terms do); a trailing ``*`` on
    a word matches any ending; words may be joined by spaces, hyphens or apostrophes."""
    words = []
    for word in re.split(_BETWEEN_WORDS, fold_keeping_umlauts(term).translate(_PLAIN_PUNCTUATION)):
        if not word:
            continue
        stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
        if not stem or "*" in stem:
            raise ValueError(f"a * may only end a word: {term!r}")
        words.append(umlaut_pattern(stem) + (r"\w*" if star else ""))
    if not words:
        raise ValueError("empty term")
    return r"(?<!\w)" + _BETWEEN_WORDS.join(words) + r"(?!\w)"


def _compile(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = sorted({_term_regex(t) for t in terms if t.strip()}, key=len, reverse=True)
    return re.compile("|".join(parts)) if parts else None


@dataclass(frozen=True)
class Match:
    """A category found in a text and the words that put it there."""

    category: str
    words: tuple[str, ...]


class _Rules:
    """One category compiled: a pattern per language, one for every language, a veto."""

    def __init__(self, category: Category) -> None:
        self.id = category.id
        shared = category.terms.get(ANY_LANGUAGE, ())
        self.languages = {
            lang: _compile((*terms, *shared))
            for lang, terms in category.terms.items()
            if lang != ANY_LANGUAGE
        }
        every = [t for terms in category.terms.values() for t in terms]
        self.everything = _compile(every)
        self.exclude = _compile(category.exclude)

    def find(self, text: _Text, lang: str | None) -> Match | None:
        """This category's words in the post's language (with its every-language ones);
        all of its words when it has none in that language or the language is unknown."""
        if self.exclude is not None and text.search(self.exclude):
            return None
        pattern = self.languages.get(lang, self.everything) if lang else self.everything
        if pattern is None:
            return None
        words = text.words(pattern)
        return Match(self.id, words) if words else None


class Categorizer:
    """Finds the categories of texts.

    >>> Categorizer(CategorySettings()).categorize("Me han cobrado dos veces", "es")
    ('billing',)
    """

    def __init__(self, settings: CategorySettings) -> None:
        self.settings = settings
        self._rules = [_Rules(c) for c in settings.categories]

    def explain(self, text: str, lang: str | None = None) -> list[Match]:
        read = _Text(text)
        code = primary_language(lang)
        found = []
        for rules in self._rules:
            match = rules.find(read, code)
            if match is not None:
                found.append(match)
        return found

    def categorize(self, text: str, lang: str | None = None) -> tuple[str, ...]:
        return tuple(m.category for m in self.explain(text, lang))


@dataclass(frozen=True)
class CategorySettings:
    """The categories in use: the built-in ones (unless ``builtin = false``) with the
    ``[categories]`` table's changes on top."""

    categories: tuple[Category, ...] = BUILTIN_CATEGORIES
    builtin: bool = True

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> CategorySettings:
        """Check ``[categories]``; mistakes raise ``ConfigError`` naming the key."""
        data = dict(data or {})
        builtin = data.pop("builtin", True)
        if not isinstance(builtin, bool):
            raise ConfigError(f"categories.builtin must be true or false, got {builtin!r}")
        chosen = {c.id: c for c in BUILTIN_CATEGORIES} if builtin else {}
        for cid, raw in data.items():
            where = f"categories.{cid}"
            if not _ID.fullmatch(str(cid)):
                raise ConfigError(
                    f"{where}: a category id is lower-case letters, digits and _",
                    hint="e.g. [categories.network]",
                )
            if not isinstance(raw, Mapping):
                raise ConfigError(f"{where} must be a table", hint=f"write [{where}]")
            unknown = sorted(set(raw) - CATEGORY_KEYS)
            if unknown:
                raise ConfigError(
                    f"{where}: unknown keys {unknown}",
                    hint=f"known: {', '.join(sorted(CATEGORY_KEYS))}",
                )
            enabled = raw.get("enabled", True)
            if not isinstance(enabled, bool):
                raise ConfigError(f"{where}.enabled must be true or false")
            if not enabled:
                if cid not in chosen:
                    raise ConfigError(
                        f"{where}: there is no category {cid!r} to turn off",
                        hint=f"categories: {', '.join(chosen) or 'none (builtin = false)'}",
                    )
                chosen.pop(cid)
                continue
            chosen[cid] = _category(cid, raw, chosen.get(cid), where)
        return cls(tuple(chosen.values()), builtin)

    def by_id(self) -> dict[str, Category]:
        return {c.id: c for c in self.categories}

    def owner_for(self, ids) -> tuple[str, str] | None:
        """(owner, category id) of the first of ``ids``, in the settings' order, that has an
        owner: who should answer a post about them; None when none has one."""
        wanted = set(ids or ())
        for c in self.categories:
            if c.id in wanted and c.owner:
                return c.owner, c.id
        return None

    def name(self, cid: str, lang: str) -> str:
        """The category's name for people, in ``lang`` (its id when it is no longer defined)."""
        category = self.by_id().get(cid)
        return category.name(lang) if category else cid.replace("_", " ")

    @property
    def fingerprint(self) -> str:
        """Changes whenever the rules change, so stored categories can be redone."""
        canonical = [
            RULES_VERSION,
            [
                [c.id, sorted((k, sorted(v)) for k, v in c.terms.items()), sorted(c.exclude)]
                for c in sorted(self.categories, key=lambda c: c.id)
            ],
        ]
        blob = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha1(blob.encode()).hexdigest()[:16]


def _terms(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    """``["a", "b"]`` (every language) or ``{ es = [...], en = [...] }``, each term checked."""
    if isinstance(value, list):
        value = {ANY_LANGUAGE: value}
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where} must be a list of words or a table of language = list",
            hint='e.g. terms = ["cobertura", "coverage"] or terms = { es = ["cobertura"] }',
        )
    out: dict[str, tuple[str, ...]] = {}
    for lang, terms in value.items():
        if lang != ANY_LANGUAGE and not _LANGUAGE.fullmatch(str(lang).lower()):
            raise ConfigError(f"{where}.{lang}: not a language code", hint="e.g. es, en, pt")
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise ConfigError(f"{where}.{lang} must be a list of words")
        for term in terms:
            try:
                _term_regex(term)
            except ValueError as e:
                raise ConfigError(f"{where}: {e}", hint='write "cobr*" or "cargo doble"') from None
        key = ANY_LANGUAGE if lang == ANY_LANGUAGE else primary_language(str(lang)) or str(lang)
        out[key] = (*out.get(key, ()), *(t.strip() for t in terms if t.strip()))
    return out


def _category(cid: str, raw: Mapping[str, Any], base: Category | None, where: str) -> Category:
    names = dict(base.names) if base else {}
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        names = {"es": name.strip(), "en": name.strip()}
    elif isinstance(name, Mapping) and all(isinstance(v, str) and v.strip() for v in name.values()):
        names.update({str(k): str(v).strip() for k, v in name.items()})
    elif name is not None:
        raise ConfigError(
            f"{where}.name must be a text or a table of language = text",
            hint='e.g. name = { es = "Red y cobertura", en = "Network and coverage" }',
        )
    if "terms" in raw:
        terms = _terms(raw["terms"], f"{where}.terms")
    elif base is not None:
        terms = dict(base.terms)
    else:
        terms = {}
    for lang, more in _terms(raw.get("add_terms", []), f"{where}.add_terms").items():
        if more:
            terms[lang] = (*terms.get(lang, ()), *more)
    if not any(terms.values()):
        raise ConfigError(
            f"{where}: give it some terms",
            hint='e.g. terms = ["cobertura", "coverage"]',
        )
    if "exclude" in raw:
        exclude = _terms(raw["exclude"], f"{where}.exclude")
        if set(exclude) - {ANY_LANGUAGE}:
            raise ConfigError(f"{where}.exclude must be a plain list of words (every language)")
        excluded = exclude.get(ANY_LANGUAGE, ())
    else:
        excluded = base.exclude if base else ()
    owner = raw.get("owner", base.owner if base else None)
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise ConfigError(f"{where}.owner must be a name", hint='e.g. owner = "Finanzas"')
    return Category(
        cid,
        names or {"es": cid, "en": cid},
        terms,
        tuple(excluded),
        owner.strip() if owner else None,
    )


__all__ = [
    "BUILTIN_CATEGORIES",
    "Categorizer",
    "Category",
    "CategorySettings",
    "Match",
]
