"""Keyword categories: the built-in set in six languages, matching rules, and the config."""

from __future__ import annotations

import pytest

from monitor.categories import BUILTIN_CATEGORIES, Categorizer, CategorySettings
from monitor.errors import ConfigError

BUILTIN = Categorizer(CategorySettings())


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Me han cobrado la cuota de noviembre dos veces", "es", {"billing"}),
        ("Llevo desde el lunes sin fibra, tres días sin internet", "es", {"network"}),
        ("El repartidor marcó ausente y el pedido sigue sin llegar", "es", {"delivery"}),
        ("Pedí la baja hace un mes y me siguen pasando recibos", "es", {"contract", "billing"}),
        ("52 minutos en espera y nadie contesta", "es", {"support"}),
        ("I was charged twice and the refund never came", "en", {"billing", "refunds"}),
        ("The courier left my parcel in the rain", "en", {"delivery"}),
        ("The app crashes every time I log in", "en", {"digital"}),
        ("Rude staff at the Gran Via store", "en", {"staff"}),
        ("A fatura veio com um valor errado", "pt", {"billing"}),
        ("Colis jamais livré, aucun suivi", "fr", {"delivery"}),
        ("Il servizio clienti non risponde mai", "it", {"support"}),
        ("Die App stürzt ständig ab", "de", {"digital"}),
        ("Qué bonito día hace hoy", "es", set()),
    ],
)
def test_builtin_categories_find_what_a_post_is_about(text, lang, expected):
    assert set(BUILTIN.categorize(text, lang)) == expected


@pytest.mark.parametrize(
    ("text", "lang", "category"),
    [
        ("Me facturaron dos veces el mismo mes", "es", "billing"),
        ("Nos facturan servicios que no pedimos", "es", "billing"),
        ("No me devuelven el dinero", "es", "refunds"),
        ("Nadie me devuelve lo que pagué", "es", "refunds"),
        ("La fianza nunca me fue devuelta", "es", "refunds"),
        ("Las entradas son carísimas", "es", "price"),
        ("Las bebidas, muy caras", "es", "price"),
        ("A outra operadora é bem mais barata", "pt", "price"),
        ("Ich habe schon vor zwei Monaten gekündigt", "de", "contract"),
        ("Quiero darme de baja ya", "es", "contract"),
        ("Me di de baja el día 2", "es", "contract"),
    ],
)
def test_everyday_inflections_are_found(text, lang, category):
    assert category in BUILTIN.categorize(text, lang)


@pytest.mark.parametrize(
    "text", ["La velocidad es muy baja por las tardes", "Producto de baja calidad"]
)
def test_baja_meaning_low_is_not_a_cancellation(text):
    assert "contract" not in BUILTIN.categorize(text, "es")


def test_portuguese_barata_is_cheap_in_a_comparison_and_a_cockroach_on_its_own():
    assert BUILTIN.categorize("A outra operadora é bem mais barata", "pt") == ("price",)
    assert BUILTIN.categorize("Encontrei uma barata na cozinha", "pt") == ("quality",)


def test_matching_is_whole_word_accent_and_case_insensitive_with_wildcards():
    # "cobr*" covers cobro, cobrado, COBRARON; accents and case do not matter
    for text in ("Un cobro indebido", "ME HAN COBRADO", "cobraron dos veces", "Facturación"):
        assert BUILTIN.categorize(text, "es") == ("billing",), text
    # whole words only: "cobertura" starts like "cobr" but is not a charge
    assert "billing" not in BUILTIN.categorize("La cobertura es buena", "es")
    # "por defecto" (by default) is not a defect
    assert BUILTIN.categorize("Venían bloqueados por defecto", "es") == ()


def test_explain_names_the_words_that_put_a_post_in_a_category():
    (match,) = BUILTIN.explain("Me cobraron la factura dos veces", "es")
    assert match.category == "billing"
    assert match.words == ("cobraron", "factura")


def test_a_posts_language_picks_the_terms_and_unknown_languages_try_all():
    settings = CategorySettings.from_mapping(
        {"builtin": False, "gifts": {"terms": {"es": ["regalo"], "en": ["gift"]}}}
    )
    rules = Categorizer(settings)
    assert rules.categorize("Un regalo", "es") == ("gifts",)
    assert rules.categorize("Un regalo", "en") == ()  # a Spanish word in an English post
    assert rules.categorize("Un regalo", None) == ("gifts",)  # language unknown: every list
    assert rules.categorize("Un regalo", "nl") == ("gifts",)  # no terms in Dutch: every list
    assert rules.categorize("a gift", "en-GB") == ("gifts",)  # regional tags count


def test_a_category_in_a_new_language_leaves_the_others_reading_it():
    settings = CategorySettings.from_mapping({"events": {"terms": {"ca": ["concert"]}}})
    rules = Categorizer(settings)
    catalan = "M'han cobrat la factura dues vegades"
    assert rules.categorize(catalan, "ca") == ("billing",)  # built-ins: all their words
    assert rules.categorize("Un concert fantàstic", "ca") == ("events",)


def test_typographic_apostrophes_hyphens_and_regional_tags():
    assert BUILTIN.categorize("Je veux changer d\u2019opérateur", "fr") == ("contract",)
    assert BUILTIN.categorize("Je veux changer d'opérateur", "fr-FR") == ("contract",)
    assert BUILTIN.categorize("el wi fi no va nada", "es") == ("network",)  # term "wi-fi"
    assert BUILTIN.categorize("A fatura veio errada", "pt_BR") == ("billing",)
    settings = CategorySettings.from_mapping({"vip": {"terms": {"ES": ["vip"], "pt-BR": ["v"]}}})
    assert settings.by_id()["vip"].terms == {"es": ("vip",), "pt": ("v",)}


def test_every_language_terms_apply_to_every_post():
    assert BUILTIN.categorize("5G por fin en mi pueblo", "es") == ("network",)
    assert set(BUILTIN.categorize("Roaming cost me a fortune", "en")) == {"network", "price"}


def test_config_adds_extends_replaces_and_drops_categories():
    settings = CategorySettings.from_mapping(
        {
            "network_quality": {
                "name": {"es": "Calidad de red", "en": "Network quality"},
                "terms": ["latencia", "ping", "lag*"],
            },
            "billing": {"add_terms": {"es": ["prorrateo"]}},
            "price": {"enabled": False},
            "staff": {"name": "Equipo", "exclude": ["staff meeting"]},
        }
    )
    rules = Categorizer(settings)
    ids = [c.id for c in settings.categories]
    assert "price" not in ids and ids[-1] == "network_quality"
    assert rules.categorize("Mucho lag y latencia", "es") == ("network_quality",)
    assert rules.categorize("El prorrateo no cuadra", "es") == ("billing",)
    assert "billing" in rules.categorize("Me cobraron de más", "es")  # built-in terms kept
    assert rules.categorize("Too expensive", "en") == ()
    assert rules.categorize("Rude staff", "en") == ("staff",)
    assert rules.categorize("After the staff meeting", "en") == ()  # the veto
    assert settings.name("staff", "en") == "Equipo"
    assert settings.name("network_quality", "es") == "Calidad de red"
    assert settings.name("gone", "es") == "gone"  # a category no longer defined


def test_builtin_off_keeps_only_your_own():
    settings = CategorySettings.from_mapping({"builtin": False, "vip": {"terms": ["vip"]}})
    assert [c.id for c in settings.categories] == ["vip"]


def test_builtin_names_exist_in_spanish_and_english():
    for c in BUILTIN_CATEGORIES:
        assert c.name("es") and c.name("en") and c.name("es") != c.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"Billing": {"terms": ["x"]}}, "lower-case"),
        ({"vip": "vip"}, "must be a table"),
        ({"vip": {"terms": ["x"], "colour": "red"}}, "unknown keys"),
        ({"vip": {"terms": ["c*bro"]}}, "may only end a word"),
        ({"vip": {"terms": []}}, "give it some terms"),
        ({"vip": {"name": 3, "terms": ["x"]}}, "name must be"),
        ({"vip": {"terms": {"spanish": ["x"]}}}, "not a language code"),
        ({"vip": {"terms": "vip"}}, "list of words"),
        ({"vip": {"terms": ["x"], "exclude": {"es": ["y"]}}}, "plain list"),
        ({"builtin": "yes"}, "true or false"),
        ({"biling": {"enabled": False}}, "no category 'biling' to turn off"),
        ({"vip": {"terms": ["-"]}}, "empty term"),
        ({"billing": {"owner": ""}}, "owner must be a name"),
        ({"price": {"enabled": "no"}}, "true or false"),
    ],
)
def test_config_mistakes_are_named(data, message):
    with pytest.raises(ConfigError, match=message):
        CategorySettings.from_mapping(data)


def test_the_fingerprint_changes_with_the_rules_only():
    default = CategorySettings().fingerprint
    assert CategorySettings.from_mapping({}).fingerprint == default
    renamed = CategorySettings.from_mapping({"billing": {"name": "Cobros"}})
    assert renamed.fingerprint == default  # a new name does not change what matches
    more = CategorySettings.from_mapping({"billing": {"add_terms": ["prorrateo"]}})
    assert more.fingerprint != default
    fewer = CategorySettings.from_mapping({"price": {"enabled": False}})
    assert fewer.fingerprint not in {default, more.fingerprint}


def test_settings_read_the_categories_table(tmp_path):
    from monitor.settings import load_settings

    config = tmp_path / "monitor.toml"
    config.write_text(
        '[categories.vip]\nname = "VIP"\nterms = ["vip"]\n[categories.price]\nenabled = false\n',
        encoding="utf-8",
    )
    settings = load_settings(config, env={})
    ids = [c.id for c in settings.categories.categories]
    assert "vip" in ids and "price" not in ids
    config.write_text('[categories.vip]\nterms = ["v*p*"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"monitor.toml: categories.vip.terms: a \* may only"):
        load_settings(config, env={})


def test_owners_say_who_answers_a_post_about_a_category():
    settings = CategorySettings.from_mapping(
        {"billing": {"owner": "Finanzas"}, "delivery": {"owner": "Logística"}}
    )
    assert settings.owner_for(("support", "delivery")) == ("Logística", "delivery")
    # two owners: the first category in the settings' order (billing comes before delivery)
    assert settings.owner_for(("delivery", "billing")) == ("Finanzas", "billing")
    assert settings.owner_for(("support",)) is None and settings.owner_for(()) is None
    renamed = CategorySettings.from_mapping({"billing": {"owner": "Cobros"}})
    assert renamed.fingerprint == CategorySettings().fingerprint  # not a matching rule


def test_a_user_term_with_an_umlaut_also_finds_it_written_out_and_without_its_dots():
    settings = CategorySettings.from_mapping(
        {
            "builtin": False,
            "fees": {"terms": {"de": ["Gebühr*", "zurück geschickt"]}, "exclude": ["Bußgeld"]},
        }
    )
    rules = Categorizer(settings)
    for text in ("Die Gebühr ist zu hoch", "DIE GEBUEHREN SIND ZU HOCH", "gebuhren, schon wieder"):
        assert rules.categorize(text, "de") == ("fees",), text
    # the hyphen, space and typographic-hyphen joining still holds around an umlaut
    for text in ("zurück geschickt", "zurueck-geschickt", "zurueck\u2011geschickt"):
        assert rules.categorize(text, "de") == ("fees",), text
    assert rules.categorize("Gebühren für das Bussgeld", "de") == ()  # the veto


def test_a_user_term_written_out_finds_the_umlaut_and_names_each_word_once():
    settings = CategorySettings.from_mapping(
        {"builtin": False, "refunds": {"terms": ["Rueckerstattung", "kündig*"]}}
    )
    rules = Categorizer(settings)
    assert rules.categorize("Wo bleibt meine Rückerstattung?", "de") == ("refunds",)
    assert rules.categorize("Wo bleibt meine Rueckerstattung?", "de") == ("refunds",)
    (match,) = rules.explain("Rückerstattung nach der Kündigung? Kuendigung!", "de")
    # each word as the folded text has it, in its order, once, though both spellings find it
    assert match.words == ("ruckerstattung", "kundigung", "kuendigung")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Die Kündigung wurde nicht bestätigt", "contract"),
        ("Ich habe gekündigt", "contract"),
        ("Wo bleibt meine Rückerstattung?", "refunds"),
        ("Schon wieder eine Gebühr", "billing"),
        ("Seit heute früh eine Störung", "network"),
        ("Die Qualität ist schlecht", "quality"),
        ("Im Geschäft war niemand", "staff"),
        ("Das Handy stürzt ab", "digital"),
        ("Die Erhöhung kam ohne Ankündigung", "price"),
    ],
)
def test_german_posts_find_their_category_with_umlauts_written_out_or_dropped(text, category):
    written_out = text.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"}))
    dropped = text.translate(str.maketrans("äöü", "aou"))
    for spelling in (text, written_out, dropped):
        assert BUILTIN.categorize(spelling, "de") == (category,), spelling


def test_only_german_umlauts_are_read_written_out_not_every_ue_ae_oe():
    # "Gebuehr" is a German fee typed without an umlaut key...
    assert BUILTIN.categorize("Die Gebuehr ist zu hoch", None) == ("billing",)
    # ...while words that merely have "ue", "ae" or "oe", or a Spanish or Portuguese "ü",
    # get what they always got, in their language and when it is unknown (all terms read)
    cases = [
        ("Está bueno el servicio pero la cola es larga", "es", ()),
        ("The queue at the store was huge", "en", ("staff",)),
        ("Um poema sobre a aerolínea e o aeroporto", "pt", ()),
        ("A Noemi e o Joel foram ao aeroporto; o poeta chorou", "pt", ()),
        ("Israel, Rafael, Michael: the poet's queue", "en", ()),
        ("La aerolínea perdió mi maleta, qué vergüenza", "es", ("delivery",)),
        ("Fue un pingüino de peluche, bueno y barato", "es", ("price",)),
        ("Aerolíneas Argentinas: cuesta caro, devuelven tarde", "es", ("refunds", "price")),
        ("Lingüiça e freqüente", "pt", ()),
    ]
    for text, lang, expected in cases:
        for code in (lang, None):
            assert BUILTIN.categorize(text, code) == expected, (text, code)
