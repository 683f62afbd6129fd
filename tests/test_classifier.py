"""The real trained classifier on small inputs: labels, probabilities, bad input, CLI, pipeline."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from monitor.settings import Settings, load_settings
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def settings() -> Settings:
    s = load_settings(env={})
    if not (s.classifier.model_dir / "classifier.json").exists():
        pytest.fail(f"trained classifier missing at {s.classifier.model_dir}")
    return s


@pytest.fixture(scope="module")
def clf(settings):
    from monitor.classify import load_classifier

    return load_classifier(settings)


def test_clear_cases_in_spanish_and_english(clf):
    neg, pos = clf.predict(
        [
            "Movistela me ha cobrado dos veces la factura y nadie me contesta. Una vergüenza.",
            "I love my new phone, the support team was amazing and so kind!",
        ]
    )
    assert neg.sentiment.label == "negative"
    assert neg.emotion.label in {"anger", "disgust", "sadness"}
    assert pos.sentiment.label == "positive" and pos.emotion.label == "joy"


def test_probabilities_are_distributions_over_the_label_sets(clf):
    a = clf.predict("El paquete llegó ayer por la tarde.")
    assert list(a.sentiment.probas) == list(SENTIMENT_LABELS)
    assert list(a.emotion.probas) == list(EMOTION_LABELS)
    for pred in (a.sentiment, a.emotion):
        assert math.isclose(sum(pred.probas.values()), 1.0, rel_tol=1e-4)
        assert pred.confidence == max(pred.probas.values())
    assert a.model_version.startswith("escucha-e5s-")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😡😡😡🤬",
        "x" * 100_000,
        "Movistela 最悪 обслуживание ужасно هذا سيء",
        "qwzx vbnm plkj",
    ],
)
def test_bad_input_gets_a_prediction_or_a_reason(clf, text):
    a = clf.predict(text)
    assert a.sentiment.label in SENTIMENT_LABELS and a.emotion.label in EMOTION_LABELS
    if not text.strip():
        assert a.note == "empty text"
    if len(text) == 100_000:
        assert a.note and "truncated" in a.note


def test_a_text_cut_at_the_character_cap_is_noted_even_when_it_made_few_tokens(clf):
    # 2,100 dashes make few tokens, but the cap at 2,048 characters drops the words after them
    a = clf.predict("-" * 2100 + "\nEl servicio es horrible y me cobraron dos veces")
    assert a.note == "truncated to the first 256 tokens"


def test_runs_of_whitespace_do_not_push_the_words_past_the_character_cap(clf):
    text = "Me cobraron dos veces la factura y nadie contesta"
    padded, plain = clf.predict([" \n" * 1500 + text, text])
    assert padded.note is None
    assert padded.sentiment.probas == pytest.approx(plain.sentiment.probas, abs=1e-5)


def test_batch_order_is_preserved(clf):
    texts = [
        "Qué maravilla de servicio, gracias!",
        "Fatal, me han dejado sin luz tres días y sin avisar",
    ]
    batch = clf.predict(texts)
    singles = [clf.predict(t) for t in texts]
    assert [a.sentiment.label for a in batch] == [a.sentiment.label for a in singles]
    assert batch[0].sentiment.probas["positive"] == pytest.approx(
        singles[0].sentiment.probas["positive"], abs=1e-4
    )


def test_analyze_cli_json():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor.cli",
            "analyze",
            "--json",
            "¡Me encanta Movistela!",
            "Odio esperar 2 horas al teléfono",
            "Ẹ ku aaro, iṣẹ yin ko dara rara",  # Yoruba: not one of the encoder's languages
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["sentiment"]["label"] for r in rows[:2]] == ["positive", "negative"]
    assert [r["lang"] for r in rows[1:]] == ["es", "yo"]  # the first is too short to tell
    assert rows[2]["sentiment"]["label"] in ("negative", "neutral", "positive")  # still answered
    # what each is about, and the words that say so
    assert [r["categories"] for r in rows] == [{}, {"support": ["telefono"]}, {}]


def test_eval_cli_prints_scores_and_json(tmp_path):
    data = tmp_path / "gold.tsv"
    data.write_text(
        "text\tlabel\tlang\n"
        "Me encanta este producto\tjoy\tes\n"
        "Estoy furioso con el servicio, me han robado\tanger\tes\n"
        "What a lovely surprise, thank you!\tjoy\ten\n"
        "The store opens at nine\tothers\ten\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "eval", "--task", "emotion", str(data), "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["task"] == "emotion" and report["n"] == 4
    assert 0 <= report["macro_f1"] <= 1 and set(report["per_language"]) == {"es", "en"}
    assert "confusion" in out.stdout


def test_eval_reads_other_column_names_such_as_emoevent_s(tmp_path):
    data = tmp_path / "dev.tsv"
    data.write_text(
        "id\tevent\ttweet\toffensive\temotion\n"
        '1\tNotreDame\t"Qué pena tan grande, se quema Notre Dame\tNO\tsadness\n'
        "2\tNotreDame\tLa misa empieza a las nueve\tNO\tothers\n",
        encoding="utf-8",
    )
    argv = [sys.executable, "-m", "monitor.cli", "eval", "--task", "emotion", str(data)]
    out = subprocess.run(
        [*argv, "--text-column", "tweet", "--label-column", "emotion", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["n"] == 2  # the stray quote does not swallow the next row
    missing = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert missing.returncode != 0 and "no column 'text'" in missing.stderr


def test_eval_rejects_a_file_without_label_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,sentiment\nhola,positive\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "eval", "--task", "sentiment", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 1 and "no column 'label'" in out.stderr


def test_pipeline_classifies_in_batches_exactly_once(sqlite_store, clf):
    from datetime import UTC, datetime

    from monitor.pipeline import Pipeline
    from monitor.types import Post, SourceRun

    now = datetime(2026, 11, 20, tzinfo=UTC)
    posts = [
        Post("s", str(i), "Movistela", f"Movistela post {i}: la fibra no funciona", f"h{i}", "es")
        for i in range(7)
    ]
    sqlite_store.save_collection(SourceRun("s", now, now), "file", posts, None)
    pipeline = Pipeline(Settings(), sqlite_store, classifier_factory=lambda: clf)
    seen = []
    assert pipeline.classify_pending(batch_size=3, progress=lambda d, t: seen.append((d, t))) == 7
    assert seen[-1] == (7, 7) and len(seen) == 3
    assert pipeline.classify_pending() == 0 and sqlite_store.count_unclassified() == 0


def test_int8_model_agrees_on_clear_cases(settings):
    from monitor.classify import load_classifier

    q = load_classifier(settings, quantize=True)
    neg, pos = q.predict(
        ["Una vergüenza de servicio, me cobraron dos veces", "Thank you so much, I love it!"]
    )
    assert q.version.endswith("-int8")
    assert (neg.sentiment.label, pos.sentiment.label) == ("negative", "positive")


# ---- ONNX Runtime backend ------------------------------------------------------------

ONNX_TEXTS = [
    "Movistela me ha cobrado dos veces la factura y nadie me contesta. Una vergüenza.",
    "I love my new phone, the support team was amazing and so kind!",
    "El paquete llegó ayer por la tarde.",
    "",
    "😡😡😡🤬",
    "x" * 20_000,
]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx-cache")


def test_onnx_backend_gives_the_torch_model_s_probabilities(clf, settings, onnx_cache):
    from monitor.classify.predictor import TransformerClassifier

    onnx = TransformerClassifier.from_dir(settings.classifier.model_dir, onnx_cache, backend="onnx")
    assert onnx.version == clf.version + "-onnx"
    assert list(onnx_cache.glob("onnx/*-fp32/model.onnx"))  # exported once, cached
    for ours, ref in zip(onnx.predict(ONNX_TEXTS), clf.predict(ONNX_TEXTS), strict=True):
        for task in ("sentiment", "emotion"):
            a, b = getattr(ours, task), getattr(ref, task)
            assert a.label == b.label
            assert max(abs(a.probas[k] - b.probas[k]) for k in a.probas) < 1e-3
        assert ours.note == ref.note


def test_onnx_int8_stays_close_to_fp32(clf, settings, onnx_cache):
    from monitor.classify.predictor import TransformerClassifier

    q = TransformerClassifier.from_dir(
        settings.classifier.model_dir, onnx_cache, backend="onnx", quantize=True
    )
    assert q.version.endswith("-onnx-int8")
    clear = ONNX_TEXTS[:2]
    assert [a.sentiment.label for a in q.predict(clear)] == ["negative", "positive"]
    for ours, ref in zip(q.predict(ONNX_TEXTS), clf.predict(ONNX_TEXTS), strict=True):
        diff = max(
            abs(ours.sentiment.probas[k] - ref.sentiment.probas[k]) for k in SENTIMENT_LABELS
        )
        assert diff < 0.25  # quantisation noise, not a different model


def test_backend_setting_is_checked(tmp_path):
    from monitor.errors import ConfigError
    from monitor.settings import parse_config

    s = parse_config({"classifier": {"backend": "onnx"}}, tmp_path, load_settings(env={}))
    assert s.classifier.backend == "onnx"
    with pytest.raises(ConfigError, match="classifier.backend must be one of torch, onnx"):
        parse_config({"classifier": {"backend": "tpu"}}, tmp_path, load_settings(env={}))
