"""TokenClassifier.load: clear errors for missing or broken model directories."""

import json

import pytest

from yingshang_ie.errors import ModelLoadError, ModelNotFoundError
from yingshang_ie.model import TokenClassifier


def test_model_load_missing_dir_raises_not_found(tmp_path):
    with pytest.raises(ModelNotFoundError, match=r"no model directory .*training/train.py"):
        TokenClassifier.load(tmp_path / "nope")


def test_model_load_missing_weights_raises_load_error(tmp_path):
    for name in ("config.json", "yingshang.json", "tokenizer.json"):
        (tmp_path / name).write_text("{}")
    with pytest.raises(ModelLoadError, match=r"lacks model.safetensors.*training/train.py"):
        TokenClassifier.load(tmp_path)


def test_model_load_corrupt_weights_raises_load_error(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert", "vocab_size": 10, "hidden_size": 8,
                                                      "num_hidden_layers": 1, "num_attention_heads": 2,
                                                      "intermediate_size": 8, "num_labels": 9}))
    (tmp_path / "yingshang.json").write_text(json.dumps({"tokenization": "subword"}))
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"\x00\x01 not a safetensors file")
    with pytest.raises(ModelLoadError, match=r"cannot load the model.*train.py"):
        TokenClassifier.load(tmp_path)


@pytest.mark.parametrize("with_json", [True, False])
def test_model_tokenizer_loads_offline_only(tmp_path, monkeypatch, with_json):
    import transformers

    from yingshang_ie.model import load_tokenizer

    seen = []
    for cls in (transformers.AutoTokenizer, transformers.PreTrainedTokenizerFast):
        monkeypatch.setattr(cls, "from_pretrained", classmethod(lambda c, *a, **kw: seen.append(kw)))
    if with_json:
        (tmp_path / "tokenizer.json").write_text("{}")
    load_tokenizer(tmp_path if with_json else "bert-base-chinese")
    assert seen == [{"local_files_only": True}]
