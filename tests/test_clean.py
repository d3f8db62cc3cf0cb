"""Tests for breachlens.analysis.clean: decoding, HTML main text, plain-text chrome removal with offsets."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from breachlens.analysis import clean as clean_module
from breachlens.analysis.clean import clean, decode, strip_chrome
from breachlens.errors import DecodeError, SourceError
from breachlens.records import CleanDocument, RawDocument
from breachlens.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "clean"
SETTINGS = Settings.load()
TEXT_FIXTURES = ["blog_copy.txt", "blog_copy.md", "plain_article.txt"]


def _raw(data: bytes | str, kind: str = "text", source: str = "input.txt") -> RawDocument:
    """A RawDocument as acquire would make it."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return RawDocument(source=source, data=payload, sha256=hashlib.sha256(payload).hexdigest(), kind=kind)


def _fixture(name: str) -> CleanDocument:
    """Clean one fixture file."""
    path = FIXTURES / name
    kind = "html" if path.suffix == ".html" else "text"
    return clean(_raw(path.read_bytes(), kind, str(path)), SETTINGS)


def _dropped(doc: CleanDocument) -> list[tuple[str, str]]:
    """(reason, text) of every dropped span."""
    return [(span.reason, span.text) for span in doc.dropped]


# --- chrome in plain text -----------------------------------------------------------------------------------


def test_clean_blog_copy_drops_exactly_the_chrome() -> None:
    doc = _fixture("blog_copy.txt")
    assert _dropped(doc) == [
        ("sidebar", "Search This Blog\n\nPowered by Blogger.\n\nBlog Archive\n\nLabels\n\nAbout Me"),
        ("advert", "Advertisement"),
        (
            "advert",
            "Keep your backups safe without breaking the budgetStorvik Vault protects every file you own.",
        ),
        ("share bar", "Share it:"),
        ("tag list", "Data Breach\n\nHealthcare\n\nNorvale\n\nRetail Security"),
        (
            "comment section",
            "3 Comments\n\n  1. Mira said: Terrible news, I got the letter yesterday.\n\n"
            "  2. Tomas said: Same here. Has anyone heard from the regulator?\n\nLeave a Reply\n\n"
            "Your email address will not be published.\n\n*",
        ),
    ]


def test_clean_markdown_drops_exactly_the_chrome() -> None:
    doc = _fixture("blog_copy.md")
    assert _dropped(doc) == [
        ("navigation", "Home | News | Security | Contact"),
        ("byline", "By Dana Whitlock | April 3, 2025"),
        (
            "share bar",
            "[Share on Twitter](https://example.invalid/share) "
            "[Share on Facebook](https://example.invalid/fb)",
        ),
        ("advert", "Sponsored"),
        (
            "author bio",
            "## About the author\n\nDana Whitlock covers game studios and online safety for this site. "
            "She previously edited a hardware magazine.",
        ),
        (
            "related links",
            "## Related posts\n\n- [Five tips for stronger passwords](https://example.invalid/a)\n"
            "- [Our favourite indie releases this spring](https://example.invalid/b)",
        ),
        ("newsletter", "Subscribe to our newsletter for weekly security updates."),
        ("footer", "© 2025 Example Gaming Weekly. All rights reserved."),
    ]


def test_clean_blog_copy_keeps_article_verbatim() -> None:
    doc = _fixture("blog_copy.txt")
    assert doc.text == (
        "Norvale Pharmacy Chain Confirms Customer Data Leak\n"
        "Published: 14 March 2025\n\n"
        "Norvale Pharmacy said on Friday that an intruder copied names, postal addresses and prescription "
        "histories of about 48,000 loyalty-card members from a marketing database.\n\n"
        "The company said payment card numbers were not stored in the affected system and that it had "
        "informed the national data-protection regulator.\n\n"
        "What customers should do\n"
        "  • Watch for letters or calls that claim to come from the pharmacy and ask for account details.\n"
        "  • Change the loyalty-card PIN if it is reused on any other site.\n\n"
        "A spokesperson added that the investigation, run with an outside forensics firm, was still "
        "under way."
    )


@pytest.mark.parametrize(
    "kept",
    [
        "# Quillmere Games forum exposes 310,000 accounts",
        "Quillmere Games has taken its community forum offline after a researcher found a database backup "
        "with **310,000 user records** on an open storage bucket.",
        "## What was exposed\n\n- Usernames and email addresses were in the backup.\n"
        "- Passwords were stored as salted bcrypt hashes, the company said.",
        "The studio said it had reset every forum password and notified the affected players by email.",
    ],
)
def test_clean_markdown_keeps_headings_and_list_items(kept: str) -> None:
    assert kept in _fixture("blog_copy.md").text


@pytest.mark.parametrize("name", TEXT_FIXTURES)
def test_clean_text_lines_and_spans_point_into_raw_text(name: str) -> None:
    doc = _fixture(name)
    raw = (FIXTURES / name).read_text(encoding="utf-8")
    assert doc.raw_text == raw
    for line in doc.text.split("\n"):
        assert line in raw
    for span in doc.dropped:
        assert raw[span.start : span.end] == span.text
    assert "\n\n\n" not in doc.text and doc.text == doc.text.strip()


def test_clean_article_without_chrome_drops_nothing() -> None:
    doc = _fixture("plain_article.txt")
    assert doc.dropped == ()
    assert doc.text == doc.raw_text.strip()


@pytest.mark.parametrize(
    ("name", "title", "published"),
    [
        ("blog_copy.txt", "Norvale Pharmacy Chain Confirms Customer Data Leak", "2025-03-14"),
        ("blog_copy.md", "Quillmere Games forum exposes 310,000 accounts", None),
        ("plain_article.txt", "Harrowgate Credit Union data breach", None),
        ("page.html", "Pellworth Hotels reports breach of guest records", "2025-02-18"),
    ],
)
def test_clean_title_and_published(name: str, title: str, published: str | None) -> None:
    doc = _fixture(name)
    assert (doc.title, doc.published) == (title, published)


ARTICLE = "Acme Retail said on Monday that attackers copied the names and email addresses of its customers."


@pytest.mark.parametrize(
    ("chrome", "reason"),
    [
        ("Skip to main content", "navigation"),
        ("Home » Blog » Data breaches", "navigation"),
        ("Share this:", "share bar"),
        ("Tweet", "share bar"),
        ("Facebook", "share bar"),
        ("Advertisement", "advert"),
        ("SPONSORED CONTENT", "advert"),
        ("Back up every laptop in your office for one low priceVaultly keeps copies in 3 regions.", "advert"),
        ("Posted by Ferris Quade at 10:42 AM", "sidebar"),
        ("Newer Post Older Post Home", "sidebar"),
        ("Written by Ferris Quade", "byline"),
        ("5 min read", "byline"),
        ("Read more: Five lessons from last year's retail breaches", "related links"),
        ("Sign up for our free weekly newsletter", "newsletter"),
        ("Get the top security stories delivered straight to your inbox.", "newsletter"),
        ("Copyright 2025 Example Media Ltd.", "footer"),
        ("This site uses cookies to improve your experience.", "footer"),
    ],
)
def test_clean_drops_chrome_line(chrome: str, reason: str) -> None:
    doc = clean(_raw(f"{ARTICLE}\n\n{chrome}\n\n{ARTICLE}\n"), SETTINGS)
    assert _dropped(doc) == [(reason, chrome)]
    assert doc.text == f"{ARTICLE}\n\n{ARTICLE}"


@pytest.mark.parametrize(
    "line",
    [
        "Customers can subscribe to a free credit-monitoring service the company is offering.",
        "By contrast, the regulator said it had not yet opened an inquiry into the incident.",
        "The script calls getElementById to read the card form.",
        "Users of the macOS app were asked to update it.",
        "A myLoyalty account was not affected, the company said.",
        "The attackers posted a sample of the data on a leak site.",
        "Share prices fell by 4% after the disclosure, a spokesperson for the exchange said.",
        "What happened",
        "  • Names and email addresses of customers were exposed.",
    ],
)
def test_clean_keeps_article_lines_that_resemble_chrome(line: str) -> None:
    doc = clean(_raw(f"{ARTICLE}\n\n{line}\n\n{ARTICLE}\n"), SETTINGS)
    assert doc.dropped == ()


@pytest.mark.parametrize(
    "ending",
    [
        "Exposed data:\nNames\nEmail addresses\nPhone numbers",
        "- Names\n- Email addresses\n- Phone numbers",
        "Signed,\nThe Security Team",
        "Contact the helpline",
    ],
)
def test_clean_keeps_short_lines_that_are_not_a_tag_list(ending: str) -> None:
    doc = clean(_raw(f"{ARTICLE}\n\n{ending}\n"), SETTINGS)
    assert doc.dropped == ()


def test_clean_comment_count_before_article_drops_only_that_line() -> None:
    doc = clean(_raw(f"Acme breach explained\n12 Comments\n\n{ARTICLE}\n\n{ARTICLE}\n"), SETTINGS)
    assert _dropped(doc) == [("comment section", "12 Comments")]
    assert doc.text == f"Acme breach explained\n\n{ARTICLE}\n\n{ARTICLE}"


def test_clean_headline_brand_in_camel_case_is_kept() -> None:
    doc = clean(_raw(f"toolkitZen data breach\n\n{ARTICLE}\n"), SETTINGS)
    assert doc.dropped == () and doc.title == "toolkitZen data breach"


def test_clean_camel_case_brand_used_again_is_no_glued_advert() -> None:
    lead = "Four million flyQuill passengers had their booking details accessed, the airline said."
    doc = clean(_raw(f"{lead}\n\nThe flyQuill chief executive apologised.\n\n{ARTICLE}\n"), SETTINGS)
    assert doc.dropped == () and doc.text.startswith(lead)


@pytest.mark.parametrize(
    ("head", "published"),
    [
        ("Published: 2 June 2025", "2025-06-02"),
        ("June 2, 2025", "2025-06-02"),
        ("Posted on Monday, June 2nd, 2025 at 9:15 am", "2025-06-02"),
        ("Updated 2025-06-02 14:03", "2025-06-02"),
        ("Published: 31 February 2025", None),
        ("The breach was found on June 2, 2025.", None),
    ],
)
def test_clean_published_from_dateline(head: str, published: str | None) -> None:
    doc = clean(_raw(f"Acme confirms breach\n{head}\n\n{ARTICLE}\n"), SETTINGS)
    assert doc.published == published


def test_clean_only_chrome_is_an_error() -> None:
    with pytest.raises(SourceError) as caught:
        clean(_raw("Search This Blog\n\nAdvertisement\n\nShare it:\n", source="chrome.txt"), SETTINGS)
    assert str(caught.value) == "chrome.txt: no main text left after removing page chrome"


def test_clean_strip_chrome_returns_text_and_spans() -> None:
    text, dropped = strip_chrome(f"Tweet\n{ARTICLE}\n")
    assert text == ARTICLE
    assert [(d.start, d.end, d.text, d.reason) for d in dropped] == [(0, 5, "Tweet", "share bar")]


@pytest.mark.parametrize(
    "data",
    [
        {"lines": [{"reason": "sidebar", "exact": [], "patterns": []}]},
        {"lines": [{"exact": ["search"]}]},
        {"sections": [{"reason": "comments", "extent": "somewhere", "exact": ["comments"]}]},
    ],
)
def test_clean_chrome_rules_refuse_empty_or_unknown_groups(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        clean_module._parse_chrome(data)


def test_clean_packaged_chrome_rules_load() -> None:
    chrome = clean_module._chrome()
    assert {rule.reason for rule in chrome.sections} >= {"comment section", "author bio", "related links"}
    assert all(rule.exact or rule.patterns for rule in chrome.lines + chrome.sections)


# --- HTML ---------------------------------------------------------------------------------------------------


def test_clean_html_page_keeps_article_only() -> None:
    doc = _fixture("page.html")
    assert doc.text.startswith("Pellworth Hotels reports breach of guest records\n\n")
    assert "roughly 95,000 guests, including names, phone numbers and stay dates" in doc.text
    assert doc.text.endswith("had since closed the flaw that let the intruders in.")
    markers = ["SCRIPT-MUST-NOT-APPEAR", "secret-style-rule", "COMMENT-MUST-NOT-APPEAR", "Technology", "©"]
    for absent in markers:
        assert absent not in doc.text
    assert doc.raw_text.startswith("<!DOCTYPE html>")


def test_clean_malformed_html_still_gives_text() -> None:
    doc = _fixture("malformed.html")
    assert "Brenwick Logistics said hackers reached its depot scheduling systems on Tuesday" in doc.text
    assert "SCRIPT-MUST-NOT-APPEAR" not in doc.text


@pytest.mark.parametrize(
    "html",
    [
        (FIXTURES / "garbage.html").read_text(encoding="utf-8"),
        "<html><head><script>var a = 'only script';</script><style>p {}</style></head><body></body></html>",
        "<?xml version='1.0' encoding='utf-8'?><html><body><div></div></body></html>",
    ],
)
def test_clean_html_without_text_is_a_clear_error(html: str) -> None:
    with pytest.raises(SourceError) as caught:
        clean(_raw(html, "html", "page.html"), SETTINGS)
    assert str(caught.value) == "page.html: no main text found in HTML"


def test_clean_html_falls_back_to_lxml_when_extraction_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clean_module.trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    html = (
        "<html><head><title>Note</title><style>.x{}</style></head><body><nav>Home</nav>"
        f"<p>{ARTICLE}</p><script>track()</script><div>Second <b>block</b></div></body></html>"
    )
    doc = clean(_raw(html, "html", "page.html"), SETTINGS)
    assert doc.text == f"{ARTICLE}\n\nSecond block"


def test_clean_html_survives_extractor_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(clean_module.trafilatura, "bare_extraction", crash)
    doc = clean(_raw(f"<html><body><p>{ARTICLE}</p></body></html>", "html", "page.html"), SETTINGS)
    assert doc.text == ARTICLE


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ('<meta property="og:title" content="Acme confirms breach"><title>Acme | Daily Ledger</title>',
         "Acme confirms breach"),
        ("<title>Acme confirms breach | Daily Ledger</title>", "Acme confirms breach"),
        ("<title>Acme confirms breach - The Daily Ledger</title>", "Acme confirms breach"),
        ("<title>Acme confirms breach - what customers should do next</title>",
         "Acme confirms breach - what customers should do next"),
    ],
)
def test_clean_html_title(head: str, title: str) -> None:
    html = f"<html><head>{head}</head><body><article><p>{ARTICLE}</p><p>{ARTICLE}</p></article></body></html>"
    assert clean(_raw(html, "html", "page.html"), SETTINGS).title == title


# --- decoding -----------------------------------------------------------------------------------------------

WESTERN = (
    "Le café Brückner a confirmé que les données de 4 200 clients ont été volées — noms, adresses. "
    "« Nous regrettons », a déclaré la société zurichoise Smørrebrød AG.\n"
)
LATIN1 = "Die Straße in München: 4.000 Kunden betroffen, sagte die Geschäftsführung. Gebühr: £100.\n"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (WESTERN.encode("cp1252"), WESTERN),
        (LATIN1.encode("latin-1"), LATIN1),
        (WESTERN.encode("utf-8"), WESTERN),
        (b"\xef\xbb\xbf" + WESTERN.encode("utf-8"), WESTERN),
        (WESTERN.encode("utf-16"), WESTERN),
        (b"Line one.\r\nLine two.\rLine three.\n", "Line one.\nLine two.\nLine three.\n"),
    ],
)
def test_clean_decodes_text(data: bytes, text: str) -> None:
    assert decode(data, "input.txt") == text


def test_clean_decodes_declared_html_charset() -> None:
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{LATIN1}</p></body></html>'
    assert decode(html.encode("latin-1"), "page.html", "html") == html


def test_clean_non_utf8_article_keeps_offsets_into_decoded_text() -> None:
    data = f"Smørrebrød AG data breach\n\nSponsored\n\n{WESTERN}".encode("cp1252")
    doc = clean(_raw(data), SETTINGS)
    assert doc.text == f"Smørrebrød AG data breach\n\n{WESTERN.strip()}"
    assert [(d.start, d.end, d.reason) for d in doc.dropped] == [(27, 36, "advert")]
    assert doc.raw_text[27:36] == "Sponsored"


def _random_bytes(size: int, low: int, high: int) -> bytes:
    """Deterministic pseudo-random bytes in [low, high]."""
    rng = random.Random(7)
    return bytes(rng.randint(low, high) for _ in range(size))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        _random_bytes(4000, 1, 255),
        _random_bytes(4000, 128, 255),
        b"Acme" + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20 + b" breach",
        b"\xef\xbb\xbf" + b"\xff\xfe\xfd binary after a UTF-8 mark",
    ],
)
def test_clean_refuses_binary_data(data: bytes) -> None:
    with pytest.raises(DecodeError) as caught:
        clean(_raw(data, source="junk.txt"), SETTINGS)
    assert str(caught.value).startswith("junk.txt: ")
    assert "\n" not in str(caught.value)
