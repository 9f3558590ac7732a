"""From an analysed article to numeric features: the only way the classifier sees rules.

:func:`analyze` runs segmentation and every recognizer once; the resulting
:class:`Analysis` feeds both the report (spans, explanations) and the model (features).
Feature names are stable and ordered; a model bundle records them and refuses to load
when the code produces different ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .recognizers.base import Recognizer
from .segment import segment
from .style import ARTICLE_LENGTH_FEATURE_NAMES, STYLE_FEATURE_NAMES, length_stats, style_rows
from .types import Document, Finding

FINDING_KINDS: tuple[str, ...] = (
    "garbled_name", "localised_name", "calque", "pivot_word", "untranslated", "number_convention", "typography",
)


@dataclass(frozen=True, slots=True)
class Analysis:
    """A segmented document with its findings, grouped per sentence."""

    document: Document
    findings: tuple[Finding, ...]
    by_sentence: tuple[tuple[Finding, ...], ...]

    @property
    def n_sentences(self) -> int:
        return len(self.document.sentences)


#: Findings kept per (recognizer, rule) and article. Real articles stay far below it; a
#: hostile one (200,000 stray ")") would otherwise make a report of tens of megabytes.
MAX_FINDINGS_PER_RULE = 100


def analyze(text: str, recognizers: Sequence[Recognizer]) -> Analysis:
    """Segment ``text`` and run each recognizer once (keeping the first
    :data:`MAX_FINDINGS_PER_RULE` findings of each rule)."""
    return analyze_document(segment(text), recognizers)


def analyze_document(doc: Document, recognizers: Sequence[Recognizer]) -> Analysis:
    """Run each recognizer once over a segmented document (see :func:`analyze`)."""
    findings: list[Finding] = []
    for rec in recognizers:
        per_rule: dict[str, int] = {}
        for f in sorted(rec.analyze(doc), key=lambda f: (f.start, f.end)):
            n = per_rule.get(f.rule, 0)
            if n < MAX_FINDINGS_PER_RULE:
                per_rule[f.rule] = n + 1
                findings.append(f)
    findings.sort(key=lambda f: (f.start, f.end, f.recognizer))
    buckets: list[list[Finding]] = [[] for _ in doc.sentences]
    for f in findings:
        idx = doc.sentence_index_at(f.start)
        if idx is not None:
            buckets[idx].append(f)
    return Analysis(doc, tuple(findings), tuple(tuple(b) for b in buckets))


def _kind_features(findings: Sequence[Finding], n_sentences: int, prefix: str) -> list[float]:
    """Per finding kind: count (or density per sentence) and strongest score."""
    out: list[float] = []
    for kind in FINDING_KINDS:
        scores = [f.score for f in findings if f.kind == kind]
        count = float(len(scores))
        out.append(count / max(n_sentences, 1) if prefix == "article" else count)
        out.append(max(scores, default=0.0))
    strongest = max((f.score for f in findings), default=0.0)
    out.append(strongest)
    # noisy-OR of all evidence, the transparent rule score
    out.append(rule_score(findings))
    return out


def _kind_feature_names(prefix: str) -> tuple[str, ...]:
    names: list[str] = []
    for kind in FINDING_KINDS:
        names.append(f"{prefix}.{kind}.{'density' if prefix == 'article' else 'count'}")
        names.append(f"{prefix}.{kind}.max_score")
    return (*names, f"{prefix}.findings.max_score", f"{prefix}.findings.rule_score")


SENTENCE_FINDING_FEATURE_NAMES = _kind_feature_names("sentence")
ARTICLE_FINDING_FEATURE_NAMES = _kind_feature_names("article")
SENTENCE_FEATURE_NAMES: tuple[str, ...] = (
    *SENTENCE_FINDING_FEATURE_NAMES,
    *(f"sentence.style.{n}" for n in STYLE_FEATURE_NAMES),
)
ARTICLE_FEATURE_NAMES: tuple[str, ...] = (
    *ARTICLE_FINDING_FEATURE_NAMES,
    *(f"article.style.{n}" for n in STYLE_FEATURE_NAMES),
    *(f"article.{n}" for n in ARTICLE_LENGTH_FEATURE_NAMES),
)


def rule_score(findings: Sequence[Finding]) -> float:
    """Noisy-OR of finding scores: P(at least one finding is a genuine MT artifact).

    Treats findings as independent evidence; used as the transparent score when no
    trained model is loaded and as one feature of the trained model.
    """
    keep = 1.0
    for f in findings:
        keep *= 1.0 - f.score
    return 1.0 - keep


def sentence_features(analysis: Analysis) -> np.ndarray:
    """One row per sentence, columns :data:`SENTENCE_FEATURE_NAMES` (no embeddings)."""
    return features(analysis)[0]


def article_features(analysis: Analysis) -> np.ndarray:
    """One row, columns :data:`ARTICLE_FEATURE_NAMES` (no embeddings, no sentence scores)."""
    return features(analysis)[1]


def features(analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sentence_features` and :func:`article_features` together: the style signals of
    the sentences and of the whole article come from one pass over the tokens."""
    sentences = analysis.document.sentences
    style = style_rows([s.text for s in sentences], analysis.document.text)
    n_kind = len(SENTENCE_FINDING_FEATURE_NAMES)
    sent = np.zeros((len(sentences), n_kind + len(STYLE_FEATURE_NAMES)))
    for i, fs in enumerate(analysis.by_sentence):
        if fs:  # most sentences have no finding: their finding columns stay zero
            sent[i, :n_kind] = _kind_features(fs, 1, "sentence")
    sent[:, n_kind:] = style[:-1]
    lengths = length_stats(style[:-1, 0])  # column 0 is the token count
    row = (
        _kind_features(analysis.findings, analysis.n_sentences, "article")
        + style[-1].tolist()
        + [lengths[n] for n in ARTICLE_LENGTH_FEATURE_NAMES]
    )
    return _finite(sent), _finite(np.asarray([row], dtype=np.float64))


def _finite(x: np.ndarray) -> np.ndarray:
    """Replace NaN/inf so a single odd input can never poison a batch."""
    return np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)


def pooled_sentence_scores(p: Sequence[float]) -> list[float]:
    """Summary of an article's sentence probabilities, the article model's main input."""
    if len(p) == 0:
        return [0.5, 0.5, 0.5, 0.5, 0.5, 0.0, 0.0]
    a = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    logit = np.log(a / (1 - a))
    return [
        float(a.mean()),
        float(np.median(a)),
        float(a.max()),
        float(np.quantile(a, 0.25)),
        float(logit.mean()),
        float((a > 0.5).mean()),
        math.log1p(len(a)),
    ]


POOLED_FEATURE_NAMES: tuple[str, ...] = (
    "pooled.mean",
    "pooled.median",
    "pooled.max",
    "pooled.q25",
    "pooled.mean_logit",
    "pooled.share_over_half",
    "pooled.log_n_sentences",
)


# --- Topic-robust text view for the n-gram text models -------------------------------------
# Content words carry topic (and so corpus) shortcuts; frequent words, their order and the
# shapes of the rest carry style. The n-gram models therefore see frequent English words as
# they are and every other word as its shape, with quotes and dashes normalised so that one
# corpus's typographic conventions cannot be learned as "machine translation".
TEXT_VIEW_VOCAB_SIZE = 2000
_QUOTE_DASH = str.maketrans(
    {c: '"' for c in "\u201c\u201d\u201e\u00ab\u00bb\u2033"}
    | {c: "'" for c in "\u2018\u2019\u201a\u2039\u203a`\u00b4"}
    | {c: "-" for c in "\u2013\u2014\u2015\u2010\u2011"}
)
_WORD_OR_MARK = re.compile(r"\w+|[^\w\s]")


@lru_cache(maxsize=1)
def _text_view_vocab() -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", TEXT_VIEW_VOCAB_SIZE))


#: The text views a model can be trained with (its card names one; cards without the key
#: predate the choice and use "shapes"). "shapes+suffix3" also keeps the last three letters
#: of rare lower-case words longer than four letters ("w~ion", "w~ing"): a cheap part-of-
#: speech cue. Measured on dev with the fast configuration (scripts/experiments/
#: article_model.py): original vs MT ROC-AUC 0.903 -> 0.914, MT flagged at 1% of originals
#: 35% -> 43%; human translation vs MT 0.708 -> 0.697.
TEXT_VIEWS: tuple[str, ...] = ("shapes", "shapes+suffix3")
DEFAULT_TEXT_VIEW = "shapes+suffix3"
#: The view of bundles whose card predates the choice (and of callers that name none).
LEGACY_TEXT_VIEW = "shapes"


def text_view(text: str, kind: str = LEGACY_TEXT_VIEW) -> str:
    """``text`` as the n-gram models see it: frequent words kept, other words as shapes.

    "The Ministry said 25 drones flew." -> "^the C said 0 w w ."
    (kind "shapes+suffix3": "^the C said 0 w~nes w .")
    """
    if kind not in TEXT_VIEWS:
        raise ValueError(f"unknown text view {kind!r} (known: {', '.join(TEXT_VIEWS)})")
    return view_with(text, _text_view_vocab(), suffix=kind == "shapes+suffix3")


def view_with(text: str, keep: frozenset[str], suffix: bool, suffix_len: int = 3, caps_suffix: bool = False) -> str:
    """The text view with ``keep`` as the kept vocabulary; ``suffix_len`` and ``caps_suffix``
    (the suffixes of capitalised rare words too) are for experiments."""
    out = []
    for w in _WORD_OR_MARK.findall(text.translate(_QUOTE_DASH)):
        lw = w.lower()
        if lw in keep:
            out.append("^" + lw if w[0].isupper() else lw)
        elif w.isdigit():
            out.append("0")
        elif w[0].isupper():
            out.append("C~" + lw[-suffix_len:] if caps_suffix and len(lw) > suffix_len + 1 else "C")
        elif w[0].isalpha() or w[0] == "_":
            out.append("w~" + lw[-suffix_len:] if suffix and len(lw) > suffix_len + 1 else "w")
        else:
            out.append(w)
    return " ".join(out)
