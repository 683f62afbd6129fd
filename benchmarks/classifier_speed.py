"""Classifier throughput and memory on CPU: ours (fp32, int8) beside an XLM-R-base-sized model.

    python benchmarks/classifier_speed.py [--threads 2] [--texts 512] [--f1-sample 800]

The XLM-R-base-sized model (the architecture of the common multilingual Twitter
sentiment models, 278 M parameters) has random weights: only its speed matters.
All four run in one process on the same texts (UMSAB validation tweets when the
data sets are present, else the bundled demo posts), batch size 32, length-sorted.
The int8 rows also report the macro-F1 cost on UMSAB validation (sampled).
"""

from __future__ import annotations

import argparse
import gc
import json
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


def xlmr_base_predict(threads_model):
    model, tokenizer = threads_model

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
                model(**enc)

    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--texts", type=int, default=512)
    ap.add_argument(
        "--f1-sample", type=int, default=800, help="UMSAB val tweets for the int8 F1 cost (0: skip)"
    )
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from monitor.classify.predictor import TransformerClassifier, quantize_int8
    from monitor.settings import load_settings

    settings = load_settings()
    texts = texts_for_benchmark(settings, args.texts)
    rows = []

    base_rss = rss_mb()
    clf = TransformerClassifier.from_dir(
        settings.classifier.model_dir, settings.cache_dir, batch_size=32
    )
    rows.append(
        (
            "escucha e5-small fp32",
            param_mb(clf.model),
            rss_mb() - base_rss,
            throughput(clf.predict, texts),
        )
    )
    tokenizer = clf.tokenizer
    f1 = {}
    if args.f1_sample:
        from monitor.classify.datasets import read_umsab
        from monitor.classify.training import evaluate_examples

        val = read_umsab(settings.datasets_dir, "val")
        sample = val[:: max(len(val) // args.f1_sample, 1)][: args.f1_sample]
        f1["fp32"] = evaluate_examples(clf, "sentiment", sample)["macro_f1"]
    clf_q = TransformerClassifier(
        quantize_int8(clf.model), tokenizer, clf.config, batch_size=32, quantized=True
    )
    rows.append(
        (
            "escucha e5-small int8",
            param_mb(clf_q.model),
            rss_mb() - base_rss,
            throughput(clf_q.predict, texts),
        )
    )
    if args.f1_sample:
        f1["int8"] = evaluate_examples(clf_q, "sentiment", sample)["macro_f1"]
    del clf, clf_q
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
    rows.append(
        (
            "XLM-R-base size fp32",
            param_mb(xlmr),
            rss_mb() - before,
            throughput(xlmr_base_predict((xlmr, tokenizer)), texts),
        )
    )
    xlmr_q = quantize_int8(xlmr)
    rows.append(
        (
            "XLM-R-base size int8",
            param_mb(xlmr_q),
            rss_mb() - before,
            throughput(xlmr_base_predict((xlmr_q, tokenizer)), texts),
        )
    )

    print(f"{len(texts)} texts, batch 32, {args.threads} threads, torch {torch.__version__}")
    print(f"{'model':<24} {'weights MB':>10} {'RSS +MB':>8} {'texts/s':>8} {'vs XLM-R fp32':>13}")
    ref = rows[2][3]
    for name, mb, rss, tps in rows:
        print(f"{name:<24} {mb:>10.0f} {rss:>8.0f} {tps:>8.1f} {tps / ref:>12.1f}x")
    if f1:
        print(
            f"sentiment macro-F1 on {args.f1_sample} UMSAB val tweets: fp32 {f1['fp32']:.3f}  int8 {f1['int8']:.3f}"
            f"  (cost {100 * (f1['fp32'] - f1['int8']):+.1f} points)"
        )
    print(
        "(RSS +MB is cumulative within each pair: the int8 row includes the fp32 model it was made from)"
    )


if __name__ == "__main__":
    main()
