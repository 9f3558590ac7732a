"""Precision floor on real human-written English: the documented finding rates must not rise.

docs/recognizers.md documents, over all originals and human translations of the shared
corpora (WMT21-22, HTMT train + dev): 0.67 findings per 1,000 sentences on original English,
2.74 on human translations, 1.94 together, and 1.3% of original articles with any finding.
A change that raises any of these fails here (skips without ../shared/data).
"""

from __future__ import annotations

import pytest

from mtdetect.datasets import read_labelled
from mtdetect.features import analyze
from mtdetect.recognizers import builtin_recognizers

DOCUMENTED = {"original": 0.67, "human_translation": 2.74, "both": 1.94, "original_docs_with_finding": 0.013}


@pytest.mark.shared_data
def test_finding_rates_on_human_text_stay_at_the_documented_figures(shared_data) -> None:
    files = [shared_data / "wmt" / "wmt21.jsonl", shared_data / "wmt" / "wmt22.jsonl",
             shared_data / "htmt" / "htmt_train_documents.jsonl", shared_data / "htmt" / "htmt_dev_documents.jsonl"]
    recs = builtin_recognizers()
    sentences = {"original": 0, "human_translation": 0}
    findings = dict.fromkeys(sentences, 0)
    docs = docs_hit = 0
    for d in read_labelled(files):
        if d.label not in sentences:
            continue
        a = analyze(d.text, recs)
        sentences[d.label] += a.n_sentences
        findings[d.label] += len(a.findings)
        if d.label == "original":
            docs += 1
            docs_hit += bool(a.findings)
    rate = {k: 1000 * findings[k] / sentences[k] for k in sentences}
    rate["both"] = 1000 * sum(findings.values()) / sum(sentences.values())
    for key in ("original", "human_translation", "both"):
        assert rate[key] <= DOCUMENTED[key] + 0.005, f"{key}: {rate[key]:.3f} per 1,000 sentences"
    assert docs_hit / docs <= DOCUMENTED["original_docs_with_finding"] + 0.0005, f"{docs_hit} of {docs}"
