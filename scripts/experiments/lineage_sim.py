"""Simulated versions of an article for lineage experiments: a near-identical copy and a
human-style rewrite (sentences dropped, moved, reworded with simple substitutions)."""

from __future__ import annotations

import random
import re

from mtdetect.segment import segment

#: Simple paraphrases a copy editor might make (word -> replacement).
PARAPHRASES = {
    "said": "stated", "says": "states", "however": "but", "because": "since", "about": "around",
    "many": "numerous", "big": "large", "help": "assist", "show": "demonstrate", "shows": "demonstrates",
    "people": "residents", "also": "as well", "buy": "purchase", "start": "begin", "started": "began",
    "end": "finish", "ended": "finished", "get": "obtain", "got": "obtained", "need": "require",
    "needs": "requires", "try": "attempt", "tried": "attempted", "very": "highly", "often": "frequently",
    "enough": "sufficient", "told": "informed", "asked": "questioned", "called": "named", "main": "principal",
    "important": "significant", "new": "fresh", "old": "former", "expected": "anticipated", "around": "roughly",
    "while": "whereas", "job": "position", "jobs": "positions", "country": "nation", "city": "town",
}
_WORD = re.compile(r"\b[a-z]+\b")


def sentences_of(text: str) -> list[str]:
    return [s.text for s in segment(text).sentences]


def near_copy(text: str, rng: random.Random) -> str:
    """The same text with one or two small edits (a word swapped, a trailing sentence cut, a dateline)."""
    sents = sentences_of(text)
    if len(sents) > 4 and rng.random() < 0.3:
        sents = sents[:-1]
    k = rng.randrange(len(sents))
    words = _WORD.findall(sents[k])
    hits = [w for w in words if w in PARAPHRASES]
    if hits:
        w = rng.choice(hits)
        sents[k] = re.sub(rf"\b{w}\b", PARAPHRASES[w], sents[k], count=1)
    out = " ".join(sents)
    if rng.random() < 0.3:
        out = rng.choice(["(Wire) ", "UPDATED: ", "LONDON - "]) + out
    return out


def _reword(sentence: str, rng: random.Random, rate: float) -> str:
    def sub(m: re.Match) -> str:
        w = m.group()
        return PARAPHRASES[w] if w in PARAPHRASES and rng.random() < rate else w

    s = _WORD.sub(sub, sentence)
    # move a trailing attribution to the front ("..., X said." -> "X said ...")
    m = re.match(r"^(.*), ((?:he|she|they|[A-Z]\w+(?: [A-Z]\w+)?) (?:said|stated|added))\.$", s)
    if m and rng.random() < 0.7:
        body = m.group(1)
        s = f"{m.group(2)[0].upper()}{m.group(2)[1:]} that {body[0].lower()}{body[1:]}."
    return s


def rewrite(text: str, rng: random.Random) -> str:
    """A person's rewrite: drop 20-40% of sentences, move one or two, reword some, merge a pair."""
    sents = sentences_of(text)
    n = len(sents)
    keep = max(3, round(n * rng.uniform(0.6, 0.8)))
    idx = sorted(rng.sample(range(n), min(n, keep)))
    sents = [sents[i] for i in idx]
    for _ in range(rng.choice([1, 2])):
        if len(sents) > 3:
            a = rng.randrange(1, len(sents))
            s = sents.pop(a)
            sents.insert(rng.randrange(0, len(sents)), s)
    sents = [_reword(s, rng, 0.8) if rng.random() < 0.6 else s for s in sents]
    if len(sents) > 3 and rng.random() < 0.5:
        k = rng.randrange(len(sents) - 1)
        a, b = sents[k].rstrip("."), sents[k + 1]
        sents[k:k + 2] = [f"{a}, and {b[0].lower()}{b[1:]}"]
    return " ".join(sents)
