"""The classifier: encoder conversion, model, training, evaluation, inference.

torch and transformers are imported only inside this package's modules, and
only when a function here is called: ``import monitor.classify`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.classify.predictor import TransformerClassifier
    from monitor.settings import Settings


def load_classifier(settings: Settings, *, quantize: bool | None = None) -> TransformerClassifier:
    """The trained classifier named by the settings (raises ModelError with a hint)."""
    import torch

    from monitor.classify.predictor import TransformerClassifier

    clf = settings.classifier
    if clf.threads:
        torch.set_num_threads(clf.threads)
    return TransformerClassifier.from_dir(
        clf.model_dir,
        settings.cache_dir,
        quantize=clf.quantize if quantize is None else quantize,
        batch_size=clf.batch_size,
    )


__all__ = ["load_classifier"]
