"""Users' own fine-tuned sequence-classification models, per task, with a label mapping.

```toml
[classifier.external.sentiment]
model = "cardiffnlp/twitter-xlm-roberta-base-sentiment"   # hub id, or a local directory
labels = { negative = "negative", neutral = "neutral", positive = "positive" }
prefix = ""          # text put before each input (default none)
max_length = 256     # tokens read per text, at least 8; lowered to what the model can read
```

``labels`` maps each of the model's labels (``config.id2label``; ``LABEL_0`` style
names work too) to one of ours; several may map to the same one (their
probabilities add up). Every model label must be mapped, so no probability is
silently lost. A hub id needs internet or the Hugging Face cache; the built-in
model stays the offline default and handles every task not listed here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from monitor.classify.external_config import TASK_LABELS, ExternalModelConfig
from monitor.classify.predictor import encode_truncated, input_note, prediction
from monitor.errors import ModelError
from monitor.types import Analysis

log = logging.getLogger(__name__)


def mapping_matrix(id2label: Mapping[int, str], labels: Mapping[str, str], ours) -> np.ndarray:
    """A (model labels × our labels) 0/1 matrix; raises ModelError for unmapped labels."""
    folded = {str(k).lower(): v for k, v in labels.items()}
    matrix = np.zeros((len(id2label), len(ours)), np.float32)
    missing = []
    for i in range(len(id2label)):
        name = str(id2label[i])
        target = folded.get(name.lower())
        if target is None and name.lower() in ours:
            target = name.lower()  # a model that already uses our names needs no mapping
        if target is None:
            missing.append(name)
            continue
        matrix[i, list(ours).index(target)] = 1.0
    if missing:
        raise ModelError(
            f"the model's labels {missing} are not mapped to ours",
            hint=f"add them to labels = {{ ... }}; ours are {', '.join(ours)}",
        )
    return matrix


def model_token_limit(model, tokenizer) -> int | None:
    """The most tokens ``model`` can read: its position embeddings less the two that
    RoBERTa-style models reserve (one spare for BERT-style ones), or the tokenizer's
    ``model_max_length`` when that is lower; None when neither says."""
    limits = []
    positions = getattr(model.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 2:
        limits.append(positions - 2)
    declared = getattr(tokenizer, "model_max_length", None)
    if isinstance(declared, int) and 0 < declared < 1_000_000:  # unset: a huge number
        limits.append(declared)
    return min(limits) if limits else None


class ExternalTaskModel:
    """One task from a transformers sequence-classification model."""

    def __init__(self, cfg: ExternalModelConfig, model, tokenizer, batch_size: int = 32):
        limit = model_token_limit(model, tokenizer)
        if limit is not None and cfg.max_length > limit:
            log.warning(
                "classifier.external.%s.max_length = %d is more than %s reads; using %d",
                cfg.task,
                cfg.max_length,
                cfg.model,
                limit,
            )
            cfg = replace(cfg, max_length=limit)
        self.cfg = cfg
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.labels = TASK_LABELS[cfg.task]
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.matrix = torch.from_numpy(mapping_matrix(id2label, cfg.labels, self.labels))
        self.name = Path(cfg.model).name or cfg.model

    @classmethod
    def load(cls, cfg: ExternalModelConfig, batch_size: int = 32) -> ExternalTaskModel:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in our CLI output

        # the config made every path absolute; a hub id never is. Without this check a missing
        # folder reads as transformers' "Repo id must be in the form 'repo_name'..."
        if Path(cfg.model).is_absolute() and not Path(cfg.model).is_dir():
            raise ModelError(
                f"cannot load the {cfg.task} model: no folder {cfg.model}",
                hint=f"point classifier.external.{cfg.task}.model at a transformers model's "
                "folder (config.json, weights, tokenizer) or give a hub id",
            )
        try:
            tokenizer = AutoTokenizer.from_pretrained(cfg.model)
            model = AutoModelForSequenceClassification.from_pretrained(cfg.model)
        except (OSError, ValueError) as e:
            raise ModelError(
                f"cannot load the {cfg.task} model {cfg.model!r}: {str(e).splitlines()[0]}",
                hint="without internet, download the model elsewhere and point "
                f"classifier.external.{cfg.task}.model at its directory",
            ) from e
        return cls(cfg, model, tokenizer, batch_size)

    def probabilities(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Rows of probabilities over our labels (in the order of ``texts``) and each
        text's token count before truncation to ``max_length`` (see
        :func:`~monitor.classify.predictor.encode_truncated`)."""
        out = np.zeros((len(texts), len(self.labels)), np.float32)
        lengths = [0] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch, counts = encode_truncated(
                    self.tokenizer, [texts[i] for i in idx], self.cfg.max_length, self.cfg.prefix
                )
                for i, n in zip(idx, counts, strict=True):
                    lengths[i] = n
                logits = self.model(**batch).logits.float()
                out[idx] = (torch.softmax(logits, dim=-1) @ self.matrix).numpy()
        return out, lengths


class CompositeClassifier:
    """The built-in classifier with some tasks answered by external models instead.

    ``base`` is None when external models answer every task: the built-in model
    is then neither loaded nor run. An Analysis carries the notes of every model that
    answered, each once: a text cut to the external model's shorter ``max_length`` says
    so even when the built-in model read it whole.
    """

    def __init__(self, base, external: Mapping[str, ExternalTaskModel]):
        self.base = base
        self.external = dict(external)

    @property
    def version(self) -> str:
        parts = [self.base.version] if self.base else []
        parts += [f"{t}={m.name}" for t, m in self.external.items()]
        return "+".join(parts)

    def predict(self, texts: str | Sequence[str], progress=None):
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        if not items:
            return []
        analyses = self.base.predict(items, progress) if self.base else None
        answers = {task: m.probabilities(items) for task, m in self.external.items()}
        if progress and not self.base:
            progress(len(items), len(items))
        out = []
        for i, text in enumerate(items):
            preds = (
                {"sentiment": analyses[i].sentiment, "emotion": analyses[i].emotion}
                if analyses
                else {}
            )
            notes = [analyses[i].note] if analyses else []
            for task, (rows, lengths) in answers.items():
                preds[task] = prediction(task, TASK_LABELS[task], rows[i])
                notes.append(input_note(text, lengths[i], self.external[task].cfg.max_length))
            note = _merge_notes(notes)
            out.append(Analysis(preds["sentiment"], preds["emotion"], self.version, note))
        return out[0] if single else out


def _merge_notes(notes: Sequence[str | None]) -> str | None:
    """The notes of every model that answered for a text (an empty text, a cut to each
    model's ``max_length``), each once, in order, joined by "; "; None when there are none."""
    return "; ".join(dict.fromkeys(n for n in notes if n)) or None
