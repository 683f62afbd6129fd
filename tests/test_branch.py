"""Emotion's own top layers: int8 storage, the branch forward, and training on cached states.

The real trained model on a handful of texts; no training data sets are needed.
"""

from __future__ import annotations

import pytest

from monitor.settings import load_settings

torch = pytest.importorskip("torch")

TEXTS = [
    "Pésimo servicio, tres días sin fibra y nadie contesta.",
    "The delivery was fast and the staff were lovely!",
    "ok",
    "Me da miedo que me vuelvan a cobrar dos veces la factura.",
    "What a surprise, the package arrived a week early.",
    "Qué asco, la comida llegó fría y con un pelo.",
]
GOLD = [0, 3, 6, 2, 5, 1]  # anger, joy, other, fear, surprise, disgust


@pytest.fixture()
def loaded():
    """The shipped model, with emotion's own layers removed (the shared encoder only)."""
    from monitor.classify.model import load_artifacts
    from monitor.classify.predictor import TransformerClassifier

    settings = load_settings(env={})
    model, tokenizer, config = load_artifacts(settings.classifier.model_dir, settings.cache_dir)
    model.branches.clear()
    config.tasks["emotion"].own_layers = 0
    return TransformerClassifier(model, tokenizer, config, batch_size=4)


def test_int8_rows_round_trip_within_half_a_step():
    from monitor.classify.model import pack_int8, unpack_int8

    weight = torch.randn(6, 50) * torch.tensor([0.01, 0.1, 1, 3, 10, 0.5]).unsqueeze(1)
    packed, scale = pack_int8(weight)
    assert packed.dtype == torch.int8 and scale.dtype == torch.float16 and scale.shape == (6, 1)
    back = unpack_int8({"w.int8": packed, "w.int8_scale": scale, "b": torch.ones(3).half()})
    assert set(back) == {"w", "b"} and back["b"].dtype == torch.float32
    step = scale.float()
    assert ((back["w"] - weight).abs() <= step / 2 + 1e-3 * step + 1e-6).all()


def test_a_fresh_branch_reproduces_the_shared_output(loaded):
    before, _ = loaded.logits(TEXTS)
    loaded.model.branches["emotion"] = loaded.model.copy_top_layers(3)
    after, _ = loaded.logits(TEXTS)
    for task in ("sentiment", "emotion"):
        assert abs(before[task] - after[task]).max() < 1e-4


def test_training_own_layers_moves_emotion_only(loaded):
    from monitor.classify.branch import entry_states, train_branch

    model = loaded.model
    before, _ = loaded.logits(TEXTS)
    shared = {k: v.clone() for k, v in model.encoder.state_dict().items()}
    model.branches["emotion"] = model.copy_top_layers(2)
    start = [p.detach().clone() for p in model.branches["emotion"].parameters()]
    cached = entry_states(loaded, TEXTS, "emotion", batch_size=4)
    assert sorted(i for rows, _, _ in cached for i in rows) == list(range(len(TEXTS)))
    assert all(state.shape[-1] == 384 and state.dtype == torch.float16 for _, state, _ in cached)
    losses = train_branch(
        model,
        "emotion",
        cached,
        GOLD,
        epochs=8,
        lr=1e-4,
        head_lr=1e-3,
        warmup=0.1,
        label_smoothing=0.0,
    )
    assert len(losses) == 8 * len(cached)
    assert sum(losses[-2:]) < sum(losses[:2])  # it learns the six texts
    assert not model.branches["emotion"].training  # left ready for inference
    assert all(torch.equal(v, shared[k]) for k, v in model.encoder.state_dict().items())
    branch = model.branches["emotion"].parameters()
    assert any(not torch.equal(p.detach(), s) for p, s in zip(branch, start, strict=True))
    after, _ = loaded.logits(TEXTS)
    assert abs(after["sentiment"] - before["sentiment"]).max() < 1e-5
    assert abs(after["emotion"] - before["emotion"]).max() > 0.1


def test_an_artifact_with_own_layers_loads_what_training_measured(loaded, tmp_path):
    from safetensors import safe_open

    from monitor.classify.model import load_artifacts, round_to_storage, save_artifacts
    from monitor.classify.predictor import TransformerClassifier

    model = loaded.model
    model.branches["emotion"] = model.copy_top_layers(3)
    loaded.config.tasks["emotion"].own_layers = 3
    with torch.no_grad():  # make the branch differ from the shared layers
        for p in model.branches["emotion"].parameters():
            p.add_(torch.randn_like(p) * 0.01)
    round_to_storage(model)
    measured, _ = loaded.logits(TEXTS)
    save_artifacts(model, loaded.config, tmp_path)
    with safe_open(str(tmp_path / "weights.safetensors"), "pt") as f:
        keys = list(f.keys())
        packed = [k for k in keys if k.startswith("branches.") and k.endswith(".int8")]
        assert packed and all(f.get_tensor(k).dtype == torch.int8 for k in packed)
    assert (tmp_path / "weights.safetensors").stat().st_size < 50_000_000
    again, tokenizer, config = load_artifacts(tmp_path, load_settings(env={}).cache_dir)
    assert config.tasks["emotion"].own_layers == 3 and len(again.branches["emotion"]) == 3
    reloaded, _ = TransformerClassifier(again, tokenizer, config).logits(TEXTS)
    for task in ("sentiment", "emotion"):
        assert abs(reloaded[task] - measured[task]).max() < 1e-4


def test_own_layers_must_leave_a_shared_layer(loaded):
    from monitor.errors import ModelError

    for n in (0, 12):
        with pytest.raises(ModelError, match="own layers must be 1 to 11"):
            loaded.model.copy_top_layers(n)
