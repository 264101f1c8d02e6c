"""Train a tiny randomly initialised BERT for a few steps, save it, load it, predict."""

from pathlib import Path

import pytest

BASE = Path("/work/shared/base-models/multilingual-e5-small-zh")


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    if not (BASE / "tokenizer.json").is_file():
        pytest.skip(f"base tokenizer not found at {BASE}")
    import torch
    from transformers import BertConfig, BertModel

    from yingshang_ie.model import load_tokenizer

    torch.manual_seed(0)
    tok = load_tokenizer(BASE)
    cfg = BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=128, pad_token_id=tok.pad_token_id)
    out = tmp_path_factory.mktemp("tiny-base")
    BertModel(cfg).save_pretrained(str(out))
    tok.save_pretrained(str(out))
    return out


@pytest.mark.parametrize("tokenization, storage", [("subword", "int8"), ("char", "fp16")])
def test_train_smoke_loss_falls_and_model_loads(tiny_base, tmp_path, tokenization, storage):
    from training.train import TrainConfig, run
    from yingshang_ie.model import TokenClassifier

    out = tmp_path / "model"
    cfg = TrainConfig(base_model=str(tiny_base), output_dir=str(out), tokenization=tokenization, window=64,
                      stride=16, train_stride=16, epochs=50, batch_size=4, max_train_samples=4, max_steps=25,
                      lr_head=5e-3, lr_body=5e-3, warmup=0.0, storage=storage, augment_copies=1)
    card = run(cfg, train_ids=["000", "001"], eval_ids=["002"], log=lambda *a: None)
    assert card["loss"]["last"] < card["loss"]["first"]
    assert (out / "training.json").is_file() and "scores" in card
    clf = TokenClassifier.load(out)
    text = "柞水县新签约项目33个,总投资110.63亿元。" * 20  # several windows
    spans = clf.predict(text)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    assert all(0.0 <= s.score <= 1.0 for s in spans)
    assert clf.predict_batch([text, ""]) == [spans, []]


def test_model_quantisation_falls_back_to_fp32(tiny_base, tmp_path, monkeypatch):
    import yingshang_ie.model as model_mod
    from training.train import TrainConfig, run

    out = tmp_path / "model"
    run(TrainConfig(base_model=str(tiny_base), output_dir=str(out), eval_split="", window=32, stride=8, train_stride=8, keep_last_fp32=1,
                    max_train_samples=2, max_steps=1), train_ids=["003"], eval_ids=[], log=lambda *a: None)
    quantised = model_mod.TokenClassifier.load(out, quantize="dynamic-int8")
    assert "quantized" in type(quantised.model.bert.encoder.layer[0].attention.self.query).__module__

    def broken(*a, **k):
        raise RuntimeError("no quantized engine")

    monkeypatch.setattr(model_mod, "quantize_dynamic", broken)
    with pytest.warns(UserWarning, match="running the model in fp32"):
        clf = model_mod.TokenClassifier.load(out, quantize="dynamic-int8")
    assert clf.predict("柞水县新签约项目33个") is not None


def test_train_config_rejects_bad_values():
    from training.train import TrainConfig
    from yingshang_ie.errors import ConfigError

    with pytest.raises(ConfigError, match="stride=200"):
        TrainConfig(stride=200)
    with pytest.raises(ConfigError, match="storage='bf16'"):
        TrainConfig(storage="bf16")
    with pytest.raises(ConfigError, match="unknown tokenization"):
        TrainConfig(tokenization="word")
    with pytest.raises(ConfigError, match="train_windows='paragraph'"):
        TrainConfig(train_windows="paragraph")


def test_train_sentence_windows_start_at_sentences(tiny_base):
    from training.train import TAGS, TrainConfig, align_stage, sentence_starts
    from yingshang_ie.corpus import Document, GoldSpan
    from yingshang_ie.model import encode, load_tokenizer

    text = "新签约项目33个。总投资110亿元！\n网办率95%"
    offsets = [(i, i + 1) for i, c in enumerate(text) if not c.isspace()]
    starts = sentence_starts(text, offsets)
    assert [text[offsets[t][0]] for t in starts] == ["新", "总", "网"]
    doc = Document("x", text, (GoldSpan(9, 12, "METRIC", "总投资"),))
    tok = load_tokenizer(tiny_base)
    samples = align_stage(TrainConfig(base_model=str(tiny_base), train_windows="sentence", window=16,
                                       stride=4, train_stride=4), [doc], tok)
    ids, _ = encode(tok, text, "char")
    assert len(samples) == 3
    assert samples[1][0][1:4] == ids[9:12] and TAGS[samples[1][1][1]] == "B-METRIC"
    assert all(len(s[0]) <= 16 and s[1][0] == s[1][-1] == -100 for s in samples)


def test_train_token_tags_snap_inner_boundaries():
    from training.train import TAGS, token_tags
    from yingshang_ie.corpus import Document, GoldSpan

    doc = Document("x", "乳源县委", (GoldSpan(0, 3, "COUNTY", "乳源县"),))
    tags = token_tags(doc, [(0, 2), (2, 4)])  # the boundary at 3 falls inside the token "县委"
    assert [TAGS[t] for t in tags] == ["B-COUNTY", "I-COUNTY"]
    doc = Document("y", "ab13年", (GoldSpan(3, 5, "INDICATOR", "3年"),))
    assert [TAGS[t] for t in token_tags(doc, [(0, 2), (2, 4), (4, 5)])] == ["O", "B-INDICATOR", "I-INDICATOR"]


def test_train_augment_keeps_offsets_valid():
    import random

    from training.train import _counties, augment
    from yingshang_ie.corpus import Document, GoldSpan

    text = "柞水县新签约项目33个"
    doc = Document("x", text, (GoldSpan(0, 3, "COUNTY", "柞水县"), GoldSpan(3, 8, "METRIC", "新签约项目"),
                               GoldSpan(8, 11, "INDICATOR", "33个")))
    aug = augment(doc, random.Random(1), _counties(), 0)
    assert all(aug.text[e.start:e.end] == e.text for e in aug.entities)
    assert aug.entities[1].text == "新签约项目" and aug.entities[2].text.endswith("个")


def test_sweep_trains_each_variant_and_scores_both_runtimes(tiny_base, tmp_path):
    from training.sweep import format_row, sweep

    base = {"base_model": str(tiny_base), "window": 64, "stride": 16, "train_stride": 16, "max_train_samples": 2,
            "max_steps": 2}
    rows = sweep({"a": base, "b": {**base, "seed": 2}}, tmp_path, log=lambda *a: None)
    assert [r["name"] for r in rows] == ["a", "b"]
    assert (tmp_path / "b" / "model.safetensors").is_file()
    for r in rows:
        for q in ("dynamic-int8", "none"):
            assert set(r[q]) == {"COUNTY", "PROGRAM", "INDICATOR", "METRIC", "micro"}
            assert all(0.0 <= v <= 1.0 for v in r[q].values())
    assert format_row(rows[0]).startswith("a ")


@pytest.mark.parametrize("text, problem", [("noequals", "write it as"), ("x={bad", "not JSON"), ("x=[1]", "write it as")])
def test_sweep_variant_syntax_errors_say_how(text, problem):
    from training.sweep import parse_variant
    from yingshang_ie.errors import ConfigError

    with pytest.raises(ConfigError, match=problem):
        parse_variant(text)
    assert parse_variant('x={"seed": 3}') == ("x", {"seed": 3})
