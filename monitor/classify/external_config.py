"""The ``[classifier.external.<task>]`` tables: pure configuration, no torch (see
:mod:`monitor.classify.external` for the models themselves)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS

TASK_LABELS = {"sentiment": SENTIMENT_LABELS, "emotion": EMOTION_LABELS}


@dataclass(frozen=True)
class ExternalModelConfig:
    task: str
    model: str
    labels: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""
    max_length: int = 256

    @classmethod
    def from_mapping(cls, task: str, raw: Any, base: Path) -> ExternalModelConfig:
        where = f"classifier.external.{task}"
        if task not in TASK_LABELS:
            raise ConfigError(f"{where}: unknown task", hint="sentiment or emotion")
        if not isinstance(raw, Mapping) or not isinstance(raw.get("model"), str):
            raise ConfigError(f"{where} needs model = a local directory or a hub id")
        unknown = set(raw) - {"model", "labels", "prefix", "max_length"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        labels = raw.get("labels", {})
        if not isinstance(labels, Mapping):
            raise ConfigError(f"{where}.labels must be a table: model label = our label")
        ours = TASK_LABELS[task]
        bad = {k: v for k, v in labels.items() if v not in ours}
        if bad:
            raise ConfigError(
                f"{where}.labels maps to unknown labels {bad}", hint=f"ours: {', '.join(ours)}"
            )
        max_length = raw.get("max_length", 256)
        if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 8:
            raise ConfigError(
                f"{where}.max_length must be a whole number of tokens, at least 8",
                hint="e.g. max_length = 256; above the model's own limit it is lowered to it",
            )
        model = raw["model"]
        local = (base / model).expanduser()
        if model.startswith((".", "/", "~")) or local.is_dir():
            model = str(local.resolve())
        return cls(
            task,
            model,
            dict(labels),
            str(raw.get("prefix", "")),
            max_length,
        )
