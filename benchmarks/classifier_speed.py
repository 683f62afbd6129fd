"""Classifier throughput and memory on CPU: ours (fp32, int8) beside an XLM-R-base-sized model.

    python benchmarks/classifier_speed.py [--threads 2] [--texts 512] [--f1-sample 800]

The XLM-R-base-sized model (the architecture of the common multilingual Twitter
sentiment models, 278 M parameters) has random weights: only its speed matters.
Every row runs in one process on the same texts (UMSAB validation tweets when the
data sets are present, else the bundled demo posts), batch size 32, length-sorted:
ours with torch and with ONNX Runtime (``classifier.backend = "onnx"``), fp32 and
int8, each with its sentiment macro-F1 on a UMSAB validation sample and its emotion
macro-F1 on EmoEvent dev (es, en); the
XLM-R-base-sized model with torch fp32 (the reference), ONNX int8 and torch int8.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time
from pathlib import Path

import torch


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def param_mb(model: torch.nn.Module) -> float:
    total = sum(p.numel() * p.element_size() for p in model.parameters())
    total += sum(b.numel() * b.element_size() for b in model.buffers())
    for m in model.modules():  # quantised Linear layers keep packed weights outside parameters()
        if hasattr(m, "_packed_params") and callable(getattr(m, "weight", None)):
            w = m.weight()
            total += w.numel() * w.element_size()
    return total / 1e6


def texts_for_benchmark(settings, n: int) -> list[str]:
    from monitor.classify.datasets import read_umsab

    try:
        texts = [e.text for e in read_umsab(settings.datasets_dir, "val")]
    except Exception:
        texts = [
            json.loads(line)["text"]
            for line in (Path(__file__).parents[1] / "monitor/demo/posts.jsonl").open()
        ]
    step = max(len(texts) // n, 1)
    return (texts[::step] * (n // max(len(texts[::step]), 1) + 1))[:n]


def throughput(predict, texts: list[str], repeats: int = 2) -> float:
    predict(texts[:64])  # warm-up
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        predict(texts)
        best = max(best, len(texts) / (time.perf_counter() - t0))
    return best


def batched(forward, tokenizer):
    """Run ``forward(input_ids, attention_mask)`` over texts, length-sorted, 32 at a time."""

    def run(texts):
        with torch.inference_mode():
            order = sorted(texts, key=len)
            for i in range(0, len(order), 32):
                enc = tokenizer(
                    order[i : i + 32],
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                )
                forward(enc["input_ids"], enc["attention_mask"])

    return run


def xlmr_base_predict(model, tokenizer):
    return batched(lambda ids, mask: model(input_ids=ids, attention_mask=mask), tokenizer)


def onnx_xlmr_predict(model, tokenizer, cache: Path, quantize: bool):
    """The XLM-R-base-sized model through the same ONNX export, fusion and quantisation,
    with a mean-pooled sentiment head like ours."""
    from monitor.classify import onnx_backend
    from monitor.classify.model import MultiTaskModel, TaskHead

    wrapped = MultiTaskModel(model, {"sentiment": TaskHead(["negative", "neutral", "positive"])})
    dest = cache / ("xlmr-int8" if quantize else "xlmr-fp32")
    path = dest / "model.onnx"
    if not path.exists():
        onnx_backend.export(wrapped, dest, quantize=quantize)
    session = onnx_backend.OnnxModel(path, ["sentiment"])
    return batched(session.forward_all, tokenizer), path.stat().st_size / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--texts", type=int, default=512)
    ap.add_argument(
        "--f1-sample", type=int, default=800, help="UMSAB val tweets for the F1 cost (0: skip)"
    )
    ap.add_argument("--no-onnx", action="store_true", help="torch rows only")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from monitor.classify.predictor import TransformerClassifier, quantize_int8
    from monitor.settings import load_settings

    settings = load_settings()
    texts = texts_for_benchmark(settings, args.texts)
    sample, emotion_sets = [], {}
    if args.f1_sample:
        from monitor.classify.datasets import read_emoevent, read_umsab
        from monitor.classify.training import evaluate_examples

        val = read_umsab(settings.datasets_dir, "val")
        # a seeded random sample: the files cycle through the labels, so a stride would not do
        sample = random.Random(0).sample(val, min(args.f1_sample, len(val)))
        emotion_sets = {lang: read_emoevent(settings.datasets_dir, lang) for lang in ("es", "en")}

    rows = []  # name, weights MB, RSS +MB, texts/s, macro-F1
    emotion_f1 = {}  # name -> {lang: EmoEvent macro-F1}
    variants = [("torch", False), ("torch", True)]
    if not args.no_onnx:
        variants += [("onnx", False), ("onnx", True)]
    tokenizer = None
    for backend, quantize in variants:
        gc.collect()
        before = rss_mb()
        clf = TransformerClassifier.from_dir(
            settings.classifier.model_dir,
            settings.cache_dir,
            batch_size=32,
            backend=backend,
            quantize=quantize,
        )
        tokenizer = clf.tokenizer
        if backend == "onnx":
            weights = clf.model.path.stat().st_size / 1e6
        else:
            weights = param_mb(clf.model)
        speed = throughput(clf.predict, texts)
        f1 = evaluate_examples(clf, "sentiment", sample)["macro_f1"] if sample else float("nan")
        name = f"escucha e5-small {backend} {'int8' if quantize else 'fp32'}"
        rows.append((name, weights, rss_mb() - before, speed, f1))
        emotion_f1[name] = {
            lang: evaluate_examples(clf, "emotion", examples)["macro_f1"]
            for lang, examples in emotion_sets.items()
        }
        del clf
    gc.collect()

    from transformers import XLMRobertaConfig, XLMRobertaModel

    before = rss_mb()
    config = XLMRobertaConfig(
        vocab_size=250002,
        hidden_size=768,
        num_hidden_layers=12,
        num_attention_heads=12,
        intermediate_size=3072,
        max_position_embeddings=514,
        type_vocab_size=1,
    )
    xlmr = XLMRobertaModel(config, add_pooling_layer=False).eval()
    nan = float("nan")
    rows.append(
        (
            "XLM-R-base torch fp32",
            param_mb(xlmr),
            rss_mb() - before,
            throughput(xlmr_base_predict(xlmr, tokenizer), texts),
            nan,
        )
    )
    if not args.no_onnx:
        before = rss_mb()
        cache = settings.cache_dir / "onnx" / "benchmark"
        run, size = onnx_xlmr_predict(xlmr, tokenizer, cache, quantize=True)
        rows.append(("XLM-R-base onnx int8", size, rss_mb() - before, throughput(run, texts), nan))
    before = rss_mb()
    xlmr_q = quantize_int8(xlmr)
    rows.append(
        (
            "XLM-R-base torch int8",
            param_mb(xlmr_q),
            rss_mb() - before,
            throughput(xlmr_base_predict(xlmr_q, tokenizer), texts),
            nan,
        )
    )

    print(f"{len(texts)} texts, batch 32, {args.threads} threads, torch {torch.__version__}")
    header = f"{'model':<28} {'weights MB':>10} {'RSS +MB':>8} {'texts/s':>8} {'vs XLM-R fp32':>13}"
    print(header + (f" {'macro-F1':>9}" if sample else ""))
    ref = next(r[3] for r in rows if r[0] == "XLM-R-base torch fp32")
    for name, mb, rss, tps, f1 in rows:
        line = f"{name:<28} {mb:>10.0f} {rss:>8.0f} {tps:>8.1f} {tps / ref:>12.1f}x"
        if sample:
            line += f" {f1:>9.3f}" if f1 == f1 else f" {'-':>9}"
        print(line)
    if sample:
        base = rows[0][4]
        costs = ", ".join(f"{n.split(' ', 2)[2]} {100 * (f - base):+.1f}" for n, *_, f in rows[1:4])
        print(
            f"macro-F1 on {len(sample)} UMSAB validation tweets; change vs torch fp32, points: {costs}"
        )
    if emotion_f1 and emotion_sets:
        base = emotion_f1[rows[0][0]]
        print("emotion macro-F1 on EmoEvent dev (es / en), change vs torch fp32 in points:")
        for name, scores in emotion_f1.items():
            es, en = scores["es"], scores["en"]
            change = f"{100 * (es - base['es']):+.1f} / {100 * (en - base['en']):+.1f}"
            print(f"  {name:<28} {es:.3f} / {en:.3f}   ({change})")
    print("(weights MB: parameters in memory for torch, the model file for ONNX; RSS +MB: resident")
    print(" memory added by loading and running that model in this process)")


if __name__ == "__main__":
    main()
