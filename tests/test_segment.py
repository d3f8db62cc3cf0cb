"""segment.py: paragraphs (lines), list items, headings and sentences with character offsets."""

from __future__ import annotations

from typing import Any

import pytest

from breachlens.analysis.segment import paragraphs, segment

ARTICLE = (
    "Harlow Foods confirms cyberattack\n"
    "\n"
    "Harlow Foods said on Monday that hackers stole customer names. Card data was not affected.\n"
    "It follows attacks on other grocers:\n"
    "- Pennick Stores: email addresses were leaked.\n"
    "• Calder Home: the firm lost order histories\n"
    "1. Brisk Mart: no data taken.\n"
)


def test_segment_paragraphs_are_non_empty_lines() -> None:
    paras = paragraphs(ARTICLE)
    assert [ARTICLE[p.start : p.end] for p in paras] == [line for line in ARTICLE.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("line", "is_item", "is_heading"),
    [
        ("Harlow Foods confirms cyberattack", False, True),
        ("## What happened", False, True),
        ("Harlow Foods said on Monday that hackers stole customer names.", False, False),
        ("- Pennick Stores: email addresses were leaked.", True, False),
        ("• Calder Home: the firm lost order histories", True, False),
        ("1. Brisk Mart: no data taken.", True, False),
        ("It follows attacks on other grocers:", False, False),
    ],
)
def test_segment_paragraph_kinds(line: str, is_item: bool, is_heading: bool) -> None:
    (para,) = paragraphs(line)
    assert (para.is_list_item, para.is_heading) == (is_item, is_heading)


def test_segment_paragraph_offsets_skip_indentation() -> None:
    text = "first line.\n   indented line here.\n"
    second = paragraphs(text)[1]
    assert text[second.start : second.end] == "indented line here."


def test_segment_sentences_with_offsets(nlp: Any) -> None:
    seg = segment(ARTICLE, nlp)
    for sent in seg.sentences:
        assert ARTICLE[sent.start : sent.end] == sent.text
        assert sent.text == sent.text.strip()
    texts = [s.text for s in seg.sentences]
    assert "Harlow Foods said on Monday that hackers stole customer names." in texts
    assert "Card data was not affected." in texts


def test_segment_sentences_never_cross_lines(nlp: Any) -> None:
    seg = segment(ARTICLE, nlp)
    assert all("\n" not in s.text for s in seg.sentences)
    assert all(s.paragraph.start <= s.start and s.end <= s.paragraph.end for s in seg.sentences)


def test_segment_hard_wrapped_lines_are_one_paragraph(nlp: Any) -> None:
    text = (
        "That same year saw other hoteliers impacted by payment card breaches and\n"
        "malware attacks, including Harlow Inns, Quillon Hotels and the\n"
        "Pellmore Lodge group.\n"
        "Short heading line\n"
        "- a list item\n"
    )
    seg = segment(text, nlp)
    assert [text[p.start : p.end] for p in seg.paragraphs][1:] == ["Short heading line", "- a list item"]
    assert seg.sentences[0].text == text[: text.index("group.") + 6]


def test_segment_list_items_are_their_own_sentences(nlp: Any) -> None:
    """A short bullet is one sentence: its marker ("1.", "-") is never cut off as a sentence of its own."""
    seg = segment(ARTICLE, nlp)
    items = [s for s in seg.sentences if s.paragraph.is_list_item]
    assert [s.text for s in items] == [
        "- Pennick Stores: email addresses were leaked.",
        "• Calder Home: the firm lost order histories",
        "1. Brisk Mart: no data taken.",
    ]


def test_segment_span_is_parsed(nlp: Any) -> None:
    seg = segment("Quillon was hacked.", nlp)
    (sent,) = seg.sentences
    assert [t.text for t in sent.span] == ["Quillon", "was", "hacked", "."]


def test_segment_max_chars_limits_parsing(nlp: Any) -> None:
    text = "One sentence here.\n" + "Another sentence there.\n" * 5
    seg = segment(text, nlp, max_chars=25)
    assert seg.sentences and all(s.end <= 25 for s in seg.sentences)
    assert seg.sentences[0].text == "One sentence here."


def test_segment_empty_text(nlp: Any) -> None:
    seg = segment("", nlp)
    assert (seg.paragraphs, seg.sentences) == ((), ())


@pytest.mark.parametrize("glyph", ["-", "–", "—", "•", "·", "*", "▪", "■", "►", "1.", "2)", "a)"])
def test_segment_any_bullet_glyph_is_a_list_item(glyph: str) -> None:
    (para,) = paragraphs(f"{glyph} Full names")
    assert para.is_list_item


def test_segment_list_items_know_the_line_that_opens_their_list() -> None:
    text = "The firm wrote on Monday. The stolen data includes:\n– Full names\n– Email addresses\nMore news.\n– Other item"
    lead = [text[p.lead_in[0] : p.lead_in[1]] if p.lead_in else None for p in paragraphs(text)]
    assert lead == [None, "The stolen data includes:", "The stolen data includes:", None, None]


def test_segment_a_line_ending_in_a_semicolon_opens_a_list_too() -> None:
    text = "Forum post. The gang says it hacked these firms;\n• Larkspur Bank\n• Corwen Post"
    lead = [text[p.lead_in[0] : p.lead_in[1]] if p.lead_in else None for p in paragraphs(text)]
    assert lead == [None, "The gang says it hacked these firms;", "The gang says it hacked these firms;"]


def test_segment_lead_in_is_linear_on_long_lines() -> None:
    text = "a" * 200_000 + ":\n- item"
    assert paragraphs(text)[1].lead_in == (0, 200_001)
