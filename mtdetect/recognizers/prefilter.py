"""Literal prefilters: skip a regex when the text cannot contain a match.

Most recognizer patterns match in few sentences of few articles, yet a regex search scans the
whole text every time. A :class:`Prefilter` holds the literal words a pattern cannot match
without, derived from the pattern itself, so a cheap ``in`` test on the case-folded text
rules most patterns out before any regex runs.

The derivation is *sound*: when :meth:`Prefilter.admits` says no, the pattern has no match in
the text, whatever its flags. It is not complete: when it says yes, the regex still decides.

A prefilter is a conjunction of groups; every match contains at least one string of each
group. ``\\bthe\\s+top\\s+of\\s+the\\s+(?:NATO|G20)`` gives ``[{"top"}, {"the"}, {"nato", "g20"}]``
(the strings are case-folded, so they hold for case-insensitive patterns too). A pattern
with nothing required (``\\w+``, or an optional group only) gets no prefilter and always runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # the regex parser of the standard library (Python 3.11+: re._parser)
    from re import _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# Limits that keep the derived sets small enough to test quickly.
_MAX_EXACT = 64  # strings in the exact set of a sub-pattern (alternation x sequence products)
_MAX_CLASS = 8  # characters in a character class read as a set of literals
_MAX_GROUP = 128  # strings in one required group
_MIN_USEFUL = 2  # a group whose shortest string is shorter than this is not worth testing
_MAX_GROUPS = 3  # groups kept per pattern (the most selective ones)


def fold(text: str) -> str:
    """The case-folded form both literals and texts are compared in.

    ``str.casefold`` maps every character that Python's case-insensitive matching equates with
    a letter onto that letter's fold, except the dotless i, which ``re.IGNORECASE`` matches
    with ``i``; it is mapped here. ``tests/test_prefilter.py`` checks this over all of Unicode.
    """
    return text.casefold().replace("\u0131", "i")


@dataclass(frozen=True, slots=True)
class Prefilter:
    """Groups of literals; a text may match only if it contains a string of every group."""

    groups: tuple[tuple[str, ...], ...]

    def admits(self, folded: str) -> bool:
        """False when ``folded`` (a :func:`fold` ed text) cannot contain a match."""
        for group in self.groups:
            for literal in group:
                if literal in folded:
                    break
            else:
                return False
        return True


def prefilter_for(pattern: re.Pattern[str] | str, flags: int = 0) -> Prefilter | None:
    """The prefilter of ``pattern``, or None when no literal is required (or it cannot tell)."""
    if isinstance(pattern, re.Pattern):
        pattern, flags = pattern.pattern, pattern.flags
    try:
        parsed = _sre_parse.parse(pattern, flags)
    except (re.error, RecursionError, TypeError):  # pragma: no cover - compiled patterns parse
        return None
    _exact, groups = _sequence(list(parsed))
    useful = [g for g in dict.fromkeys(groups) if g and min(map(len, g)) >= _MIN_USEFUL and len(g) <= _MAX_GROUP]
    if not useful:
        return None
    # Most selective first: the longest shortest string (long words are rare), then fewest strings.
    useful.sort(key=lambda g: (-min(map(len, g)), len(g)))
    return Prefilter(tuple(tuple(sorted(g)) for g in useful[:_MAX_GROUPS]))


# --- derivation -----------------------------------------------------------------------------
# Each sub-pattern yields (exact, groups):
#   exact:  the full set of strings it can match (folded), when small and finite, else None;
#   groups: a list of sets; every match of the sub-pattern contains a string of each set.
_Info = tuple[frozenset[str] | None, list[frozenset[str]]]


def _sequence(items: list) -> _Info:
    """A concatenation: products of adjacent exact parts become required literals."""
    groups: list[frozenset[str]] = []
    run: frozenset[str] = frozenset({""})  # product of the exact parts since the last break
    whole: frozenset[str] | None = frozenset({""})  # exact set of the whole sequence so far

    def flush() -> None:
        if "" not in run:  # (the empty run is {""}: nothing built)
            groups.append(run)

    for op, av in items:
        exact, sub_groups = _node(op, av)
        groups.extend(sub_groups)
        if exact is None:
            flush()
            run = frozenset({""})
            whole = None
            continue
        longer = _product(run, exact)
        if longer is None:  # too many strings: keep what was built, restart from this part
            flush()
            longer = exact
        run = longer
        whole = _product(whole, exact)
    flush()
    return whole, groups


def _product(left: frozenset[str] | None, right: frozenset[str]) -> frozenset[str] | None:
    if left is None or len(left) * len(right) > _MAX_EXACT:
        return None
    return frozenset(a + b for a in left for b in right)


def _best(groups: list[frozenset[str]], exact: frozenset[str] | None) -> frozenset[str] | None:
    """The single most useful group of one alternative (None: nothing is required)."""
    candidates = [g for g in groups if g and "" not in g]
    if exact is not None and "" not in exact:
        candidates.append(exact)
    if not candidates:
        return None
    return max(candidates, key=lambda g: (min(len(s) for s in g), -len(g)))


def _node(op, av) -> _Info:
    if op is _sre.LITERAL:
        return frozenset({fold(chr(av))}), []
    if op is _sre.IN:
        chars = set()
        for item_op, item_av in av:
            if item_op is _sre.LITERAL:
                chars.add(fold(chr(item_av)))
            elif item_op is _sre.RANGE and item_av[1] - item_av[0] < _MAX_CLASS:
                chars.update(fold(chr(c)) for c in range(item_av[0], item_av[1] + 1))
            else:  # NEGATE, CATEGORY, wide ranges: any of many characters
                return None, []
        return (frozenset(chars), []) if 0 < len(chars) <= _MAX_CLASS else (None, [])
    if op is _sre.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is _sre.BRANCH:
        alternatives = [_sequence(list(alt)) for alt in av[1]]
        exacts = [e for e, _ in alternatives]
        exact = None
        if all(e is not None for e in exacts):
            union = frozenset().union(*exacts)  # type: ignore[arg-type]
            exact = union if len(union) <= _MAX_EXACT else None
        bests = [_best(g, e) for e, g in alternatives]
        group = [] if any(b is None for b in bests) else [frozenset().union(*bests)]  # type: ignore[arg-type]
        return exact, group
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) or op is getattr(_sre, "POSSESSIVE_REPEAT", None):
        low, high, sub = av
        exact, groups = _sequence(list(sub))
        if low == 0:
            return None, []
        if low == high == 1:
            return exact, groups
        if exact is not None and "" not in exact:  # at least one repetition: it requires what one does
            groups = [*groups, exact]
        return None, groups
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return frozenset({""}), []  # zero width: adds nothing, breaks nothing
    # ANY, NOT_LITERAL, CATEGORY, GROUPREF, GROUPREF_EXISTS, ...: unknown text
    return None, []
