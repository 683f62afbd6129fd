"""Batch inference: texts in, calibrated sentiment and emotion out.

Long texts are truncated deliberately: the first ``max_length`` tokens
(256 by default, about 180 words; runs of whitespace count as one space, and
only the first ``max_length × 8`` characters are read) are classified and the
Analysis carries a note saying so. Empty or whitespace-only texts get no prediction from the
model's imagination: they are reported with ``note="empty text"`` and the
model's answer for an empty input, which the pipeline does not show as a
finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from monitor.classify.model import ClassifierConfig, MultiTaskModel, load_artifacts
from monitor.types import Analysis, Prediction

Progress = Callable[[int, int], None]


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    """int8 dynamic quantisation of every Linear layer (CPU inference).

    torch 2.13 marks torch.ao quantisation deprecated in favour of torchao; it still
    works, and its deprecation notices are silenced here rather than shown to users.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantized tensor creation functions.*")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def prediction(task: str, labels: Sequence[str], row: np.ndarray) -> Prediction:
    """A task's answer from one row of probabilities over ``labels``."""
    probas = {lab: float(row[j]) for j, lab in enumerate(labels)}
    return Prediction(task, labels[int(row.argmax())], probas)


def input_note(text: str, tokens: int, limit: int) -> str | None:
    """Why a prediction deserves caution: an empty text, or one cut to ``limit`` tokens."""
    if not text.strip():
        return "empty text"
    if tokens > limit:
        return f"truncated to the first {limit} tokens"
    return None


CHARS_PER_TOKEN = 8  # texts are cut to limit × this many characters before tokenising
_WHITESPACE = re.compile(r"\s+")


def encode_truncated(
    tokenizer, texts: Sequence[str], limit: int, prefix: str = ""
) -> tuple[dict, list[int]]:
    """Padded model inputs for ``prefix + text`` cut to ``limit`` tokens, and each text's
    token count before the cut, from one tokenisation.

    Runs of whitespace become one space, then each text is cut to ``limit × 8``
    characters: 100 KB posts need not be tokenised whole. A text that this cap shortened
    counts as more than ``limit`` tokens even when its first characters made fewer (a
    line of 2,000 dashes before the words), so its note says it was truncated.
    A row that ends in a special token (``</s>``, ``[SEP]``) keeps it when cut, as the
    tokenizer's own truncation does.
    """
    cap = limit * CHARS_PER_TOKEN
    spaced = [_WHITESPACE.sub(" ", t).strip() for t in texts]
    ids = tokenizer([prefix + t[:cap] for t in spaced])["input_ids"]
    special = set(tokenizer.all_special_ids)

    def cut(row: list[int]) -> list[int]:
        if len(row) <= limit:
            return row
        return row[: limit - 1] + row[-1:] if row[-1] in special else row[:limit]

    batch = tokenizer.pad({"input_ids": [cut(row) for row in ids]}, return_tensors="pt")
    counts = [
        max(len(row), limit + 1) if len(t) > cap else len(row)
        for row, t in zip(ids, spaced, strict=True)
    ]
    return batch, counts


class TransformerClassifier:
    """The product's classifier: ``predict(text_or_texts)`` -> Analysis."""

    def __init__(
        self,
        model: MultiTaskModel,
        tokenizer,
        config: ClassifierConfig,
        *,
        batch_size: int = 32,
        device: str = "cpu",
        quantized: bool = False,
        backend: str = "torch",
    ) -> None:
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.config = config
        self.batch_size = batch_size
        self.device = device
        self.quantized = quantized
        self.backend = backend

    @classmethod
    def from_dir(
        cls,
        model_dir: Path,
        cache_dir: Path,
        *,
        quantize: bool = False,
        batch_size: int = 32,
        backend: str = "torch",
    ) -> TransformerClassifier:
        """Load a trained artifact; ``backend`` "onnx" runs it with ONNX Runtime."""
        model, tokenizer, config = load_artifacts(model_dir, cache_dir)
        if backend == "onnx":
            from monitor.classify.onnx_backend import load_onnx

            model = load_onnx(model, model_dir, config.version, cache_dir, quantize=quantize)
        elif quantize:
            model = quantize_int8(model)
        return cls(
            model, tokenizer, config, batch_size=batch_size, quantized=quantize, backend=backend
        )

    @property
    def version(self) -> str:
        suffix = ("-onnx" if self.backend == "onnx" else "") + ("-int8" if self.quantized else "")
        return self.config.version + suffix

    def _encode(self, texts: Sequence[str]) -> tuple[dict[str, torch.Tensor], list[int]]:
        """Model inputs for ``texts`` and each text's token count before truncation (see
        :func:`encode_truncated`)."""
        batch, lengths = encode_truncated(
            self.tokenizer, texts, self.config.max_length, self.config.prefix
        )
        tensors = {k: batch[k].to(self.device) for k in ("input_ids", "attention_mask")}
        return tensors, lengths

    def logits(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> tuple[dict[str, np.ndarray], list[int]]:
        """Raw logits per task (rows in the order of ``texts``) and full token counts."""
        widths = {t: len(h.labels) for t, h in self.config.tasks.items()}
        return self._batched(texts, self.model.forward_all, widths, progress)

    def pooled(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """The encoder's mean-pooled output per text, what every head reads (torch backend)."""
        width = {"pooled": self.model.encoder.config.hidden_size}
        out, _ = self._batched(
            texts, lambda **inputs: {"pooled": self.model.pooled(**inputs)}, width, progress
        )
        return out["pooled"]

    def batches(
        self,
        texts: Sequence[str],
        progress: Progress | None = None,
        batch_size: int | None = None,
    ) -> Iterator[tuple[list[int], dict[str, torch.Tensor], list[int]]]:
        """Length-sorted batches of model inputs: (row indices, inputs, full token counts),
        ``batch_size`` rows each (the classifier's own size by default)."""
        size = batch_size or self.batch_size
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), size):
            idx = order[start : start + size]
            inputs, counts = self._encode([texts[i] for i in idx])
            yield idx, inputs, counts
            if progress:
                progress(start + len(idx), len(texts))

    def _batched(
        self,
        texts: Sequence[str],
        forward: Callable[..., dict[str, torch.Tensor]],
        widths: dict[str, int],
        progress: Progress | None,
    ) -> tuple[dict[str, np.ndarray], list[int]]:
        """``forward`` over length-sorted batches: its outputs (rows in the order of
        ``texts``, ``widths`` columns each) and every text's full token count."""
        out = {name: np.zeros((len(texts), n), np.float32) for name, n in widths.items()}
        lengths = [0] * len(texts)
        with torch.inference_mode():
            for idx, inputs, counts in self.batches(texts, progress):
                for name, values in forward(**inputs).items():
                    out[name][idx] = values.float().cpu().numpy()
                for i, n in zip(idx, counts, strict=True):
                    lengths[i] = n
        return out, lengths

    def calibrated(self, logits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Softmax of the logits over each task's fitted temperature, plus its prior shift."""
        out = {}
        for task, values in logits.items():
            head = self.config.tasks[task]
            scaled = torch.from_numpy(values) / head.temperature
            if head.prior_shift:
                scaled = scaled + torch.tensor(head.prior_shift, dtype=scaled.dtype)
            out[task] = torch.softmax(scaled, dim=-1).numpy()
        return out

    def predict(self, texts: str | Sequence[str], progress: Progress | None = None):
        """One Analysis for a string, a list of Analysis for a sequence."""
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        if not items:
            return []
        raw, lengths = self.logits(items, progress)
        probs = self.calibrated(raw)
        results = []
        for i, text in enumerate(items):
            preds = {
                task: prediction(task, head.labels, probs[task][i])
                for task, head in self.config.tasks.items()
            }
            note = input_note(text, lengths[i], self.config.max_length)
            results.append(Analysis(preds["sentiment"], preds["emotion"], self.version, note))
        return results[0] if single else results
