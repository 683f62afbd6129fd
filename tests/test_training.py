"""Training data assembly, the prior shift and the weight average (no training run here)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from monitor.classify.datasets import Example, emotion_training_set
from monitor.types import EMOTION_LABELS
from tests.conftest import save_tiny_bert

torch = pytest.importorskip("torch")

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "models" / "domain_examples.tsv"


def _examples(counts: dict[str, int], lang: str = "en") -> list[Example]:
    return [Example(f"{label} {i}", label, lang) for label, n in counts.items() for i in range(n)]


def test_prior_shift_is_the_log_ratio_of_natural_to_trained_frequencies():
    from monitor.classify.training import prior_shift

    natural = _examples({"joy": 60, "other": 30, "fear": 10})
    trained = _examples({"joy": 10, "other": 10, "fear": 10})
    shift = prior_shift(["joy", "other", "fear"], natural, trained)
    assert shift == pytest.approx(
        [math.log(0.6 * 3), math.log(0.3 * 3), math.log(0.1 * 3)], abs=1e-4
    )
    # balanced source, balanced training: nothing to undo
    assert prior_shift(["joy", "fear"], trained, trained) == [0.0, 0.0]


def test_neutral_tweets_fill_part_of_the_other_quota_and_keep_classes_balanced():
    pool = _examples({label: 50 for label in EMOTION_LABELS} | {"fear": 10})
    neutral = _examples({"other": 20}, lang="es")
    out = emotion_training_set(pool, [], per_class_cap=30, seed=1, extra_other=neutral)
    counts = Counter(e.label for e in out)
    assert counts["other"] == 30 and counts["joy"] == 30
    assert sum(e.lang == "es" for e in out) == 20
    assert counts["fear"] == 18  # a rare class is repeated up to 60 % of the cap


def test_emotion_prior_shift_favours_other_and_joy_over_rare_emotions(datasets_dir):
    """On the real data sets: the head is trained balanced, the world is not."""
    from monitor.classify.training import TrainConfig, load_training_data

    data = load_training_data(datasets_dir, DOMAIN_FILE, TrainConfig(seed=3, neutral_as_other=300))
    shift = dict(zip(EMOTION_LABELS, data.prior_shift["emotion"], strict=True))
    assert data.prior_shift["sentiment"] is None  # UMSAB is balanced as published
    assert shift["other"] > 0 and shift["joy"] > 0
    assert shift["disgust"] < -1 and shift["fear"] < -1
    others = [e for e in data.train["emotion"] if e.origin == "umsab-neutral"]
    assert {e.lang for e in others} >= {"es", "en", "de", "hi"}
    calibration = {e.text for e in data.calibrate["sentiment"]}
    assert not calibration & {e.text for e in data.train["sentiment"]}


def test_the_in_domain_check_set_is_never_trained_on(datasets_dir):
    from monitor.classify.datasets import read_labelled_table
    from monitor.classify.training import TrainConfig, load_training_data

    check = read_labelled_table(
        DOMAIN_FILE.parent / "domain_holdout.tsv", task="sentiment", label_column="sentiment"
    )
    assert len(check) == 61 and {e.label for e in check} == {"negative", "neutral", "positive"}
    data = load_training_data(datasets_dir, DOMAIN_FILE, TrainConfig())
    seen = {
        e.text for split in (data.train, data.calibrate) for rows in split.values() for e in rows
    }
    assert not seen & {e.text for e in check}


def test_weight_average_moves_towards_the_weights_by_one_minus_decay():
    from monitor.classify.training import WeightAverage

    p = torch.nn.Parameter(torch.zeros(3))
    average = WeightAverage([p], decay=0.75)
    with torch.no_grad():
        p.fill_(4.0)
    average.update()
    average.update()
    average.copy_to_model()
    assert p.detach().tolist() == pytest.approx([4 * (1 - 0.75**2)] * 3)


def test_prior_shift_changes_the_probabilities_the_classifier_reports():
    from monitor.classify.model import ClassifierConfig, TaskHead
    from monitor.classify.predictor import TransformerClassifier

    config = ClassifierConfig("v", tasks={"emotion": TaskHead(["joy", "other"], 2.0)})
    clf = TransformerClassifier(torch.nn.Identity(), None, config)
    logits = {"emotion": torch.tensor([[2.0, 0.0]]).numpy()}
    plain = clf.calibrated(logits)["emotion"][0]
    assert plain[0] == pytest.approx(1 / (1 + math.exp(-1.0)))
    config.tasks["emotion"].prior_shift = [0.0, 1.5]
    shifted = clf.calibrated(logits)["emotion"][0]
    assert shifted[1] > shifted[0] and shifted.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({"emotion_mode": "both"}, "emotion mode must be one of branch, head, joint"),
        ({"own_layers": 12}, "--own-layers must be 1 to 11"),
        ({"own_layers": 0}, "--own-layers must be 1 or more"),
        ({"epochs": 0}, "untrained heads"),
        ({"epochs": 0, "init_from": "/nonexistent"}, "no trained classifier there"),
        (
            {"init_from": str(DOMAIN_FILE.parent / "escucha-e5-small"), "prefix": ""},
            "keeps the base",
        ),
    ],
)
def test_training_options_that_cannot_work_are_refused_before_any_work(tmp_path, cfg, message):
    from monitor.classify.training import TrainConfig, train
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        train(tmp_path, tmp_path / "none.tsv", tmp_path, tmp_path / "out", TrainConfig(**cfg))
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def tiny_encoder_dir(tmp_path_factory):
    return save_tiny_bert(tmp_path_factory.mktemp("my-base-encoder"))


def test_monitor_train_fine_tunes_another_base_encoder_into_a_working_artifact(
    tiny_encoder_dir, datasets_dir, tmp_path, monkeypatch
):
    from monitor.classify.predictor import TransformerClassifier
    from monitor.cli import main

    monkeypatch.setenv("MONITOR_DATASETS_DIR", str(datasets_dir))
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "cache"))  # never the e5 model
    out = tmp_path / "artifact"
    args = ["train", "--encoder", str(tiny_encoder_dir), "--emotion-mode", "head"]
    args += ["--epochs", "1", "--limit", "48", "--out", str(out)]
    assert main(args) == 0

    saved = json.loads((out / "classifier.json").read_text())
    assert saved["encoder"] == str(tiny_encoder_dir.resolve())
    assert saved["prefix"] == ""  # e5's "query: " belongs to e5
    assert saved["version"].startswith("escucha-") and "e5s" not in saved["version"]
    assert saved["max_length"] == 256  # within the tiny BERT's 512 positions
    measured = saved["metrics"]  # on all of UMSAB validation and EmoEvent dev
    assert measured["umsab_val"]["n"] == 2592 and measured["emoevent_dev"]["es"]["n"] == 844
    assert not (tmp_path / "cache").exists()  # nothing of the default encoder was built

    clf = TransformerClassifier.from_dir(out, tmp_path / "cache")
    analysis = clf.predict("El pedido llegó roto y nadie contesta")
    assert analysis.model_version == saved["version"]
    for pred in (analysis.sentiment, analysis.emotion):
        assert pred.label in pred.probas
        assert sum(pred.probas.values()) == pytest.approx(1.0, abs=1e-4)


def test_another_encoder_too_shallow_for_emotion_own_layers_is_refused(
    tiny_encoder_dir, datasets_dir, tmp_path
):
    from monitor.classify.training import TrainConfig, train
    from monitor.errors import ConfigError

    cfg = TrainConfig(encoder=str(tiny_encoder_dir), own_layers=3, limit=16)
    with pytest.raises(ConfigError, match="the encoder has 1 layers"):
        train(datasets_dir, DOMAIN_FILE, tmp_path, tmp_path / "out", cfg)
    assert not (tmp_path / "out").exists()


def test_an_encoder_without_bert_layers_is_refused_with_a_reason(
    tiny_encoder_dir, datasets_dir, tmp_path
):
    from transformers import AutoTokenizer, DistilBertConfig, DistilBertModel

    from monitor.classify.training import TrainConfig, train
    from monitor.errors import ConfigError

    tokenizer = AutoTokenizer.from_pretrained(tiny_encoder_dir)
    distil = tmp_path / "distil"
    config = DistilBertConfig(vocab_size=len(tokenizer), dim=32, n_layers=1, n_heads=2)
    DistilBertModel(config).save_pretrained(distil)
    tokenizer.save_pretrained(distil)

    cfg = TrainConfig(encoder=str(distil), emotion_mode="head", limit=16)
    with pytest.raises(ConfigError, match="needs a BERT-style encoder"):
        train(datasets_dir, DOMAIN_FILE, tmp_path, tmp_path / "out", cfg)
    assert not (tmp_path / "out").exists()
