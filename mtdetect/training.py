"""Train and evaluate end to end: labelled files -> analysed articles -> bundle + card.

Used by ``mtdetect train``/``mtdetect evaluate`` and ``scripts/train.py``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .datasets import LabelledDoc, is_synthetic, stratified_sample
from .embeddings import CachedEmbedder, Embedder, MiniLMEmbedder, default_cache_dir, precision_of_card
from .evaluate import breakdown, scored_articles
from .detector import ShortCuts, Thresholds, count_words
from .features import Analysis, analyze
from .model import ModelConfig, TrainedModel, auc_or_none, choose_thresholds, embed_max_sentences_setting, fit_model, save_bundle
from .recognizers import builtin_recognizers
from .recognizers.base import Recognizer


def _track(items: Sequence, description: str, quiet: bool) -> Iterable:
    """A rich progress bar on a terminal, nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        return items
    from rich.progress import track

    return track(items, description=description, transient=True, console=None)


def analyze_docs(docs: Sequence[LabelledDoc], recognizers: Sequence[Recognizer] | None = None,
                 quiet: bool = False) -> list[Analysis]:
    """Segment and run recognizers over each document."""
    recs = list(recognizers) if recognizers is not None else builtin_recognizers()
    return [analyze(d.text, recs) for d in _track(docs, "analysing", quiet)]


def default_embedder(cache_dir: str | Path | None = None, precision: str = "int8") -> Embedder:
    """The MiniLM embedder (int8 by default, or ``precision``) behind an on-disk cache, one per precision."""
    return CachedEmbedder(MiniLMEmbedder(precision=precision), cache_dir or default_cache_dir())


def use_cached_embedder(model) -> None:
    """Give a loaded model that embeds, and has no embedder yet, the cached embedder of the
    precision its card records, so that scoring dev again re-encodes no sentence seen before."""
    if getattr(model, "use_embeddings", False) and model.embedder is None:
        model.embedder = default_embedder(precision=precision_of_card(model.card))


def log(msg: str) -> None:
    print(f"[mtdetect] {msg}", file=sys.stderr, flush=True)


def train(
    train_docs: Sequence[LabelledDoc],
    dev_docs: Sequence[LabelledDoc],
    out_dir: str | Path,
    *,
    config: ModelConfig | None = None,
    embedder: Embedder | None = None,
    name: str = "mtdetect",
    data_manifest: dict | None = None,
    quiet: bool = False,
) -> tuple[TrainedModel, dict | None]:
    """Fit on ``train_docs``, choose thresholds on held-out ``dev_docs``, save the bundle.

    Returns the model and the dev evaluation.
    """
    cfg = config or ModelConfig()
    emb = embedder if cfg.use_embeddings else None
    if cfg.use_embeddings and emb is None:
        emb = default_embedder()
    say = (lambda m: None) if quiet else log
    if not dev_docs:
        raise ValueError("dev data is required to choose thresholds (pass --dev FILE)")
    _check_labels(train_docs, "training")
    _check_labels(dev_docs, "dev")
    say(f"analysing {len(train_docs)} training articles")
    analyses = analyze_docs(train_docs, quiet=quiet)
    model = fit_model(analyses, [d.y for d in train_docs], [d.group for d in train_docs], emb, cfg, progress=say,
                      synthetic=[is_synthetic(d) for d in train_docs])
    model.model_id = name
    # dev is scored as the bundle will score at run time (at most $MTDETECT_EMBED_MAX_SENTENCES
    # sentences embedded per article), so the cuts and the card describe the scores users get
    model.embed_max_sentences = embed_max_sentences_setting() if cfg.use_embeddings else None
    say(f"scoring {len(dev_docs)} dev articles to choose thresholds")
    dev_analyses = analyze_docs(dev_docs, quiet=quiet)
    art_p, sent = score_analyses(model, dev_analyses)
    y = np.array([d.y for d in dev_docs])
    labels = np.array([d.label for d in dev_docs])
    train_labels = np.array([d.label for d in train_docs])
    human_kind = "original" if (labels == "original").any() or (train_labels == "original").any() else None
    # the high cut is chosen on every original available: out-of-fold training scores + dev
    neg_dev = art_p[labels == human_kind] if human_kind else art_p[y == 0]
    neg_train = model.oof_article_p_[train_labels == human_kind] if human_kind else model.oof_article_p_[
        np.array([d.y for d in train_docs]) == 0]
    thresholds, th_info = choose_thresholds(np.r_[neg_train, neg_dev], art_p[y == 1], cfg.target_fpr)
    th_info.update({"n_human_train_oof": int(len(neg_train)), "n_human_dev": int(len(neg_dev))})
    short, th_info["short"] = short_text_cuts(model, dev_docs, art_p, human_kind, cfg.target_fpr, thresholds, say)
    thresholds = Thresholds(thresholds.low, thresholds.high, short)
    model.thresholds = thresholds
    dev_eval = evaluation_result(model, dev_docs, dev_analyses, art_p, sent)
    from .prevalence import Reference

    card_extra = {
        # what the audit's MT-share estimate per outlet needs: dev score means per class
        "prevalence": Reference.from_scores(art_p, y, groups=[d.group for d in dev_docs], labels=labels,
                                            cut=thresholds.high, source=f"dev: {len(dev_docs)} articles").to_card(),
        "threshold_choice": {**th_info, "human_set": (f"{human_kind}: out-of-fold training scores and dev scores"
                                                      if human_kind else "all human")},
        "data": data_manifest or {},
        # the cap dev was scored with (None: every sentence embedded, or no embeddings)
        "dev_embed_max_sentences": model.embed_max_sentences,
        "train_label_counts": dict(Counter(d.label for d in train_docs)),
        "dev_label_counts": dict(Counter(d.label for d in dev_docs)),
        "dev_metrics": {
            "article": dev_eval["article"]["comparisons"],
            "sentence": dev_eval["sentence"]["comparisons"],
        },
    }
    save_bundle(model, out_dir, card_extra)
    say(f"saved {out_dir}")
    # kept for a following round-trip stage (train_roundtrip_stage), never saved
    model.train_analyses_, model.dev_analyses_, model.dev_p_ = analyses, dev_analyses, art_p
    return model, dev_eval


#: Texts under this many words are judged by their own cuts (when enough short human texts
#: are available to choose them; see :func:`short_text_cuts`).
SHORT_TEXT_WORDS = 150
#: The fewest short human-written texts the short cuts are chosen on.
MIN_SHORT_HUMAN = 100


def short_text_cuts(model: TrainedModel, dev_docs: Sequence[LabelledDoc], dev_p: np.ndarray, human_kind: str | None,
                    target_fpr: float, article_cuts: Thresholds, say=lambda m: None) -> tuple[ShortCuts | None, dict]:
    """Cuts for texts under :data:`SHORT_TEXT_WORDS` words, chosen like the article cuts on
    short held-out texts: dev documents that short, and the leads (first 3 and first 5
    sentences) of the longer ones, which the model has not seen either. ``high`` flags at
    most ``target_fpr`` of the short human texts (``human_kind`` only, when given) and is
    never below the article ``high``; ``low`` is the 5% quantile of short MT texts.
    """
    from .datasets import lead_excerpts

    words = np.array([count_words(d.text) for d in dev_docs])
    is_short = words < SHORT_TEXT_WORDS
    longer = [d for d, n in zip(dev_docs, words) if n >= SHORT_TEXT_WORDS]
    leads = [e for n in (3, 5) for e in lead_excerpts(longer, n) if count_words(e.text) < SHORT_TEXT_WORDS]
    say(f"scoring {len(leads)} leads of dev articles for the short-text cuts")
    lead_p = score_analyses(model, analyze_docs(leads, quiet=True))[0] if leads else np.zeros(0)
    short_docs = [d for d, s in zip(dev_docs, is_short) if s] + leads
    p = np.r_[dev_p[is_short], lead_p]
    labels = np.array([d.label for d in short_docs])
    y = np.array([d.y for d in short_docs], dtype=int)
    human = (labels == human_kind) if human_kind else (y == 0)
    info = {"max_words": SHORT_TEXT_WORDS, "n_short_dev": int(is_short.sum()), "n_leads": len(leads),
            "n_human": int(human.sum()), "n_mt": int((y == 1).sum())}
    if human.sum() < MIN_SHORT_HUMAN or not (y == 1).any():
        info["skipped"] = f"fewer than {MIN_SHORT_HUMAN} short human texts"
        return None, info
    cuts, choice = choose_thresholds(p[human], p[y == 1], target_fpr)
    high = max(cuts.high, article_cuts.high)
    low = min(cuts.low, high)
    info.update({"fpr_at_high": float((p[human] >= high).mean()), "tpr_at_high": float((p[y == 1] >= high).mean()),
                 "high_before_floor": cuts.high})
    return ShortCuts(SHORT_TEXT_WORDS, low, high), info


def _check_labels(docs: Sequence[LabelledDoc], what: str) -> None:
    ys = {d.y for d in docs}
    if ys != {0, 1}:
        raise ValueError(f"{what} data needs both machine-translated and human-written articles (got {sorted(ys)})")


def score_analyses(model: TrainedModel, analyses: Sequence[Analysis], batch: int = 256):
    """Article and per-sentence probabilities for analysed articles (batched)."""
    model.ensure_embedder()
    art_p, sent_p, sent_doc = [], [], []
    for i in range(0, len(analyses), batch):
        chunk = analyses[i : i + batch]
        m = model.matrices(chunk)
        sp, ap = model.predict_matrices(m)
        art_p.append(ap)
        sent_p.append(sp)
        sent_doc.append(m.sent_doc + i)
    return (
        np.concatenate(art_p) if art_p else np.zeros(0),
        (np.concatenate(sent_p) if sent_p else np.zeros(0), np.concatenate(sent_doc) if sent_doc else np.zeros(0, int)),
    )


def evaluation_result(model: TrainedModel, docs: Sequence[LabelledDoc], analyses: Sequence[Analysis],
                      art_p: np.ndarray, sent: tuple[np.ndarray, np.ndarray],
                      cuts: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Article- and sentence-level breakdowns (``cuts``: each article's own ``(high, low)``)."""
    th = model.thresholds
    arts = scored_articles(docs, art_p)
    arts.cuts = cuts
    sent_p, sent_doc = sent
    sent_docs = [docs[i] for i in sent_doc]
    sents = scored_articles(sent_docs, sent_p)
    sents.n_words = np.array([len(s.text.split()) for a in analyses for s in a.document.sentences])
    return {
        "model": model.model_id,
        "thresholds": th.to_dict(),
        "article": breakdown(arts, th),
        "sentence": breakdown(sents, th, by_length=False),
        "_scored": (arts, sents),
    }


def evaluate_docs(model: TrainedModel, docs: Sequence[LabelledDoc], quiet: bool = False, jobs: int = 1) -> dict:
    """Analyse, score and evaluate labelled documents.

    ``model`` may also be a model with its round-trip stage (:class:`~mtdetect.deep.DeepModel`,
    ``--deep`` or ``--cascade``): then each article is judged by the cuts of the stage that
    scored it, and ``jobs`` processes translate the round trips into the cache first."""
    base = getattr(model, "base", model)
    use_cached_embedder(base)
    analyses = analyze_docs(docs, quiet=quiet)
    if base is model:
        art_p, sent = score_analyses(model, analyses)
        return evaluation_result(model, docs, analyses, art_p, sent)
    return _evaluate_with_stage(model, docs, analyses, jobs, quiet)


def _evaluate_with_stage(model, docs: Sequence[LabelledDoc], analyses: Sequence[Analysis], jobs: int,
                         quiet: bool) -> dict:
    from .roundtrip import warm_cache

    base, batch = model.base, 256
    first = [q for i in range(0, len(analyses), batch) for q in base.predict(analyses[i : i + batch])]
    todo = [analyses[i] for i in model.round_trip_rows(first)]
    if not quiet:
        log(f"round trips for {len(todo)} of {len(analyses)} articles through {model.stage.chain} ({jobs} processes)")
    if jobs > 1:  # into the on-disk cache in parallel; with one process, scoring translates as it goes
        warm_cache(todo, model.stage.chain, model.stage.max_sentences, jobs=jobs,
                   progress=None if quiet else _every(200, lambda a, b: log(f"  {a}/{b} sentences")))
    preds = model.finish(analyses, first)
    art_p = np.array([q.article_p for q in preds])
    sent_p = np.array([p for q in preds for p in q.sentence_p])
    sent_doc = np.array([i for i, q in enumerate(preds) for _ in q.sentence_p], dtype=int)
    own = [(q.thresholds or base.thresholds).for_length(count_words(d.text)) for q, d in zip(preds, docs)]
    result = evaluation_result(base, docs, analyses, art_p, (sent_p, sent_doc),
                               cuts=(np.array([t.high for t in own]), np.array([t.low for t in own])))
    result["model"] = model.model_id
    result["thresholds"] = {"first_stage": base.thresholds.to_dict(), "round_trip_stage": model.stage.thresholds.to_dict()}
    result["round_trip"] = {"policy": model.policy, "chain": model.stage.chain, "articles": len(todo)}
    return result


#: Training articles the shipped ``--deep`` stage is fitted on (``scripts/train.py --deep``).
DEFAULT_STAGE_SAMPLE = 2500


def stage_training_sample(train_docs: Sequence[LabelledDoc], n: int | None, rng, chain: str) -> np.ndarray:
    """Indices of the training articles the ``--deep`` stage is fitted on: about ``n``, stratified
    by label, none made by an engine of the round-trip ``chain`` itself (on those the feature is
    trivially extreme)."""
    from .translate import chain_families

    families = chain_families(chain)
    return stratified_sample(train_docs, n, rng, lambda d: not is_synthetic(d, families))


def train_roundtrip_stage(
    model: TrainedModel,
    train_docs: Sequence[LabelledDoc],
    dev_docs: Sequence[LabelledDoc],
    out_dir: str | Path,
    *,
    chain: str | None = None,
    train_sample: int = 1000,
    dev_sample: int | None = 1000,
    jobs: int = 2,
    target_fpr: float = 0.01,
    seed: int = 13,
    quiet: bool = False,
    lm_layer: int | None = None,
    states=None,
) -> dict:
    """Fit the ``--deep`` round-trip stage on a trained model and save it beside the bundle.

    ``lm_layer``: also fit a linear probe on SmolLM2's mean hidden state at that layer
    (:mod:`mtdetect.lm`) as one more input of the stage (``states``: a
    :class:`~mtdetect.lm.HiddenStates` to use instead of the real model, for tests).

    The stage is fitted on out-of-fold first-stage scores of a label-stratified sample of the
    training articles. Training articles made by an engine of the round-trip chain itself
    (``mtdetect synth`` output through Bergamot, for the default chain) are left out: on them
    the feature is trivially extreme. Thresholds come from the stage's out-of-fold scores of
    training originals plus its scores of dev originals. Returns the dev evaluation of the
    first stage and of the deep stage on the same dev sample.
    """
    from .deep import fit_roundtrip_stage
    from .roundtrip import DEFAULT_CHAIN, RoundTripFeatures, warm_cache
    from .translate import chain_families

    chain = chain or DEFAULT_CHAIN
    say = (lambda m: None) if quiet else log
    if model.oof_article_p_ is None or model.train_analyses_ is None or model.dev_analyses_ is None:
        raise ValueError("train_roundtrip_stage needs a model fresh from train()")
    families = chain_families(chain)
    rng = np.random.default_rng(seed)
    tr = stage_training_sample(train_docs, train_sample, rng, chain)
    dv = stratified_sample(dev_docs, dev_sample, rng)
    features = RoundTripFeatures(chain)
    for name, idx, analyses in (("training", tr, model.train_analyses_), ("dev", dv, model.dev_analyses_)):
        chosen = [analyses[i] for i in idx]
        say(f"round trips for {len(chosen)} {name} articles through {chain} ({jobs} processes)")
        warm_cache(chosen, chain, features.max_sentences, jobs=jobs,
                   progress=None if quiet else _every(200, lambda a, b: say(f"  {a}/{b} sentences")))
    X_tr = features.transform([model.train_analyses_[i] for i in tr])
    y_tr = np.array([train_docs[i].y for i in tr])
    H_tr = H_dv = None
    if lm_layer is not None or states is not None:
        from .lm import HiddenStates

        states = states or HiddenStates(layer=lm_layer)

        def hidden(name: str, idx, analyses) -> np.ndarray:
            say(f"language-model states (layer {states.layer}) of {len(idx)} {name} articles")
            return states.transform([analyses[i].document.text for i in idx],
                                    progress=None if quiet else _every(200, lambda a, b: say(f"  {a}/{b} articles")))

        H_tr, H_dv = hidden("training", tr, model.train_analyses_), hidden("dev", dv, model.dev_analyses_)
    stage, oof2 = fit_roundtrip_stage(
        model.oof_article_p_[tr], X_tr, y_tr, [train_docs[i].group for i in tr], chain=chain,
        max_sentences=features.max_sentences, H=H_tr,
        probe_layer=None if states is None else states.layer,
        probe_max_tokens=None if states is None else states.max_tokens,
    )
    X_dv = features.transform([model.dev_analyses_[i] for i in dv])
    p1_dv = model.dev_p_[dv]
    p2_dv = stage.predict(p1_dv, X_dv, H_dv)
    tr_labels = np.array([train_docs[i].label for i in tr])
    dv_docs = [dev_docs[i] for i in dv]
    dv_labels = np.array([d.label for d in dv_docs])
    dv_y = np.array([d.y for d in dv_docs])
    thresholds, th_info = choose_thresholds(
        np.r_[oof2[tr_labels == "original"], p2_dv[dv_labels == "original"]], p2_dv[dv_y == 1], target_fpr)
    from dataclasses import replace as _replace

    stage = _replace(stage, thresholds=thresholds, card={
        **stage.card, "threshold_choice": th_info, "oof_auc": auc_or_none(y_tr, oof2),
        "excluded_engine_families": sorted(families), "train_label_counts": dict(Counter(tr_labels.tolist())),
        "dev_sample": int(len(dv)),
        # what the audit's MT-share estimate needs for this stage's p_mt (as train() does for the first stage)
        "prevalence": stage_reference(dv_docs, p2_dv, thresholds.high).to_card(),
    })
    stage.save(out_dir)
    say(f"saved the round-trip stage in {out_dir}")
    first = breakdown(scored_articles(dv_docs, p1_dv), model.thresholds)
    deep = breakdown(scored_articles(dv_docs, p2_dv), thresholds)
    return {"chain": chain, "dev_sample": int(len(dv)), "first_stage": first, "deep": deep,
            "_scored": (dv_docs, p1_dv, p2_dv, X_dv)}


def stage_reference(dev_docs: Sequence[LabelledDoc], p: np.ndarray, high: float):
    """The :class:`~mtdetect.prevalence.Reference` of the ``--deep`` stage's scores ``p`` of
    ``dev_docs`` at its cut ``high``: per class and per human label, what the audit's estimated
    MT share and the report's shares flagged on dev are computed from."""
    from .prevalence import Reference

    return Reference.from_scores(np.asarray(p, dtype=float), np.array([d.y for d in dev_docs]),
                                 groups=[d.group for d in dev_docs], labels=[d.label for d in dev_docs], cut=high,
                                 source=f"dev: {len(dev_docs)} articles, round-trip stage")


def _every(n: int, fn):
    """A progress callback that reports every ``n`` units and at the end."""
    last = [0]

    def report(done: int, total: int) -> None:
        if done - last[0] >= n or done == total:
            last[0] = done
            fn(done, total)

    return report
