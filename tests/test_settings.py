from pathlib import Path

import pytest

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
