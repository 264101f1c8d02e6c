"""yingshang_ie: counties, programs and numeric indicators from Chinese 营商环境 texts.

    >>> from yingshang_ie import extract
    >>> x = extract("乳源瑶族自治县新签约项目33个，总投资110.63亿元", mode="rules")
    >>> x.counties[0].code, str(x.indicators[1].value), x.indicators[1].unit
    ('440232', '11063000000', '元')
"""

from . import errors
from .errors import *  # noqa: F401,F403  (the typed errors, listed in errors.__all__)
from .extractor import Extractor, ExtractorConfig, Mode, extract
from .types import CountyCandidate, CountyLink, Entity, Extraction, Indicator, Source

__all__ = [
    "extract",
    "Extractor",
    "ExtractorConfig",
    "Mode",
    "Extraction",
    "Entity",
    "Indicator",
    "CountyLink",
    "CountyCandidate",
    "Source",
    *errors.__all__,
]
__version__ = "0.1.0"
