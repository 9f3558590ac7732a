"""The audit's report.html in a real headless browser (Debian's ``chromium``).

Skipped when no Chromium is installed (``.ci/run`` installs it with apt-get when it can).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from mtdetect.audit import AuditConfig, run_audit
from mtdetect.detector import Detector, Prediction, Thresholds

BROWSER = next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no headless Chromium installed")

BAR_RED = (0xB3, 0x26, 0x1E)  # the bar colour of the share-flagged chart


class ByOutletModel:
    """Flags every article of the outlet 'mt-wire.test' and nothing else."""

    model_id = "by-outlet"
    thresholds = Thresholds(low=0.3, high=0.8)

    def predict(self, analyses):
        return [
            Prediction(article_p=0.97 if "Kim Jong one" in a.document.text else 0.05,
                       sentence_p=tuple(0.9 if "Kim Jong one" in s.text else 0.05 for s in a.document.sentences))
            for a in analyses
        ]


def chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           f"--user-data-dir={cwd / 'profile'}", *args]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    data = root / "in.jsonl"
    rows = [
        {"id": f"w{i}", "source": "mt-wire.test", "title": f"Wire {i}",
         "text": "The North Korean leader Kim Jong one received the delegation. Talks went on."}
        for i in range(3)
    ] + [
        {"id": f"h{i}", "source": "local-paper.test", "title": f"Local {i}",
         "text": "The harbour reopened on Sunday after the storm. Ferries ran late."}
        for i in range(4)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = root / "out"
    run_audit([str(data)], AuditConfig(out=out), detector=Detector(ByOutletModel()))
    return out / "report.html"


def test_report_renders_with_its_content(report):
    res = chromium("--dump-dom", report.as_uri(), cwd=report.parent)
    assert res.returncode == 0, res.stderr
    dom = res.stdout
    assert "mtdetect audit report" in dom
    assert "mt-wire.test" in dom and "local-paper.test" in dom
    assert "100.0% of 3" in dom and "0.0% of 4" in dom  # the chart's labels
    assert '<mark class="k-garbled_name"' in dom and "Kim Jong one" in dom
    assert "suggest: Kim Jong Un" in dom


def test_report_screenshot_shows_the_chart(report):
    from PIL import Image

    shot = report.parent / "shot.png"
    res = chromium(f"--screenshot={shot}", "--window-size=1200,1400", report.as_uri(), cwd=report.parent)
    assert shot.exists(), res.stderr
    img = Image.open(shot).convert("RGB")
    assert img.size == (1200, 1400)
    colours = img.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, table and chart, not a blank page
    # The flagged outlet's bar (100% = 560 px wide) is the only long run of bar red:
    # the verdict badges in the same colour are about a hundred pixels wide.
    assert longest_red_run(img) >= 500


def longest_red_run(img) -> int:
    width, height = img.size
    px = img.load()
    best = 0
    for y in range(height):
        run = 0
        for x in range(width):
            if all(abs(a - b) <= 6 for a, b in zip(px[x, y], BAR_RED)):
                run += 1
                best = max(best, run)
            else:
                run = 0
    return best
