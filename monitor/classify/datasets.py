"""Readers for the labelled data sets, mapped onto Escucha's label sets.

Each reader returns ``list[Example]``; nothing is copied into the project.
Paths come from ``Settings.datasets_dir`` (default ``../shared/datasets``).

Label mapping (documented in models/MODEL_CARD.md):
- UMSAB: 0 negative, 1 neutral, 2 positive.
- GoEmotions (Ekman grouping): single-label rows only; ``neutral`` -> ``other``.
- TweetEval emotion: anger, joy, optimism -> joy, sadness.
- EmoEvent (validation only): ``others`` -> ``other``.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import DatasetError
from monitor.langid import primary_language
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS, TASK_LABELS

log = logging.getLogger(__name__)

UMSAB_LANGUAGES = {
    "arabic": "ar",
    "english": "en",
    "french": "fr",
    "german": "de",
    "hindi": "hi",
    "italian": "it",
    "portuguese": "pt",
    "spanish": "es",
}
LABEL_ALIASES = {"others": "other", "neutral": "other"}  # emotion only


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    lang: str | None = None
    origin: str = ""


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as e:
        raise DatasetError(
            str(path), "file not found", hint="set datasets_dir / MONITOR_DATASETS_DIR"
        ) from e


def read_umsab(root: Path, split: str, languages: Iterable[str] | None = None) -> list[Example]:
    """UMSAB tweets for ``split`` (train/val) in the given languages (all by default)."""
    wanted = set(languages) if languages else set(UMSAB_LANGUAGES.values())
    out: list[Example] = []
    for folder, code in UMSAB_LANGUAGES.items():
        if code not in wanted:
            continue
        base = root / "umsab" / folder
        texts = _read_lines(base / f"{split}_text.txt")
        labels = _read_lines(base / f"{split}_labels.txt")
        if len(texts) != len(labels):
            raise DatasetError(str(base), f"{split}: {len(texts)} texts but {len(labels)} labels")
        for text, label in zip(texts, labels, strict=True):
            out.append(Example(text, SENTIMENT_LABELS[int(label)], code, "umsab"))
    return out


def read_goemotions_ekman(root: Path, split: str) -> list[Example]:
    """GoEmotions Ekman rows that carry exactly one label."""
    base = root / "goemotions" / "ekman"
    names = _read_lines(base / "labels.txt")
    out = []
    for line in _read_lines(base / f"{split}.tsv"):
        parts = line.split("\t")
        if len(parts) < 2 or "," in parts[1]:
            continue
        name = names[int(parts[1])]
        out.append(Example(parts[0], LABEL_ALIASES.get(name, name), "en", "goemotions"))
    return out


def read_tweeteval_emotion(root: Path, split: str) -> list[Example]:
    base = root / "tweeteval_emotion"
    mapping = {"0": "anger", "1": "joy", "2": "joy", "3": "sadness"}  # optimism -> joy
    texts = _read_lines(base / f"{split}_text.txt")
    labels = _read_lines(base / f"{split}_labels.txt")
    return [
        Example(t.strip(), mapping[lab.strip()], "en", "tweeteval")
        for t, lab in zip(texts, labels, strict=True)
    ]


def read_emoevent(root: Path, lang: str) -> list[Example]:
    """EmoEvent dev split: validation only, never used for training."""
    path = root / "emoevent_dev" / lang / "dev.tsv"
    rows = read_labelled_table(path, task="emotion", text_column="tweet", label_column="emotion")
    return [Example(r.text, r.label, lang, "emoevent") for r in rows]


def read_domain_examples(path: Path, task: str) -> list[Example]:
    """Our own hand-written customer posts (models/domain_examples.tsv)."""
    if not path.exists():
        return []
    return read_labelled_table(path, task=task, label_column=task, origin="domain")


def normalise_label(task: str, label: str) -> str | None:
    label = label.strip().lower()
    if task == "emotion":
        label = LABEL_ALIASES.get(label, label)
    return label if label in TASK_LABELS[task] else None


def read_labelled_table(
    path: Path,
    *,
    task: str,
    text_column: str = "text",
    label_column: str = "label",
    origin: str = "file",
) -> list[Example]:
    """CSV or TSV with a header: ``text``, ``label`` and optional ``lang`` columns."""
    fields, rows = _table_rows(path)
    for needed in (text_column, label_column):
        if needed not in fields:
            raise DatasetError(
                str(path),
                f"no column {needed!r} (found: {', '.join(fields) or 'none'})",
                hint=f"the header must name the columns {text_column!r} and {label_column!r}",
            )
    out = []
    bad: list[str] = []
    for n, row in rows:
        label = normalise_label(task, row.get(label_column) or "")
        body = (row.get(text_column) or "").strip()
        if label is None or not body:
            bad.append(f"line {n}: label {row.get(label_column)!r}")
            continue
        out.append(Example(body, label, _lang(row.get("lang")), origin))
    allowed = ", ".join(TASK_LABELS[task])
    if bad and not out:
        raise DatasetError(
            str(path), f"no usable rows ({bad[0]})", hint=f"labels must be one of: {allowed}"
        )
    if bad:  # scored without them: say so, the figures are not over the whole file
        log.warning(
            "%s: %d rows without text or with a label not in %s were left out (first: %s)",
            path,
            len(bad),
            allowed,
            bad[0],
        )
    return out


def _lang(tag: str | None) -> str | None:
    """A file's language tag as the per-language scores group it: "ES", "es-ES" and
    "Spanish" are all "es"; a tag that is no known language is kept as written."""
    tag = (tag or "").strip()
    return primary_language(tag) or tag or None


def _table_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """A CSV or TSV file's header and its rows, each with the line it ends on.

    Any line ending (a lone ``\\r`` too, as Excel for Mac writes) and texts of any
    length. A TSV is read with quoting off, as EmoEvent's tweets need (a quote mark is
    part of the text), unless its header is quoted (``"text"<tab>"label"``, as
    spreadsheets and ``pandas.to_csv(sep="\\t", quoting=csv.QUOTE_ALL)`` write it).
    What the csv module still cannot read is a DatasetError naming the line.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DatasetError(str(path), f"cannot read: {e.strerror}") from e
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") >= first.count(",") else ","
    quoted = all(len(f) >= 2 and f[0] == f[-1] == '"' for f in first.split(delimiter))
    quoting = csv.QUOTE_NONE if delimiter == "\t" and not quoted else csv.QUOTE_MINIMAL
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, quoting=quoting)
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # the whole file fits
    try:
        fields = reader.fieldnames or []
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as e:
        raise DatasetError(str(path), f"line {reader.line_num}: {e}") from e
    finally:
        csv.field_size_limit(limit)
    return list(fields), rows


def english_emotion_pool(root: Path) -> list[Example]:
    """Every single-label English emotion row we train from (GoEmotions + TweetEval)."""
    return read_goemotions_ekman(root, "train") + read_tweeteval_emotion(root, "train")


def emotion_training_set(
    pool: list[Example],
    domain: list[Example],
    per_class_cap: int,
    seed: int,
    extra_other: list[Example] = (),
) -> list[Example]:
    """``pool`` capped per class for balance, plus our domain examples.

    ``extra_other`` (multilingual neutral tweets) fills part of the ``other``
    class's quota, so that ``other`` is not learnt from English Reddit alone.
    """
    import random

    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {lab: [] for lab in EMOTION_LABELS}
    for ex in pool:
        by_label[ex.label].append(ex)
    extra = list(extra_other)[:per_class_cap]
    out: list[Example] = list(extra)
    floor = int(per_class_cap * 0.6)  # rare classes (fear, disgust) are repeated up to this
    for label, items in by_label.items():
        rng.shuffle(items)
        filled = len(extra) if label == "other" else 0
        kept = items[: per_class_cap - filled]
        if kept and filled + len(kept) < floor:
            kept = kept + rng.choices(kept, k=floor - filled - len(kept))
        out.extend(kept)
    # our in-domain (customer-service) posts are the only Spanish emotion data: count them twice
    return out + 2 * list(domain)
