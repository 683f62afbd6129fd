"""Users' own sequence-classification models for a task, through a label mapping: a real
(tiny, randomly initialised) transformers model saved to a local directory."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from monitor.classify.external_config import ExternalModelConfig
from monitor.errors import ConfigError, ModelError
from monitor.settings import load_settings, parse_config
from tests.conftest import save_tiny_bert

MODEL_LABELS = {0: "very bad", 1: "bad", 2: "meh", 3: "great"}
MAPPING = {"very bad": "negative", "BAD": "negative", "meh": "neutral", "great": "positive"}


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A 1-layer BERT sequence classifier with four labels and the e5 tokenizer."""
    return save_tiny_bert(
        tmp_path_factory.mktemp("my-sentiment-model"),
        "BertForSequenceClassification",
        num_labels=4,
        id2label=MODEL_LABELS,
        label2id={v: k for k, v in MODEL_LABELS.items()},
    )


def test_config_checks_the_mapping(tmp_path):
    cfg = ExternalModelConfig.from_mapping(
        "sentiment", {"model": "./m", "labels": MAPPING}, tmp_path
    )
    assert cfg.model == str((tmp_path / "m").resolve())  # relative to monitor.toml
    hub = ExternalModelConfig.from_mapping("emotion", {"model": "org/model"}, tmp_path)
    assert hub.model == "org/model"
    with pytest.raises(ConfigError, match="unknown labels"):
        ExternalModelConfig.from_mapping(
            "sentiment", {"model": "x", "labels": {"a": "angry"}}, tmp_path
        )
    with pytest.raises(ConfigError, match="unknown task"):
        ExternalModelConfig.from_mapping("toxicity", {"model": "x"}, tmp_path)
    with pytest.raises(ConfigError, match="needs model"):
        ExternalModelConfig.from_mapping("sentiment", {"labels": {}}, tmp_path)


@pytest.mark.parametrize("max_length", ["long", 0, 7, 256.0, True])
def test_max_length_must_be_a_whole_number_of_tokens_from_8(tmp_path, max_length):
    with pytest.raises(ConfigError, match=r"sentiment\.max_length must be a whole number"):
        ExternalModelConfig.from_mapping(
            "sentiment", {"model": "m", "max_length": max_length}, tmp_path
        )


def test_a_local_model_answers_its_task_through_the_mapping(tiny_model_dir, tmp_path):
    from monitor.classify import load_classifier

    data = {
        "classifier": {"external": {"sentiment": {"model": str(tiny_model_dir), "labels": MAPPING}}}
    }
    settings = parse_config(data, tmp_path, load_settings(env={}))
    clf = load_classifier(settings)
    texts = ["Me cobraron dos veces la factura", "Great support, thanks!", "", "x" * 50_000]
    out = clf.predict(texts)
    name = tiny_model_dir.name
    for a in out:
        assert set(a.sentiment.probas) == {"negative", "neutral", "positive"}
        assert sum(a.sentiment.probas.values()) == pytest.approx(1.0, abs=1e-5)
        assert a.sentiment.label == max(a.sentiment.probas, key=a.sentiment.probas.get)
        assert a.emotion.label in a.emotion.probas  # emotion still from the built-in model
        assert a.model_version.endswith(f"+sentiment={name}")
    assert out[2].note == "empty text" and out[3].note.startswith("truncated")
    # negative = very bad + bad: the mapping adds probabilities up
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir).eval()
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    with torch.inference_mode():
        p = torch.softmax(model(**tok(texts[:1], return_tensors="pt")).logits, -1)[0].numpy()
    assert out[0].sentiment.probas["negative"] == pytest.approx(float(p[0] + p[1]), abs=1e-5)
    assert out[0].sentiment.probas["neutral"] == pytest.approx(float(p[2]), abs=1e-5)
    assert clf.predict("hola").sentiment.label in {"negative", "neutral", "positive"}


def test_notes_of_the_built_in_and_the_external_model_are_both_kept(tiny_model_dir, tmp_path):
    """The external model reads 16 tokens, the built-in one 256: a text cut by either
    says so, once per distinct note."""
    from monitor.classify import load_classifier

    sentiment = {"model": str(tiny_model_dir), "labels": MAPPING, "max_length": 16}
    data = {"classifier": {"external": {"sentiment": sentiment}}}
    clf = load_classifier(parse_config(data, tmp_path, load_settings(env={})))
    assert clf.base is not None and clf.base.config.max_length == 256

    out = clf.predict(["hola", "palabra " * 40, "palabra " * 400, ""])

    assert [a.note for a in out] == [
        None,
        "truncated to the first 16 tokens",  # cut for the external sentiment model only
        "truncated to the first 256 tokens; truncated to the first 16 tokens",
        "empty text",  # said by both, kept once
    ]


def test_unmapped_labels_and_missing_models_are_clear_errors(tiny_model_dir, tmp_path):
    from monitor.classify.external import ExternalTaskModel

    partial = {k: v for k, v in MAPPING.items() if k != "meh"}
    cfg = ExternalModelConfig("sentiment", str(tiny_model_dir), partial)
    with pytest.raises(ModelError, match=r"labels \['meh'\] are not mapped") as e:
        ExternalTaskModel.load(cfg)
    assert "labels = {" in e.value.hint
    missing = ExternalModelConfig("sentiment", str(tmp_path / "nothing-here"), MAPPING)
    with pytest.raises(ModelError, match="cannot load the sentiment model") as e:
        ExternalTaskModel.load(missing)
    assert "point classifier.external.sentiment.model" in e.value.hint


def test_a_missing_model_folder_is_named_as_such_not_as_a_bad_hub_id(tmp_path):
    from monitor.classify.external import ExternalTaskModel

    cfg = tmp_path / "monitor.toml"
    cfg.write_text(
        '[classifier.external.sentiment]\nmodel = "./models/mine"\n'
        'labels = { good = "positive", meh = "neutral", bad = "negative" }\n',
        encoding="utf-8",
    )
    (external,) = load_settings(cfg).classifier.external
    with pytest.raises(ModelError) as e:
        ExternalTaskModel.load(external)
    assert (
        str(e.value) == f"cannot load the sentiment model: no folder {tmp_path / 'models' / 'mine'}"
    )
    assert "Repo id" not in str(e.value) and "hub id" in e.value.hint


def test_mapping_matrix_accepts_our_own_label_names():
    from monitor.classify.external import mapping_matrix

    m = mapping_matrix(
        {0: "Negative", 1: "neutral", 2: "POSITIVE"}, {}, ("negative", "neutral", "positive")
    )  # noqa: E501
    assert np.array_equal(m, np.eye(3, dtype=np.float32))
    assert replace(ExternalModelConfig("sentiment", "m"), prefix="query: ").prefix == "query: "


def test_an_external_emotion_model_spares_the_built_in_emotion_layers(tiny_model_dir, tmp_path):
    """Sentiment still comes from the built-in model, unchanged; its emotion layers, whose
    answer would be thrown away, are not run."""
    from monitor.classify import load_classifier

    emotion = dict.fromkeys(MODEL_LABELS.values(), "other") | {"great": "joy"}
    data = {
        "classifier": {"external": {"emotion": {"model": str(tiny_model_dir), "labels": emotion}}}
    }
    clf = load_classifier(parse_config(data, tmp_path, load_settings(env={})))
    plain = load_classifier(load_settings(env={}))
    assert "emotion" in plain.model.branches and "emotion" not in clf.base.model.branches
    texts = ["Me cobraron dos veces la factura", "Great support, thanks!"]
    for ours, ref in zip(clf.predict(texts), plain.predict(texts), strict=True):
        assert ours.sentiment == ref.sentiment
        assert ours.emotion.label in {"joy", "other"}


def test_external_models_for_both_tasks_need_no_built_in_model(tiny_model_dir, tmp_path):
    """The built-in artifact directory may be missing: it is neither loaded nor run."""
    from monitor.classify import load_classifier

    emotion = dict.fromkeys(MODEL_LABELS.values(), "other") | {"great": "joy"}
    data = {
        "classifier": {
            "model_dir": str(tmp_path / "no-model-here"),
            "external": {
                "sentiment": {"model": str(tiny_model_dir), "labels": MAPPING},
                "emotion": {"model": str(tiny_model_dir), "labels": emotion, "max_length": 16},
            },
        }
    }
    clf = load_classifier(parse_config(data, tmp_path, load_settings(env={})))
    name = tiny_model_dir.name
    assert clf.version == f"sentiment={name}+emotion={name}"
    seen = []
    out = clf.predict(["hola", "", "palabra " * 40], progress=lambda d, n: seen.append((d, n)))
    assert [a.emotion.label in {"joy", "other"} for a in out] == [True] * 3
    assert sum(out[0].emotion.probas.values()) == pytest.approx(1.0, abs=1e-5)
    assert [a.note for a in out] == [None, "empty text", "truncated to the first 16 tokens"]
    assert seen[-1] == (3, 3)


def test_one_tokenisation_gives_the_tokenizer_s_own_truncation(tiny_model_dir):
    """Inputs are tokenised once and cut by hand; the cut keeps the closing </s>, so the
    probabilities equal those of the tokenizer's own truncation."""
    import torch

    from monitor.classify.external import ExternalTaskModel

    cfg = ExternalModelConfig("sentiment", str(tiny_model_dir), MAPPING, max_length=12)
    model = ExternalTaskModel.load(cfg)
    texts = ["corto", "la factura llegó duplicada otra vez y nadie responde " * 5, "🙂🙂"]
    rows, lengths = model.probabilities(texts)
    batch = model.tokenizer(
        texts, padding=True, truncation=True, max_length=12, return_tensors="pt"
    )
    with torch.inference_mode():
        expected = torch.softmax(model.model(**batch).logits, dim=-1) @ model.matrix
    assert np.allclose(rows, expected.numpy(), atol=1e-5)
    assert lengths[1] > 12 >= max(lengths[0], lengths[2])
    short = [texts[0], texts[2]]
    assert [lengths[0], lengths[2]] == [len(i) for i in model.tokenizer(short)["input_ids"]]


def test_eval_scores_a_classifier_with_external_models(tiny_model_dir, tmp_path):
    """`monitor eval` with [classifier.external] tables: a CompositeClassifier has no
    built-in config to take the labels from; the task's own label set is used."""
    from monitor.classify import load_classifier
    from monitor.classify.datasets import Example
    from monitor.classify.training import evaluate_examples

    emotion = dict.fromkeys(MODEL_LABELS.values(), "other") | {"great": "joy"}
    data = {
        "classifier": {
            "model_dir": str(tmp_path / "no-model-here"),
            "external": {
                "sentiment": {"model": str(tiny_model_dir), "labels": MAPPING},
                "emotion": {"model": str(tiny_model_dir), "labels": emotion},
            },
        }
    }
    clf = load_classifier(parse_config(data, tmp_path, load_settings(env={})))
    examples = [Example("malo", "negative", "es"), Example("good", "positive", "en")]

    result = evaluate_examples(clf, "sentiment", examples)

    assert result["n"] == 2
    assert result["labels"] == ["negative", "neutral", "positive"]
    assert set(result["per_language"]) == {"en", "es"}


def test_an_external_models_character_cap_is_noted_and_ignores_whitespace(tiny_model_dir):
    """max_length × 8 characters are read: 16 tokens, 128 characters here."""
    from monitor.classify.external import ExternalTaskModel

    cfg = ExternalModelConfig("sentiment", str(tiny_model_dir), MAPPING, max_length=16)
    model = ExternalTaskModel.load(cfg)
    words = "me cobraron dos veces"
    _, (dashes, spaces, plain) = model.probabilities(
        ["-" * 200 + " " + words, " " * 200 + words, words]
    )
    assert dashes > 16  # cut at the cap: noted as truncated, however few tokens it made
    assert spaces == plain <= 16


def test_max_length_beyond_the_model_is_lowered_to_what_it_reads(tiny_model_dir, caplog):
    """The tiny BERT has 512 positions; 1024 tokens would crash on the first long post."""
    from monitor.classify.external import ExternalTaskModel

    cfg = ExternalModelConfig("sentiment", str(tiny_model_dir), MAPPING, max_length=1024)
    with caplog.at_level("WARNING", logger="monitor.classify.external"):
        model = ExternalTaskModel.load(cfg)

    assert model.cfg.max_length == 510
    assert "max_length = 1024 is more than" in caplog.text and "using 510" in caplog.text
    rows, (length,) = model.probabilities(["la factura llegó duplicada otra vez " * 120])
    assert rows.shape == (1, 3) and length > 510
