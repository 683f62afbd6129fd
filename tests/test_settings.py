from pathlib import Path

import pytest

from monitor.authors import Untracked
from monitor.errors import ConfigError
from monitor.settings import DEMO_CONFIG, load_settings


def write(tmp_path, text):
    p = tmp_path / "monitor.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_demo_config_loads():
    s = load_settings(DEMO_CONFIG, env={})
    assert [b.name for b in s.brands][0] == "Movistela"
    assert s.sources[0].kind == "file"
    assert s.sources[0].params["path"].endswith("posts.jsonl")
    reviews = s.sources[1]  # App Store reviews of Movistela's app: all about the brand
    assert reviews.about_brand and reviews.brands == ("Movistela",)
    assert Path(reviews.params["path"]).is_file()


def test_a_news_feed_can_leave_its_authors_out_of_repeat_complaints(tmp_path):
    p = write(
        tmp_path,
        "[[sources]]\nname = 'prensa'\nkind = 'rss'\nurl = 'http://x'\ntrack_authors = false\n"
        "[[sources]]\nname = 'foro'\nkind = 'rss'\nurl = 'http://y'\n",
    )
    s = load_settings(p, env={})
    assert [src.track_authors for src in s.sources] == [False, True]
    assert s.untracked == Untracked(sources=("prensa",))
    assert "track_authors" not in s.sources[0].params  # not passed to the collector


def test_channels_of_any_source_can_leave_their_authors_out(tmp_path):
    p = write(tmp_path, '[monitor]\nuntracked_channels = ["news", " Prensa ", ""]\n')
    assert load_settings(p, env={}).untracked == Untracked(channels=("Prensa", "news"))
    assert not load_settings(write(tmp_path, ""), env={}).untracked  # everyone is followed
    with pytest.raises(ConfigError, match="untracked_channels must be a string or a list"):
        load_settings(write(tmp_path, "[monitor]\nuntracked_channels = 3\n"), env={})


def test_the_dashboard_address_is_checked_and_kept_without_its_trailing_slash(tmp_path):
    p = write(tmp_path, '[monitor]\ndashboard_url = "https://escucha.example/panel/"\n')
    assert load_settings(p, env={}).dashboard_url == "https://escucha.example/panel"
    assert load_settings(write(tmp_path, ""), env={}).dashboard_url is None
    with pytest.raises(ConfigError, match="must be an http"):
        load_settings(write(tmp_path, '[monitor]\ndashboard_url = "escucha:8501"\n'), env={})


def test_precedence_file_then_env_then_flags(tmp_path):
    p = write(tmp_path, '[monitor]\ndatabase_url = "sqlite:///from-file.db"\n')
    assert load_settings(p, env={}).database_url == f"sqlite:///{tmp_path / 'from-file.db'}"
    env = {"MONITOR_DATABASE_URL": "sqlite:///env.db"}
    assert load_settings(p, env=env).database_url == "sqlite:///env.db"
    flags = {"database_url": "sqlite:///flag.db"}
    assert load_settings(p, env=env, overrides=flags).database_url == "sqlite:///flag.db"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[[brands]\nname='x'", "invalid TOML"),
        ("[[brands]]\naliases=['x']", "needs a name"),
        ("[[sources]]\nname='a'\nkind='carrier-pigeon'", "unknown kind"),
        ("[[sources]]\nname='a'\nkind='rss'\nurl='http://x'\ninterval_minutes=-1", "positive"),
        ("[[sources]]\nname='a'\nkind='reddit'\nquery='x'\nclient_secret='abc'", "secret"),
        ("[[brands]]\nname='x'\ncolour='red'", "unknown keys"),
        # a single [sources] table instead of [[sources]]: described, its values not echoed
        ("[sources]\nname='a'\nkind='reddit'\nclient_secret='abc'", "array of tables"),
    ],
)
def test_invalid_config_is_a_clear_config_error(tmp_path, text, fragment):
    with pytest.raises(ConfigError) as e:
        load_settings(write(tmp_path, text), env={})
    assert fragment in str(e.value)
    assert "abc" not in str(e.value)  # secrets never echoed


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_settings(tmp_path / "nope.toml", env={})
    assert e.value.hint and "monitor init" in e.value.hint


def test_a_missing_file_named_by_MONITOR_CONFIG_is_refused_like_one_named_by_config(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="nope.toml not found") as e:
        load_settings(env={"MONITOR_CONFIG": str(missing)})
    assert "MONITOR_CONFIG" in e.value.message and "monitor init" in e.value.hint


def test_without_config_or_MONITOR_CONFIG_a_missing_monitor_toml_means_the_defaults(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no ./monitor.toml here
    s = load_settings(env={})
    assert (s.config_path, s.brands, s.sources) == (None, (), ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[monitor]\nclassify_interval_minutes = "abc"',
            "monitor.classify_interval_minutes must be a number, got 'abc'",
        ),
        (
            "[monitor]\nclassify_interval_minutes = 0",
            "monitor.classify_interval_minutes must be a positive number, got 0",
        ),
        ('[monitor]\nlog_level = "loud"', "monitor.log_level must be one of"),
        ("[monitor]\ndatabase_url = 5", "monitor.database_url must be a non-empty string, got 5"),
        (
            '[classifier]\nbatch_size = "big"',
            "classifier.batch_size must be a whole number, got 'big'",
        ),
        (
            "[classifier]\nbatch_size = -5",
            "classifier.batch_size must be a positive whole number, got -5",
        ),
        (
            "[classifier]\nbatch_size = 2.5",
            "classifier.batch_size must be a positive whole number, got 2.5",
        ),
        (
            "[classifier]\nbatch_size = inf",
            "classifier.batch_size must be a positive whole number, got inf",
        ),
        ("[classifier]\nthreads = 0", "classifier.threads must be a positive whole number, got 0"),
        (
            '[classifier]\nquantize = "false"',
            "classifier.quantize must be true or false, got 'false'",
        ),
        ('monitor = "x"', "[monitor] must be a table, got a string"),
        ('brands = "X"', "brands must be an array of tables, got a string"),
        ('brands = ["X"]', "brands must be an array of tables, got a list of other values"),
        (
            "[sources]\nname = 'a'\nkind = 'rss'\nurl = 'http://x'",
            "sources must be an array of tables, got a single table",
        ),
        (
            "[[sources]]\nname = 'a'\nkind = 'rss'\nurl = 'http://x'\nabout_brand = 'yes'",
            "source 'a': about_brand must be true or false, got 'yes'",
        ),
        (
            "[[sources]]\nname = 'a'\nkind = 'rss'\nurl = 'http://x'\ntrack_authors = 0",
            "source 'a': track_authors must be true or false",
        ),
    ],
)
def test_wrong_value_names_section_and_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_settings(path, env={})
    assert str(e.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize(
    ("text", "message", "guess"),
    [
        (
            '[monitor]\ndatabse_url = "sqlite:///x.db"',
            "monitor: unknown keys ['databse_url']",
            "database_url",
        ),
        ("[classifier]\nquantise = true", "classifier: unknown keys ['quantise']", "quantize"),
        ("[clasifier]\nbatch_size = 8", "top level: unknown keys ['clasifier']", "classifier"),
    ],
)
def test_unknown_key_is_refused_with_a_guess(tmp_path, text, message, guess):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_settings(path, env={})
    assert str(e.value) == f"{path}: {message}"
    assert e.value.hint.startswith(f"did you mean {guess!r}?")


def test_competitor_must_be_a_configured_brand(tmp_path):
    path = write(tmp_path, "[[brands]]\nname = 'Acme'\ncompetitors = ['Rival']\n")
    with pytest.raises(ConfigError) as e:
        load_settings(path, env={})
    assert str(e.value) == f"{path}: brand 'Acme': competitors names an unknown brand 'Rival'"
    assert e.value.hint.startswith("known brands: Acme;")
    path.write_text(path.read_text() + "[[brands]]\nname = 'Rival'\n", encoding="utf-8")
    assert load_settings(path, env={}).brand("Acme").competitors == ("Rival",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind = 'rss'", "source 'a' (rss): missing required parameter 'url'"),
        (
            "kind = 'rss'\nurl = 'http://x'\ntimout = 5",
            "source 'a' (rss): unknown parameter 'timout'",
        ),
        ("kind = 'reddit'\nquery = 'x'\ncomments = 'yes'", "'comments' must be true or false"),
        ("kind = 'appstore'\napp_id = 'abc'\nbrands = ['A']", "app_id must be the app's number"),
    ],
)
def test_source_parameters_are_checked_at_load(tmp_path, text, message):
    path = write(tmp_path, f"[[brands]]\nname = 'A'\n[[sources]]\nname = 'a'\n{text}\n")
    with pytest.raises(ConfigError) as e:
        load_settings(path, env={})
    assert message in str(e.value)


def test_valid_classifier_and_monitor_values_load(tmp_path):
    path = write(
        tmp_path,
        "[monitor]\nclassify_interval_minutes = 2.5\nlog_level = 'debug'\n"
        "[classifier]\nbatch_size = 16\nthreads = 4\nquantize = true\n",
    )
    s = load_settings(path, env={})
    assert (s.classify_interval_minutes, s.log_level) == (2.5, "DEBUG")
    assert (s.classifier.batch_size, s.classifier.threads, s.classifier.quantize) == (16, 4, True)


def test_bad_log_level_from_the_environment(tmp_path):
    with pytest.raises(ConfigError, match="MONITOR_LOG_LEVEL must be one of"):
        load_settings(env={"MONITOR_LOG_LEVEL": "loud", "MONITOR_CONFIG": str(write(tmp_path, ""))})


@pytest.mark.parametrize("code", ["spanish", "es es", "1"])
def test_a_brand_language_must_be_a_language_code(tmp_path, code):
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'[[brands]]\nname = "Acme"\nlanguages = ["es", "{code}"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="not a language code") as e:
        load_settings(config, env={})
    assert "pt-BR" in e.value.hint
    config.write_text(
        '[[brands]]\nname = "Acme"\nlanguages = ["es", "pt-BR", "EN"]\n', encoding="utf-8"
    )
    assert load_settings(config, env={}).brand("Acme").languages == ("es", "pt-br", "en")


@pytest.mark.parametrize(
    ("code", "meant"), [("jp", "ja"), ("cn", "zh"), ("dk", "da"), ("xx", None)]
)
def test_a_brand_language_no_one_writes_is_refused_not_left_to_drop_every_post(
    tmp_path, code, meant
):
    # a country code in place of a language code: every post would fail the filter
    config = tmp_path / "monitor.toml"
    config.write_text(f'[[brands]]\nname = "Acme"\nlanguages = ["{code}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=f"'{code}', which is no language code known") as e:
        load_settings(config, env={})
    assert (f'its language is "{meant}"' if meant else '"es", "en" or "pt-BR"') in e.value.hint


@pytest.mark.parametrize("code", ["es-MX", "an", "iw", "nb", "gug", "fil", "yue", "spa"])
def test_rarer_but_real_brand_languages_are_accepted(tmp_path, code):
    # varieties, withdrawn and three-letter codes, and codes CLDR lacks but the identifier gives
    config = tmp_path / "monitor.toml"
    config.write_text(f'[[brands]]\nname = "Acme"\nlanguages = ["{code}"]\n', encoding="utf-8")
    assert load_settings(config, env={}).brand("Acme").languages == (code.lower(),)
