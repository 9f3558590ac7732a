"""Relation of two linked versions, and which of them is the likely original.

Relation: a multinomial logistic regression over the alignment features of
:func:`mtdetect.lineage.compare._features` (fitted by ``scripts/experiments/lineage_fit.py``
on clusters built from train-split originals, their round trips through real engines, and
simulated copies and rewrites; the fitted numbers live in :mod:`._fitted`).

Direction: the earlier ``published`` date when all versions have one; else a pairwise
logistic model (fitted the same way) over oriented features — which side has fewer MT
traces (``p_mt``, findings per sentence), which side's names the other lost, which side has
sentences the other lacks — summed over each version's links, so the version the others
align to gains from every link. When the two best versions are within ``DIRECTION_MARGIN``
of each other, ``likely_original`` is None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from . import _fitted

RELATIONS = ("copy", "machine_translated_copy", "rewrite")
FEATURES = _fitted.FEATURES


def relation_probabilities(features: dict[str, float]) -> dict[str, float]:
    """P(relation | features) from the fitted logistic regression."""
    x = (np.array([features[f] for f in FEATURES], dtype=float) - _fitted.MEAN) / _fitted.SCALE
    z = _fitted.COEF @ x + _fitted.INTERCEPT
    z = np.exp(z - z.max())
    p = z / z.sum()
    return {c: float(v) for c, v in zip(_fitted.CLASSES, p)}


def decide_relation(features: dict[str, float]) -> tuple[str, float]:
    """The most probable relation and its probability."""
    probs = relation_probabilities(features)
    best = max(probs, key=probs.get)
    return best, probs[best]


DIRECTION_FEATURES = _fitted.DIRECTION_FEATURES


def direction_logit(features: dict[str, float]) -> float:
    """Log-odds that the source side of a comparison is the original of the copy side."""
    return float(np.dot(_fitted.DIRECTION_COEF, [features[f] for f in DIRECTION_FEATURES]))


#: Below this gap between the two most original versions, the original is not named.
DIRECTION_MARGIN = _fitted.DIRECTION_MARGIN


def parse_date(value: str | None) -> datetime | None:
    """An ISO-8601-ish date (``2024-05-01``, ``2024-05-01T10:00:00Z``) or None."""
    if not value:
        return None
    text = str(value).strip().replace("Z", "+00:00")
    for candidate in (text, text[:19], text[:10]):
        try:
            d = datetime.fromisoformat(candidate)
            return d.replace(tzinfo=None) if d.tzinfo is None else d.astimezone().replace(tzinfo=None)
        except ValueError:
            continue
    try:  # RFC 822 dates of RSS feeds
        from email.utils import parsedate_to_datetime

        d = parsedate_to_datetime(str(value))
        return d.astimezone().replace(tzinfo=None) if d.tzinfo else d
    except (TypeError, ValueError, IndexError):
        return None


def rank_versions(ids: Sequence[str], scores: Sequence[float],
                  published: Sequence[str | None]) -> tuple[list[int], str | None]:
    """Order the versions from most to least likely original; also say what decided the first.

    ``scores``: each version's summed direction log-odds against the versions it is linked
    to (:func:`direction_logit`), so a version with few MT traces that the others align to
    scores high. Returns the order (indices into ``ids``) and the basis of the choice of the
    first: ``"published"`` (strictly earliest date, all versions dated), ``"traces"`` (the
    score by at least ``DIRECTION_MARGIN``), or None (too close to call).
    """
    n = len(ids)
    dates = [parse_date(p) for p in published]
    if all(d is not None for d in dates):
        order = sorted(range(n), key=lambda i: (dates[i], -scores[i], ids[i]))
        if n == 1 or dates[order[0]] < dates[order[1]]:
            return order, "published"
    order = sorted(range(n), key=lambda i: (-scores[i], ids[i]))
    if n == 1 or scores[order[0]] - scores[order[1]] >= DIRECTION_MARGIN:
        return order, "traces"
    return order, None


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
