"""Labelled excerpts: slices of the original text that keep their document's label and group."""

from __future__ import annotations

from mtdetect.datasets import LabelledDoc, excerpt, lead_excerpts, random_excerpts

TEXT = "First one here.  Second  one follows. Third is short. Fourth ends it."


def doc(text: str = TEXT, **kw) -> LabelledDoc:
    return LabelledDoc(id="d1", text=text, label="mt", group="g1", corpus="c", system="sys", src_lang="de", **kw)


def test_excerpt_is_a_slice_of_the_original_text_spacing_kept():
    e = excerpt(doc(), 1, 2, "x")
    assert e.text == "Second  one follows. Third is short."
    assert (e.label, e.group, e.system, e.src_lang, e.id) == ("mt", "g1", "sys", "de", "d1#x")
    assert e.extra["excerpt_of"] == "d1"


def test_excerpt_past_the_end_is_none():
    assert excerpt(doc(), 3, 2, "x") is None


def test_lead_excerpts_skip_documents_too_short():
    leads = lead_excerpts([doc(), doc("Only one sentence.")], 3)
    assert [e.text for e in leads] == ["First one here.  Second  one follows. Third is short."]


def test_random_excerpts_are_shorter_than_their_document_and_reproducible():
    docs = [doc(" ".join(f"Sentence number {i} of {j}." for i in range(10))) for j in range(20)]
    a = random_excerpts(docs, sizes=(2, 3, 4), min_sentences=8, seed=1)
    b = random_excerpts(docs, sizes=(2, 3, 4), min_sentences=8, seed=1)
    assert [e.text for e in a] == [e.text for e in b]
    assert len(a) == 20
    assert all(e.text in d.text and e.text.count(".") in (2, 3, 4) for e, d in zip(a, docs))
