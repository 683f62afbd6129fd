"""The emotion head fitted on a frozen encoder: logistic regression and pooled features."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from monitor.classify.frozen_head import fit_head, fit_logistic  # noqa: E402


def _blobs(n_per_class: int, seed: int, scale: float = 40.0, offset: float = 500.0):
    """Three classes around separate centres, on features with very unequal scales."""
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(3, 8, generator=g) * 3
    x = torch.cat([centres[c] + torch.randn(n_per_class, 8, generator=g) for c in range(3)])
    y = torch.arange(3).repeat_interleave(n_per_class)
    x[:, 0] = x[:, 0] * scale + offset  # one badly scaled feature: standardisation must cope
    return x, y


def test_logistic_head_works_on_raw_features_after_folding_the_scaling_back():
    x, y = _blobs(200, seed=1)
    head = fit_logistic(x, y, 3, l2=1e-3)
    test_x, test_y = _blobs(100, seed=1)  # same centres, fresh noise
    accuracy = (head(test_x).argmax(-1) == test_y).float().mean().item()
    assert accuracy > 0.95
    assert head.weight.shape == (3, 8) and head.bias.shape == (3,)


def test_stronger_l2_gives_smaller_weights_and_the_grid_reports_every_candidate():
    x, y = _blobs(100, seed=2)
    weak, strong = fit_logistic(x, y, 3, l2=1e-4), fit_logistic(x, y, 3, l2=1.0)
    assert strong.weight.norm() < weak.weight.norm() / 3
    held_x, held_y = _blobs(50, seed=2)
    head, l2, scores = fit_head(x, y, held_x, held_y, 3, l2_grid=(1e-4, 1.0, 30.0))
    assert set(scores) == {1e-4, 1.0, 30.0} and scores[l2] == max(scores.values())
    assert all(0.0 <= s <= 1.0 for s in scores.values())


def test_pooled_features_keep_input_order_and_ignore_padding():
    from monitor.classify.predictor import TransformerClassifier
    from monitor.settings import load_settings

    settings = load_settings(env={})
    clf = TransformerClassifier.from_dir(settings.classifier.model_dir, settings.cache_dir)
    texts = [
        "Pésimo servicio, tres días sin fibra.",
        "ok",
        "The delivery was fast and the staff kind!",
    ]
    batched = torch.from_numpy(clf.pooled(texts))
    alone = torch.cat([torch.from_numpy(clf.pooled([t])) for t in texts])
    assert batched.shape == (3, clf.model.encoder.config.hidden_size)
    assert torch.allclose(batched, alone, atol=1e-4)
    assert not torch.allclose(batched[0], batched[2], atol=1e-2)
