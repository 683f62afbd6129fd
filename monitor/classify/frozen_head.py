"""A task head fitted on a frozen encoder's pooled features: logistic regression.

Used when the encoder is fine-tuned for sentiment alone and emotion must not pull it
away (``TrainConfig.emotion_mode = "head"``): the emotion head becomes an
L2-regularised multinomial logistic regression on the fine-tuned encoder's mean-pooled
output, so inference is unchanged (one encoder pass, one linear layer per task).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from monitor.classify.metrics import macro_f1


def fit_logistic(
    features: torch.Tensor,
    gold: torch.Tensor,
    n_labels: int,
    l2: float,
    label_smoothing: float = 0.0,
) -> nn.Linear:
    """Multinomial logistic regression (full-batch L-BFGS) as an ``nn.Linear`` on raw features.

    Features are standardised for the fit and the scaling folded back into the weights.
    """
    mean, std = features.mean(0), features.std(0).clamp(min=1e-6)
    x = (features - mean) / std
    weight = torch.zeros(n_labels, x.shape[1], requires_grad=True)
    bias = torch.zeros(n_labels, requires_grad=True)
    opt = torch.optim.LBFGS([weight, bias], lr=1.0, max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (
            nn.functional.cross_entropy(x @ weight.T + bias, gold, label_smoothing=label_smoothing)
            + l2 * weight.pow(2).sum()
        )
        loss.backward()
        return loss

    opt.step(closure)
    head = nn.Linear(x.shape[1], n_labels)
    with torch.no_grad():
        head.weight.copy_(weight / std)
        head.bias.copy_(bias - (weight / std) @ mean)
    return head


def fit_head(
    train_x: torch.Tensor,
    train_y: torch.Tensor,
    held_x: torch.Tensor,
    held_y: torch.Tensor,
    n_labels: int,
    l2_grid: Sequence[float] = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2),
    label_smoothing: float = 0.0,
) -> tuple[nn.Linear, float, dict[float, float]]:
    """The head whose L2 strength scores the best macro-F1 on the held-out rows.

    Returns the head, its L2 strength and every candidate's held-out macro-F1.
    """
    heads = {l2: fit_logistic(train_x, train_y, n_labels, l2, label_smoothing) for l2 in l2_grid}
    with torch.no_grad():
        scores = {
            l2: macro_f1(held_y.tolist(), head(held_x).argmax(-1).tolist(), list(range(n_labels)))
            for l2, head in heads.items()
        }
    best = max(scores, key=scores.get)  # the first of equals, as the grid is ordered
    return heads[best], best, scores
