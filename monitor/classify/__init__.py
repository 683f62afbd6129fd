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
    """The trained classifier named by the settings (raises ModelError with a hint).

    Tasks listed under ``[classifier.external]`` are answered by the user's own
    sequence-classification models instead (see :mod:`monitor.classify.external`);
    the built-in model then skips those tasks' own layers, and when the user's models
    answer both tasks, it is not loaded at all.
    """
    import torch

    from monitor.classify.predictor import TransformerClassifier

    clf = settings.classifier
    if clf.threads:
        torch.set_num_threads(clf.threads)
    everything_external = {m.task for m in clf.external} >= {"sentiment", "emotion"}
    base = None
    if not everything_external:  # the built-in model answers at least one task
        base = TransformerClassifier.from_dir(
            clf.model_dir,
            settings.cache_dir,
            quantize=clf.quantize if quantize is None else quantize,
            batch_size=clf.batch_size,
            backend=clf.backend,
        )
    if not clf.external:
        return base
    if base is not None and base.backend == "torch":
        for m in clf.external:  # answered by the user's model: skip the task's own layers
            if m.task in base.model.branches:
                del base.model.branches[m.task]
    from monitor.classify.external import CompositeClassifier, ExternalTaskModel

    models = {m.task: ExternalTaskModel.load(m, clf.batch_size) for m in clf.external}
    return CompositeClassifier(base, models)


__all__ = ["load_classifier"]
