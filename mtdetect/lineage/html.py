"""The report's "Syndicated copies" section: clusters, links, aligned sentences side by side.

Self-contained like the rest of report.html: inline style, no script, every piece of
article text escaped. Each article of a cluster has an anchor (``lin-<cluster>-<id>``);
links name their source and copy with in-page links, and point to the article's scored
view (``#a-<id>``) when the report shows it among the flagged articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from .compare import Comparison
from .patch import combine, raises_score

_STYLE = """<style>
.lin{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:12px 16px}
.lin h3{font-size:16px;margin:0 0 6px}.lin h4{font-size:14px;margin:14px 0 6px}
.lin table.al{table-layout:fixed}.lin table.al td{width:50%;font-size:13px}
.lin td.gap{background:#f6f6f6;color:#888}
.rel{display:inline-block;border-radius:4px;padding:1px 6px;font-size:12px;font-weight:600;color:#fff}
.rel-machine_translated_copy{background:#b3261e}.rel-copy{background:#555}.rel-rewrite{background:#2e6bb3}
mark.src{background:#dcecff;border-bottom:2px solid #2e6bb3}
mark.d-wording{background:#fff1c2;border-bottom-color:#a86b00}
mark.d-omission{background:#e0e0e0;border-bottom-color:#555;padding:0 3px}
mark.d-addition{background:#e3f4e3;border-bottom-color:#2e7d32}
</style>"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _anchor(cluster: str, article_id: str) -> str:
    return f"lin-{cluster}-{article_id}"


def marked(text: str, base: int, spans: Sequence[tuple[int, int, str, str]]) -> str:
    """``text`` (starting at offset ``base`` of its article), escaped, with ``spans`` marked.

    ``spans`` are (start, end, css class, hover text) in article offsets; a zero-length
    span (an omission) becomes a small empty mark; overlapping spans keep the first.
    """
    out, pos = [], 0
    for start, end, cls, title in sorted(spans, key=lambda s: (s[0], -s[1])):
        s, e = start - base, end - base
        if s < pos or s < 0 or e > len(text) or e < s:
            continue
        out.append(_e(text[pos:s]))
        inner = _e(text[s:e]) if e > s else "&#8203;∧"
        out.append(f'<mark class="{_e(cls)}" title="{_e(title)}">{inner}</mark>')
        pos = e
    out.append(_e(text[pos:]))
    return "".join(out)


def alignment_rows(comp: Comparison) -> list[tuple[list[int], list[int]]]:
    """Rows of the side-by-side view: (source indices, copy indices) in reading order,
    unaligned sentences on rows of their own."""
    rows: list[tuple[list[int], list[int]]] = []
    i = j = 0
    for p in comp.pairs:
        while i < p.source[0]:
            rows.append(([i], []))
            i += 1
        while j < p.copy[0]:
            rows.append(([], [j]))
            j += 1
        rows.append((list(p.source), list(p.copy)))
        i, j = p.source[-1] + 1, p.copy[-1] + 1
    rows.extend(([k], []) for k in range(i, len(comp.source.sentences)))
    rows.extend(([], [k]) for k in range(j, len(comp.copy.sentences)))
    return rows


def _cell(version, indices: list[int], spans, cls: str = "") -> str:
    if not indices:
        return '<td class="gap">(no counterpart)</td>'
    parts = []
    for k in indices:
        s = version.sentences[k]
        parts.append(f'<span class="p">[{k}]</span> ' + marked(s["text"], s["start"], spans))
    return f"<td{cls}>" + " ".join(parts) + "</td>"


def link_html(cluster: str, comp: Comparison, link: dict[str, Any]) -> str:
    """One link: heading with the relation, then the aligned sentences in rows."""
    src_spans, copy_spans = [], []
    for _, d in comp.differences:
        hover = f"{d.kind}: source {d.source_text!r} -> copy {d.copy_text!r}"
        copy_spans.append((d.copy_start, d.copy_end, f"d-{d.kind}", hover))
        if d.source_start is not None:
            src_spans.append((d.source_start, d.source_end, "src", hover))
    rel = link["relation"]
    head = (f'<h4><span class="rel rel-{_e(rel)}">{_e(rel.replace("_", " "))}</span> '
            f'(confidence {float(link["confidence"]):.2f}): '
            f'<a href="#{_e(_anchor(cluster, comp.copy.id))}">{_e(comp.copy.id)}</a> is a copy of '
            f'<a href="#{_e(_anchor(cluster, comp.source.id))}">{_e(comp.source.id)}</a> · '
            f'{link["aligned_sentences"]} of {link["copy_sentences"]} sentences aligned · '
            f'{len(link["differences"])} differences</h4>')
    rows = [f"<table class=al><thead><tr><th>source {_e(comp.source.id)}</th><th>copy {_e(comp.copy.id)}</th>"
            "</tr></thead><tbody>"]
    for s_idx, c_idx in alignment_rows(comp):
        rows.append("<tr>" + _cell(comp.source, s_idx, src_spans) + _cell(comp.copy, c_idx, copy_spans) + "</tr>")
    rows.append("</tbody></table>")
    return head + "\n" + "\n".join(rows)


def cluster_html(record: dict[str, Any], comps: Sequence[tuple[Comparison, dict]], shown_ids=frozenset()) -> str:
    """One cluster: its articles (anchors, outlets, scores) and each link side by side."""
    cluster = record["cluster"]
    versions = {}
    for comp, _ in comps:
        versions[comp.source.id] = comp.source
        versions[comp.copy.id] = comp.copy
    original = record.get("likely_original")
    # a machine-translated copy's p_mt in articles.jsonl includes its link (see .patch)
    raised = {link["copy"]: float(link["confidence"]) for _, link in comps if raises_score(link)}
    lines = [f'<section class="lin" id="lineage-{_e(cluster)}">',
             f"<h3>Cluster {_e(cluster)}: {len(record['articles'])} versions of one story"
             + (f" · likely original {_e(original)}" if original else " · original not determined") + "</h3>",
             "<ul>"]
    listed = [a for a in record["articles"] if a in versions or a == original]
    listed += [a for a in record["articles"] if a not in versions and a != original][:max(0, 50 - len(listed))]
    for aid in listed:
        v = versions.get(aid)
        bits = [f'<b id="{_e(_anchor(cluster, aid))}">{_e(aid)}</b>']
        if v is not None:
            if v.title:
                bits.append(_e(v.title))
            if v.source:
                bits.append(f"outlet {_e(v.source)}")
            if v.p_mt is not None and aid in raised:
                bits.append(f"p_mt {combine(v.p_mt, raised[aid]):.2f} (text alone {v.p_mt:.2f}, "
                            f"raised by the link)")
            elif v.p_mt is not None:
                bits.append(f"p_mt {v.p_mt:.2f}")
            if v.published:
                bits.append(f"published {_e(v.published)}")
        if aid == original:
            bits.append("<i>likely original</i>")
        if aid in shown_ids:
            bits.append(f'<a href="#a-{_e(aid)}">scored view</a>')
        lines.append("<li>" + " · ".join(bits) + "</li>")
    lines.append("</ul>")
    n_links = len(record.get("links") or ())
    if len(listed) < len(record["articles"]) or len(comps) < n_links:
        lines.append(f'<p class="note">Showing {len(comps)} of {n_links} links and {len(listed)} of '
                     f'{len(record["articles"])} articles; all are in lineage.jsonl.</p>')
    lines.extend(link_html(cluster, comp, link) for comp, link in comps)
    lines.append("</section>")
    return "\n".join(lines)


def section_html(clusters: Sequence[str], summary: dict[str, Any]) -> str:
    """The whole "Syndicated copies" section of report.html."""
    links = summary.get("links") or {}
    head = [_STYLE, '<h2 id="syndicated-copies">Syndicated copies</h2>',
            f'<p class="note">{summary.get("clusters", 0)} clusters of versions of one story '
            f'({summary.get("articles_in_clusters", 0)} articles): '
            f'{links.get("machine_translated_copy", 0)} machine-translated copies, {links.get("copy", 0)} copies, '
            f'{links.get("rewrite", 0)} rewrites. Each copy is shown beside its likely source, aligned sentence by '
            "sentence; differences are highlighted (hover for the kind and the source's wording). "
            "All clusters are in lineage.jsonl.</p>"]
    if summary.get("clusters", 0) > len(clusters):
        head.append(f'<p class="note">Showing {len(clusters)} of {summary["clusters"]} clusters '
                    "(those with machine-translated copies first).</p>")
    if not clusters:
        head.append('<p class="note">No two articles share enough text to be versions of one story.</p>')
    return "\n".join(head + list(clusters))
