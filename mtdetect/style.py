"""Numeric translationese signals: stylometric features for the classifier (not spans).

Translated English, by machine or by hand, differs from original English in small,
measurable ways: it over-uses some function words and connectives ("which", "however",
"thus", "whereby"), normalises vocabulary toward frequent words (MT) or keeps rare source
terms, avoids contractions, punctuates like the source language, and builds sentences
of a more uniform length. None of these is evidence on its own, so they are features for
the calibrated classifier, never findings.

Public API:

* :data:`STYLE_FEATURE_NAMES` and :func:`style_features` (a dict) or :func:`style_row` (a list,
  in that order) for one sentence or a whole text;
* :data:`ARTICLE_LENGTH_FEATURE_NAMES` and :func:`sentence_length_stats` for the spread of
  sentence lengths across an article.

Every function returns every name of its tuple, always as a finite float (also for empty
or odd input), so feature vectors line up without special cases.

Speed matters (the fast mode scores hundreds of articles per second): the text is
tokenised with one compiled regular expression, counting is done by ``Counter`` and
``str.count`` (C loops), word frequencies are looked up once per distinct word through an
LRU cache, and the moving-average type/token ratio is vectorised with NumPy.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import numpy as np

# Function words whose rates distinguish translated from original English (connectives
# and relative pronouns are over-used in translation; "the"/"of" shift with nominal style).
FUNCTION_WORDS: tuple[str, ...] = (
    "the", "of", "and", "to", "a", "in", "that", "is", "was", "it",
    "for", "on", "with", "as", "by", "which", "this", "be", "has", "have",
    "not", "but", "also", "been", "will", "would", "there", "their", "its", "from",
    "at", "an", "or", "such", "however", "thus", "whose", "whereby", "so", "more",
    "are", "were", "had", "who", "these", "can", "could", "into", "after", "about",
)

_PRONOUN_GROUPS: dict[str, frozenset[str]] = {
    "pron_first": frozenset("i me my mine myself we us our ours ourselves".split()),
    "pron_second": frozenset("you your yours yourself yourselves".split()),
    "pron_third": frozenset("he him his himself she her hers herself they them their theirs themselves".split()),
}

# Rates per word token of single characters (or groups of them).
_PUNCTUATION: dict[str, tuple[str, ...]] = {
    "punct_comma": (",",),
    "punct_semicolon": (";",),
    "punct_colon": (":",),
    "punct_quote": ('"', "\u201c", "\u201d", "\u00ab", "\u00bb", "\u201e"),
    "punct_paren": ("(", ")"),
    "punct_question": ("?",),
    "punct_exclamation": ("!",),
}

ZIPF_RARE = 3.0  # below this a word is "rare" (about once per million words or less)

STYLE_FEATURE_NAMES: tuple[str, ...] = (
    "n_tokens",
    "log_n_tokens",
    "mean_word_length",
    "long_word_share",
    "type_token_ratio",
    "mattr_50",
    "herdan_c",
    "zipf_mean",
    "zipf_p10",
    "zipf_p25",
    "zipf_median",
    "rare_word_share",
    "oov_share",
    *_PUNCTUATION,
    "punct_dash",
    "capitalised_share",
    "allcaps_share",
    "number_share",
    "digit_char_share",
    *_PRONOUN_GROUPS,
    "contraction_rate",
    "passive_rate",
    "function_word_share",
    *(f"fw_{w}" for w in FUNCTION_WORDS),
)

ARTICLE_LENGTH_FEATURE_NAMES: tuple[str, ...] = (
    "n_sentences",
    "sent_len_mean",
    "sent_len_std",
    "sent_len_cv",
    "sent_len_max",
    "sent_len_min",
)

MATTR_WINDOW = 50

# Words (letters, with inner apostrophes or hyphens: "don't", "high-level") and numbers.
# Each repetition needs its separator, so matching stays linear. Explicit Latin, Greek and
# Cyrillic ranges are markedly faster than the Unicode class [^\W\d_].
_LETTERS = "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_TOKEN = re.compile(rf"[{_LETTERS}]+(?:['\u2019\-][{_LETTERS}]+)*|\d+(?:[.,:]\d+)*")
_DIGIT = re.compile(r"\d")
_BE_FORMS = frozenset("am is are was were be been being".split())
# Participles that do not end in -ed; "-ed" words are recognised by their ending.
_IRREGULAR_PARTICIPLES = frozenset(
    """known made held taken given seen found shown told built sent paid born done said brought
    caught chosen written driven hit hurt put set cut led left kept lost won sold spent thought
    bought taught become begun broken spoken stolen forgotten""".split()
)
_CONTRACTION_SUFFIXES = ("n't", "'re", "'ve", "'ll", "'m", "'d")
# "'s" is usually possessive ("China's"); only these hosts make it a contraction.
_S_CONTRACTION_HOSTS = frozenset("it that there here what who where when how he she let".split())
_SEP = "\x00"
_FW_NAMES = tuple(f"fw_{w}" for w in FUNCTION_WORDS)
# Default counts for map(dict.get, words, _ZEROS); as long as the longest word list.
_ZEROS = (0,) * len(FUNCTION_WORDS)


@lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    """Zipf frequency of a lower-cased word in English (0.0 when unknown); cached.

    Equal to ``wordfreq.zipf_frequency(word, "en")``. A plain a-z word that is in the list
    is looked up directly: wordfreq's own path tokenises every new word first, which made
    the first sight of a word cost ~20 us (an article brings ~50 new words).
    """
    if _PLAIN_WORD.fullmatch(word):
        freq = _frequencies().get(word)
        if freq is not None:
            return _zipf_from_frequency(freq)
    from wordfreq import zipf_frequency  # lazy: wordfreq reads its tables on first use

    return zipf_frequency(word, "en")


#: Public name of :func:`_zipf`: the Zipf frequency of a lower-cased English word, cached.
word_zipf = _zipf

_PLAIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", "best")


def _zipf_from_frequency(freq: float) -> float:
    """wordfreq's rounding for a single-token word with ``minimum=0``: the frequency to
    three significant digits (at least 1e-9), then the Zipf scale to two decimals."""
    unrounded = max(freq, 1e-9)
    freq = round(unrounded, math.floor(-math.log(unrounded, 10)) + 3)
    return round(math.log(freq, 10) + 9, 2)


def tokenize(text: str) -> list[str]:
    """Word and number tokens of ``text`` (punctuation is dropped)."""
    return _TOKEN.findall(text)


def _mattr(ids: np.ndarray, window: int = MATTR_WINDOW) -> float:
    """Moving-average type/token ratio over ``window``-token windows (TTR when shorter).

    Vectorised: token ``i`` is new in the window starting at ``s`` iff its previous
    occurrence ``prev[i]`` lies before ``s``; counting, for every token, the window starts
    where it is new gives the sum of types over all windows without a Python loop.
    """
    n = len(ids)
    if n == 0:
        return 0.0
    if n <= window:
        return len(np.unique(ids)) / n
    order = np.argsort(ids, kind="stable")
    prev = np.full(n, -1, dtype=np.int64)
    same = ids[order[1:]] == ids[order[:-1]]
    prev[order[1:][same]] = order[:-1][same]
    idx = np.arange(n)
    lo = np.maximum(np.maximum(prev + 1, idx - window + 1), 0)
    hi = np.minimum(idx, n - window)
    types_total = np.clip(hi - lo + 1, 0, None).sum()
    return float(types_total) / (window * (n - window + 1))


def style_features(text: str) -> dict[str, float]:
    """Every feature of :data:`STYLE_FEATURE_NAMES` for ``text`` (a sentence or an article).

    Rates are per token (words and numbers); word shares are fractions of word tokens.
    """
    return dict(zip(STYLE_FEATURE_NAMES, style_row(text)))


_EMPTY_ROW = (0.0,) * len(STYLE_FEATURE_NAMES)


def style_row(text: str) -> list[float]:
    """:func:`style_features` as a list in :data:`STYLE_FEATURE_NAMES` order (no dict:
    this runs once per sentence, and the per-key work was a fifth of its time)."""
    tokens = _TOKEN.findall(text)
    n = len(tokens)
    if n == 0:
        return list(_EMPTY_ROW)
    inv = 1.0 / n
    # One C-level lower-casing of all tokens instead of one call per token.
    lower = _SEP.join(tokens).lower().replace("\u2019", "'").split(_SEP)
    counts = Counter(lower)
    has_digits = _DIGIT.search(text) is not None

    words = [t for t in tokens if not t[0].isdigit()] if has_digits else tokens
    n_words = len(words)
    if n_words:
        lengths = list(map(len, words))
        caps = [w for w in words if w[0].isupper()]
        # Zipf look-ups once per distinct lower-cased word (cached across calls). Pure
        # Python on purpose: for a single sentence NumPy's per-call overhead would dominate,
        # and sorting a few hundred floats is cheap.
        zipf_items = [(_zipf(w), c) for w, c in counts.items() if not (has_digits and w[0].isdigit())]
        zipfs = sorted(v for v, c in zipf_items for _ in range(c))
        word_part = [
            sum(lengths) / n_words,
            sum(x >= 10 for x in lengths) / n_words,
        ]
        zipf_part = [
            sum(zipfs) / n_words,
            _quantile(zipfs, 0.10),
            _quantile(zipfs, 0.25),
            _quantile(zipfs, 0.50),
            bisect_left(zipfs, ZIPF_RARE) / n_words,
            bisect_right(zipfs, 0.0) / n_words,
        ]
        capitalised = len(caps) / n_words
        allcaps = sum(len(w) > 1 and w.isupper() for w in caps) / n_words
    else:
        word_part, zipf_part = [0.0, 0.0], [0.0] * 6
        capitalised = allcaps = 0.0

    n_types = len(counts)
    ttr = n_types / n
    herdan = math.log(n_types) / math.log(n) if n > 1 else 1.0
    if n <= MATTR_WINDOW:
        mattr = ttr  # one window: MATTR is the TTR
    else:
        vocab = {w: i for i, w in enumerate(counts)}
        mattr = _mattr(np.fromiter(map(vocab.__getitem__, lower), dtype=np.int64, count=n))

    row = [float(n), math.log1p(n), *word_part, ttr, mattr, herdan, *zipf_part]
    count = text.count
    row.extend(sum(map(count, chars)) * inv for chars in _PUNCTUATION.values())
    # Dashes used as punctuation: en/em dashes, "--", and a hyphen between spaces.
    row.append((count("\u2013") + count("\u2014") + count("--") + count(" - ")) * inv)
    row.append(capitalised)
    row.append(allcaps)
    row.append((n - n_words) * inv)
    row.append(sum(map(count, "0123456789")) / len(text) if has_digits else 0.0)

    get = counts.get
    row.extend(sum(map(get, group, _ZEROS)) * inv for group in _PRONOUN_GROUPS.values())
    n_contractions = 0
    if "'" in text or "\u2019" in text:
        n_contractions = sum(c for w, c in counts.items() if _is_contraction(w))
    row.append(n_contractions * inv)
    row.append(_count_passives(lower) * inv)
    fw_counts = list(map(get, FUNCTION_WORDS, _ZEROS))
    row.append(sum(fw_counts) * inv)
    row.extend(c * inv for c in fw_counts)
    return row


_COLUMN = {name: i for i, name in enumerate(STYLE_FEATURE_NAMES)}
_PRONOUN_OF = {w: g for g, words in enumerate(_PRONOUN_GROUPS.values()) for w in words}
_FW_INDEX = {w: i for i, w in enumerate(FUNCTION_WORDS)}
# Columns of _word_props.
_P_NUMBER, _P_ZIPF, _P_PRONOUN, _P_FW, _P_BE, _P_LY, _P_PARTICIPLE, _P_CONTRACTION = range(8)


@lru_cache(maxsize=100_000)
def _word_props(word: str) -> tuple[float, ...]:
    """What :func:`style_row` asks of a lower-cased token, looked up once per distinct word."""
    number = word[0].isdigit()
    return (
        float(number),
        0.0 if number else _zipf(word),
        float(_PRONOUN_OF.get(word, -1)),
        float(_FW_INDEX.get(word, -1)),
        float(word in _BE_FORMS),
        float(word.endswith("ly")),
        float(_is_participle(word)),
        float(_is_contraction(word)),
    )


def style_rows(texts: Sequence[str], whole: str | None = None) -> np.ndarray:
    """:func:`style_row` of each text (and of ``whole``, as a last row, when given), as one
    array: the same values to the last bit (tested), computed for all texts at once.

    For the sentences of an article with the article as ``whole``: every token is
    lower-cased in one call, each distinct word is looked up once, and the counts, sums and
    quantiles of every text are NumPy operations over all tokens. When the article's tokens
    are its sentences' tokens (nearly always: sentences do not split words), the article row
    reuses them. Sums of floats keep :func:`style_row`'s order (sorted values, added one by
    one), so no value moves.
    """
    per_text = [_TOKEN.findall(t) for t in texts]
    texts = list(texts)
    tokens = [t for toks in per_text for t in toks]
    reuse = False
    if whole is not None:
        whole_tokens = _TOKEN.findall(whole)
        reuse = whole_tokens == tokens
        if not reuse:
            per_text.append(whole_tokens)
            texts.append(whole)
            tokens.extend(whole_tokens)
    n = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    if not tokens:
        return np.zeros((len(texts) + reuse, len(STYLE_FEATURE_NAMES)))
    lower = _SEP.join(tokens).lower().replace("\u2019", "'").split(_SEP)
    vocab = list(dict.fromkeys(lower))
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.fromiter(map(index.__getitem__, lower), dtype=np.int64, count=len(lower))
    n_props = _P_CONTRACTION + 1
    props = np.fromiter(chain.from_iterable(map(_word_props, vocab)), dtype=np.float64,
                        count=n_props * len(vocab)).reshape(len(vocab), n_props)[ids]
    tok = _Tokens(
        ids=ids,
        vocab_size=len(vocab),
        is_word=props[:, _P_NUMBER] == 0.0,
        lengths=np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens)),
        upper_first=np.fromiter(map(str.isupper, map(itemgetter(0), tokens)), dtype=bool, count=len(tokens)),
        all_upper=np.fromiter(map(str.isupper, tokens), dtype=bool, count=len(tokens)),
        props=props,
    )
    if reuse:  # the article as one more text over a second copy of the same tokens
        texts.append(whole)
        n = np.append(n, len(tokens))
        tok = tok.twice()
    return _rows(texts, n, tok)


@dataclass(frozen=True, slots=True)
class _Tokens:
    """Per-token arrays of :func:`style_rows` (tokens of all texts, in order)."""

    ids: np.ndarray
    vocab_size: int
    is_word: np.ndarray
    lengths: np.ndarray
    upper_first: np.ndarray
    all_upper: np.ndarray
    props: np.ndarray

    def twice(self) -> "_Tokens":
        """The tokens followed by themselves again."""
        def again(a: np.ndarray) -> np.ndarray:
            return np.concatenate([a, a])

        return _Tokens(again(self.ids), self.vocab_size, again(self.is_word), again(self.lengths),
                       again(self.upper_first), again(self.all_upper), again(self.props))


def _rows(texts: Sequence[str], n: np.ndarray, tok: _Tokens) -> np.ndarray:
    """Style rows of ``texts``, whose tokens are ``tok``'s, ``n[i]`` of them for text ``i``."""
    m = len(texts)
    out = np.zeros((m, len(STYLE_FEATURE_NAMES)))
    seg = np.repeat(np.arange(m), n)
    first = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(n, out=first[1:])
    ids, is_word, lengths = tok.ids, tok.is_word, tok.lengths

    def per_text_count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(seg[mask], minlength=m)

    has_tokens = n > 0
    inv = np.zeros(m)
    inv[has_tokens] = 1.0 / n[has_tokens]
    col = out.T  # col[_COLUMN[name]] is that feature of every text

    n_words = per_text_count(is_word)
    w = n_words > 0
    nw = n_words[w]
    word_seg = seg[is_word]
    col[_COLUMN["mean_word_length"]][w] = np.bincount(word_seg, weights=lengths[is_word], minlength=m)[w] / nw
    col[_COLUMN["long_word_share"]][w] = per_text_count(is_word & (lengths >= 10))[w] / nw
    caps = is_word & tok.upper_first
    col[_COLUMN["capitalised_share"]][w] = per_text_count(caps)[w] / nw
    col[_COLUMN["allcaps_share"]][w] = per_text_count(caps & (lengths > 1) & tok.all_upper)[w] / nw

    # Zipf values of the word tokens, sorted within each text.
    zipfs = tok.props[is_word, _P_ZIPF]
    order = np.lexsort((zipfs, word_seg))
    zipfs, word_seg = zipfs[order], word_seg[order]
    start = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(n_words, out=start[1:])
    padded = np.zeros((m, max(int(n_words.max()), 1)))
    padded[word_seg, np.arange(len(zipfs)) - start[word_seg]] = zipfs
    total = np.cumsum(padded, axis=1)[:, -1]  # left-to-right sums, as Python's sum()
    col[_COLUMN["zipf_mean"]][w] = total[w] / nw
    lo_start = start[:-1][w]
    for name, q in (("zipf_p10", 0.10), ("zipf_p25", 0.25), ("zipf_median", 0.50)):
        pos = q * (nw - 1)
        lo = pos.astype(np.int64)
        hi = np.minimum(lo + 1, nw - 1)
        v_lo = zipfs[lo_start + lo]
        col[_COLUMN[name]][w] = v_lo + (zipfs[lo_start + hi] - v_lo) * (pos - lo)
    col[_COLUMN["rare_word_share"]][w] = np.bincount(word_seg[zipfs < ZIPF_RARE], minlength=m)[w] / nw
    col[_COLUMN["oov_share"]][w] = np.bincount(word_seg[zipfs <= 0.0], minlength=m)[w] / nw

    n_types = np.bincount(np.unique(seg * tok.vocab_size + ids) // tok.vocab_size, minlength=m)
    for i in np.flatnonzero(has_tokens):
        n_i, types_i = int(n[i]), int(n_types[i])
        row, text, inv_i = out[i], texts[i], inv[i]
        row[0], row[1] = float(n_i), math.log1p(n_i)
        row[_COLUMN["type_token_ratio"]] = types_i / n_i
        row[_COLUMN["herdan_c"]] = math.log(types_i) / math.log(n_i) if n_i > 1 else 1.0
        row[_COLUMN["mattr_50"]] = types_i / n_i if n_i <= MATTR_WINDOW else _mattr(ids[first[i] : first[i + 1]])
        count = text.count
        row[_PUNCT_COLUMNS] = [sum(map(count, chars)) * inv_i for chars in _PUNCTUATION.values()]
        row[_COLUMN["punct_dash"]] = (count("\u2013") + count("\u2014") + count("--") + count(" - ")) * inv_i
        if _DIGIT.search(text) is not None:
            row[_COLUMN["digit_char_share"]] = sum(map(count, "0123456789")) / len(text)
    col[_COLUMN["number_share"]] = (n - n_words) * inv

    pronoun = tok.props[:, _P_PRONOUN]
    for g, name in enumerate(_PRONOUN_GROUPS):
        col[_COLUMN[name]] = per_text_count(pronoun == g) * inv
    col[_COLUMN["contraction_rate"]] = per_text_count(tok.props[:, _P_CONTRACTION] == 1.0) * inv

    # Passives: a "be" form, then a participle (or an -ly adverb and then a participle),
    # inside one text.
    participle = tok.props[:, _P_PARTICIPLE] == 1.0
    ly = tok.props[:, _P_LY] == 1.0
    pos = np.arange(len(seg)) - first[seg]
    size = n[seg]
    after1, after2, ly1 = (np.zeros(len(seg), dtype=bool) for _ in range(3))
    after1[:-1], after2[:-2], ly1[:-1] = participle[1:], participle[2:], ly[1:]
    passive = (tok.props[:, _P_BE] == 1.0) & (pos + 1 < size) & np.where(ly1 & (pos + 2 < size), after2, after1)
    col[_COLUMN["passive_rate"]] = per_text_count(passive) * inv

    fw = tok.props[:, _P_FW].astype(np.int64)
    is_fw = fw >= 0
    n_fw = len(FUNCTION_WORDS)
    fw_counts = np.bincount(seg[is_fw] * n_fw + fw[is_fw], minlength=m * n_fw).reshape(m, n_fw)
    col[_COLUMN["function_word_share"]] = fw_counts.sum(axis=1) * inv
    k = _COLUMN[_FW_NAMES[0]]
    out[:, k : k + n_fw] = fw_counts * inv[:, None]
    return out


_PUNCT_COLUMNS = slice(_COLUMN["punct_comma"], _COLUMN["punct_comma"] + len(_PUNCTUATION))


def _quantile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile of sorted values, interpolated linearly (NumPy's default)."""
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def _is_contraction(word: str) -> bool:
    """A lower-cased token (apostrophes straightened) such as "don't" or "it's" (not "China's")."""
    return "'" in word and (
        word.endswith(_CONTRACTION_SUFFIXES) or (word.endswith("'s") and word[:-2] in _S_CONTRACTION_HOSTS)
    )


def _is_participle(word: str) -> bool:
    return (len(word) > 3 and word.endswith("ed")) or word in _IRREGULAR_PARTICIPLES


def _count_passives(lower: list[str]) -> int:
    """A form of "be" followed by a participle, optionally after one -ly adverb.

    Works on the token list (punctuation is ignored), visiting only the "be" forms.
    """
    if _BE_FORMS.isdisjoint(lower):
        return 0
    n = len(lower)
    hits = 0
    for i, w in enumerate(lower):
        if w not in _BE_FORMS or i + 1 >= n:
            continue
        nxt = lower[i + 1]
        if nxt.endswith("ly") and i + 2 < n:
            nxt = lower[i + 2]
        if _is_participle(nxt):
            hits += 1
    return hits


def sentence_length_stats(sentence_texts: list[str]) -> dict[str, float]:
    """Spread of sentence lengths (in word tokens) across an article.

    Translated text tends to keep the source's sentence boundaries, which shows up as a
    different mean and a lower coefficient of variation than edited original English.
    """
    lengths = np.fromiter((len(_TOKEN.findall(s)) for s in sentence_texts), dtype=float,
                          count=len(sentence_texts))
    return length_stats(lengths)


def length_stats(lengths: np.ndarray) -> dict[str, float]:
    """:func:`sentence_length_stats` from the sentences' token counts (as floats)."""
    feats = dict.fromkeys(ARTICLE_LENGTH_FEATURE_NAMES, 0.0)
    if not len(lengths):
        return feats
    mean = float(lengths.mean())
    std = float(lengths.std())
    feats["n_sentences"] = float(len(lengths))
    feats["sent_len_mean"] = mean
    feats["sent_len_std"] = std
    feats["sent_len_cv"] = std / mean if mean > 0 else 0.0
    feats["sent_len_max"] = float(lengths.max())
    feats["sent_len_min"] = float(lengths.min())
    return feats


def style_vector(text: str) -> np.ndarray:
    """:func:`style_features` as a float array in :data:`STYLE_FEATURE_NAMES` order."""
    return np.asarray(style_row(text), dtype=float)


__all__ = [
    "ARTICLE_LENGTH_FEATURE_NAMES",
    "FUNCTION_WORDS",
    "STYLE_FEATURE_NAMES",
    "length_stats",
    "sentence_length_stats",
    "style_features",
    "style_row",
    "style_rows",
    "style_vector",
    "tokenize",
    "word_zipf",
]
