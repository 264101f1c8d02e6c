"""The pipeline in one screen: normalise → rules | model → merge → link → results.

Example:
    >>> from yingshang_ie import Extractor
    >>> ex = Extractor(mode="rules")
    >>> x = ex.extract("乳源瑶族自治县新签约项目33个，总投资110.63亿元")
    >>> [(i.metric.text, str(i.value), i.unit) for i in x.indicators]
    [('新签约项目', '33', '个'), ('总投资', '11063000000', '元')]
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import ConfigError, ModelLoadError, ModelNotFoundError
from .link import link_counties
from .merge import Candidate, get_policy
from .normalize import Normalized, normalize
from .rules import rule_candidates
from .rules.counties import load_gazetteer
from .types import Choice, Entity, Extraction, Indicator, Source

__all__ = ["Mode", "ExtractorConfig", "Extractor", "extract", "default_model_path"]

log = logging.getLogger("yingshang_ie")
MODEL_ENV = "YINGSHANG_IE_MODEL"
DEFAULT_MODEL_NAME = "yingshang-e5-small"
_SENTENCE_END = set("。！？!?\n")


class Mode(Choice):
    """``auto``: hybrid when a model loads, rules (with a warning) when not; ``rules``; ``model``."""

    AUTO = "auto"
    RULES = "rules"
    MODEL = "model"


@dataclass(frozen=True)
class ExtractorConfig:
    """Extractor settings.

    Attributes:
        mode: ``"auto"``, ``"rules"`` or ``"model"`` (see :class:`Mode`).
        model_path: model directory; default: ``$YINGSHANG_IE_MODEL``, else the bundled model.
        merge_policy: how model and rule spans combine (a name in ``merge.POLICIES``).
        batch_size: windows per forward pass in ``model``/``auto`` mode.
    """

    mode: Mode | str = Mode.AUTO
    model_path: str | os.PathLike | None = None
    merge_policy: str = "consensus.v3"
    batch_size: int = 16

    def __post_init__(self):
        object.__setattr__(self, "mode", Mode(self.mode))
        get_policy(self.merge_policy)  # raises ConfigError listing the registered policies
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ConfigError(f"batch_size must be a positive integer, got {self.batch_size!r}")


def default_model_path() -> Path:
    """``$YINGSHANG_IE_MODEL`` if set, else the model shipped with the package."""
    if os.environ.get(MODEL_ENV):
        return Path(os.environ[MODEL_ENV])
    from importlib import resources

    try:
        bundled = Path(str(resources.files("yingshang_ie.models").joinpath(DEFAULT_MODEL_NAME)))
        if bundled.is_dir():
            return bundled
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[1] / "models" / DEFAULT_MODEL_NAME


class Extractor:
    """Loads resources once; :meth:`extract` one text, :meth:`pipe` many."""

    def __init__(self, config: ExtractorConfig | None = None, **overrides):
        if config is None:
            config = ExtractorConfig(**overrides)
        elif overrides:
            raise ConfigError("pass either an ExtractorConfig or keyword settings, not both")
        self.config = config
        self.policy = get_policy(config.merge_policy)
        self.gazetteer = load_gazetteer()  # loaded up front (cached per process), not on the first text
        self.model = None
        if config.mode is not Mode.RULES:
            self.model = self._load_model()

    def _load_model(self):
        path = Path(self.config.model_path) if self.config.model_path else default_model_path()
        try:
            from .model import TokenClassifier

            return TokenClassifier.load(path)
        except (ModelNotFoundError, ModelLoadError, ImportError) as exc:
            if self.config.mode is Mode.MODEL:
                raise
            warnings.warn(f"no usable model ({exc}); extracting with rules only", stacklevel=3)
            log.warning("model unavailable, falling back to rules: %s", exc)
            return None

    @property
    def mode(self) -> str:
        """What actually runs: ``"hybrid"``, ``"model"`` or ``"rules"``."""
        if self.model is None:
            return "rules"
        return "model" if self.config.mode is Mode.MODEL else "hybrid"

    def extract(self, text: str) -> Extraction:
        """Entities, indicators and county links of ``text``.

        Raises:
            TypeError: ``text`` is not a ``str``.
        """
        return next(iter(self.pipe([text])))

    def pipe(self, texts: Iterable[str]) -> Iterator[Extraction]:
        """Extract from many texts; the model sees them in batches.

        Raises:
            TypeError: ``texts`` is a single ``str`` or ``bytes`` (pass ``[text]``, or use
                :meth:`extract`), or one of its items is not a ``str``.
        """
        if isinstance(texts, (str, bytes, bytearray)):
            raise TypeError(f"pipe() takes an iterable of texts, got one {type(texts).__name__}; "
                            "pass [text] or call extract(text)")
        batch: list[str] = []
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"extract() takes text as str, got {type(text).__name__}; decode bytes first")
            batch.append(text)
            if len(batch) == 32:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, texts: list[str]) -> list[Extraction]:
        norms = [normalize(t) for t in texts]
        model_spans: list[list[Candidate]] = [[] for _ in norms]
        if self.model is not None:
            live = [i for i, n in enumerate(norms) if n.text.strip()]
            preds = self.model.predict_batch([norms[i].text for i in live], batch_size=self.config.batch_size)
            for i, spans in zip(live, preds):
                model_spans[i] = [Candidate(s.start, s.end, s.label, s.score, Source.MODEL) for s in spans]
        return [self._assemble(n, spans) for n, spans in zip(norms, model_spans)]

    def _assemble(self, norm: Normalized, model_spans: list[Candidate]) -> Extraction:
        if not norm.text.strip():
            return Extraction(norm.original, mode=self.mode)
        if self.model is None:
            merged = rule_candidates(norm.text)
        elif self.config.mode is Mode.MODEL:
            merged = model_spans  # model spans only: the rules need not run
        else:
            merged = self.policy.merge(rule_candidates(norm.text), model_spans, norm.text)
        entities = [self._entity(norm, c) for c in merged]
        indicators = _indicators(norm.text, merged, entities)
        county_pairs = [(e, c.info) for c, e in zip(merged, entities)
                        if c.label == "COUNTY" and c.source is Source.RULES]
        counties = link_counties(county_pairs, norm.text)
        return Extraction(norm.original, tuple(entities), indicators, counties, self.mode)

    @staticmethod
    def _entity(norm: Normalized, c: Candidate) -> Entity:
        start, end = norm.to_original(c.start, c.end)
        return Entity(start, end, c.label, norm.original[start:end], c.score, c.source)


def _indicators(text: str, merged: list[Candidate], entities: list[Entity]) -> tuple[Indicator, ...]:
    """Pair each INDICATOR with the nearest METRIC before it in its sentence (or right after it)."""
    from .rules.numbers import parse_quantity

    out = []
    last_metric: Entity | None = None
    prev_end = 0
    for i, (c, e) in enumerate(zip(merged, entities)):
        if any(ch in _SENTENCE_END for ch in text[prev_end:c.start]):
            last_metric = None
        prev_end = c.end
        if c.label == "METRIC":
            last_metric = e
        if c.label != "INDICATOR":
            continue
        metric = last_metric
        if i + 1 < len(merged) and merged[i + 1].label == "METRIC" and merged[i + 1].start == c.end:
            metric = entities[i + 1]
        q = c.info if c.info is not None else parse_quantity(text[c.start:c.end])
        if q is None:
            out.append(Indicator(e, metric, None, "", "other"))
        else:
            out.append(Indicator(e, metric, q.value, q.unit, q.kind, q.approx, q.value_max))
    return tuple(out)


_DEFAULT: dict[str, Extractor] = {}


def extract(text: str, *, mode: Mode | str = "auto") -> Extraction:
    """Extract counties, programs and indicators from ``text`` (see :class:`Extractor`).

    The extractor for each mode is built on first use and reused.

    Args:
        text: the caller's text: plain, HTML or Markdown with front matter; simplified or
            traditional script; any length.
        mode: ``"auto"`` (default), ``"rules"`` or ``"model"``.

    Returns:
        An :class:`~yingshang_ie.types.Extraction` whose offsets index ``text``.

    Raises:
        TypeError: ``text`` is not a ``str``.
        ConfigError: unknown ``mode``.
        ModelNotFoundError, ModelLoadError: ``mode="model"`` and no usable model.
    """
    key = Mode(mode).value
    if key not in _DEFAULT:
        _DEFAULT[key] = Extractor(mode=key)
    return _DEFAULT[key].extract(text)
