"""ONNX Runtime inference for the trained classifier (``classifier.backend = "onnx"``).

The torch model is exported once per artifact version to ONNX, its LayerNorm and
GELU blocks fused by ONNX Runtime's transformer optimizer, and (for int8) its
MatMul weights quantised per channel. The files are cached in
``<cache_dir>/onnx/<version>-<hash>/``, so later loads take a second. On 2 CPU
cores with AVX-512 this ran the model 1.5× faster than torch; on AVX2 alone, at
about torch's speed (see ``benchmarks/classifier_speed.py``); the predictions go through the same
:class:`TransformerClassifier` code (tokenising, truncation notes, calibration).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import torch

from monitor.classify.model import WEIGHTS_FILE, MultiTaskModel
from monitor.errors import ModelError

log = logging.getLogger(__name__)
OPSET = 17


class _Export(torch.nn.Module):
    """forward_all as a tuple of logits, the form the exporter wants."""

    def __init__(self, model: MultiTaskModel) -> None:
        super().__init__()
        self.model = model
        self.tasks = list(model.heads)

    def forward(self, input_ids, attention_mask):
        out = self.model.forward_all(input_ids, attention_mask)
        return tuple(out[t] for t in self.tasks)


def _fingerprint(model_dir: Path) -> str:
    h = hashlib.sha256()
    for name in (WEIGHTS_FILE, "classifier.json"):
        path = model_dir / name
        h.update(path.read_bytes() if path.exists() else b"")
    return h.hexdigest()[:12]


def export(model: MultiTaskModel, dest: Path, *, quantize: bool) -> Path:
    """Write ``model.onnx`` (optimised, and int8 when ``quantize``) into ``dest``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        raw = tmp / "raw.onnx"
        ids = torch.ones((2, 16), dtype=torch.long)
        wrapper = _Export(model.eval())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (ids, torch.ones_like(ids)),
                str(raw),
                input_names=["input_ids", "attention_mask"],
                output_names=wrapper.tasks,
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    **{t: {0: "batch"} for t in wrapper.tasks},
                },
                opset_version=OPSET,
                dynamo=False,
            )
        cfg = model.encoder.config
        optimised = optimize_model(
            str(raw),
            model_type="bert",
            num_heads=cfg.num_attention_heads,
            hidden_size=cfg.hidden_size,
        )
        fused = tmp / "fused.onnx"
        optimised.save_model_to_file(str(fused))
        final = tmp / "model.onnx"
        if quantize:
            import onnx

            logging.disable(logging.WARNING)  # "consider pre-processing": not for this model
            try:
                quantize_dynamic(
                    str(fused),
                    str(final),
                    weight_type=QuantType.QInt8,
                    per_channel=True,
                    # the fused attention/GELU nodes are ONNX Runtime ops shape inference skips
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )
            finally:
                logging.disable(logging.NOTSET)
        else:
            fused.rename(final)
        for leftover in (raw, fused):
            leftover.unlink(missing_ok=True)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest / "model.onnx"


class OnnxModel:
    """Stands in for :class:`MultiTaskModel` inside TransformerClassifier: same
    ``forward_all(input_ids, attention_mask) -> {task: logits}``, run by ONNX Runtime."""

    def __init__(self, path: Path, tasks: list[str], threads: int | None = None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tasks = tasks
        self.path = Path(path)

    def to(self, _device):
        return self

    def eval(self):
        return self

    def forward_all(self, input_ids, attention_mask) -> dict[str, torch.Tensor]:
        feeds = {
            "input_ids": input_ids.cpu().numpy().astype(np.int64),
            "attention_mask": attention_mask.cpu().numpy().astype(np.int64),
        }
        outputs = self.session.run(self.tasks, feeds)
        return {t: torch.from_numpy(o) for t, o in zip(self.tasks, outputs, strict=True)}


def load_onnx(
    model: MultiTaskModel, model_dir: Path, version: str, cache_dir: Path, *, quantize: bool
) -> OnnxModel:
    """The cached ONNX model for this artifact (exported on first use)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as e:
        raise ModelError(
            "classifier.backend = 'onnx' needs onnxruntime",
            hint="pip install onnxruntime onnx, or set classifier.backend = 'torch'",
        ) from e
    kind = "int8" if quantize else "fp32"
    dest = cache_dir / "onnx" / f"{version}-{_fingerprint(model_dir)}-{kind}"
    path = dest / "model.onnx"
    if not path.exists():
        log.info("exporting the classifier to ONNX (%s), once per model version", kind)
        path = export(model, dest, quantize=quantize)
    return OnnxModel(path, list(model.heads))
