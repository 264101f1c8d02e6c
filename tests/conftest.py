from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def corpus():
    from yingshang_ie.corpus import load_corpus

    return load_corpus(ROOT / "annotations" / "seeds.jsonl")


@pytest.fixture(scope="session")
def splits():
    from yingshang_ie.corpus import load_splits

    return load_splits(ROOT / "annotations" / "splits.json")


@pytest.fixture(scope="session")
def full_corpus():
    """The seeds and the county corpus together."""
    from yingshang_ie.corpus import load_corpora

    return load_corpora([ROOT / "annotations" / "seeds.jsonl", ROOT / "annotations" / "corpus.jsonl"])
