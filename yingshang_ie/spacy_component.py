"""spaCy adapter: the ``"yingshang_ie"`` pipeline component.

The factory only builds an :class:`~yingshang_ie.Extractor`; the component runs it on
``doc.text`` and maps the result onto the ``Doc``:

- ``doc.ents``: one span per entity (labels COUNTY, PROGRAM, INDICATOR, METRIC), aligned to
  the tokens with ``doc.char_span(..., alignment_mode="expand")`` (a span that ends inside a
  token takes the whole token); spans that overlap after expansion are settled by
  ``spacy.util.filter_spans`` (longest first).  Entities set by earlier components are
  replaced.
- ``doc._.indicators``: tuple of :class:`~yingshang_ie.Indicator`;
- ``doc._.counties``: tuple of :class:`~yingshang_ie.CountyLink`;
- ``doc._.extraction``: the whole :class:`~yingshang_ie.Extraction`, whose character
  offsets index ``doc.text`` exactly (``entity.text == doc.text[entity.start:entity.end]``;
  the token-aligned ``doc.ents`` may be wider).

A document the extractor fails on goes to the pipeline's error handler
(``nlp.set_error_handler``), so one bad document need not stop a batch.

Example:
    >>> import spacy
    >>> import yingshang_ie.spacy_component  # registers the factory (the entry point does too)
    >>> nlp = spacy.blank("zh")
    >>> _ = nlp.add_pipe("yingshang_ie", config={"mode": "rules"})
    >>> doc = nlp("乳源瑶族自治县新签约项目33个，总投资110.63亿元")
    >>> [(e.label_, e.text) for e in doc.ents]
    [('COUNTY', '乳源瑶族自治县'), ('METRIC', '新签约项目'), ('INDICATOR', '33个'), ('METRIC', '总投资'), ('INDICATOR', '110.63亿元')]
    >>> [(str(i.value), i.unit) for i in doc._.indicators]
    [('33', '个'), ('11063000000', '元')]

For word segmentation with pkuseg see :func:`yingshang_ie.segmenter.load_spacy`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator, Optional

import srsly
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc
from spacy.util import SimpleFrozenList, ensure_path, filter_spans, minibatch

from .extractor import Extractor, ExtractorConfig
from .types import Extraction

__all__ = ["YingshangComponent", "make_yingshang_ie", "EXTENSIONS"]

#: The ``Doc`` extensions the component sets (all default to ``None``).
EXTENSIONS = ("indicators", "counties", "extraction")
_CFG_FILE = "cfg"


def register_extensions() -> None:
    """Register ``doc._.indicators``, ``doc._.counties`` and ``doc._.extraction`` once."""
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


@Language.factory(
    "yingshang_ie",
    assigns=["doc.ents", "doc._.indicators", "doc._.counties", "doc._.extraction"],
    default_config={"mode": "auto", "model_path": None, "merge_policy": "consensus.v3"},
)
def make_yingshang_ie(
    nlp: Language, name: str, mode: str, model_path: Optional[str], merge_policy: str
) -> "YingshangComponent":
    """Build the component (settings as in :class:`~yingshang_ie.ExtractorConfig`)."""
    config = ExtractorConfig(mode=mode, model_path=model_path, merge_policy=merge_policy)
    return YingshangComponent(nlp, name, Extractor(config))


class YingshangComponent(Pipe):
    """Runs an :class:`~yingshang_ie.Extractor` on each ``Doc`` (see the module docstring)."""

    def __init__(self, nlp: Language, name: str, extractor: Extractor):
        register_extensions()
        self.name = name
        self.extractor = extractor

    @property
    def cfg(self) -> dict:
        """The settings ``to_disk`` saves: ``mode``, ``model_path`` (str or None), ``merge_policy``."""
        c = self.extractor.config
        return {"mode": c.mode.value, "model_path": None if c.model_path is None else str(c.model_path),
                "merge_policy": c.merge_policy}

    def __call__(self, doc: Doc) -> Doc:
        """Annotate one ``Doc``; a failure goes to the error handler (which raises by default)."""
        error_handler = self.get_error_handler()
        try:
            return self.set_annotations(doc, self.extractor.extract(doc.text))
        except Exception as e:
            return error_handler(self.name, self, [doc], e)

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Annotate ``Doc``s in batches through :meth:`Extractor.pipe`.

        When a batch fails, its documents are retried one at a time and only the ones
        that fail again go to the error handler; with ``spacy.util.ignore_error`` they
        are left out of the output, as spaCy's own components do.
        """
        error_handler = self.get_error_handler()
        for batch in minibatch(stream, size=batch_size):
            try:
                done = [self.set_annotations(doc, x)
                        for doc, x in zip(batch, self.extractor.pipe(d.text for d in batch))]
            except Exception:
                done = []
                for doc in batch:
                    try:
                        done.append(self.set_annotations(doc, self.extractor.extract(doc.text)))
                    except Exception as e:
                        error_handler(self.name, self, [doc], e)
            yield from done

    def set_annotations(self, doc: Doc, extraction: Extraction) -> Doc:
        """Write ``extraction`` (whose offsets index ``doc.text``) onto ``doc``."""
        spans = []
        for e in extraction.entities:
            span = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.ents = filter_spans(spans)
        doc._.indicators = extraction.indicators
        doc._.counties = extraction.counties
        doc._.extraction = extraction
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> None:
        """Save the settings as JSON in ``path/cfg`` (the model itself stays where it is)."""
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / _CFG_FILE, self.cfg)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = SimpleFrozenList()) -> "YingshangComponent":
        """Restore the settings saved by :meth:`to_disk`, rebuilding the extractor if they differ."""
        cfg = srsly.read_json(ensure_path(path) / _CFG_FILE)
        if cfg != self.cfg:
            self.extractor = Extractor(ExtractorConfig(**cfg))
        return self
