"""yingshang_ie.segmenter: pkuseg model setup (download, checksum, conversion) and load_spacy.

Most tests run without the network on a tiny hand-made "sdist".  The ``real_nlp`` fixture
sets up the real pkuseg model once into the user cache (``~/.cache/yingshang_ie/pkuseg``,
reused across runs; about 20 s the first time) and skips only when pip cannot download it.
"""

import hashlib
import io
import pickle
import tarfile
import warnings

import numpy as np
import pytest

from yingshang_ie import ConfigError, SegmenterDownloadError, SegmenterError
from yingshang_ie import segmenter as seg
from yingshang_ie.segmenter import SETUP_COMMAND, has_segmenter_model, load_spacy, setup_segmenter, user_words

SEED = "乳源瑶族自治县新签约项目33个，总投资110.63亿元"


@pytest.fixture
def empty_cache(monkeypatch, tmp_path):
    """Point $YINGSHANG_IE_CACHE at an empty directory; returns the pkuseg model dir it implies."""
    monkeypatch.setenv(seg.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "pkuseg"


def _fake_sdist(path, features=None):
    """A tarball laid out like pkuseg-0.0.25.tar.gz, holding a tiny model; returns its sha256."""
    features = features or {"unigram": ["乳"], "bigram": ["乳源"], "feature_to_idx": {"c.乳": 0}, "tag_to_idx": {"B": 0}}
    weights = io.BytesIO()
    np.savez(weights, sizes=np.array([1, 1]), w=np.zeros(2))
    with tarfile.open(path, "w:gz") as tf:
        for name, data in (("features.pkl", pickle.dumps(features)), ("weights.npz", weights.getvalue())):
            info = tarfile.TarInfo(seg._MEMBER_DIR + name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_download(monkeypatch, tmp_path):
    """Replace pip with a copy of a fake sdist whose checksum is accepted; counts the calls."""
    source = tmp_path / "src" / seg.SDIST_FILE
    source.parent.mkdir()
    monkeypatch.setattr(seg, "SDIST_SHA256", _fake_sdist(source))
    calls = []

    def download(dest):
        calls.append(dest)
        dest.mkdir()
        (dest / seg.SDIST_FILE).write_bytes(source.read_bytes())
        return dest / seg.SDIST_FILE

    monkeypatch.setattr(seg, "_download", download)
    monkeypatch.setattr(seg, "_check_prerequisites", lambda: None)  # pip does not run
    return calls


def test_segmenter_cache_dir_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv(seg.CACHE_ENV, str(tmp_path))
    assert seg.segmenter_cache_dir() == tmp_path / "pkuseg"
    monkeypatch.delenv(seg.CACHE_ENV)
    assert seg.segmenter_cache_dir().parts[-3:] == (".cache", "yingshang_ie", "pkuseg")


def test_segmenter_setup_converts_and_is_idempotent(empty_cache, fake_download):
    from spacy_pkuseg.feature_extractor import FeatureExtractor

    path = setup_segmenter()
    assert path == empty_cache and path.is_absolute()
    assert sorted(p.name for p in path.iterdir()) == ["features.msgpack", "weights.npz"]  # no pickle, no temp dirs
    features = FeatureExtractor.load(str(path))  # spacy-pkuseg reads the msgpack it wrote
    assert features.bigram == {"乳源"} and features.feature_to_idx == {"c.乳": 0}
    assert setup_segmenter() == path and len(fake_download) == 1  # present: returns at once
    assert setup_segmenter(force=True) == path and len(fake_download) == 2


def test_segmenter_setup_explicit_dir(tmp_path, fake_download):
    target = tmp_path / "elsewhere"
    assert setup_segmenter(target) == target and has_segmenter_model(target)


def test_segmenter_setup_rejects_checksum_mismatch(empty_cache, fake_download, monkeypatch):
    monkeypatch.setattr(seg, "SDIST_SHA256", "0" * 64)
    with pytest.raises(SegmenterError, match=r"sha256 [0-9a-f]{64}, expected 0{64}"):
        setup_segmenter()
    assert not has_segmenter_model(empty_cache)


@pytest.mark.parametrize("missing, fix", [
    ("numpy", "-m pip install numpy"),
    ("setuptools", "-m pip install setuptools"),
    ("pip", "-m ensurepip --upgrade"),
])
def test_segmenter_setup_names_missing_prerequisites(empty_cache, monkeypatch, missing, fix):
    real = seg.importlib.util.find_spec
    monkeypatch.setattr(seg.importlib.util, "find_spec", lambda name: None if name == missing else real(name))
    with pytest.raises(SegmenterError, match=rf"needs (\w+, )*{missing}\b.*{fix}"):
        setup_segmenter()


def test_segmenter_setup_offline_raises_download_error(empty_cache, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip as if offline: no index
    monkeypatch.setattr(seg, "_check_prerequisites", lambda: None)
    with pytest.raises(SegmenterDownloadError, match=f"could not download pkuseg==0.0.25.*`{SETUP_COMMAND}`"):
        setup_segmenter()
    assert not has_segmenter_model(empty_cache)


def test_segmenter_user_words_hold_counties_and_programs():
    words = set(user_words())
    assert {"乳源瑶族自治县", "乳源", "孝南区"} <= words
    assert all(len(w) >= 2 for w in words)


def test_segmenter_fallback_warns_once_with_command(empty_cache):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nlp = load_spacy(mode="rules")
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 1 and f"`{SETUP_COMMAND}`" in messages[0] and str(empty_cache) in messages[0]
    assert nlp.tokenizer.segmenter == "char"
    doc = nlp(SEED)
    assert len(doc) == len(SEED)
    assert [(e.label_, e.text) for e in doc.ents][:3] == [("COUNTY", "乳源瑶族自治县"), ("METRIC", "新签约项目"),
                                                         ("INDICATOR", "33个")]


def test_segmenter_char_needs_no_model_and_does_not_warn(empty_cache):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nlp = load_spacy(mode="rules", segmenter="char")
    assert nlp.pipe_names == ["yingshang_ie"]


@pytest.mark.parametrize("kwargs, match", [
    ({"segmenter": "thulac"}, "unknown segmenter 'thulac'; choose one of char, jieba, pkuseg"),
    ({"batch": 4}, "unknown setting.*batch; choose from merge_policy, model_path"),
    ({"mode": "fast"}, "unknown mode 'fast'"),
])
def test_segmenter_load_spacy_rejects_bad_arguments(empty_cache, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        load_spacy(**{"mode": "rules", **kwargs})


def test_segmenter_corrupt_model_raises(empty_cache):
    empty_cache.mkdir(parents=True)
    (empty_cache / "features.msgpack").write_bytes(b"not msgpack")
    (empty_cache / "weights.npz").write_bytes(b"not npz")
    with pytest.raises(SegmenterError, match=f"cannot be loaded .* delete that directory and run `{SETUP_COMMAND}`"):
        load_spacy(mode="rules")


@pytest.fixture(scope="module")
def real_nlp():
    """The real pkuseg model, set up once in the user cache (skip only if pip cannot download it)."""
    try:
        model_dir = setup_segmenter()
    except SegmenterDownloadError as exc:
        pytest.skip(f"pkuseg model not downloadable here (offline?): {exc}")
    return load_spacy(mode="rules", cache_dir=model_dir)


def test_segmenter_pkuseg_keeps_user_dict_words(real_nlp):
    assert real_nlp.tokenizer.segmenter == "pkuseg"
    doc = real_nlp(SEED)
    assert [t.text for t in doc][:4] == ["乳源瑶族自治县", "新", "签约", "项目"]  # plain pkuseg: 乳源 | 瑶族 | 自治县


def test_segmenter_pkuseg_doc_gets_ents(real_nlp):
    doc = real_nlp(SEED)
    assert [(e.label_, e.text) for e in doc.ents] == [
        ("COUNTY", "乳源瑶族自治县"), ("METRIC", "新签约项目"), ("INDICATOR", "33个"),
        ("METRIC", "总投资"), ("INDICATOR", "110.63亿元")]
    assert [str(i.value) for i in doc._.indicators] == ["33", "11063000000"]
    docs = list(real_nlp.pipe(["", SEED, "乳源县投资5亿元"]))
    assert [len(d.ents) for d in docs] == [0, 5, 3]
