"""Rendering ArticleReports: text and html (for people), json, jsonl and csv (for programs).

Every writer streams: reports are written as they arrive, so a long batch shows output
early and memory stays flat.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from .types import ArticleReport, Finding, SentenceScore, Verdict

FORMATS = ("text", "json", "jsonl", "csv", "html")

CSV_COLUMNS = (
    "id", "path", "source", "url", "title", "p_mt", "verdict", "source_lang_hint",
    "n_sentences", "n_findings", "top_finding", "error",
)

_VERDICT_STYLE = {
    Verdict.MACHINE_TRANSLATED: ("MACHINE-TRANSLATED", "bold red"),
    Verdict.UNSURE: ("UNSURE", "bold yellow"),
    Verdict.HUMAN: ("HUMAN", "bold green"),
}


def top_finding_of(findings: Iterable[dict]) -> str:
    """``kind: "text"`` of the strongest finding (as JSON dicts), or empty."""
    best = max(findings, key=lambda f: f.get("score") or 0.0, default=None)
    return "" if best is None else f'{best.get("kind")}: "{best.get("text")}"'


def top_finding(report: ArticleReport) -> str:
    """``kind: "text"`` of the strongest finding, or empty."""
    return top_finding_of(f.to_dict() for f in report.findings)


def csv_row(report: ArticleReport) -> dict[str, object]:
    """The flat CSV row of one report."""
    return {
        "id": report.id,
        "path": report.path or "",
        "source": report.source or "",
        "url": report.url or "",
        "title": report.title or "",
        "p_mt": "" if report.p_mt is None else f"{report.p_mt:.4f}",
        "verdict": report.verdict.value if report.verdict else "",
        "source_lang_hint": report.source_lang_hint or "",
        "n_sentences": len(report.sentences),
        "n_findings": len(report.findings),
        "top_finding": top_finding(report),
        "error": report.error or "",
    }


def mark_spans(sentence: SentenceScore, markup: bool) -> str:
    """The sentence with each finding's span bracketed (``[[...]]``) or styled for rich."""
    text = sentence.text
    pieces: list[str] = []
    pos = 0
    for f in sorted(sentence.findings, key=lambda x: (x.start, -x.end)):
        s, e = f.start - sentence.start, f.end - sentence.start
        if s < pos:  # overlapping spans: the first one wins the marking
            continue
        pieces.append(_esc(text[pos:s], markup))
        inner = _esc(text[s:e], markup)
        pieces.append(f"[bold red underline]{inner}[/]" if markup else f"[[{inner}]]")
        pos = e
    pieces.append(_esc(text[pos:], markup))
    return "".join(pieces)


def _esc(s: str, markup: bool) -> str:
    if not markup:
        return s
    from rich.markup import escape

    return escape(s)


def message_with_hints(message: str | None, suggestion: str | None, source_lang: str | None) -> str:
    """A finding's message followed by its suggestion and source-language hint, if any."""
    extra = []
    if suggestion:
        extra.append(f"suggest: {suggestion}")
    if source_lang:
        extra.append(f"source language: {source_lang}")
    return f"{message}" + (f" ({'; '.join(extra)})" if extra else "")


def _explain_line(f: Finding, markup: bool) -> str:
    head = f'{f.recognizer}/{f.rule} "{f.text}" {f.score:.2f}'
    body = message_with_hints(f.message, f.suggestion, f.source_lang_hint)
    return f"      - {_esc(head, markup)}: {_esc(body, markup)}"


def render_text(report: ArticleReport, *, explain: bool = True, markup: bool = False,
                sentence_threshold: float = 0.5) -> str:
    """A human-readable block for one article."""
    name = report.path or report.id
    if report.error:
        line = f"ERROR {name}: {report.error}"
        return f"[bold red]{_esc(line, True)}[/]" if markup else line
    label, style = _VERDICT_STYLE[report.verdict] if report.verdict else ("?", "")
    head = f"{label}  p_mt={report.p_mt:.2f}  {name}"
    if report.title:
        head += f"  “{report.title}”"
    if report.source_lang_hint:
        head += f"  likely source language: {report.source_lang_hint}"
    lines = [f"[{style}]{_esc(head, True)}[/]" if markup else head]
    lines.append(
        f"  {len(report.sentences)} sentences, {len(report.findings)} findings, model {report.model_id}"
    )
    if explain and report.evidence:
        from .evidence import evidence_line

        why = f"  model evidence (log-odds, + toward MT): {evidence_line(report.evidence)}"
        lines.append(_esc(why, True) if markup else why)
    for s in report.sentences:
        if not s.findings and s.p_mt < sentence_threshold:
            continue
        lines.append(f"  [{s.index}] p_mt={s.p_mt:.2f}  {mark_spans(s, markup)}")
        if explain:
            lines.extend(_explain_line(f, markup) for f in s.findings)
    return "\n".join(lines)


def write_reports(reports: Iterable[ArticleReport], fmt: str, out: TextIO, *, explain: bool = True,
                  markup: bool = False) -> Iterator[ArticleReport]:
    """Write each report to ``out`` in ``fmt`` as it arrives; yields the reports back."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    writer = None
    first = True
    if fmt == "json":
        out.write("[")
    elif fmt == "html":
        from .html_report import page_head

        out.write(page_head("mtdetect scores") + "<h1>mtdetect scores</h1>\n")
    for rep in reports:
        if fmt == "jsonl":
            out.write(json.dumps(rep.to_dict(explain), ensure_ascii=False) + "\n")
        elif fmt == "json":
            out.write(("\n" if first else ",\n") + json.dumps(rep.to_dict(explain), ensure_ascii=False, indent=2))
        elif fmt == "html":
            from .html_report import article_html, error_html

            rec = rep.to_dict(explain)
            out.write((error_html(rec) if rep.error else article_html(rec)) + "\n")
        elif fmt == "csv":
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
                writer.writeheader()
            writer.writerow(csv_row(rep))
        else:
            if markup:
                from rich.console import Console

                Console(file=out, highlight=False, soft_wrap=True).print(
                    render_text(rep, explain=explain, markup=True) + "\n"
                )
            else:
                out.write(render_text(rep, explain=explain) + "\n\n")
        first = False
        out.flush()
        yield rep
    if fmt == "json":
        out.write("\n]\n")
    elif fmt == "html":
        from .html_report import PAGE_TAIL

        out.write(PAGE_TAIL)
