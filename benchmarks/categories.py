"""The keyword categories against hand-labelled customer posts: precision and recall.

    python benchmarks/categories.py [FILE] [--config monitor.toml] [--show-errors]

FILE is a TSV with columns ``text``, ``lang`` and ``categories`` (comma-separated category
ids; empty: about none of them). The default, ``benchmarks/data/categories_check.tsv``,
is the 61 factual customer posts of ``models/domain_holdout.tsv`` (34 es, 27 en), each
labelled by hand with what it is about. ``categories_heldout.tsv``, ``…2`` and ``…3`` are
three disjoint random draws of 60 posts from ``models/domain_examples.tsv`` (many
industries), labelled before the rules were run on them; the README says which figures were
tuned on which file. The rules are those of ``[categories]`` in the
config (the built-in ones by default). Prints, per category and overall (micro-averaged
over every post × category decision), precision, recall and F1, the share of posts whose
categories are exactly right, and posts per second.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

from monitor.categories import Categorizer
from monitor.settings import load_settings

DEFAULT_FILE = Path(__file__).parent / "data" / "categories_check.tsv"


def read(path: Path) -> list[tuple[str, str | None, set[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        (r["text"], r.get("lang") or None, {c for c in r["categories"].split(",") if c})
        for r in rows
    ]


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp else 0.0
    return p, r, f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--config", default=None)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    settings = load_settings(args.config)
    rules = Categorizer(settings.categories)
    data = read(args.file)
    start = time.perf_counter()
    found = [set(rules.categorize(text, lang)) for text, lang, _ in data]
    speed = len(data) / (time.perf_counter() - start)
    tp, fp, fn = Counter(), Counter(), Counter()
    exact = 0
    for (text, _, gold), got in zip(data, found, strict=True):
        for c in got & gold:
            tp[c] += 1
        for c in got - gold:
            fp[c] += 1
        for c in gold - got:
            fn[c] += 1
        exact += got == gold
        if args.show_errors and got != gold:
            print(f"  gold {sorted(gold)} got {sorted(got)}: {text}")
    print(f"{args.file}: {len(data)} posts, {sum(map(len, (g for *_, g in data)))} labels")
    print(f"{'category':<12} {'n':>3} {'precision':>9} {'recall':>7} {'F1':>5}")
    for c in [c.id for c in settings.categories.categories]:
        n = tp[c] + fn[c]
        if not n and not fp[c]:
            continue
        p, r, f = _prf(tp[c], fp[c], fn[c])
        print(f"{c:<12} {n:>3} {p:>9.2f} {r:>7.2f} {f:>5.2f}")
    p, r, f = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print(
        f"{'all (micro)':<12} {sum(tp.values()) + sum(fn.values()):>3} {p:>9.2f} {r:>7.2f} {f:>5.2f}"
    )
    none_right = sum(1 for (*_, g), got in zip(data, found, strict=True) if not g and not got)
    print(
        f"exactly right: {exact}/{len(data)} posts ({exact / len(data):.0%}); "
        f"posts about none that got none: {none_right}/{sum(1 for *_, g in data if not g)}"
    )
    print(f"speed: {speed:,.0f} posts/s")


if __name__ == "__main__":
    main()
