"""Converters between the corpus records and annotation tools' formats.

All keep offsets exact:

- Label Studio counts offsets in UTF-16 code units (JavaScript strings), so
  characters outside the Basic Multilingual Plane (rare CJK extension
  characters, emoji) shift them; the converters translate both ways.
- doccano (sequence labelling export, ``"label": [[start, end, "LABEL"]]``)
  counts code points, as the corpus does; the newer ``"entities"`` export with
  ``start_offset``/``end_offset`` is read as well.
- spaCy ``DocBin`` documents are built with the blank Chinese pipeline's
  character segmentation, so every span lands on token boundaries.

Optional gold fields (county ``code``, indicator ``value``/``unit``/…) travel
in Label Studio's region ``meta`` and doccano's ``meta`` mapping; DocBin
stores them in the document's ``user_data``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .corpus import Document, validate_record
from .errors import AnnotationError

__all__ = [
    "to_label_studio",
    "from_label_studio",
    "to_doccano",
    "from_doccano",
    "to_docbin",
    "from_docbin",
]


def _utf16_index(text: str) -> list[int]:
    """``idx[i]`` = UTF-16 offset of code point ``i``; one extra final entry."""
    idx = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        idx[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    idx[len(text)] = pos
    return idx


def _finish(records: list[dict], source: str) -> list[Document]:
    docs, problems = [], []
    for i, rec in enumerate(records):
        doc, errs = validate_record(rec, f"{source} item {i}")
        problems.extend(errs)
        if doc is not None:
            docs.append(doc)
    if problems:
        raise AnnotationError(problems, source)
    return docs


def to_label_studio(docs: Iterable[Document]) -> list[dict[str, Any]]:
    """Label Studio tasks with one completed annotation each (``<Labels name="label" toName="text">``)."""
    tasks = []
    for doc in docs:
        u16 = _utf16_index(doc.text)
        results = []
        for n, e in enumerate(doc.entities):
            region: dict[str, Any] = {
                "id": f"{doc.id}-{n}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {"start": u16[e.start], "end": u16[e.end], "text": e.text, "labels": [e.label]},
            }
            if e.extra:
                region["meta"] = dict(e.extra)
            results.append(region)
        tasks.append({"data": {"text": doc.text, "doc_id": doc.id, "source": doc.source}, "annotations": [{"result": results}]})
    return tasks


def from_label_studio(tasks: list[dict[str, Any]], source: str = "<label-studio>") -> list[Document]:
    """Read Label Studio tasks (JSON export); the last annotation of each task is used."""
    records = []
    for i, task in enumerate(tasks):
        data = task.get("data", {}) if isinstance(task, dict) else {}
        text = data.get("text")
        if not isinstance(text, str):
            raise AnnotationError([f"{source} task {i}: data.text must be a string"], source)
        back = {u: c for c, u in enumerate(_utf16_index(text))}
        annotations = task.get("annotations") or task.get("completions") or [{"result": []}]
        entities = []
        for region in annotations[-1].get("result", []):
            value = region.get("value", {})
            if region.get("type") != "labels" or not value.get("labels"):
                continue
            start, end = back.get(value.get("start")), back.get(value.get("end"))
            ent = {"start": start, "end": end, "label": value["labels"][0], "text": value.get("text", "")}
            ent.update(region.get("meta") or {})
            entities.append(ent)
        records.append({"id": str(data.get("doc_id", task.get("id", i))), "source": data.get("source", ""),
                        "text": text, "entities": entities})
    return _finish(records, source)


def to_doccano(docs: Iterable[Document]) -> list[dict[str, Any]]:
    """doccano sequence-labelling records: ``{"text", "label": [[start, end, LABEL]], …}``."""
    out = []
    for doc in docs:
        meta = {str(n): dict(e.extra) for n, e in enumerate(doc.entities) if e.extra}
        out.append({
            "id": doc.id,
            "source": doc.source,
            "text": doc.text,
            "label": [[e.start, e.end, e.label] for e in doc.entities],
            "meta": {"extra": meta} if meta else {},
        })
    return out


def from_doccano(records: list[dict[str, Any]], source: str = "<doccano>") -> list[Document]:
    """Read doccano records (``label`` triples or ``entities`` with start/end_offset)."""
    converted = []
    for i, rec in enumerate(records):
        text = rec.get("text")
        if "entities" in rec:
            triples = [(e.get("start_offset"), e.get("end_offset"), e.get("label")) for e in rec["entities"]]
        else:
            triples = [tuple(t) if isinstance(t, (list, tuple)) and len(t) == 3 else (None, None, None)
                       for t in rec.get("label", [])]
        extra = (rec.get("meta") or {}).get("extra", {})
        entities = []
        for n, (s, e, lab) in enumerate(triples):
            ent = {"start": s, "end": e, "label": lab,
                   "text": text[s:e] if isinstance(text, str) and isinstance(s, int) and isinstance(e, int) else ""}
            ent.update(extra.get(str(n), {}))
            entities.append(ent)
        converted.append({"id": str(rec.get("id", i)), "source": rec.get("source", ""), "text": text,
                          "entities": entities})
    return _finish(converted, source)


def to_docbin(docs: Iterable[Document]):
    """A spaCy ``DocBin`` of character-segmented Chinese documents with ``doc.ents`` set.

    Raises:
        AnnotationError: a span starts or ends on whitespace that spaCy folds
            into a token, so it cannot be represented exactly.
    """
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("zh")  # default segmenter: one token per character
    db = DocBin(store_user_data=True)
    problems = []
    for doc in docs:
        sdoc = nlp.make_doc(doc.text)
        ents = []
        for e in doc.entities:
            span = sdoc.char_span(e.start, e.end, label=e.label, alignment_mode="strict")
            if span is None:
                problems.append(f"doc {doc.id}: span {e.text!r} [{e.start}, {e.end}) does not align to tokens")
                continue
            ents.append(span)
        sdoc.ents = ents
        sdoc.user_data["yingshang_ie"] = {
            "id": doc.id,
            "source": doc.source,
            "extra": {f"{e.start}:{e.end}": dict(e.extra) for e in doc.entities if e.extra},
        }
        db.add(sdoc)
    if problems:
        raise AnnotationError(problems, "DocBin export")
    return db


def from_docbin(db_or_path, source: str = "<docbin>") -> list[Document]:
    """Read documents back from a ``DocBin`` (or a path to a ``.spacy`` file)."""
    import spacy
    from spacy.tokens import DocBin

    if isinstance(db_or_path, (str, Path)):
        source = str(db_or_path)
        db_or_path = DocBin().from_disk(db_or_path)
    vocab = spacy.blank("zh").vocab
    records = []
    for i, sdoc in enumerate(db_or_path.get_docs(vocab)):
        meta = sdoc.user_data.get("yingshang_ie", {})
        extra = meta.get("extra", {})
        ents = []
        for s in sdoc.ents:
            ent = {"start": s.start_char, "end": s.end_char, "label": s.label_, "text": s.text}
            ent.update(extra.get(f"{s.start_char}:{s.end_char}", {}))
            ents.append(ent)
        records.append({"id": meta.get("id", str(i)), "source": meta.get("source", ""), "text": sdoc.text,
                        "entities": ents})
    return _finish(records, source)

