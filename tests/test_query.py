from monitor.normalize import clean_text, content_hash, fold
from monitor.query import BrandMatcher, match_posts
from monitor.settings import BrandConfig
from monitor.types import RawPost

TELEFONICA = BrandConfig(
    "Telefónica",
    aliases=("@telefonica", '"Movistar Plus"'),
    exclude=("telefonica arena",),
)


def test_fold_removes_case_and_accents():
    assert fold("TELEFÓNICA Ñandú") == "telefonica nandu"


def test_accent_and_case_insensitive_whole_words():
    m = BrandMatcher(TELEFONICA)
    assert m.matches("la telefonica me cobró dos veces")
    assert m.matches("¡¡TELEFÓNICA!!")
    assert m.matches("#Telefonica fatal hoy")
    assert not m.matches("las telefónicas del barrio")  # not the whole word
    assert not m.matches("telefonicamente hablando")


def test_aliases_phrases_and_exclusions():
    m = BrandMatcher(TELEFONICA)
    assert m.matches("movistar   plus sube el precio")
    assert not m.matches("movistar sube el precio")  # phrase needs both words
    assert m.matches("@telefonica ayuda por favor")
    result = m.explain("concierto en la Telefónica Arena")
    assert not result.matched and "excluded" in result.reason


def test_include_terms_and_language_filter():
    m = BrandMatcher(BrandConfig("Apple", include=("iphone", "mac"), languages=("en",)))
    assert m.matches("my Apple iPhone died", lang="en")
    assert m.explain("apple pie recipe", lang="en").reason == "no context term"
    assert m.explain("mi Apple iPhone murió", lang="es").reason == "language es not watched"
    # a text whose language could not be identified is kept, not lost
    assert m.matches("Apple iPhone worst", lang=None)
    assert m.matches("Apple iPhone worst", lang="und")


def test_short_complaints_in_a_watched_language_are_not_lost():
    from monitor.langid import detect_language

    m = BrandMatcher(BrandConfig("Movistela", languages=("es", "en")))
    posts = [
        RawPost("feed", str(i), text)
        for i, text in enumerate(["Movistela is the worst", "Movistela fatal", "Movistela 😡😡"])
    ]
    kept = match_posts(posts, [m], detect_language, lambda t: t)
    assert len(kept) == 3
    german = RawPost("feed", "de", "Movistela hat mir zweimal die Rechnung geschickt, unglaublich")
    assert match_posts([german], [m], detect_language, lambda t: t) == []


def test_a_sources_language_hint_is_used_only_when_the_text_cannot_be_told():
    m = BrandMatcher(BrandConfig("Movistela"))
    detected = {"long": "en", "short": None, "own": "en"}
    raws = [
        RawPost("feed", "long", "long", lang_hint="es"),  # the text says English
        RawPost("feed", "short", "short", lang_hint="es-ES"),  # too short to tell
        RawPost("feed", "own", "own", lang="pt-BR", lang_hint="es"),  # the post's own tag
    ]
    kept = match_posts(raws, [m], lambda t: detected[t.split()[-1]], lambda t: f"Movistela {t}")
    assert [(p.external_id, p.lang) for p in kept] == [
        ("long", "en"),
        ("short", "es"),
        ("own", "pt"),
    ]


def test_match_posts_counts_why_items_were_left_out():
    from collections import Counter

    es = BrandMatcher(BrandConfig("Movistela", languages=("es",)))
    other = BrandMatcher(BrandConfig("Rival", exclude=("rival arena",)))
    raws = [
        RawPost("feed", "1", "Movistela me cobró dos veces"),
        RawPost("feed", "2", "Movistela charged me twice"),
        RawPost("feed", "3", "Hoy paella"),
        RawPost("feed", "4", "Concierto en el Rival Arena"),
        RawPost("feed", "5", "<p></p>"),
    ]
    langs = {"1": "es", "2": "en", "3": "es", "4": "es", "5": None}
    left_out = Counter()
    kept = match_posts(
        raws, [es, other], lambda t: langs[next(r.external_id for r in raws if r.text == t)],
        lambda t: t if t != "<p></p>" else "", left_out=left_out,
    )  # fmt: skip
    assert [p.external_id for p in kept] == ["1"]
    # the unwatched language says more than the other brand's "not mentioned"
    assert left_out == {
        "language en not watched": 1,
        "brand not mentioned": 1,
        "an excluded term": 1,
        "no text": 1,
    }


def test_match_posts_cleans_html_detects_language_and_hashes():
    raw = [
        RawPost(
            "feed",
            "1",
            "<p>Telefónica me cobró <b>dos veces</b> este mes, qué vergüenza</p><script>x()</script>",
        ),
        RawPost("feed", "2", "nothing to see here"),
    ]
    posts = match_posts(raw, [BrandMatcher(TELEFONICA)], lambda t: "es", clean_text)
    assert len(posts) == 1
    p = posts[0]
    assert p.text == "Telefónica me cobró dos veces este mes, qué vergüenza"
    assert "script" not in p.text and "x()" not in p.text
    assert p.lang == "es" and p.brand == "Telefónica"


def test_cross_posts_share_a_content_hash():
    a = content_hash("Telefónica me cobró dos veces https://t.co/abc @soporte")
    b = content_hash("telefonica me cobro dos veces!! https://example.com/x")
    c = content_hash("Telefónica me cobró tres veces")
    assert a == b != c


def test_clean_text_caps_huge_posts():
    text = clean_text("a" * 1_000_000)
    assert len(text) < 25_000 and text.endswith("[…]")


def test_clean_text_leaves_plain_text_with_angle_brackets_as_it_is():
    review = "La app pide <Movistela ID> y <contraseña> cada vez"
    assert clean_text(review) == review


def test_clean_text_keeps_words_in_angle_brackets_beside_real_markup():
    text = "<p><b>Ojo</b>: la app pide <Movistela ID> y <contraseña/></p>"
    assert clean_text(text) == "Ojo: la app pide <Movistela ID> y <contraseña/>"


def test_clean_text_drops_namespaced_tags_and_inline_images():
    text = "<p>Movistela<o:p></o:p></p><svg><text>logo</text></svg>no contesta"
    assert clean_text(text) == "Movistela\nno contesta"


def test_match_posts_finds_a_brand_written_in_angle_brackets_in_a_review():
    raw = RawPost("appstore", "1", "La app pide <Movistela ID> y <contraseña> cada vez")
    matcher = BrandMatcher(BrandConfig("Movistela"))
    posts = match_posts([raw], [matcher], lambda t: "es", clean_text)
    assert [p.text for p in posts] == ["La app pide <Movistela ID> y <contraseña> cada vez"]


def test_clean_text_reads_older_and_rarer_elements_as_markup():
    text = '<acronym title="Comisión">CNMC</acronym> multa a <nobr>Movistela</nobr>'
    assert clean_text(text) == "CNMC multa a Movistela"
    assert clean_text("Texto de Word<o:p></o:p>") == "Texto de Word"  # nothing else but it
    assert clean_text("escribid a <mailto:soporte@movistela.es>") == (
        "escribid a <mailto:soporte@movistela.es>"
    )


def _matched(brand: BrandConfig, texts: list[str]) -> list[str]:
    """The texts that brand matching, as the pipeline runs it, keeps for ``brand``."""
    raws = [RawPost("feed", str(i), text) for i, text in enumerate(texts)]
    posts = match_posts(raws, [BrandMatcher(brand)], lambda t: "de", clean_text)
    return [p.text for p in posts]


def test_umlauts_match_their_spelling_with_e_in_both_directions():
    texts = ["Müller hat geliefert", "MUELLER hat geliefert", "Muller hat geliefert"]
    # a brand written with the umlaut finds it written out, or typed without its dots
    assert _matched(BrandConfig("Müller"), texts) == texts
    # a brand written out finds it with the umlaut (a bare "Muller" is some other name)
    assert _matched(BrandConfig("Mueller"), texts) == texts[:2]
    for brand in ("Bäckerei Öttl", "Baeckerei Oettl"):
        assert _matched(BrandConfig(brand), ["bei der Bäckerei Oettl", "BAECKEREI ÖTTL"]) == [
            "bei der Bäckerei Oettl",
            "BAECKEREI ÖTTL",
        ]


def test_umlaut_spellings_apply_to_aliases_context_terms_and_exclusions():
    brand = BrandConfig("Kühne", include=("Lüftung",), exclude=('"Kuehne Arena"',))
    texts = ["Kuehne: Lueftung kaputt", "Kühne Arena: Lüftung kaputt", "Kuehne Arena: Lueftung"]
    assert _matched(brand, texts) == ["Kuehne: Lueftung kaputt"]
    assert _matched(BrandConfig("Kühne"), ["Kuehne Arena"]) == ["Kuehne Arena"]


def test_words_with_ae_oe_ue_do_not_start_matching_brands_without_umlauts():
    texts = ["so blue", "a long queue", "Raphael said", "the poet", "la fue bueno"]
    for brand in ("Blu", "Queu", "Raphal", "Pot", "Fu", "Bueno"):
        kept = _matched(BrandConfig(brand), texts)
        assert kept == (["la fue bueno"] if brand == "Bueno" else []), brand


def test_sharp_s_matches_ss_and_spanish_folding_is_unchanged():
    assert _matched(BrandConfig("Straße"), ["Strasse", "STRASSE", "Straße"]) == [
        "Strasse",
        "STRASSE",
        "Straße",
    ]
    assert _matched(BrandConfig("Strasse"), ["Straße", "Straẞe"]) == ["Straße", "Straẞe"]
    assert _matched(BrandConfig("España"), ["espana", "ESPAÑA", "Espanna"]) == ["espana", "ESPAÑA"]
    assert _matched(BrandConfig("Pingüino"), ["pinguino", "Pingüino"]) == [
        "pinguino",
        "Pingüino",
    ]


def test_content_hash_still_folds_umlauts_to_the_bare_vowel():
    # stored hashes must keep matching: the hash is not changed by umlaut spellings
    assert content_hash("Müller") == content_hash("Muller") != content_hash("Mueller")


def test_umlaut_pattern_is_shared_by_brand_and_category_terms():
    from monitor.normalize import fold_keeping_umlauts, umlaut_pattern

    assert fold_keeping_umlauts("GEBÜHR-Café") == "gebühr-cafe"
    assert umlaut_pattern("Müller") == "mue?ller"
    assert umlaut_pattern("Ströme") == "stroe?me"
    assert umlaut_pattern("Pingüino") == "pingue?ino"  # any ü; the text decides what it finds
    assert umlaut_pattern("a+b") == r"a\+b"


def test_umlauts_are_found_composed_or_decomposed():
    from monitor.normalize import has_umlauts

    assert has_umlauts("Müller") and has_umlauts("Mu\u0308ller") and has_umlauts("ÄRGER")
    assert not has_umlauts("Mueller") and not has_umlauts("Muller")
    matcher = BrandMatcher(BrandConfig("Mueller"))
    assert matcher.matches("Mu\u0308ller hat mir zweimal berechnet")
