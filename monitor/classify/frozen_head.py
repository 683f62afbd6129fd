"""A task head fitted on a frozen encoder: pooled features once, then logistic regression.

Used when the encoder is fine-tuned for sentiment alone and emotion must not pull it
away (``TrainConfig.emotion_mode = "head"``): the emotion head becomes an
L2-regularised multinomial logistic regression on the fine-tuned encoder's mean-pooled
output, so inference is unchanged (one encoder pass, one linear layer per task).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from monitor.classify.metrics import macro_f1

Progress = Callable[[int, int], None]


@torch.inference_mode()
def pooled_features(
    model,
    tokenizer,
    texts: Sequence[str],
    *,
    prefix: str,
    max_length: int,
    batch_size: int = 64,
    progress: Progress | None = None,
) -> torch.Tensor:
    """The model's mean-pooled encoder output for each text (rows in input order)."""
    model.eval()
    device = next(model.parameters()).device
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.zeros(len(texts), model.encoder.config.hidden_size)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tokenizer(
            [prefix + texts[i] for i in idx],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        pooled = model.pooled(enc["input_ids"].to(device), enc["attention_mask"].to(device))
        out[idx] = pooled.float().cpu()
        if progress:
            progress(min(start + batch_size, len(texts)), len(texts))
    return out


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
    labels = list(range(n_labels))
    scores, best = {}, None
    for l2 in l2_grid:
        head = fit_logistic(train_x, train_y, n_labels, l2, label_smoothing)
        with torch.no_grad():
            pred = head(held_x).argmax(-1).tolist()
        scores[l2] = macro_f1(held_y.tolist(), pred, labels)
        if best is None or scores[l2] > scores[best[1]]:
            best = (head, l2)
    return best[0], best[1], scores
