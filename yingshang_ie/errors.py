"""Errors raised by yingshang_ie.

Every error is a ``YingshangError`` and also the builtin it specialises, so
callers may catch either.  Messages name the value, what was expected and
what to do about it.
"""

from __future__ import annotations

__all__ = [
    "YingshangError",
    "AnnotationError",
    "ConfigError",
    "ModelNotFoundError",
    "ModelLoadError",
    "ResourceError",
    "SegmenterError",
    "SegmenterDownloadError",
]


class YingshangError(Exception):
    """Base class of every error this package raises on purpose."""


class AnnotationError(YingshangError, ValueError):
    """An annotation file or record breaks the record format or the span rules.

    ``problems`` holds one message per problem found, each naming the file,
    line and document id; the error message lists them all.
    """

    def __init__(self, problems: list[str], source: str = "annotations"):
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in {source}:"
        super().__init__("\n  ".join([head, *self.problems]))


class ConfigError(YingshangError, ValueError):
    """A configuration value is out of range or not one of the allowed choices."""


class ModelNotFoundError(YingshangError, FileNotFoundError):
    """No model directory where one was asked for."""


class ModelLoadError(YingshangError, RuntimeError):
    """A model directory exists but cannot be loaded (missing or corrupt files)."""


class ResourceError(YingshangError, FileNotFoundError):
    """A data file shipped with the package (gazetteer, lexicon) is missing or unreadable."""


class SegmenterError(YingshangError, RuntimeError):
    """The pkuseg word-segmentation model cannot be set up or loaded (see ``yingshang_ie.segmenter``)."""


class SegmenterDownloadError(SegmenterError):
    """pip could not fetch the pkuseg source package (offline, or the package index unreachable)."""
