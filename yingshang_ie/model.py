"""Step 2b: the token-classification model, in three steps (STYLE §2).

``preprocess(text)`` cuts the token sequence of a text into overlapping windows,
``_forward(batch)`` is the bare tensor call under ``torch.inference_mode()``, and
``postprocess(...)`` turns per-token probabilities into character spans
(windows averaged per token, BIO-constrained Viterbi, the spec's span rules:
:mod:`yingshang_ie.decoding`), no two spans overlapping.

Offsets of a :class:`ModelSpan` are half-open ``[start, end)`` into the text
given to :meth:`TokenClassifier.predict` (the normalised working copy), so
``text[span.start:span.end]`` is the span's text. ``score`` is the mean
probability of the span's tags.

A model directory (written by ``python training/train.py``) holds ``config.json``
(``BertConfig`` with the label map), the tokenizer files, ``model.safetensors``
and ``yingshang.json`` (tokenisation, window, stride, storage, quantisation).

Example (the shipped model, alone; ``extract()`` adds the gazetteer and grammar):
    >>> clf = TokenClassifier.load("models/yingshang-e5-small")
    >>> text = "新签约项目33个,总投资110.63亿元。"
    >>> [(s.label, text[s.start:s.end]) for s in clf.predict(text)]
    [('METRIC', '新签约项目'), ('INDICATOR', '33个'), ('METRIC', '总投资'), ('INDICATOR', '110.63亿元')]
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .decoding import apply_span_rules, merge_windows, spans_from_path, viterbi_bio
from .errors import ConfigError, ModelLoadError, ModelNotFoundError
from .types import Choice

__all__ = ["ModelSpan", "Window", "Tokenization", "TokenClassifier", "encode", "make_windows", "postprocess"]

SETTINGS_FILE = "yingshang.json"
WEIGHTS_FILE = "model.safetensors"
TRAIN_COMMAND = "python training/train.py --output-dir {path}"
_SCALE = ".__scale__"


class Tokenization(Choice):
    """How a text becomes tokens: the tokenizer's subwords, or one token per character."""

    SUBWORD = "subword"
    CHAR = "char"


@dataclass(frozen=True, slots=True)
class ModelSpan:
    """A predicted span ``[start, end)`` over the text given, its label and mean tag probability."""

    start: int
    end: int
    label: str
    score: float


@dataclass(frozen=True, slots=True)
class Window:
    """One model input: token ids with specials, per-token char offsets (specials ``(-1, -1)``),
    the index of its first content token in the document, and whether it is the last window."""

    ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]
    start: int
    is_last: bool


def load_tokenizer(path: str | Path):
    """The one place tokenizers are loaded: always offline (``local_files_only=True``).

    A directory with ``tokenizer.json`` loads straight into the fast backend
    (twice as fast as ``AutoTokenizer``, same output); anything else, such as a
    cached hub id, goes through ``AutoTokenizer``.
    """
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    if (Path(path) / "tokenizer.json").is_file():
        return PreTrainedTokenizerFast.from_pretrained(str(path), local_files_only=True)
    return AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def _char_table(tokenizer) -> dict[str, int]:
    vocab = tokenizer.get_vocab()
    table = {p[1:]: i for p, i in vocab.items() if p.startswith("\u2581") and len(p) == 2}
    table.update({p: i for p, i in vocab.items() if len(p) == 1})
    return table


def encode(tokenizer, text: str, mode: Tokenization | str = Tokenization.SUBWORD, table=None):
    """Token ids and ``(start, end)`` char offsets of ``text``, without special tokens.

    ``subword`` uses the tokenizer's segmentation (offsets of a leading ``▁``
    are trimmed to the visible characters); ``char`` gives one token per
    non-space character, the vocabulary's single-character piece (or ``<unk>``).
    """
    mode = Tokenization(mode)
    if mode is Tokenization.CHAR:
        table = table if table is not None else _char_table(tokenizer)
        unk = tokenizer.unk_token_id
        pairs = [(table.get(c, unk), (i, i + 1)) for i, c in enumerate(text) if not c.isspace()]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    ids, offsets = [], []
    for tid, (a, b) in zip(enc["input_ids"], enc["offset_mapping"]):
        while a < b and text[a].isspace():
            a += 1
        if a < b:  # pure-whitespace pieces carry no label: drop them
            ids.append(tid)
            offsets.append((a, b))
    return ids, offsets


def make_windows(ids, offsets, cls_id: int, sep_id: int, window: int = 128, stride: int = 32) -> list[Window]:
    """Cut a token sequence into windows of at most ``window`` tokens (specials included)
    overlapping by ``stride`` content tokens; an empty text gives one empty window."""
    size = window - 2
    if size <= stride:
        raise ConfigError(f"window {window} must exceed stride {stride} + 2")
    out, pos, n = [], 0, len(ids)
    while True:
        end = min(pos + size, n)
        out.append(Window((cls_id, *ids[pos:end], sep_id), ((-1, -1), *offsets[pos:end], (-1, -1)), pos, end >= n))
        if end >= n:
            return out
        pos = end - stride


def postprocess(text: str, windows: Sequence[Window], probs: Sequence[np.ndarray], id2label) -> list[ModelSpan]:
    """Character spans from per-window probabilities (see :mod:`yingshang_ie.decoding`):
    windows averaged per token, a BIO-constrained Viterbi path, the spec's span rules.
    The result is sorted and never overlaps."""
    merged, offsets = merge_windows(windows, [p[: len(w.ids)] for w, p in zip(windows, probs)])
    path = viterbi_bio(merged, id2label)
    spans = apply_span_rules(text, spans_from_path(text, path, merged, offsets, id2label))
    return [ModelSpan(start, end, label, round(score, 6)) for start, end, label, score in spans]


def _dequantize(tensors: dict) -> dict:
    import torch

    out = {}
    for name, t in tensors.items():
        if name.endswith(_SCALE):
            continue
        scale = tensors.get(name + _SCALE)
        out[name] = t.float() * scale.float()[:, None] if scale is not None else t.float()
    return out


def quantize_state(state: dict, storage: str) -> dict:
    """State dict for disk: ``fp32``, ``fp16``, or ``int8`` (large 2-D weights as int8 rows
    with a per-row fp16 scale ``<name>.__scale__``, the classifier and the rest in fp16)."""
    import torch

    out = {}
    for name, t in state.items():
        t = t.detach().float().contiguous()
        if storage == "fp32":
            out[name] = t
        elif storage == "int8" and t.dim() == 2 and t.numel() >= 65536 and not name.startswith("classifier"):
            scale = (t.abs().amax(1).clamp_min(1e-12) / 127.0).half().float()
            out[name] = torch.round(t / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out[name + _SCALE] = scale.half()
        else:
            out[name] = t.half()
    return out


class TokenClassifier:
    """A fine-tuned BERT token classifier over the normalised working copy."""

    def __init__(self, model, tokenizer, *, tokenization="subword", window=128, stride=32, device="cpu"):
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.tokenization = Tokenization(tokenization)
        self.window, self.stride, self.device = int(window), int(stride), device
        self.id2label = [model.config.id2label[i] for i in range(model.config.num_labels)]
        self._table = _char_table(tokenizer) if self.tokenization is Tokenization.CHAR else None
        self._pad = tokenizer.pad_token_id
        make_windows([], [], 0, 0, self.window, self.stride)  # validates window/stride

    @classmethod
    def load(cls, path: str | Path, *, device: str = "cpu", quantize: str | None = None) -> "TokenClassifier":
        """Load a model directory written by ``training/train.py``.

        ``quantize`` overrides the stored runtime quantisation (``"none"`` or
        ``"dynamic-int8"``); None keeps what the model directory says.

        Raises:
            ModelNotFoundError: ``path`` is not a directory.
            ModelLoadError: a file is missing or unreadable; the message names it and the train command.
        """
        path = Path(path)
        fix = f"rebuild it with `{TRAIN_COMMAND.format(path=path)}`"
        if not path.is_dir():
            raise ModelNotFoundError(f"no model directory at {path}; {fix}")
        missing = [f for f in ("config.json", SETTINGS_FILE, WEIGHTS_FILE, "tokenizer.json") if not (path / f).is_file()]
        if missing:
            raise ModelLoadError(f"model directory {path} lacks {', '.join(missing)}; {fix}")
        try:
            import torch
            from safetensors.torch import load_file
            from transformers import BertConfig, BertForTokenClassification

            settings = json.loads((path / SETTINGS_FILE).read_text(encoding="utf-8"))
            config = BertConfig.from_pretrained(str(path), local_files_only=True)
            state = _dequantize(load_file(str(path / WEIGHTS_FILE)))
            with torch.device("meta"):
                model = BertForTokenClassification(config)
            model.load_state_dict(state, strict=False, assign=True)
            meta = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
            for name in meta:  # non-persistent buffers (position ids): rebuild them
                if name.endswith("position_ids"):
                    model.bert.embeddings.position_ids = torch.arange(config.max_position_embeddings)[None]
                elif name.endswith("token_type_ids"):
                    model.bert.embeddings.token_type_ids = torch.zeros(1, config.max_position_embeddings, dtype=torch.long)
                else:
                    raise ModelLoadError(f"{path / WEIGHTS_FILE} lacks tensor {name}; {fix}")
            tokenizer = load_tokenizer(path)
        except ModelLoadError:
            raise
        except Exception as exc:  # corrupt JSON, truncated safetensors, wrong shapes
            raise ModelLoadError(f"cannot load the model in {path} ({type(exc).__name__}: {exc}); {fix}") from exc
        if (quantize or settings.get("quantize")) == "dynamic-int8":
            try:
                model = quantize_dynamic(model, keep_last=int(settings.get("keep_last_fp32", 0)))
            except Exception as exc:  # a torch without torch.ao dynamic quantisation: run fp32
                warnings.warn(f"int8 quantisation unavailable ({exc}); running the model in fp32, "
                              "slower but as accurate", stacklevel=2)
        return cls(model, tokenizer, tokenization=settings.get("tokenization", "subword"),
                   window=settings.get("window", 128), stride=settings.get("stride", 32), device=device)

    # -- the three steps -------------------------------------------------------------
    def preprocess(self, text: str) -> list[Window]:
        """Windows of ``window`` tokens over ``text`` overlapping by ``stride`` tokens."""
        ids, offsets = encode(self.tokenizer, text, self.tokenization, self._table)
        return make_windows(ids, offsets, self.tokenizer.cls_token_id, self.tokenizer.sep_token_id,
                            self.window, self.stride)

    def _forward(self, windows: Sequence[Window]) -> np.ndarray:
        """The bare tensor call: padded ids → tag probabilities ``(batch, tokens, tags)``."""
        import torch

        width = max(len(w.ids) for w in windows)
        ids = torch.full((len(windows), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(windows), width), dtype=torch.long)
        for i, w in enumerate(windows):
            ids[i, : len(w.ids)] = torch.tensor(w.ids)
            mask[i, : len(w.ids)] = 1
        with torch.inference_mode():
            logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
            return torch.softmax(logits.float(), -1).cpu().numpy()

    def postprocess(self, text: str, windows: Sequence[Window], probs: Sequence[np.ndarray]) -> list[ModelSpan]:
        return postprocess(text, windows, probs, self.id2label)

    # -- public API ------------------------------------------------------------------
    def predict(self, text: str) -> list[ModelSpan]:
        """Spans over ``text`` (the normalised working copy), sorted, never overlapping."""
        return self.predict_batch([text])[0]

    def predict_batch(self, texts: list[str], batch_size: int = 16) -> list[list[ModelSpan]]:
        """:meth:`predict` over many texts.

        Windows are batched within one text only: int8 dynamic quantisation scales
        activations per batch, so mixing texts would make one text's spans depend on
        which other texts share its batch.  ``predict_batch([a, b])`` therefore equals
        ``[predict(a), predict(b)]``.
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size must be at least 1, got {batch_size}")
        out = []
        for text in texts:
            windows = self.preprocess(text)
            probs: list[np.ndarray] = []
            for batch in _chunks(windows, batch_size):
                probs.extend(self._forward(batch))
            out.append(self.postprocess(text, windows, probs))
        return out


def quantize_dynamic(model, keep_last: int = 0):
    """Dynamic int8 quantisation of the encoder's linear layers; the classifier head and
    the last ``keep_last`` encoder layers stay fp32."""
    import torch

    layers = model.bert.encoder.layer
    with warnings.catch_warnings():  # torch 2.13 announces torch.ao's deprecation; the fallback is fp32
        warnings.filterwarnings("ignore", message=r".*(quantize_per_tensor|torch\.ao\.quantization).*deprecated")
        from torch.ao.quantization import quantize_dynamic as qd

        for layer in list(layers)[: len(layers) - keep_last]:
            qd(layer, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    return model


def _chunks(seq: list, n: int) -> Iterator[list]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]
