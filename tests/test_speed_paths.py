"""The fast paths give the same numbers as the reference paths they replace.

* NumPy bundle inference (:mod:`mtdetect.inference`) vs the scikit-learn objects skops loads;
* the vectorised MurmurHash3 vs scikit-learn's;
* the torch-only MiniLM runner vs sentence-transformers (slow: loads the real model).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from mtdetect.detector import Detector, default_model_dir
from mtdetect.inference import (
    CalibratedLinearPredictor,
    HashedTextPredictor,
    hash_buckets,
    murmurhash3_32,
    murmurhash3_32_numpy,
    sentence_and_article_decisions,
)
from mtdetect.model import ModelConfig, load_bundle
from mtdetect.training import train

from tests.test_model import HUMAN, MT, synthetic_docs

ROOT = Path(__file__).resolve().parent.parent
FAST_BUNDLE = default_model_dir().with_name("default-fast")

HASH_CASES = [
    "", "a", "ab", "abc", "abcd", "abcde", "^the C said", "w , w", "\u00e9t\u00e9", "\u201cquoted\u201d",
    "\u65e5\u672c\u8a9e", "0 0 0", "x" * 63, "y" * 64, "z" * 65, "long " * 40, "emoji \U0001f600",
]


class Fake384Embedder:
    """Deterministic 384-dimensional vectors (the shipped default model's input size)."""

    name = "fake-384"
    dim = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest()[:4], "little")
            out[i] = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32) / 20
        return out


HASHERS = pytest.mark.parametrize("hasher", [murmurhash3_32, murmurhash3_32_numpy], ids=["mmh3", "numpy"])


def test_mmh3_is_installed():
    import mmh3  # noqa: F401  (a dependency: without it scoring falls back to the slower NumPy hash)


@HASHERS
@pytest.mark.parametrize("text", HASH_CASES)
def test_murmurhash_matches_scikit_learn(hasher, text):
    from sklearn.utils import murmurhash3_32 as sk_murmurhash

    assert int(hasher([text])[0]) == sk_murmurhash(text, seed=0)
    assert int(hasher([text], seed=7)[0]) == sk_murmurhash(text, seed=7)


@HASHERS
def test_murmurhash_of_a_mixed_batch_matches_one_by_one(hasher):
    from sklearn.utils import murmurhash3_32 as sk_murmurhash

    assert hasher(HASH_CASES).tolist() == [sk_murmurhash(t, seed=0) for t in HASH_CASES]
    assert hasher([]).tolist() == []


@HASHERS
def test_text_with_newlines_hashes_per_string(hasher):
    from sklearn.utils import murmurhash3_32 as sk_murmurhash

    cases = ["a\nb", "c", "\n"]
    assert hasher(cases).tolist() == [sk_murmurhash(t, seed=0) for t in cases]


def test_hash_buckets_match_hashing_vectorizer_columns():
    from sklearn.feature_extraction.text import HashingVectorizer

    hv = HashingVectorizer(n_features=2**19, alternate_sign=False, norm=None, token_pattern=r"\S+",
                           lowercase=False, ngram_range=(1, 1))
    words = [t for t in HASH_CASES if t and " " not in t]
    cols = [int(hv.transform([w]).indices[0]) for w in words]
    assert hash_buckets(words, 2**19).tolist() == cols


@pytest.fixture(scope="module")
def tiny_bundle(tmp_path_factory):
    from tests.conftest import FakeEmbedder

    out = tmp_path_factory.mktemp("tiny")
    train(synthetic_docs(40, 1), synthetic_docs(20, 2), out, config=ModelConfig(n_folds=3),
          embedder=FakeEmbedder(), name="tiny", quiet=True)
    return out


def _texts(samples_dir: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(samples_dir.glob("*.txt"))]
    return texts + [" ".join(MT + HUMAN), "One sentence only.", "x", "\u00e9t\u00e9 \u2014 \u201cquoted\u201d"]


def _assert_same_reports(a: Detector, b: Detector, texts: list[str]) -> None:
    for ra, rb in zip(a.score_many(texts), b.score_many(texts)):
        assert ra.p_mt == rb.p_mt
        assert [s.p_mt for s in ra.sentences] == [s.p_mt for s in rb.sentences]
        assert ra.verdict == rb.verdict


def test_numpy_engine_equals_scikit_learn_on_a_trained_bundle(tiny_bundle, samples_dir):
    from tests.conftest import FakeEmbedder

    fast = load_bundle(tiny_bundle, embedder=FakeEmbedder())
    ref = load_bundle(tiny_bundle, embedder=FakeEmbedder(), engine="sklearn")
    assert isinstance(fast.sentence_clf, CalibratedLinearPredictor)
    assert isinstance(fast.sentence_text_clf, HashedTextPredictor)
    assert type(ref.sentence_clf).__module__.startswith("sklearn")
    _assert_same_reports(Detector(fast), Detector(ref), _texts(samples_dir))


@pytest.mark.parametrize("bundle", ["default", "default-fast"])
def test_numpy_engine_equals_scikit_learn_on_the_shipped_bundles(bundle, samples_dir):
    path = default_model_dir().with_name(bundle)
    emb = Fake384Embedder()
    fast = load_bundle(path, embedder=emb)
    ref = load_bundle(path, embedder=emb, engine="sklearn")
    assert isinstance(fast.article_clf, CalibratedLinearPredictor)
    _assert_same_reports(Detector(fast), Detector(ref), _texts(samples_dir))


# Sentence views of four articles; the article text is their " \n "-join. One-token and empty
# sentences make n-grams cross two boundaries at once.
ARTICLE_SENTENCES = [
    ["^the C said 0 w .", "it was w .", "x", "y", "", "z z z"],
    [],
    [""],
    ["a"],
    ["a b", "c"],
    ["", "", "p q r s", "", "t"],
]


@pytest.mark.parametrize("bundle", ["default", "default-fast"])
def test_shared_hashing_equals_hashing_each_text(bundle):
    """Hashing sentences once and adding only boundary-crossing n-grams for the article gives
    exactly the decisions of hashing every article text on its own."""
    model = load_bundle(default_model_dir().with_name(bundle), embedder=Fake384Embedder())
    sent, art = model.sentence_text_clf, model.article_text_clf
    texts = [t for article in ARTICLE_SENTENCES for t in article]
    bounds = np.cumsum([0] + [len(a) for a in ARTICLE_SENTENCES])
    slices = [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(len(ARTICLE_SENTENCES))]
    sent_dec, art_dec = sentence_and_article_decisions(sent, art, texts, slices)
    assert np.array_equal(sent_dec, sent.decision_function(texts))
    joined = [" \n ".join(a) for a in ARTICLE_SENTENCES]
    assert np.array_equal(art_dec, art.decision_function(joined))
    # the crossing n-grams matter: the first article without them scores differently
    first = ARTICLE_SENTENCES[0]
    cols = hash_buckets([g for t in first for g in art._ngrams(t)], art.n_features)
    assert art.decision_from_columns(cols, np.array([len(cols)]))[0] != art_dec[0]


def test_an_unsupported_bundle_is_loaded_by_skops(tiny_bundle, tmp_path):
    """A class the NumPy reader does not know (here another scaler) goes to skops, whose
    own allowlist then decides."""
    bad = tmp_path / "b"
    bad.mkdir()
    (bad / "card.json").write_text((tiny_bundle / "card.json").read_text())
    with zipfile.ZipFile(tiny_bundle / "model.skops") as zin, zipfile.ZipFile(bad / "model.skops", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                data = data.replace(b'"StandardScaler"', b'"RobustScaler"', 1)
            zout.writestr(item, data)
    model = load_bundle(bad)
    scaler = model.sentence_clf.steps[0][1]
    assert type(scaler).__name__ == "RobustScaler"


def test_unknown_engine_is_refused(tiny_bundle):
    with pytest.raises(ValueError, match="engine"):
        load_bundle(tiny_bundle, engine="onnx")


def test_fast_mode_imports_neither_scikit_learn_nor_torch():
    code = (
        "import sys\n"
        "from mtdetect.detector import Detector\n"
        "Detector.load(fast=True).score('Mr. XI met Kim Jong one at the top of the SCO.')\n"
        "heavy = [m for m in ('sklearn', 'skops', 'torch', 'scipy', 'sentence_transformers', 'transformers')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.slow
@pytest.mark.parametrize("quantize", [False, True], ids=["fp32", "int8"])
def test_minilm_runner_equals_sentence_transformers(quantize):
    from mtdetect.embeddings import MiniLMEmbedder, _model_dir, _SentenceTransformersRunner

    texts = ["The leaders met at the top of the Shanghai Cooperation Organisation.", "", "x",
             "Fares will stay the same until next spring.", "word " * 300, "\u201cQuoted\u201d \u2014 \u00e9t\u00e9",
             *(f"Sentence number {i} is about {'the harbour ' * (i % 7)}." for i in range(70))]
    ours = MiniLMEmbedder(quantize=quantize)
    got = ours.encode(texts)
    assert type(ours._load()).__name__ == "_MiniLMRunner"
    ref = _SentenceTransformersRunner(_model_dir(), ours.max_seq_length)
    if quantize:
        ref.quantize()
    unique = list(dict.fromkeys(texts))
    expected = ref.encode(unique, ours.batch_size)
    row = {t: i for i, t in enumerate(unique)}
    assert np.array_equal(got, expected[[row[t] for t in texts]])


def test_encoder_all_layers_ends_with_the_usual_output():
    """``all_layers`` (for experiments on the lower layers) returns the embedding output and
    every layer's states; its last entry is exactly what the sentence embedding pools."""
    torch = pytest.importorskip("torch")
    from mtdetect.embeddings import MiniLMEmbedder

    try:
        runner = MiniLMEmbedder()._load()
    except Exception as exc:  # the model package is a dependency; say why if it is missing
        pytest.skip(f"MiniLM not loadable: {exc}")
    enc = runner.tokenizer.encode_batch(["Mr. XI met Kim Jong one.", "A longer second sentence, so that the first one is padded."])
    ids = torch.tensor([e.ids for e in enc], dtype=torch.long)
    mask = torch.tensor([e.attention_mask for e in enc], dtype=torch.long)
    assert not bool(mask.all())  # padding: the masked path
    with torch.inference_mode():
        last = runner.encoder(ids, mask)
        states = runner.encoder(ids, mask, all_layers=True)
    assert len(states) == len(runner.encoder.layers) + 1
    assert all(s.shape == last.shape for s in states)
    assert torch.equal(states[-1], last)
    assert not torch.equal(states[0], last)


# --- embedding at most N sentences per article ---------------------------------------------
@pytest.mark.parametrize(
    ("n", "cap", "rows"),
    [
        (5, None, [0, 1, 2, 3, 4]),
        (5, 8, [0, 1, 2, 3, 4]),
        (5, 5, [0, 1, 2, 3, 4]),
        (10, 4, [0, 3, 6, 9]),
        (9, 3, [0, 4, 8]),
        (7, 1, [0]),
        (0, 3, []),
    ],
)
def test_embedded_rows_spread_over_the_article(n, cap, rows):
    from mtdetect.model import embedded_rows

    assert embedded_rows(n, cap).tolist() == rows


@pytest.mark.parametrize(("value", "expected"), [(None, 6), ("", 6), ("all", None), ("ALL", None), ("3", 3)])
def test_embed_cap_setting(monkeypatch, value, expected):
    from mtdetect.model import EMBED_MAX_ENV, embed_max_sentences_setting

    if value is None:
        monkeypatch.delenv(EMBED_MAX_ENV, raising=False)
    else:
        monkeypatch.setenv(EMBED_MAX_ENV, value)
    assert embed_max_sentences_setting() == expected


def test_shipped_default_cuts_were_chosen_at_the_run_time_cap():
    """The shipped default model's cuts and card come from dev scored with the cap that
    scoring uses by default: changing the cap means retraining (scripts/train.py)."""
    import json

    from mtdetect.model import DEFAULT_EMBED_MAX_SENTENCES

    card = json.loads((Path(__file__).resolve().parents[1] / "models" / "default" / "card.json").read_text())
    assert card["uses_embeddings"]
    assert card["dev_embed_max_sentences"] == DEFAULT_EMBED_MAX_SENTENCES


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_bad_embed_cap_setting_is_refused(monkeypatch, value):
    from mtdetect.model import EMBED_MAX_ENV, BundleError, embed_max_sentences_setting

    monkeypatch.setenv(EMBED_MAX_ENV, value)
    with pytest.raises(BundleError, match=EMBED_MAX_ENV):
        embed_max_sentences_setting()


LONG_ARTICLE = " ".join(MT + HUMAN)  # ten sentences


def _capped_and_full(tiny_bundle, cap):
    from tests.conftest import FakeEmbedder

    capped_emb, full_emb = FakeEmbedder(), FakeEmbedder()
    capped = load_bundle(tiny_bundle, embedder=capped_emb)
    full = load_bundle(tiny_bundle, embedder=full_emb)
    capped.embed_max_sentences, full.embed_max_sentences = cap, None
    return Detector(capped), capped_emb, Detector(full), full_emb


def test_a_cap_embeds_only_that_many_sentences(tiny_bundle):
    capped, capped_emb, full, full_emb = _capped_and_full(tiny_bundle, 4)
    rep_capped, rep_full = capped.score(LONG_ARTICLE), full.score(LONG_ARTICLE)
    assert len(rep_full.sentences) == 10
    assert (capped_emb.encoded, full_emb.encoded) == (4, 10)
    # An embedded sentence scores as without the cap (sentences are scored one by one).
    for i in (0, 3, 6, 9):
        assert rep_capped.sentences[i].p_mt == rep_full.sentences[i].p_mt


def test_an_unembedded_sentence_scores_as_with_its_embedding_at_the_training_mean(tiny_bundle):
    from mtdetect.model import build_matrices

    capped, _, full, _ = _capped_and_full(tiny_bundle, 4)
    model = full.model
    rep = capped.score(LONG_ARTICLE)
    m = build_matrices([full.analyze(LONG_ARTICLE)], model.embedder, view=model.text_view)
    n_other = m.sent_X.shape[1] - model.embedder.dim
    m.sent_X[:, n_other:] = model._sentence_feature_means()[1 + n_other:]
    sent_p, _ = model.predict_matrices(m)
    for i in (1, 2, 4, 5, 7, 8):
        assert rep.sentences[i].p_mt == pytest.approx(sent_p[i], abs=1e-12)


def test_a_cap_above_every_article_changes_nothing(tiny_bundle, samples_dir):
    capped, _, full, _ = _capped_and_full(tiny_bundle, 1000)
    _assert_same_reports(capped, full, _texts(samples_dir))


def test_batched_scoring_equals_one_at_a_time(tiny_bundle, samples_dir):
    """Batching articles (one encode call per batch, duplicates encoded once) changes no score
    beyond the last bit (a matrix product over more rows may round differently)."""
    from tests.conftest import FakeEmbedder

    det = Detector(load_bundle(tiny_bundle, embedder=FakeEmbedder()))
    texts = _texts(samples_dir) + _texts(samples_dir)[:2]  # repeated articles: duplicate sentences
    batched = list(det.score_many(texts, batch_size=32))
    single = [det.score(t) for t in texts]
    for a, b in zip(batched, single):
        assert a.p_mt == pytest.approx(b.p_mt, abs=1e-12)
        assert [s.p_mt for s in a.sentences] == pytest.approx([s.p_mt for s in b.sentences], abs=1e-12)
        assert a.verdict == b.verdict


def test_predict_async_equals_predict(tiny_bundle, samples_dir):
    """Starting a batch, doing other work, then finishing it gives the same predictions."""
    from tests.conftest import FakeEmbedder

    det = Detector(load_bundle(tiny_bundle, embedder=FakeEmbedder()))
    first = [det.analyze(t) for t in _texts(samples_dir)]
    second = [det.analyze(t) for t in reversed(_texts(samples_dir))]
    finish_first = det.model.predict_async(first)
    finish_second = det.model.predict_async(second)  # two batches in flight at once
    assert finish_second() == det.model.predict(second)
    assert finish_first() == det.model.predict(first)


def test_str_split_gives_the_tokens_of_the_hashing_vectorizer_pattern():
    """The NumPy text model splits with ``str.split``; scikit-learn uses ``r"\\S+"``."""
    import re

    pattern = re.compile(r"\S+")
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}b c"
        assert text.split() == pattern.findall(text), hex(code)
