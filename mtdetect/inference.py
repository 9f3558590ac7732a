"""Scoring with a saved bundle in NumPy alone, without importing scikit-learn or skops.

Importing scikit-learn and skops takes seconds (skops walks every scikit-learn estimator
when it is imported), which would dominate the cold start of ``mtdetect score`` and
every short-lived worker. A bundle holds only linear models, so prediction is a few
array operations: this module reads the fitted arrays straight from ``model.skops`` (a
zip of ``schema.json`` and ``.npy`` files; nothing is unpickled and no class is
instantiated) and repeats scikit-learn's arithmetic step by step, in the same order and
the same dtypes, so the probabilities are the same numbers.

Supported: ``Pipeline(StandardScaler, CalibratedClassifierCV(LogisticRegression,
sigmoid, ensemble=False))`` and ``Pipeline(HashingVectorizer, TfidfTransformer,
LogisticRegression)`` as built by :mod:`mtdetect.model`. Anything else raises
:class:`UnsupportedBundle`, and :func:`mtdetect.model.load_bundle` falls back to skops.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

SKOPS_PROTOCOLS = (2,)
# Object classes this reader understands; their attributes are read as plain data.
SUPPORTED_CLASSES = frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.calibration.CalibratedClassifierCV",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.feature_extraction.text.HashingVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
    }
)
_EXP_OVERFLOW = 709.78  # math.exp overflows above this; 1 / (1 + inf) is 0


class UnsupportedBundle(ValueError):
    """The bundle holds something this reader does not handle (use skops instead)."""


class _LazyArray:
    """A ``.npy`` member of the bundle, read (without pickle) on first use."""

    __slots__ = ("zf", "name")

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf, self.name = zf, name

    def load(self) -> np.ndarray:
        import io

        with self.zf.open(self.name) as fh:
            return np.load(io.BytesIO(fh.read()), allow_pickle=False)


def _node(node: dict, zf: zipfile.ZipFile):
    """A skops schema node as plain data: objects become dicts with a ``__class__`` key."""
    loader = node.get("__loader__")
    if loader == "JsonNode":
        return json.loads(node["content"])
    if loader == "NdArrayNode":
        if node.get("type") != "numpy":
            raise UnsupportedBundle(f"array stored as {node.get('type')!r}")
        return _LazyArray(zf, node["file"])
    if loader == "TypeNode":
        return f"{node['__module__']}.{node['__class__']}"
    if loader in ("ListNode", "TupleNode"):
        return [_node(x, zf) for x in node["content"]]
    if loader == "DictNode":
        return {k: _node(v, zf) for k, v in node["content"].items()}
    if loader == "ObjectNode":
        cls = f"{node['__module__']}.{node['__class__']}"
        if cls not in SUPPORTED_CLASSES:
            raise UnsupportedBundle(f"unsupported class {cls}")
        content = _node(node["content"], zf)
        if not isinstance(content, dict):
            raise UnsupportedBundle(f"{cls}: unexpected state")
        return {"__class__": cls, **content}
    raise UnsupportedBundle(f"unsupported node {loader!r}")


def read_bundle(zf: zipfile.ZipFile) -> dict:
    """The payload of an open ``model.skops`` as plain data, arrays loaded lazily.

    Raises :class:`UnsupportedBundle` for anything beyond the supported node types.
    """
    try:
        schema = json.loads(zf.read("schema.json"))
    except (KeyError, json.JSONDecodeError) as exc:
        raise UnsupportedBundle(f"no readable schema ({exc})") from exc
    if schema.get("protocol") not in SKOPS_PROTOCOLS:
        raise UnsupportedBundle(f"skops protocol {schema.get('protocol')!r}")
    try:
        tree = _node(schema, zf)
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise UnsupportedBundle(f"malformed schema ({exc})") from exc
    if not isinstance(tree, dict):
        raise UnsupportedBundle("payload is not a dict")
    return tree


def _array(value, name: str) -> np.ndarray:
    if not isinstance(value, _LazyArray):
        raise UnsupportedBundle(f"{name} is not an array")
    return value.load()


def _expect(obj, cls: str) -> dict:
    if not isinstance(obj, dict) or obj.get("__class__") != cls:
        got = obj.get("__class__") if isinstance(obj, dict) else type(obj).__name__
        raise UnsupportedBundle(f"expected {cls}, found {got}")
    return obj


def _steps(pipeline: dict) -> list:
    steps = _expect(pipeline, "sklearn.pipeline.Pipeline").get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, list) and len(s) == 2 for s in steps):
        raise UnsupportedBundle("pipeline steps")
    return [s[1] for s in steps]


def expit(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` element by element, in the dtype of ``z``, with the C library's
    ``exp``/``expf``: SciPy's ``expit`` to the last bit. (NumPy's vectorised ``exp`` can
    differ from it in the last place, which would make scores differ from scikit-learn's.)
    """
    if z.dtype == np.float32:
        expf = _libm_expf()
        one = np.float32(1.0)
        out = [one / (one + np.float32(expf(-v))) for v in z.tolist()]
        return np.asarray(out, dtype=np.float32)
    out = [0.0 if -v > _EXP_OVERFLOW else 1.0 / (1.0 + math.exp(-v)) for v in z.astype(np.float64).tolist()]
    return np.asarray(out, dtype=np.float64)


@lru_cache(maxsize=1)
def _libm_expf():
    """The C library's single-precision ``expf`` (what SciPy uses for float32 input)."""
    import ctypes
    import ctypes.util

    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        fn = libm.expf
    except (OSError, AttributeError) as exc:
        raise UnsupportedBundle(f"no C library expf ({exc})") from exc
    fn.restype, fn.argtypes = ctypes.c_float, [ctypes.c_float]
    return fn


def _two_columns(p: np.ndarray) -> np.ndarray:
    return np.stack([1 - p, p], axis=1)


class _Logistic:
    """A fitted binary LogisticRegression: coefficients and intercept."""

    def __init__(self, lr: dict) -> None:
        _expect(lr, "sklearn.linear_model._logistic.LogisticRegression")
        self.coef_ = _array(lr.get("coef_"), "coef_")
        self.intercept_ = _array(lr.get("intercept_"), "intercept_")
        classes = _array(lr.get("classes_"), "classes_")
        if self.coef_.ndim != 2 or self.coef_.shape[0] != 1 or classes.tolist() != [0, 1]:
            raise UnsupportedBundle("only binary (0/1) logistic regressions are supported")
        self.n_features = self.coef_.shape[1]


class CalibratedLinearPredictor:
    """``Pipeline(StandardScaler, CalibratedClassifierCV(LogisticRegression, sigmoid))``."""

    def __init__(self, pipeline: dict) -> None:
        steps = _steps(pipeline)
        if len(steps) != 2:
            raise UnsupportedBundle("expected scaler + calibrated classifier")
        scaler = _expect(steps[0], "sklearn.preprocessing._data.StandardScaler")
        if scaler.get("with_mean") is not True or scaler.get("with_std") is not True:
            raise UnsupportedBundle("scaler without mean or std")
        self.mean_ = _array(scaler.get("mean_"), "mean_")
        self.scale_ = _array(scaler.get("scale_"), "scale_")
        cal = _expect(steps[1], "sklearn.calibration.CalibratedClassifierCV")
        members = cal.get("calibrated_classifiers_")
        if cal.get("method") != "sigmoid" or not isinstance(members, list) or len(members) != 1:
            raise UnsupportedBundle("expected one sigmoid-calibrated classifier")
        member = _expect(members[0], "sklearn.calibration._CalibratedClassifier")
        self.lr = _Logistic(member.get("estimator"))
        if _array(member.get("classes"), "classes").tolist() != [0, 1]:
            raise UnsupportedBundle("classes are not 0/1")
        calibrators = member.get("calibrators")
        if not isinstance(calibrators, list) or len(calibrators) != 1:
            raise UnsupportedBundle("expected one calibrator")
        sig = _expect(calibrators[0], "sklearn.calibration._SigmoidCalibration")
        self.a_ = _array(sig.get("a_"), "a_")[()]
        self.b_ = _array(sig.get("b_"), "b_")[()]
        if self.mean_.shape != (self.lr.n_features,) or self.scale_.shape != (self.lr.n_features,):
            raise UnsupportedBundle("scaler and classifier disagree on the number of features")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Columns ``[p(human), p(mt)]``, as scikit-learn's ``predict_proba``."""
        X = np.array(X, dtype=np.float64, order="C")  # a copy, like the scaler's
        if X.ndim != 2 or X.shape[1] != self.lr.n_features:
            raise ValueError(f"expected {self.lr.n_features} features, got shape {X.shape}")
        X -= self.mean_
        X /= self.scale_
        decision = (X @ self.lr.coef_.T + self.lr.intercept_).reshape(-1)
        p = expit(-(self.a_ * decision + self.b_))
        p[(1.0 < p) & (p <= 1.0 + 1e-5)] = 1.0
        return _two_columns(p)


# --- MurmurHash3 (x86, 32 bit), vectorised over many strings ----------------------------
try:
    import mmh3 as _mmh3
except ImportError:  # pragma: no cover - mmh3 is a dependency; NumPy is the fallback
    _mmh3 = None

_C1, _C2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def murmurhash3_32(strings: Sequence[str], seed: int = 0) -> np.ndarray:
    """Signed 32-bit MurmurHash3 of each string's UTF-8 bytes (scikit-learn's hash).

    Uses the ``mmh3`` C extension (a dependency: ~75 ns per n-gram, five times the NumPy
    version below), else :func:`murmurhash3_32_numpy`. Both are tested against scikit-learn.
    """
    if _mmh3 is None:
        return murmurhash3_32_numpy(strings, seed)
    hash_ = _mmh3.hash if seed == 0 else (lambda s: _mmh3.hash(s, seed))
    return np.fromiter(map(hash_, strings), dtype=np.int32, count=len(strings))


def murmurhash3_32_numpy(strings: Sequence[str], seed: int = 0) -> np.ndarray:
    """:func:`murmurhash3_32` in NumPy, vectorised over many strings (no C extension)."""
    n = len(strings)
    out = np.zeros(n, dtype=np.uint32)
    if n == 0:
        return out.view(np.int32)
    joined = "\n".join(strings)
    if joined.count("\n") == n - 1:  # one encode and one split, not a call per string
        data = joined.encode("utf-8").split(b"\n")
    else:
        data = [s.encode("utf-8") for s in strings]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=n)
    # Most n-grams are short; a rare long token must not widen the whole block matrix.
    short = lengths <= _BLOCK_BYTES
    if short.all():
        out[:] = _murmur_block(data, lengths, seed)
    else:
        idx = np.flatnonzero(short)
        out[idx] = _murmur_block([data[i] for i in idx], lengths[idx], seed)
        for i in np.flatnonzero(~short):
            out[i] = _murmur_block([data[i]], lengths[i : i + 1], seed)[0]
    return out.view(np.int32)


_BLOCK_BYTES = 64


def _murmur_block(data: list[bytes], lengths: np.ndarray, seed: int) -> np.ndarray:
    n = len(data)
    if n == 0:
        return np.zeros(0, dtype=np.uint32)
    n_words = max(1, (int(lengths.max()) + 3) // 4)
    # Fixed-width bytes, zero-padded: the padding doubles as the zeros of the tail block.
    words = np.array(data, dtype=f"S{4 * n_words}").view("<u4").reshape(n, n_words)
    n_full = lengths // 4
    # Longest first, so the rows that still have a full block at step j are a prefix.
    order = np.argsort(-n_full, kind="stable")
    words, n_full, lengths = words[order], n_full[order], lengths[order]
    active = np.searchsorted(-n_full, -np.arange(n_words), side="left")  # rows with n_full > j
    h = np.full(n, seed, dtype=np.uint32)
    with np.errstate(over="ignore"):
        for j in range(n_words):
            m = int(np.count_nonzero(n_full > j)) if j == 0 else int(active[j])
            if m == 0:
                break
            k = _rotl(words[:m, j] * _C1, 15) * _C2
            h[:m] = _rotl(h[:m] ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
        tail_rows = np.flatnonzero(lengths & 3)
        if len(tail_rows):
            k = _rotl(words[tail_rows, n_full[tail_rows]] * _C1, 15) * _C2
            h[tail_rows] ^= k
        h ^= lengths.astype(np.uint32)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    out = np.empty(n, dtype=np.uint32)
    out[order] = h
    return out


def hash_buckets(strings: Sequence[str], n_features: int) -> np.ndarray:
    """Column of each string in a ``HashingVectorizer(n_features, alternate_sign=False)``."""
    h = murmurhash3_32(strings).astype(np.int64)
    out = np.abs(h) % n_features
    out[h == -(2**31)] = (2**31 - 1 - (n_features - 1)) % n_features
    return out


class HashedTextPredictor:
    """``Pipeline(HashingVectorizer(1-3-grams), TfidfTransformer, LogisticRegression)``.

    Every n-gram is hashed afresh (vectorised, this is cheaper than a dictionary cache
    of bucket numbers, and keeps memory flat however long the stream).
    """

    def __init__(self, pipeline: dict) -> None:
        steps = _steps(pipeline)
        if len(steps) != 3:
            raise UnsupportedBundle("expected hashing vectorizer + tf-idf + classifier")
        hv = _expect(steps[0], "sklearn.feature_extraction.text.HashingVectorizer")
        expected = {
            "analyzer": "word", "lowercase": False, "alternate_sign": False, "norm": None,
            "binary": False, "preprocessor": None, "tokenizer": None, "stop_words": None,
            "strip_accents": None, "token_pattern": r"\S+", "dtype": "numpy.float32",
            "input": "content",
        }
        for key, value in expected.items():
            if hv.get(key) != value:
                raise UnsupportedBundle(f"HashingVectorizer.{key}={hv.get(key)!r} is not supported")
        self.ngram_range = tuple(hv.get("ngram_range") or ())
        if self.ngram_range not in ((1, 1), (1, 2), (1, 3)):
            raise UnsupportedBundle(f"ngram_range {self.ngram_range}")
        self.n_features = int(hv["n_features"])
        tfidf = _expect(steps[1], "sklearn.feature_extraction.text.TfidfTransformer")
        if tfidf.get("norm") != "l2" or tfidf.get("sublinear_tf") is not True or tfidf.get("use_idf") is not True:
            raise UnsupportedBundle("tf-idf settings")
        self.idf_ = _array(tfidf.get("idf_"), "idf_")
        self.lr = _Logistic(steps[2])
        if self.idf_.shape != (self.n_features,) or self.lr.n_features != self.n_features:
            raise UnsupportedBundle("text model sizes disagree")
        self.coef_ = np.ascontiguousarray(self.lr.coef_[0])
        if self.coef_.dtype == np.float32:
            _libm_expf()  # fail over to skops now rather than when scoring

    def _ngrams(self, text: str) -> list[str]:
        return self._ngrams_of(text.split())  # the same tokens as token_pattern r"\S+"

    def _ngrams_of(self, tokens: list[str]) -> list[str]:
        grams = list(tokens)
        if self.ngram_range[1] >= 2:
            grams.extend(map(" ".join, zip(tokens, tokens[1:])))
        if self.ngram_range[1] >= 3:
            grams.extend(map(" ".join, zip(tokens, tokens[1:], tokens[2:])))
        return grams

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """The logistic regression's decision values, one per text."""
        n = len(texts)
        grams: list[str] = []
        row_len = np.zeros(n, dtype=np.int64)
        for i, text in enumerate(texts):
            g = self._ngrams(text)
            row_len[i] = len(g)
            grams.extend(g)
        return self.decision_from_columns(hash_buckets(grams, self.n_features), row_len)

    def same_hashing(self, other: object) -> bool:
        """True when ``other`` maps every text to the same columns (so columns can be shared)."""
        return (isinstance(other, HashedTextPredictor) and other.n_features == self.n_features
                and other.ngram_range == self.ngram_range)

    def decision_from_columns(self, cols: np.ndarray, row_len: np.ndarray) -> np.ndarray:
        """Decision values from hashed n-gram columns: ``row_len[i]`` columns per text, in order."""
        n = len(row_len)
        rows = np.repeat(np.arange(n, dtype=np.int64), row_len)
        # CSR order: by row, then by column, duplicates summed (HashingVectorizer + sum_duplicates)
        keys, counts = np.unique(rows * self.n_features + cols, return_counts=True)
        rows, cols = keys // self.n_features, keys % self.n_features
        data = counts.astype(np.float32)
        # TfidfTransformer(sublinear_tf=True, norm="l2"), in place, in the stored dtypes
        np.log(data, data)
        data += 1.0
        data *= self.idf_[cols]
        # normalize(): float32 squares summed in double, row by row, in column order
        sq = (data * data).astype(np.float64)
        norms = np.sqrt(np.bincount(rows, weights=sq, minlength=n))
        safe = np.where(norms == 0.0, 1.0, norms)
        data = (data.astype(np.float64) / safe[rows]).astype(np.float32)
        # sparse @ coefficients as scipy does it: products and a running sum per row, in
        # column order and in the coefficients' dtype (a row-wise cumulative sum over a
        # zero-padded matrix is that running sum)
        prod = data * self.coef_[cols]
        row_start = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=row_start[1:])
        width = int(np.diff(row_start).max(initial=0))
        padded = np.zeros((n, max(width, 1)), dtype=prod.dtype)
        padded[rows, np.arange(len(rows)) - row_start[rows]] = prod
        return np.cumsum(padded, axis=1)[:, -1] + self.lr.intercept_

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Columns ``[p(human), p(mt)]``, as scikit-learn's ``predict_proba``."""
        if len(texts) == 0:
            return np.zeros((0, 2))
        return _two_columns(expit(self.decision_function(list(texts))))


def sentence_and_article_decisions(
    sentence_model: HashedTextPredictor, article_model: HashedTextPredictor,
    sentence_texts: Sequence[str], article_slices: Sequence[slice],
) -> tuple[np.ndarray, np.ndarray]:
    """Decision values of both text models, hashing every n-gram once.

    An article's text is its sentences' texts joined by whitespace, so its n-grams are its
    sentences' n-grams plus those that cross a sentence boundary. The sentences' columns
    are hashed once and reused for the article, with only the crossing n-grams added:
    the same columns, so the same decisions, as ``article_model.decision_function`` on
    the joined texts (tested), at about half the hashing. Both models must satisfy
    :meth:`HashedTextPredictor.same_hashing`.
    """
    if not sentence_model.same_hashing(article_model):
        raise ValueError("the text models hash differently")
    top = sentence_model.ngram_range[1]
    tokens = [text.split() for text in sentence_texts]  # the tokens _ngrams uses
    grams: list[str] = []
    sent_len = np.zeros(len(tokens), dtype=np.int64)
    for i, toks in enumerate(tokens):
        g = sentence_model._ngrams_of(toks)
        sent_len[i] = len(g)
        grams.extend(g)
    n_sentence_grams = len(grams)
    cross_len = np.zeros(len(article_slices), dtype=np.int64)
    for a, rows in enumerate(article_slices):
        if top < 2 or rows.stop - rows.start < 2:
            continue
        seq: list[str] = []
        starts: set[int] = set()  # token positions where a sentence after the first begins
        for i in range(rows.start, rows.stop):
            if i > rows.start:
                starts.add(len(seq))
            seq.extend(tokens[i])
        last = len(seq) - 1
        before = len(grams)
        # a bigram (j, j+1) crosses when j+1 starts a sentence; a trigram when j+1 or j+2 does
        for j in sorted(b - 1 for b in starts if 1 <= b <= last):
            grams.append(seq[j] + " " + seq[j + 1])
        if top >= 3:
            for j in sorted({j for b in starts for j in (b - 2, b - 1) if 0 <= j and j + 2 <= last}):
                grams.append(seq[j] + " " + seq[j + 1] + " " + seq[j + 2])
        cross_len[a] = len(grams) - before
    cols = hash_buckets(grams, sentence_model.n_features)
    sent_cols, cross_cols = cols[:n_sentence_grams], cols[n_sentence_grams:]
    sent_dec = sentence_model.decision_from_columns(sent_cols, sent_len)
    # Each article's columns: its sentences' columns, then its crossing n-grams' columns
    # (order does not matter: columns are sorted and counted).
    sent_start = np.concatenate([[0], np.cumsum(sent_len)])
    cross_start = np.concatenate([[0], np.cumsum(cross_len)])
    pieces, art_len = [], np.zeros(len(article_slices), dtype=np.int64)
    for a, rows in enumerate(article_slices):
        own = sent_cols[sent_start[rows.start] : sent_start[rows.stop]]
        extra = cross_cols[cross_start[a] : cross_start[a + 1]]
        pieces.extend((own, extra))
        art_len[a] = len(own) + len(extra)
    art_cols = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    return sent_dec, article_model.decision_from_columns(art_cols, art_len)


def load_predictors(path: str | Path, keys: Sequence[str]) -> dict[str, object]:
    """Predictors for each payload key of a bundle's ``model.skops``.

    Keys ending in ``_text`` are hashed n-gram text models; the others calibrated linear
    models. Raises :class:`UnsupportedBundle` when the file holds anything else.
    """
    with zipfile.ZipFile(path) as zf:
        content = read_bundle(zf)
        if set(content) != set(keys):
            raise UnsupportedBundle("unexpected bundle content")
        return {
            k: HashedTextPredictor(content[k]) if k.endswith("_text") else CalibratedLinearPredictor(content[k])
            for k in keys
        }
