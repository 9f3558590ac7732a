"""Self-contained HTML pages: the audit report and per-article views.

The pages load nothing from anywhere: styles are inline, the chart is inline SVG, there is
no script, and a Content-Security-Policy forbids any fetch. Every piece of article text is
HTML-escaped, because audited articles come from the open web.

Flagged spans are ``<mark>`` elements; hovering one shows the recognizer, rule and
explanation (``title``), and the same explanations are listed beside each sentence, so
the page also reads well printed or without a mouse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from .report import message_with_hints

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;font-size:13px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #ddd;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.article{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:12px 16px}
.article h3{font-size:16px;margin:0 0 4px}
.verdict{display:inline-block;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;color:#fff}
.v-machine_translated{background:#b3261e}.v-unsure{background:#a86b00}.v-human{background:#2e7d32}
.sent{margin:8px 0;padding-left:10px;border-left:3px solid #eee}
.sent.hot{border-left-color:#b3261e}
.p{color:#666;font-size:12px;font-variant-numeric:tabular-nums}
mark{background:#ffd9d6;border-bottom:2px solid #b3261e;padding:0 1px;cursor:help}
mark.k-typography{background:#fff1c2;border-bottom-color:#a86b00}
mark.k-calque{background:#e3dcff;border-bottom-color:#5b3cc4}
ul.why{margin:4px 0 0;padding-left:20px;font-size:13px;color:#333}
ul.why code{background:#f3f3f3;padding:0 3px}
.note{color:#555;font-size:13px}
svg text{font:12px system-ui,sans-serif}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def page_head(title: str) -> str:
    """The start of a page, up to the opening of its main content."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body><main>\n"
    )


PAGE_TAIL = "\n</main></body></html>\n"


def page(title: str, body: str) -> str:
    """A complete HTML document around ``body``."""
    return page_head(title) + body + PAGE_TAIL


def explanation_text(f: dict[str, Any]) -> str:
    """One finding's explanation as plain text (the hover text of its mark)."""
    body = message_with_hints(f.get("message"), f.get("suggestion"), f.get("source_lang_hint"))
    return f"{f.get('recognizer')}/{f.get('rule')} (score {float(f.get('score') or 0):.2f}): {body}"


def marked_sentence(sentence: dict[str, Any]) -> str:
    """The sentence's text, escaped, with each finding's span in a ``<mark>``.

    Finding offsets index the article; overlapping spans keep the first (as in text output).
    """
    text = sentence.get("text") or ""
    base = int(sentence.get("start") or 0)
    pieces: list[str] = []
    pos = 0
    for f in sorted(sentence.get("findings") or (), key=lambda f: (f.get("start", 0), -f.get("end", 0))):
        s, e = int(f.get("start", 0)) - base, int(f.get("end", 0)) - base
        if s < pos or s < 0 or e > len(text) or e <= s:
            continue
        pieces.append(_e(text[pos:s]))
        pieces.append(
            f'<mark class="k-{_e(f.get("kind"))}" title="{_e(explanation_text(f))}">{_e(text[s:e])}</mark>'
        )
        pos = e
    pieces.append(_e(text[pos:]))
    return "".join(pieces)


def article_html(rec: dict[str, Any], sentence_threshold: float = 0.5) -> str:
    """One scored article: header, then each sentence with findings or a high ``p_mt``."""
    verdict = rec.get("verdict") or "error"
    title = rec.get("title") or rec.get("id")
    head = [f'<span class="verdict v-{_e(verdict)}">{_e(verdict.replace("_", " "))}</span>',
            f"p_mt {float(rec.get('p_mt') or 0):.2f}"]
    if rec.get("source"):
        head.append(f"outlet {_e(rec['source'])}")
    if rec.get("source_lang_hint"):
        head.append(f"likely source language {_e(rec['source_lang_hint'])}")
    if rec.get("published"):
        head.append(f"published {_e(rec['published'])}")
    lines = [
        f'<section class="article" id="a-{_e(rec.get("id"))}">',
        f"<h3>{_e(title)}</h3>",
        f'<div class="meta">{" · ".join(head)}<br>id {_e(rec.get("id"))}'
        + (f" · {_e(rec['url'])}" if rec.get("url") else "")
        + "</div>",
    ]
    evidence = [e for e in rec.get("evidence") or () if isinstance(e, dict)]
    if evidence:
        lines.append('<details class="evidence"><summary>model evidence (log-odds, + toward machine '
                     "translation)</summary><ul>")
        lines.extend(f"<li>{_e(e.get('message'))}</li>" for e in evidence)
        lines.append("</ul></details>")
    shown = 0
    for s in rec.get("sentences") or ():
        findings = s.get("findings") or ()
        p = float(s.get("p_mt") or 0)
        if not findings and p < sentence_threshold:
            continue
        shown += 1
        hot = " hot" if findings or p >= sentence_threshold else ""
        lines.append(f'<div class="sent{hot}"><span class="p">[{_e(s.get("index"))}] p_mt {p:.2f}</span> '
                     f"{marked_sentence(s)}")
        if findings:
            lines.append('<ul class="why">')
            for f in findings:
                lines.append(f"<li><code>{_e(f.get('text'))}</code> — {_e(explanation_text(f))}</li>")
            lines.append("</ul>")
        lines.append("</div>")
    if not shown:
        lines.append('<p class="note">No single sentence stands out; the article score comes from '
                     "the article as a whole (see the model evidence).</p>")
    lines.append("</section>")
    return "\n".join(lines)


#: Bars of the outlet chart: (row key, label, colour).
_CHART_SERIES = (
    ("est_mt_share", "estimated MT share", "#5b8bd6"),
    ("share_flagged", "share flagged (at the high cut)", "#b3261e"),
)


def _has_estimate(rows: Sequence[dict[str, Any]]) -> bool:
    return any(r.get("est_mt_share") is not None for r in rows)


def share_chart(rows: Sequence[dict[str, Any]], limit: int = 40) -> str:
    """Inline SVG per outlet: the estimated MT share and the share flagged, each a bar with
    its 95% interval as a whisker (the estimate only when the model has a dev reference)."""
    rows = list(rows)[:limit]
    if not rows:
        return '<p class="note">No articles.</p>'
    series = _CHART_SERIES if _has_estimate(rows) else _CHART_SERIES[1:]
    label_w, bar_w, right, bar_h, gap = 230, 560, 250, 9, 3
    row_h = len(series) * (bar_h + gap) + 8
    top = 22
    height = top + row_h * len(rows) + 24
    out = [f'<svg role="img" aria-label="estimated MT share and share flagged per outlet" '
           f'width="{label_w + bar_w + right}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    x = label_w
    for _, label, colour in series:  # legend
        out.append(f'<rect x="{x}" y="4" width="12" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="13" fill="#333">{_e(label)}</text>')
        x += 24 + 7 * len(label)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + tick * bar_w
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="#e5e5e5"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">{int(tick * 100)}%</text>')
    for i, r in enumerate(rows):
        y0 = top + i * row_h + 4
        name = str(r["source"])
        short = name if len(name) <= 32 else name[:31] + "…"
        out.append(f'<text x="{label_w - 8}" y="{y0 + row_h / 2:.1f}" text-anchor="end">{_e(short)}</text>')
        for j, (key, label, colour) in enumerate(series):
            share, lo, hi = r.get(key), r.get(key + "_low"), r.get(key + "_high")
            if share is None:
                continue
            y = y0 + j * (bar_h + gap)
            out.append(f'<rect x="{label_w}" y="{y}" width="{share * bar_w:.1f}" height="{bar_h}" fill="{colour}">'
                       f"<title>{_e(name)}: {_e(label)} {_pct(share)} of {r['articles']} articles "
                       f"(95% interval {_pct(lo)}–{_pct(hi)})</title></rect>")
            cy, x_lo, x_hi = y + bar_h / 2, label_w + lo * bar_w, label_w + hi * bar_w
            # short end caps: the bar's top and bottom rows stay one unbroken colour
            out.append(f'<path d="M{x_lo:.1f} {cy - 2.5:.1f}V{cy + 2.5:.1f}M{x_lo:.1f} {cy:.1f}H{x_hi:.1f}'
                       f'M{x_hi:.1f} {cy - 2.5:.1f}V{cy + 2.5:.1f}" stroke="#222" stroke-width="1.5" fill="none"/>')
        summary = f"flagged {_pct(r['share_flagged'])} of {r['articles']}"
        if r.get("est_mt_share") is not None:
            summary = f"est. {_pct(r['est_mt_share'])} · " + summary
        out.append(f'<text x="{label_w + bar_w + 8}" y="{y0 + row_h / 2:.1f}" fill="#444">{_e(summary)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _share_cell(r: dict[str, Any], key: str) -> str:
    if r.get(key) is None:
        return "<td class=num>-</td>"
    return f"<td class=num>{_pct(r[key])} ({_pct(r[key + '_low'])}–{_pct(r[key + '_high'])})</td>"


def sources_table(rows: Iterable[dict[str, Any]]) -> str:
    """The per-outlet table."""
    head = ("outlet", "articles", "estimated MT share (95% CI)", "flagged", "share flagged (95% CI)", "unsure",
            "mean p_mt", "most frequent artifacts", "likely source languages")
    out = ["<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
    for r in rows:
        out.append(
            "<tr>"
            f"<td>{_e(r['source'])}</td><td class=num>{r['articles']}</td>{_share_cell(r, 'est_mt_share')}"
            f"<td class=num>{r['flagged']}</td>{_share_cell(r, 'share_flagged')}"
            f"<td class=num>{r['unsure']}</td><td class=num>{r['mean_p_mt']:.2f}</td>"
            f"<td>{_e(r['top_artifacts'])}</td><td>{_e(r['source_languages'])}</td>"
            "</tr>"
        )
    out.append("</tbody></table>")
    return "\n".join(out)


def estimate_note(summary: dict[str, Any]) -> str:
    """What the two shares mean, under the chart."""
    lo, hi = summary["share_flagged_95ci"]
    prevalence = summary.get("prevalence") or {}
    flagged = (f"Share flagged overall: {_pct(summary['share_flagged'])} (95% Wilson interval "
               f"{_pct(lo)}–{_pct(hi)}): the articles at or above the high threshold, ")
    on_dev = prevalence.get("flagged_on_dev") or {}
    if "original" in on_dev and "human_translation" in on_dev and "mt" in on_dev:
        flagged += (f"whose article cut flagged {_pct(on_dev['original'])} of the original English articles "
                    f"of the model's dev data, {_pct(on_dev['human_translation'])} of its human translations and "
                    f"{_pct(on_dev['mt'])} of its machine translations. It undercounts machine translation, and "
                    "it flags an outlet of human translations more often than one of original English.")
    else:
        flagged += ("which about 1% of original English articles reach and only a minority of "
                    "machine-translated ones do, so it undercounts machine translation.")
    if summary.get("est_mt_share") is None:
        return f'<p class="note">{_e(flagged)} {_e(prevalence.get("note") or "")}</p>'
    elo, ehi = summary.get("est_mt_share_95ci") or (None, None)
    est = (f"Estimated MT share overall: {_pct(summary['est_mt_share'])} (95% interval {_pct(elo)}–{_pct(ehi)}), "
           f"by {prevalence.get('method_name', prevalence.get('method'))}: the mean p_mt corrected for the "
           "model's error rates on dev articles (docs/model.md, \"MT share per outlet\"). ")
    kind = prevalence.get("human_reference", "mixed")
    if kind == "mixed":
        est += ("It assumes an outlet's human-written articles score like the dev mix of original English and "
                "human translations: an outlet of original English only is underestimated, one of human "
                "translations overestimated.")
    else:
        from .prevalence import HUMAN_REFERENCE_MEANING, HUMAN_REFERENCE_NAMES

        est += (f"It corrects against {HUMAN_REFERENCE_NAMES.get(kind, kind)} (--human-reference {kind}): "
                f"{HUMAN_REFERENCE_MEANING.get(kind, '')}.")
    return f'<p class="note">{_e(est)}</p>\n<p class="note">{_e(flagged)}</p>'


def render_audit_html(
    summary: dict[str, Any],
    source_rows: Sequence[dict[str, Any]],
    flagged: Sequence[dict[str, Any]],
    errors: Sequence[dict[str, Any]],
    lineage_html: str | None = None,
) -> str:
    """The audit's ``report.html`` (``lineage_html``: the "Syndicated copies" section, if any)."""
    n, n_flag = summary["articles"], summary["verdicts"]["machine_translated"]
    th = summary.get("thresholds") or {}
    cards = [
        ("articles", n), ("flagged machine-translated", n_flag),
        *([("estimated MT share", _pct(summary["est_mt_share"]))] if summary.get("est_mt_share") is not None else []),
        ("share flagged", f"{_pct(summary['share_flagged'])}"), ("unsure", summary["verdicts"]["unsure"]),
        ("outlets", summary["sources"]), ("input errors", summary["errors"]), ("duplicate ids", summary["duplicates"]),
    ]
    body = [
        "<h1>mtdetect audit report</h1>",
        f'<div class="meta">model {_e(summary.get("model"))}'
        + (f" · flagged when p_mt ≥ {th['high']:.3f}, unsure from {th['low']:.3f}" if th else "")
        + (f" (texts under {th['short']['max_words']} words: ≥ {th['short']['high']:.3f}, unsure from "
           f"{th['short']['low']:.3f})" if th.get("short") else "")
        + f" · mtdetect {_e(summary.get('mtdetect_version'))}</div>",
        '<div class="cards">' + "".join(f"<div class=card><b>{_e(v)}</b>{_e(k)}</div>" for k, v in cards) + "</div>",
        "<h2>MT share per outlet</h2>",
        share_chart(source_rows),
        estimate_note(summary),
    ]
    if len(source_rows) > 40:
        body.append(f'<p class="note">Chart shows the first 40 of {len(source_rows)} outlets; the table lists all.</p>')
    body += ["<h2>Outlets</h2>", sources_table(source_rows), "<h2>Flagged articles</h2>"]
    if flagged:
        if n_flag > len(flagged):
            body.append(f'<p class="note">Showing the {len(flagged)} highest-scoring of {n_flag} flagged articles; '
                        "all are in articles.jsonl.</p>")
        body.append('<p class="note">Highlighted spans are findings: hover for the recognizer and explanation, '
                    "or read the list under each sentence.</p>")
        body.extend(article_html(rec) for rec in flagged)
    else:
        body.append('<p class="note">No article was flagged as machine-translated.</p>')
    if lineage_html:
        body.append(lineage_html)
    if errors:
        body.append("<h2>Input errors</h2>")
        if summary["errors"] > len(errors):
            body.append(f'<p class="note">First {len(errors)} of {summary["errors"]}; all are in errors.jsonl.</p>')
        body.append("<table><thead><tr><th>input</th><th>line</th><th>reason</th></tr></thead><tbody>")
        for e in errors:
            body.append(f"<tr><td>{_e(e.get('input'))}</td><td class=num>{_e(e.get('line') or '')}</td>"
                        f"<td>{_e(e.get('reason'))}</td></tr>")
        body.append("</tbody></table>")
    return page("mtdetect audit report", "\n".join(body))


def error_html(rec: dict[str, Any]) -> str:
    """An article that could not be scored."""
    return (f'<section class="article"><h3>{_e(rec.get("path") or rec.get("id"))}</h3>'
            f'<p class="note">error: {_e(rec.get("error"))}</p></section>')
