"""Language identification on labelled tweets: correct, unknown and wrong answers.

    python benchmarks/language_id.py [--datasets DIR]

Runs the detector the pipeline uses (py3langid with regional varieties folded into
their language and rarer languages weighed down, ``monitor.langid``) beside the same
without the weighing and plain py3langid (142 languages and varieties, each on its own
and equally likely), on
UMSAB validation (8 languages; its Hindi is romanised and code-mixed, so it is
reported apart) and EmoEvent dev (es, en). Prints, per detector, the share of
texts answered correctly, answered "unknown" and answered wrongly, per language,
the most common wrong answers, and texts per second.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from monitor import langid
from monitor.classify.datasets import read_emoevent, read_umsab
from monitor.settings import load_settings


def score(detect, data: list[tuple[str, str]]) -> tuple[dict[str, Counter], Counter, float]:
    per_lang: dict[str, Counter] = defaultdict(Counter)
    wrong: Counter = Counter()
    start = time.perf_counter()
    for text, gold in data:
        got = detect(text)
        outcome = "correct" if got == gold else "unknown" if got is None else "wrong"
        per_lang[gold][outcome] += 1
        if outcome == "wrong" and gold != "hi":
            wrong[got] += 1
    return per_lang, wrong, len(data) / (time.perf_counter() - start)


def report(name: str, per_lang: dict[str, Counter], wrong: Counter, speed: float) -> None:
    main = Counter()
    for lang, counts in per_lang.items():
        if lang != "hi":
            main.update(counts)
    n = sum(main.values())
    shares = "  ".join(f"{k} {main[k] / n:.1%}" for k in ("correct", "unknown", "wrong"))
    print(f"\n{name}: {shares}   ({n:,} texts without Hindi, {speed:,.0f} texts/s)")
    for lang in sorted(per_lang):
        c = per_lang[lang]
        total = sum(c.values())
        note = "  (romanised Hindi: no detector answers 'hi')" if lang == "hi" else ""
        print(
            f"  {lang}  n={total:5d}  correct {c['correct'] / total:6.1%}  "
            f"unknown {c['unknown'] / total:6.1%}  wrong {c['wrong'] / total:6.1%}{note}"
        )
    print("  most common wrong answers:", ", ".join(f"{k} {v}" for k, v in wrong.most_common(6)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--datasets", type=Path, default=None, help="labelled data sets directory")
    args = p.parse_args()
    root = args.datasets or load_settings().datasets_dir
    data = [(e.text, e.lang) for e in read_umsab(root, "val")]
    data += [(e.text, e.lang) for lang in ("es", "en") for e in read_emoevent(root, lang)]
    detectors = {
        "py3langid, varieties folded (monitor.langid, used by the pipeline)": (
            langid.detect_language
        ),
        "py3langid, varieties folded, every language equally likely": partial(
            langid.detect_language, rare_prior=1.0
        ),
        "py3langid, every variety on its own": partial(
            langid.detect_language, varieties={}, rare_prior=1.0
        ),
    }
    for name, detect in detectors.items():
        detect("warm-up text for the detector")
        report(name, *score(detect, data))


if __name__ == "__main__":
    main()
