"""Scores for classification: accuracy, macro-F1 overall and per language, confusion."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence


def f1_per_label(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    out = {}
    for lab in labels:
        denom = 2 * tp[lab] + fp[lab] + fn[lab]
        out[lab] = 2 * tp[lab] / denom if denom else 0.0
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-F1 over the labels present in gold or predictions (sklearn's default)."""
    present = [lab for lab in labels if lab in set(gold) | set(pred)]
    if not present:
        return 0.0
    per = f1_per_label(gold, pred, present)
    return sum(per.values()) / len(present)


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0


def confusion(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    index = {lab: i for i, lab in enumerate(labels)}
    grid = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred, strict=True):
        grid[index[g]][index[p]] += 1
    return grid


def report(
    task: str,
    gold: Sequence[str],
    pred: Sequence[str],
    langs: Sequence[str | None],
    labels: Sequence[str],
) -> dict:
    """The JSON shape of ``monitor eval --json``."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(langs):
        if lang:
            groups[lang].append(i)
    per_language = {
        lang: {
            "n": len(idx),
            "accuracy": accuracy([gold[i] for i in idx], [pred[i] for i in idx]),
            "macro_f1": macro_f1([gold[i] for i in idx], [pred[i] for i in idx], labels),
        }
        for lang, idx in sorted(groups.items())
    }
    return {
        "task": task,
        "n": len(gold),
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(gold, pred, labels),
        "per_language": per_language,
        "per_label_f1": f1_per_label(gold, pred, labels),
        "labels": list(labels),
        "confusion": confusion(gold, pred, labels),
    }


def stars_to_sentiment(rating: int) -> str:
    """A review's stars as a sentiment: 1-2 negative, 3 neutral, 4-5 positive."""
    return "negative" if rating <= 2 else "neutral" if rating == 3 else "positive"


def agreement_with_stars(pairs: Sequence[tuple[int, str]]) -> dict[str, float] | None:
    """How far the classifier's sentiment agrees with reviewers' own stars.

    ``pairs``: (rating 1-5, predicted sentiment). Stars are the reviewer's overall
    verdict and the label is what the text says, so this is a check of the classifier
    on the user's own data, not a score. None when there are no reviews.
    """
    if not pairs:
        return None
    gold = [stars_to_sentiment(r) for r, _ in pairs]
    pred = [p for _, p in pairs]
    labels = ("negative", "neutral", "positive")
    return {
        "n": len(pairs),
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(gold, pred, labels),
    }
