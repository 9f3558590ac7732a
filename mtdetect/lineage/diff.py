"""Differences between aligned sentences, typed where the evidence allows.

Kinds: ``garbled_name`` (a name of the source turned into common words, "Kim Jong Un" ->
"Kim Jong one"), ``name_changed`` (a name replaced by another name-like form),
``number_changed``, ``calque`` (a change the detector's calque recognizer also flags in the
copy), ``omission`` (source content the copy lacks; a zero-length span where it would be),
``addition`` (copy content the source lacks) and ``wording`` (any other rewording). Spans
index the copy's original text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .text import STOPWORDS, Token, tokens

#: Kinds that become findings on a machine-translated copy.
FINDING_KINDS = ("garbled_name", "name_changed", "number_changed", "calque")
#: Finding kinds of the detector that, overlapping a difference, give it their type.
_DETECTOR_TYPES = {"garbled_name": "garbled_name", "calque": "calque"}


@dataclass(frozen=True, slots=True)
class Segment:
    """Aligned text of one side: the sentences' texts and where each starts in its article."""

    texts: tuple[str, ...]
    starts: tuple[int, ...]

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        for text, start in zip(self.texts, self.starts):
            out.extend(tokens(text, start))
        return out

    def text_between(self, start: int, end: int) -> str:
        """The article text from ``start`` to ``end`` (both inside this segment's sentences)."""
        for text, s in zip(self.texts, self.starts):
            if s <= start and end <= s + len(text):
                return text[start - s:end - s]
        # across sentences: join the pieces (the whitespace between them is not known here)
        parts = []
        for text, s in zip(self.texts, self.starts):
            lo, hi = max(start, s), min(end, s + len(text))
            if lo < hi:
                parts.append(text[lo - s:hi - s])
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Difference:
    """One place where the copy departs from its source."""

    copy_start: int
    copy_end: int
    copy_text: str
    source_text: str
    kind: str
    source_start: int | None = None
    source_end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"copy_start": self.copy_start, "copy_end": self.copy_end, "copy_text": self.copy_text,
                "source_text": self.source_text, "kind": self.kind}


def _content(toks: Sequence[Token]) -> bool:
    return any(t.lower not in STOPWORDS for t in toks)


def _is_name(tok: Token, first: bool) -> bool:
    return tok.is_capitalised and not tok.is_number and not first and tok.lower not in STOPWORDS


def _bare(word: str) -> str:
    """A word without a possessive ending."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


#: A name difference spans at most this many words on either side (longer runs are rewordings).
MAX_NAME_RUN = 4


def _classify(src: list[Token], cp: list[Token], src_first: set[int], cp_first: set[int],
              copy_findings: Sequence[dict[str, Any]], copy_words: set[str]) -> str | None:
    """The kind of a replaced/inserted/deleted run of tokens, or None when it is noise."""
    if not src and not cp:
        return None
    if not cp:
        return "omission" if _content(src) else None
    start, end = cp[0].start, cp[-1].end
    for f in copy_findings:
        kind = _DETECTOR_TYPES.get(f.get("kind"))
        if kind and int(f.get("start", -1)) < end and int(f.get("end", -1)) > start:
            return kind
    src_nums = [t.text.replace(",", "") for t in src if t.is_number]
    cp_nums = [t.text.replace(",", "") for t in cp if t.is_number]
    if (src_nums or cp_nums) and src_nums != cp_nums:
        return "number_changed"
    if not src:
        return "addition" if _content(cp) else None
    lost = [t for t in src if _is_name(t, t.start in src_first) and _bare(t.lower) not in copy_words]
    if lost and len(src) <= MAX_NAME_RUN and len(cp) <= MAX_NAME_RUN:
        cp_names = [t for t in cp if _is_name(t, t.start in cp_first)]
        # a name whose words became lower-case words is garbled; replaced by other
        # capitalised words, it changed
        if len(cp_names) < len(lost) and any(t.text.islower() for t in cp):
            return "garbled_name"
        return "name_changed"
    if not _content(src) and not _content(cp):
        return None
    return "wording"


def differences(source: Segment, copy: Segment, copy_findings: Sequence[dict[str, Any]] = ()) -> list[Difference]:
    """Token-level differences of one aligned pair (case-insensitive word diff)."""
    st, ct = source.tokens(), copy.tokens()
    src_first, cp_first = set(source.starts), set(copy.starts)
    # the first word of each sentence, by offset: capitalised for grammar, not as a name
    src_first = {t.start for t in st if t.start in src_first}
    cp_first = {t.start for t in ct if t.start in cp_first}
    copy_words = {_bare(t.lower) for t in ct}
    sm = SequenceMatcher(None, [t.lower for t in st], [t.lower for t in ct], autojunk=False)
    out: list[Difference] = []
    for i1, i2, j1, j2 in _runs(sm.get_opcodes(), st, src_first):
        s_run, c_run = st[i1:i2], ct[j1:j2]
        kind = _classify(s_run, c_run, src_first, cp_first, copy_findings, copy_words)
        if kind is None:
            continue
        if kind in ("garbled_name", "name_changed"):
            # the whole name: widen over the unchanged capitalised words around it
            # ("Kim Jong Un" -> "Kim Jong one", not "Un" -> "one")
            def joined(seg: Segment, a: Token, b: Token) -> bool:  # only spaces between two words
                return not seg.text_between(a.end, b.start).strip()

            while i1 > 0 and j1 > 0 and i1 < len(st) and j1 < len(ct) and _is_name(st[i1 - 1], False) \
                    and st[i1 - 1].lower == ct[j1 - 1].lower \
                    and joined(source, st[i1 - 1], st[i1]) and joined(copy, ct[j1 - 1], ct[j1]):
                i1, j1 = i1 - 1, j1 - 1
            while 0 < i2 < len(st) and 0 < j2 < len(ct) and _is_name(st[i2], False) \
                    and st[i2].lower == ct[j2].lower \
                    and joined(source, st[i2 - 1], st[i2]) and joined(copy, ct[j2 - 1], ct[j2]):
                i2, j2 = i2 + 1, j2 + 1
            s_run, c_run = st[i1:i2], ct[j1:j2]
        if c_run:
            c_start, c_end = c_run[0].start, c_run[-1].end
        else:  # nothing in the copy: a point where the source's words would be
            c_start = c_end = ct[j1 - 1].end if j1 > 0 else (ct[0].start if ct else (copy.starts or (0,))[0])
        s_text = source.text_between(s_run[0].start, s_run[-1].end) if s_run else ""
        out.append(Difference(
            copy_start=c_start, copy_end=c_end, copy_text=copy.text_between(c_start, c_end) if c_run else "",
            source_text=s_text, kind=kind,
            source_start=s_run[0].start if s_run else None, source_end=s_run[-1].end if s_run else None,
        ))
    return _drop_moved(out)


def _runs(opcodes, st: list[Token], src_first: set[int]):
    """The changed runs of a word diff; a word-for-word replacement that mixes names and
    other words is cut where that changes ("Santos called" -> "Saints qualified" gives a
    name run and a wording run)."""
    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            continue
        if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 < 2:
            yield i1, i2, j1, j2
            continue
        start = i1
        for k in range(i1 + 1, i2 + 1):
            if k == i2 or _is_name(st[k], st[k].start in src_first) != _is_name(st[start], st[start].start in src_first):
                yield start, k, j1 + (start - i1), j1 + (k - i1)
                start = k


def _drop_moved(diffs: list[Difference]) -> list[Difference]:
    """Drop an omission and an addition of the same words: a word moved within the sentence."""
    omitted = {d.source_text.lower(): k for k, d in enumerate(diffs) if d.kind == "omission"}
    drop = set()
    for k, d in enumerate(diffs):
        if d.kind == "addition" and d.copy_text.lower() in omitted:
            drop.update((k, omitted.pop(d.copy_text.lower())))
    return [d for k, d in enumerate(diffs) if k not in drop]
