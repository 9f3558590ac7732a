"""`mtdetect evaluate --plots`: ROC and calibration PNGs per level."""

from __future__ import annotations

import numpy as np

from mtdetect.datasets import LabelledDoc
from mtdetect.evaluate import save_plots, scored_articles


def test_save_plots_writes_one_png_per_level(tmp_path):
    rng = np.random.default_rng(0)
    labels = ["original", "mt", "human_translation", "roundtrip_mt"] * 25
    docs = [LabelledDoc(id=str(i), text="a b c", label=lab, group=str(i), corpus="c") for i, lab in enumerate(labels)]
    p = np.clip(np.array([d.y for d in docs]) * 0.4 + rng.random(len(docs)) * 0.6, 0, 1)
    s = scored_articles(docs, p)
    paths = save_plots(s, s, tmp_path)
    assert sorted(x.name for x in paths) == sorted({x.name for x in paths})
    assert len(paths) == 2
    for x in paths:
        assert x.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and x.stat().st_size > 10_000
