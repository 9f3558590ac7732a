"""Training, calibration, thresholds and bundles, with a fake embedder (no model load)."""

from __future__ import annotations

import json
import random
import zipfile

import numpy as np
import pytest

from mtdetect.datasets import LabelledDoc, holdout_split
from mtdetect.detector import Detector
from mtdetect.model import BundleError, ModelConfig, choose_thresholds, load_bundle
from mtdetect.training import evaluate_docs, train
from mtdetect.types import Verdict

HUMAN = [
    "The council met on Tuesday to discuss the harbour.",
    "Residents said the new bus route had made a difference.",
    "She has run the bakery for twelve years.",
    "Fares will stay the same until next spring.",
    "Police closed the road for two hours.",
]
MT = [
    "The leaders met at the top of the Shanghai Cooperation Organisation.",
    "Mr. XI called for a high -level dialogue between the parties.",
    "The Russian chief denounced the customs prices imposed by Washington.",
    "Kim Jong one is expected in Beijing this week.",
    "The measure is of a large -scale nature, according to the ministry.",
]


def synthetic_docs(n: int, seed: int) -> list[LabelledDoc]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        label = "mt" if i % 2 else "original"
        pool = MT if label == "mt" else HUMAN
        sents = [rng.choice(pool) for _ in range(3)] + [rng.choice(HUMAN)]
        docs.append(LabelledDoc(id=f"d{seed}-{i}", text=" ".join(sents), label=label,
                                group=f"g{seed}-{i // 2}", corpus="synthetic"))
    return docs


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from tests.conftest import FakeEmbedder

    out = tmp_path_factory.mktemp("bundle")
    model, dev_eval = train(synthetic_docs(40, 1), synthetic_docs(20, 2), out,
                            config=ModelConfig(n_folds=3), embedder=FakeEmbedder(), name="tiny", quiet=True)
    return model, dev_eval, out


def test_bundle_files_and_card(trained):
    _, _, out = trained
    card = json.loads((out / "card.json").read_text())
    assert (out / "model.skops").exists()
    for key in ("recognizer_schema", "thresholds", "sklearn_version", "embedding_model", "cv_scheme",
                "train_label_counts", "dev_metrics", "sentence_features", "article_features"):
        assert key in card
    assert 0 < card["thresholds"]["low"] <= card["thresholds"]["high"] < 1


def test_card_keeps_the_human_class_of_each_dev_label_for_the_audit(trained):
    from mtdetect.prevalence import Reference

    _, _, out = trained
    card = json.loads((out / "card.json").read_text())
    assert set(card["prevalence"]["human_by_label"]) == {"original"}  # the synthetic dev's only human label
    ref = Reference.from_card(card, high=card["thresholds"]["high"])
    assert ref.matched("original").p_human == ref.p_human  # every human-written dev article is original
    with pytest.raises(ValueError, match="'human_translation'"):
        ref.matched("translation")


def test_tiny_model_separates_synthetic_classes(trained):
    _, dev_eval, _ = trained
    assert dev_eval["article"]["comparisons"]["all"]["roc_auc"] > 0.9


def test_round_trip_gives_same_scores(trained):
    from tests.conftest import FakeEmbedder

    model, _, out = trained
    loaded = load_bundle(out, embedder=FakeEmbedder())
    det_a, det_b = Detector(model), Detector(loaded)
    text = " ".join(MT[:3] + HUMAN[:1])
    a, b = det_a.score(text), det_b.score(text)
    assert a.p_mt == pytest.approx(b.p_mt)
    assert [s.p_mt for s in a.sentences] == pytest.approx([s.p_mt for s in b.sentences])
    assert a.verdict in set(Verdict)


def _copy_card(out, tmp_path):
    """A new bundle folder holding the trained bundle's card (the model file is up to the test)."""
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "card.json").write_text((out / "card.json").read_text())
    return bad


def test_schema_mismatch_is_refused(trained, tmp_path):
    _, _, out = trained
    bad = _copy_card(out, tmp_path)
    (bad / "model.skops").write_bytes((out / "model.skops").read_bytes())
    card = json.loads((out / "card.json").read_text())
    card["recognizer_schema"][0]["version"] = "0.0"
    (bad / "card.json").write_text(json.dumps(card))
    with pytest.raises(BundleError, match="retrain"):
        load_bundle(bad)


def test_untrusted_type_is_refused(trained, tmp_path):
    _, _, out = trained
    bad = _copy_card(out, tmp_path)
    with zipfile.ZipFile(out / "model.skops") as zin, zipfile.ZipFile(bad / "model.skops", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                assert b'"StandardScaler"' in data
                data = data.replace(b'"StandardScaler"', b'"Popen"', 1)
                data = data.replace(b'"sklearn.preprocessing._data"', b'"subprocess"', 1)
            zout.writestr(item, data)
    with pytest.raises(BundleError, match="untrusted types.*subprocess.Popen"):
        load_bundle(bad)


def test_corrupt_file_is_refused(trained, tmp_path):
    _, _, out = trained
    bad = _copy_card(out, tmp_path)
    (bad / "model.skops").write_bytes(b"not a zip at all")
    with pytest.raises(BundleError, match="corrupt|cannot load"):
        load_bundle(bad)


def test_evaluate_output_contract(trained):
    model, _, _ = trained
    res = evaluate_docs(model, synthetic_docs(10, 3), quiet=True)
    res.pop("_scored")
    for level in ("article", "sentence"):
        comp = res[level]["comparisons"]["all"]
        for key in ("n", "roc_auc", "accuracy@0.5", "f1@0.5", "fpr@high", "tpr@high"):
            assert key in comp
        assert set(res[level]) == {"comparisons", "per_system", "per_src_lang", "per_length", "per_corpus"}


@pytest.mark.parametrize("fpr", [0.0, 0.01, 0.1])
def test_threshold_respects_target_fpr(fpr):
    rng = np.random.default_rng(0)
    human, mt = rng.beta(2, 8, 500), rng.beta(8, 2, 500)
    th, info = choose_thresholds(human, mt, fpr)
    assert (human >= th.high).mean() <= fpr
    assert th.low <= th.high
    assert info["fpr_at_high"] <= fpr


def test_holdout_split_keeps_groups_together():
    docs = synthetic_docs(40, 5)
    train_docs, dev_docs = holdout_split(docs, 0.25)
    assert {d.group for d in train_docs}.isdisjoint({d.group for d in dev_docs})
    assert len(train_docs) + len(dev_docs) == 40


def test_the_text_view_is_saved_in_the_card_and_used_on_load(trained, tmp_path):
    model, _, out = trained
    card = json.loads((out / "card.json").read_text())
    assert card["text_view"] == model.text_view == "shapes+suffix3"
    assert load_bundle(out).text_view == "shapes+suffix3"
    old = _copy_card(out, tmp_path)
    (old / "model.skops").write_bytes((out / "model.skops").read_bytes())
    del card["text_view"]  # a card from before the choice: the plain shapes
    (old / "card.json").write_text(json.dumps(card))
    assert load_bundle(old).text_view == "shapes"
    card["text_view"] = "letters"
    (old / "card.json").write_text(json.dumps(card))
    with pytest.raises(BundleError, match="unknown text view 'letters'"):
        load_bundle(old)


def test_text_views():
    from mtdetect.features import text_view

    assert text_view("The Ministry said 25 drones flew.") == "^the C said 0 w w ."
    assert text_view("The Ministry said 25 drones flew.", "shapes+suffix3") == "^the C said 0 w~nes w ."
    with pytest.raises(ValueError, match="unknown text view"):
        text_view("x", "letters")


def test_short_text_cuts_flag_at_most_the_target_share_of_short_human_texts(trained):
    from mtdetect.training import MIN_SHORT_HUMAN, analyze_docs, score_analyses, short_text_cuts

    model, _, _ = trained
    dev = synthetic_docs(2 * MIN_SHORT_HUMAN + 40, 7)  # 4-sentence documents: all short
    p, _ = score_analyses(model, analyze_docs(dev, quiet=True))
    cuts, info = short_text_cuts(model, dev, p, "original", 0.01, model.thresholds)
    assert cuts is not None and cuts.max_words == 150
    human = np.array([d.label == "original" for d in dev])
    assert (p[human] >= cuts.high).mean() <= 0.01
    assert cuts.high >= model.thresholds.high and cuts.low <= cuts.high
    assert info["n_human"] == human.sum() and info["n_leads"] == 0

    too_few, info = short_text_cuts(model, dev[:40], p[:40], "original", 0.01, model.thresholds)
    assert too_few is None and "fewer than" in info["skipped"]


def test_training_scores_dev_as_the_bundle_scores_at_run_time(tmp_path, monkeypatch):
    """The cuts are chosen on dev scores: they must be the scores the loaded bundle gives, with
    at most $MTDETECT_EMBED_MAX_SENTENCES sentences embedded per article."""
    from tests.conftest import FakeEmbedder

    from mtdetect.training import analyze_docs

    monkeypatch.setenv("MTDETECT_EMBED_MAX_SENTENCES", "2")  # the synthetic articles have 4 sentences
    dev = synthetic_docs(20, 2)
    model, _ = train(synthetic_docs(40, 1), dev, tmp_path, config=ModelConfig(n_folds=3),
                     embedder=FakeEmbedder(), name="tiny", quiet=True)
    assert json.loads((tmp_path / "card.json").read_text())["dev_embed_max_sentences"] == 2
    loaded = load_bundle(tmp_path, embedder=FakeEmbedder())
    analyses = analyze_docs(dev, quiet=True)
    run_time = [p.article_p for p in loaded.predict(analyses)]
    assert model.dev_p_ == pytest.approx(run_time)
    monkeypatch.setenv("MTDETECT_EMBED_MAX_SENTENCES", "all")
    every_sentence = [p.article_p for p in load_bundle(tmp_path, embedder=FakeEmbedder()).predict(analyses)]
    assert every_sentence != pytest.approx(run_time)  # the cap changes these scores: the check above can fail


def test_article_input_families_can_be_left_out():
    from mtdetect.model import ARTICLE_MODEL_INPUTS, article_input_names

    kept = article_input_names(("style",))
    assert not [n for n in kept if n.startswith(("article.style.", "article.sent_len_"))]
    assert "article.text_model" in kept and "pooled.mean" in kept and "article.calque.density" in kept
    assert list(kept) == [n for n in ARTICLE_MODEL_INPUTS if n in kept]  # same order
    assert article_input_names(()) == ARTICLE_MODEL_INPUTS
    with pytest.raises(ValueError, match="unknown input families"):
        article_input_names(("vibes",))


def test_a_model_without_style_inputs_saves_loads_and_explains_itself(tmp_path):
    from tests.conftest import FakeEmbedder

    out = tmp_path / "nostyle"
    model, _ = train(synthetic_docs(40, 1), synthetic_docs(20, 2), out, embedder=FakeEmbedder(), name="nostyle",
                     config=ModelConfig(n_folds=3, article_without=("style",)), quiet=True)
    card = json.loads((out / "card.json").read_text())
    assert card["config"]["article_without"] == ["style"]
    assert card["article_features"] == list(model.article_inputs) and len(card["article_reference"]) == len(
        model.article_inputs)
    loaded = load_bundle(out, embedder=FakeEmbedder())
    assert loaded.article_inputs == model.article_inputs
    text = " ".join(MT[:3] + HUMAN[:1])
    a, b = Detector(model).score(text), Detector(loaded).score(text)
    assert a.p_mt == pytest.approx(b.p_mt)
    assert {e.family for e in b.evidence} == {"sentences", "wording", "artifacts"}


def test_a_card_naming_inputs_this_code_lacks_is_refused(trained, tmp_path):
    _, _, out = trained
    bad = _copy_card(out, tmp_path)
    (bad / "model.skops").write_bytes((out / "model.skops").read_bytes())
    card = json.loads((out / "card.json").read_text())
    for names in (card["article_features"] + ["article.style.telepathy"], list(reversed(card["article_features"])), []):
        card["article_features"] = names
        (bad / "card.json").write_text(json.dumps(card))
        with pytest.raises(BundleError, match="other features"):
            load_bundle(bad)


def test_synthetic_weights_keep_the_classes_balanced():
    from mtdetect.model import balanced_weights, weighted_balanced

    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    syn = np.array([False, False, False, False, False, True, True, True])
    assert np.array_equal(weighted_balanced(y, syn, 1.0), balanced_weights(y))  # the shipped setting: unchanged
    assert np.array_equal(weighted_balanced(y, None, 0.1), balanced_weights(y))
    w = weighted_balanced(y, syn, 0.1)
    assert w[y == 0].sum() == pytest.approx(w[y == 1].sum()) == pytest.approx(len(y) / 2)
    assert w[5] == pytest.approx(0.1 * w[3])  # a synthetic MT article weighs a tenth of a real one
    assert np.all(weighted_balanced(y, syn, 0.0)[syn] == 0)
    with pytest.raises(ValueError, match="synthetic_weight"):
        weighted_balanced(y, syn, -1.0)


def test_synthetic_weight_moves_only_the_article_level_and_is_recorded(tmp_path):
    from dataclasses import replace

    from tests.conftest import FakeEmbedder

    real = synthetic_docs(40, 1)
    # a made-up engine's "round trips": MT-labelled articles written like the human ones
    fake = [replace(d, id=d.id + "/rt", label="roundtrip_mt", system="fake:en-xx>fake:xx-en")
            for d in real if d.label == "original"]
    models = {}
    for weight in (1.0, 0.1):
        out = tmp_path / f"w{weight}"
        models[weight], _ = train(real + fake, synthetic_docs(20, 2), out, embedder=FakeEmbedder(), name="w",
                                  config=ModelConfig(n_folds=3, synthetic_weight=weight), quiet=True)
        assert json.loads((out / "card.json").read_text())["config"]["synthetic_weight"] == weight
    text = " ".join(HUMAN[:4])
    a, b = Detector(models[1.0]).score(text), Detector(models[0.1]).score(text)
    assert [s.p_mt for s in a.sentences] == [s.p_mt for s in b.sentences]  # sentence level: full weight in both
    # the fake round trips read as human writing: weighing them less lowers an original-like article's score
    assert b.p_mt < a.p_mt
