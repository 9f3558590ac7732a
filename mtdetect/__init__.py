"""mtdetect: find machine-translated (and back-translated) text in English news.

Public API::

    from mtdetect import Detector
    report = Detector.load().score("Mr. XI met Kim Jong one at the top of the SCO.")
    report.verdict, report.p_mt, report.findings
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Detector", "ArticleReport", "Finding", "Verdict", "__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from .detector import Detector
    from .types import ArticleReport, Finding, Verdict


def __getattr__(name: str) -> Any:
    # Lazy: `import mtdetect` must stay cheap (cold start of the CLI).
    if name == "Detector":
        from .detector import Detector

        return Detector
    if name in {"ArticleReport", "Finding", "Verdict"}:
        from . import types

        return getattr(types, name)
    raise AttributeError(f"module 'mtdetect' has no attribute {name!r}")
