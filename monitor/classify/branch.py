"""A task's own top encoder layers, fine-tuned on states cached from the shared layers.

Used for emotion (``TrainConfig.emotion_mode = "branch"``): the encoder is fine-tuned on
sentiment alone, then emotion gets copies of its top ``n`` layers and trains them, with
its head, on the emotion data. The shared layers below never change, so the state that
enters the branch is computed once per training text and kept in memory (fp16); each
step then costs ``n`` of the 12 layers. Sentiment is untouched, and inference still runs
the shared layers once per text.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import torch
from torch import nn

Progress = Callable[[int, int], None]
CachedBatch = tuple[list[int], torch.Tensor, torch.Tensor]  # rows, entry state, mask


def entry_states(
    clf,
    texts: Sequence[str],
    task: str,
    batch_size: int,
    progress: Progress | None = None,
):
    """The shared state entering ``task``'s own layers, per length-sorted batch.

    ``clf`` is a TransformerClassifier on the torch backend whose model has the branch.
    """
    n_own = len(clf.model.branches[task])
    out: list[CachedBatch] = []
    with torch.no_grad():
        for idx, inputs, _ in clf.batches(texts, progress, batch_size):
            states = clf.model.hidden_states(**inputs)
            out.append((idx, states[-1 - n_own].to(torch.float16), inputs["attention_mask"]))
    return out


def train_branch(
    model,
    task: str,
    batches: list[CachedBatch],
    gold: Sequence[int],
    *,
    epochs: float,
    lr: float,
    head_lr: float,
    warmup: float,
    label_smoothing: float,
    weight_decay: float = 0.01,
    seed: int = 13,
    progress: Progress | None = None,
) -> list[float]:
    """Fine-tune ``model.branches[task]`` and ``model.heads[task]`` on cached entry states.

    AdamW, warm-up then linear decay, gradient clipping at 1; ``gold[i]`` is the label
    index of row ``i``. Returns the loss of every step.
    """
    branch, head = model.branches[task], model.heads[task]
    opt = torch.optim.AdamW(
        [
            {"params": list(branch.parameters()), "lr": lr},
            {"params": list(head.parameters()), "lr": head_lr},
        ],
        weight_decay=weight_decay,
    )
    total = max(int(len(batches) * epochs), 1)
    warm = max(int(total * warmup), 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(total - warm, 1)))
    )
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    rng = random.Random(seed)
    params = list(branch.parameters()) + list(head.parameters())
    losses: list[float] = []
    branch.train()
    try:
        for _ in range(math.ceil(epochs)):
            order = list(range(len(batches)))
            rng.shuffle(order)
            for b in order:
                if len(losses) >= total:
                    break
                rows, state, mask = batches[b]
                target = torch.tensor([gold[i] for i in rows], device=state.device)
                logits = head(model.run_branch(task, state.float(), mask))
                loss = loss_fn(logits, target)
                loss.backward()
                nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                losses.append(loss.item())
                if progress:
                    progress(len(losses), total)
    finally:
        branch.eval()
    return losses
