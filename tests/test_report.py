"""report.py: every line cited, honest gaps, modality in words, conflicts, escaping, labels.

The incident is invented: Fennick Outfitters, read from two invented sources (a news outlet quoting the
company, and a leak-watch site quoting the attacker) plus a near-duplicate copy of the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from breachlens import vocab
from breachlens.delivery.report import (
    DATA_TYPE_LABELS,
    MODALITY_WORDS,
    NOT_REPORTED,
    RANSOM_LABELS,
    RESPONSE_LABELS,
    SECTOR_LABELS,
    TIMELINE_LABELS,
    VECTOR_LABELS,
    build_report,
    render_html,
    render_json,
    render_markdown,
)
from breachlens.records import (
    Conflict,
    DocumentAnalysis,
    Evidence,
    Fact,
    Incident,
    MergedIncident,
    TimelineEvent,
)

SRC_A = "https://news.example/fennick-breach"
SRC_B = "leaks-weekly.example/grimwald"
SRC_C = "https://copy.example/fennick"
TEXT_A = (
    "Fennick Outfitters, the British outdoor clothing retailer, confirmed on 3 March 2025 that hackers stole "
    "customer data. The company said names, email addresses and phone numbers of 48,000 customers were "
    "taken. "
    "No payment card details were accessed, Fennick Outfitters said. "
    "The intruders called the IT help desk pretending to be an employee. "
    "Fennick has informed the police and the Information Commissioner's Office."
)
TEXT_B = (
    "The Grimwald gang says it holds 1.2 million Fennick records and has demanded a ransom. "
    "Grimwald posted a sample naming <script>alert(1)</script> and <img src=x onerror=alert(2)> on its "
    "leak site. "
    "Postal addresses were also in the sample, the outlet reported. "
    "The leak site was hosted at 198.51.100.23."
)
TEXTS = {SRC_A: TEXT_A, SRC_B: TEXT_B, SRC_C: TEXT_A}


def ev(source: str, quote: str) -> Evidence:
    """Evidence for a quote of one of the invented documents, with its real offsets."""
    start = TEXTS[source].index(quote)
    return Evidence(source, quote, start, start + len(quote))


OPENING = ev(SRC_A, "Fennick Outfitters, the British outdoor clothing retailer, confirmed on 3 March 2025 "
                    "that hackers stole customer data.")
DATA = ev(SRC_A, "The company said names, email addresses and phone numbers of 48,000 customers were taken.")
NO_CARD = ev(SRC_A, "No payment card details were accessed, Fennick Outfitters said.")
HELP_DESK = ev(SRC_A, "The intruders called the IT help desk pretending to be an employee.")
POLICE = ev(SRC_A, "Fennick has informed the police and the Information Commissioner's Office.")
CLAIM = ev(SRC_B, "The Grimwald gang says it holds 1.2 million Fennick records and has demanded a ransom.")
HOSTILE = ev(SRC_B, "Grimwald posted a sample naming <script>alert(1)</script> and "
                    "<img src=x onerror=alert(2)> on its leak site.")
POSTAL = ev(SRC_B, "Postal addresses were also in the sample, the outlet reported.")
IOC = ev(SRC_B, "The leak site was hosted at 198.51.100.23.")

INCIDENT = Incident(
    victim="Fennick Outfitters",
    sector="retail",
    victim_country="GB",
    disclosure_date="2025-03-03",
    records_affected=Fact(48000, "confirmed", (DATA,), confidence=0.9),
    data_exposed=(
        Fact("name", "confirmed", (DATA,), confidence=0.9),
        Fact("email", "confirmed", (DATA,), confidence=0.9),
        Fact("phone", "confirmed", (DATA,), confidence=0.9),
        Fact("postal_address", "reported", (POSTAL,), confidence=0.6),
    ),
    data_not_exposed=(Fact("payment_card", "confirmed", (NO_CARD,), confidence=0.9),),
    threat_actors=(Fact("Grimwald", "claimed", (CLAIM, HOSTILE), as_written="Grimwald gang"),),
    initial_access=(Fact("vishing", "reported", (HELP_DESK,), attack_techniques=("T1566.004",)),),
    ransom=Fact("demanded", "claimed", (CLAIM,)),
    response_actions=(
        Fact("law_enforcement_notified", "confirmed", (POLICE,)),
        Fact("regulator_notified", "confirmed", (POLICE,)),
    ),
    iocs=(Fact("198.51.100.23", "reported", (IOC,), type="ipv4"),),
    timeline=(TimelineEvent("disclosure", "2025-03-03", (OPENING,)),),
    field_evidence=(
        ("victim", (OPENING,)),
        ("sector", (OPENING,)),
        ("victim_country", (OPENING,)),
        ("disclosure_date", (OPENING,)),
    ),
)
# What the leak-watch site alone reads: the attacker's count, which lost the merge but stays in the conflict.
INCIDENT_B = Incident(victim="Fennick Outfitters", records_affected=Fact(1200000, "claimed", (CLAIM,)))
MERGED = MergedIncident(
    "fennick-outfitters-2025-03",
    INCIDENT,
    (SRC_A, SRC_B, SRC_C),
    conflicts=(Conflict("records_affected", ((48000, (SRC_A,)), (1200000, (SRC_B,)))),),
    independent_sources=2,
    duplicates=((SRC_C, SRC_A),),
)
DOCS = (
    DocumentAnalysis(SRC_A, "Fennick Outfitters confirms breach", "2025-03-03", (INCIDENT,), text=TEXT_A),
    DocumentAnalysis(SRC_B, "Grimwald <b>claims</b> Fennick", "2025-03-05", (INCIDENT_B,), text=TEXT_B),
    DocumentAnalysis(SRC_C, "Fennick Outfitters confirms breach (copy)", "2025-03-04", (), text=TEXT_A),
)

SECTIONS = (
    "Executive summary",
    "Incident details",
    "Timeline",
    "Attack methodology",
    "Impact",
    "Indicators",
    "Response",
    "Conflicts between sources",
    "Recommendations",
    "Sources",
)
CITATION_LINE = re.compile(r'^- \[(\d+)\] "(.*)" — (\S+)$')


def markdown_section(md: str, title: str) -> str:
    """The Markdown under a heading, up to the next heading of the same or a higher level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n", md, re.MULTILINE)
    assert match, title
    level = len(match.group(1))
    rest = md[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def citations(md: str) -> dict[int, tuple[str, str]]:
    """The citations list: number -> (quote, source)."""
    out = {}
    for line in markdown_section(md, "Citations").splitlines():
        if match := CITATION_LINE.match(line):
            out[int(match.group(1))] = (match.group(2), match.group(3))
    return out


@pytest.fixture(scope="module")
def md() -> str:
    """The Markdown report of the invented incident."""
    return render_markdown([MERGED], DOCS)


def test_report_sections_in_order(md: str) -> None:
    positions = [md.index(f"## {title}\n") for title in SECTIONS]
    assert positions == sorted(positions)
    assert md.index("## Sources\n") < md.index("## Citations\n")


def test_report_cited_quotes_are_verbatim_document_text(md: str) -> None:
    listed = citations(md)
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", md.split("## Citations")[0])}
    assert cited == set(listed)
    docs = {d.source: d.text for d in DOCS}
    for quote, source in listed.values():
        assert quote in docs[source]
    for citation in build_report(MERGED, DOCS).citations:
        e = citation.evidence
        assert docs[e.source][e.start : e.end] == e.quote
        assert citation.verified is True
        assert listed[citation.number] == (e.quote, e.source)
    every_quote = {e.quote for _, f in INCIDENT.facts() for e in f.evidence}
    assert every_quote <= {quote for quote, _ in listed.values()}


def test_report_citation_numbers_deduplicated(md: str) -> None:
    listed = citations(md)
    report = build_report(MERGED, DOCS)
    keys = [(c.evidence.source, c.evidence.start, c.evidence.end) for c in report.citations]
    assert len(keys) == len(set(keys)) == len(listed)
    # One quote backs names, email addresses, phone numbers and the record count: one number for all of them.
    numbers = [n for n, (quote, _) in listed.items() if quote == DATA.quote]
    assert len(numbers) == 1
    assert markdown_section(md, "Data exposed").count(f"[{numbers[0]}]") == 3


def test_report_every_factual_line_is_cited(md: str) -> None:
    body = md[md.index("## Executive summary") : md.index("## Sources")]
    for line in body.splitlines():
        if line.startswith("- "):
            assert re.search(r"\[\d+\]$", line), line
    summary = markdown_section(md, "Executive summary").strip()
    sentences = [s for s in re.split(r"(?<=\.) ", summary) if s]
    assert sentences and all(re.search(r"\[\d+\]\.$", s) for s in sentences), sentences


def test_report_summary_is_built_from_facts(md: str) -> None:
    summary = markdown_section(md, "Executive summary")
    expected = (
        "Fennick Outfitters (retail, GB) suffered a data breach exposing names, email addresses and phone "
        "numbers (confirmed by the company); postal addresses (reported)"
    )
    assert expected in summary
    assert "payment card details (confirmed by the company)" in summary.split("Not exposed:")[1]


@pytest.mark.parametrize(
    "title",
    ["Timeline", "Attack methodology", "Impact", "Indicators", "Response", "Conflicts between sources",
     "Recommendations", "Executive summary"],
)
def test_report_section_without_facts_says_not_reported(title: str) -> None:
    bare = MergedIncident("bare", Incident(victim="Fennick Outfitters"), (SRC_A,))
    md = render_markdown([bare], DOCS)
    assert markdown_section(md, title).strip() == NOT_REPORTED
    assert "Unknown" not in md and "Not specified" not in md


def test_report_subsection_without_facts_says_not_reported(md: str) -> None:
    assert markdown_section(md, "Campaigns").strip() == NOT_REPORTED


def test_report_plain_field_without_evidence_is_shown_uncited() -> None:
    incident = replace(INCIDENT, parent="Fennick Holdings", field_evidence=())
    md = render_markdown([replace(MERGED, incident=incident)], DOCS)
    details = markdown_section(md, "Incident details")
    assert "- Parent: Fennick Holdings\n" in details
    assert "- Victim: Fennick Outfitters\n" in details
    # Without a quote for victim, sector or country, the summary drops the uncited qualifiers.
    assert "Fennick Outfitters suffered a data breach exposing" in markdown_section(md, "Executive summary")


def test_report_facts_without_quotes_are_not_written() -> None:
    incident = replace(
        INCIDENT,
        data_exposed=(*INCIDENT.data_exposed, Fact("password", "reported", ())),
        timeline=(*INCIDENT.timeline, TimelineEvent("incident", "2025-02", ())),
    )
    md = render_markdown([replace(MERGED, incident=incident)], DOCS)
    assert "- passwords (" not in markdown_section(md, "Data exposed")
    assert "passwords exposed" not in md and "2025-02" not in md


def test_report_conflicting_lists_are_labelled() -> None:
    conflict = Conflict("data_exposed", ((["email", "phone"], (SRC_A,)), (["email"], (SRC_B,))))
    md = render_markdown([replace(MERGED, conflicts=(conflict,))], DOCS)
    conflicts = markdown_section(md, "Conflicts between sources")
    assert f"- email addresses, phone numbers — according to {SRC_A}" in conflicts
    assert f"- email addresses — according to {SRC_B}" in conflicts


def test_report_not_exposed_appears_under_not_exposed_only(md: str) -> None:
    label = DATA_TYPE_LABELS["payment_card"]
    assert label in markdown_section(md, "Not exposed")
    assert label not in markdown_section(md, "Data exposed")
    assert "card" not in markdown_section(md, "Recommendations").lower()
    for title in ("Data exposed", "Not exposed"):
        assert NOT_REPORTED not in markdown_section(md, title)


def test_report_claimed_records_are_worded_as_claims() -> None:
    incident = replace(INCIDENT, records_affected=Fact(1200000, "claimed", (CLAIM,)))
    md = render_markdown([replace(MERGED, incident=incident, conflicts=())], DOCS)
    records = markdown_section(md, "Records affected").strip()
    assert records.startswith("- 1,200,000 records, as claimed by the attacker (not confirmed)")
    assert "confirmed by the company" not in records
    summary = markdown_section(md, "Executive summary")
    assert "Scale: 1,200,000 records, as claimed by the attacker (not confirmed)" in summary


def test_report_modality_and_confidence_in_words(md: str) -> None:
    assert "- postal addresses (reported; confidence 0.6) [" in markdown_section(md, "Data exposed")
    assert "- ransom demanded (claimed by the attacker) [" in markdown_section(md, "Ransom")
    actors = markdown_section(md, "Threat actors")
    assert '- Grimwald (written "Grimwald gang"; claimed by the attacker) [' in actors
    assert "- voice phishing — ATT&CK T1566.004 (reported) [" in markdown_section(md, "Initial access")


def test_report_conflicts_listed_with_sources(md: str) -> None:
    listed = citations(md)
    number = {quote: n for n, (quote, _) in listed.items()}
    conflicts = markdown_section(md, "Conflicts between sources")
    assert f"- 48,000 (confirmed by the company) — according to {SRC_A} [{number[DATA.quote]}]" in conflicts
    claimed = f"- 1,200,000 (claimed by the attacker) — according to {SRC_B} [{number[CLAIM.quote]}]"
    assert claimed in conflicts


def test_report_timeline_is_dated_and_cited(md: str) -> None:
    assert re.search(r"^- 2025-03-03 — breach publicly disclosed \(reported\) \[\d+\]$",
                     markdown_section(md, "Timeline"), re.MULTILINE)


def test_report_indicators_are_defanged(md: str) -> None:
    assert "- ipv4: 198.51.100[.]23 (reported) [" in markdown_section(md, "Indicators")


def test_report_sources_list_marks_near_duplicates(md: str) -> None:
    sources = markdown_section(md, "Sources")
    assert f'1. {SRC_A} — "Fennick Outfitters confirms breach" — published 2025-03-03\n' in sources
    assert f"2. {SRC_B} — " in sources
    assert f"3. {SRC_C} — " in sources
    lines = sources.strip().splitlines()
    assert lines[2].endswith(f"near-duplicate copy of {SRC_A} (source 1)")
    assert not any("near-duplicate" in line for line in lines[:2])


def test_report_recommendations_cite_triggering_facts(md: str) -> None:
    listed = citations(md)
    number = {quote: n for n, (quote, _) in listed.items()}
    recs = markdown_section(md, "Recommendations")
    phishing = next(line for line in recs.splitlines() if "targeted phishing" in line)
    reason = f"because: email addresses exposed (confirmed by the company) [{number[DATA.quote]}]"
    assert phishing.endswith(reason)
    help_desk = next(line for line in recs.splitlines() if "help desk" in line)
    assert help_desk.endswith(f"[{number[HELP_DESK.quote]}]")


def test_report_mismatched_quote_is_flagged() -> None:
    wrong = Evidence(SRC_A, "names, email addresses", 0, 22)
    incident = Incident(victim="Fennick Outfitters", data_exposed=(Fact("email", "reported", (wrong,)),))
    md = render_markdown([MergedIncident("x", incident, (SRC_A,))], DOCS)
    assert '"names, email addresses" — https://news.example/fennick-breach (warning: the quote is not' in md


def test_report_html_escapes_hostile_text() -> None:
    hostile = replace(INCIDENT, victim='Fennick <img src=x onerror="alert(3)">')
    docs = DOCS[:1] + (replace(DOCS[1], title="<script>alert(4)</script>"),) + DOCS[2:]
    html = render_html([replace(MERGED, incident=hostile)], docs)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in html
    assert "Fennick &lt;img src=x onerror=&#34;alert(3)&#34;&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert 'onerror="' not in html


def test_report_html_has_sections_and_citation_anchors() -> None:
    html = render_html([MERGED], DOCS)
    assert html.startswith("<!DOCTYPE html>")
    for title in SECTIONS:
        assert f">{title}</h2>" in html
    assert 'href="#fennick-outfitters-2025-03-c1">[1]</a>' in html
    assert 'id="fennick-outfitters-2025-03-c1"' in html
    assert NOT_REPORTED in html


def test_report_json_is_contract_plus_citations() -> None:
    data = json.loads(render_json([MERGED], DOCS))
    (entry,) = data["incidents"]
    assert {k: v for k, v in entry.items() if k not in ("citations", "recommendations")} == MERGED.as_dict()
    texts = {d.source: d.text for d in DOCS}
    assert [c["number"] for c in entry["citations"]] == list(range(1, len(entry["citations"]) + 1))
    for citation in entry["citations"]:
        assert texts[citation["source"]][citation["start"] : citation["end"]] == citation["quote"]
    numbers = {c["number"] for c in entry["citations"]}
    people = entry["recommendations"]["people"]
    assert people and all(r["citations"] and set(r["citations"]) <= numbers for r in people)


def test_report_no_incidents() -> None:
    assert "No incident was found" in render_markdown([], [])
    assert "No incident was found" in render_html([], [])
    assert json.loads(render_json([], [])) == {"incidents": []}


@pytest.mark.parametrize(
    ("table", "values"),
    [
        (DATA_TYPE_LABELS, vocab.DATA_TYPES),
        (VECTOR_LABELS, tuple(vocab.ACCESS_VECTORS)),
        (RESPONSE_LABELS, vocab.RESPONSE_ACTIONS),
        (RANSOM_LABELS, vocab.RANSOM_STATUSES),
        (SECTOR_LABELS, vocab.SECTORS),
        (TIMELINE_LABELS, vocab.TIMELINE_KINDS),
        (MODALITY_WORDS, vocab.MODALITIES),
    ],
    ids=["data_types", "vectors", "responses", "ransom", "sectors", "timeline", "modalities"],
)
def test_report_every_vocabulary_value_has_a_label(table: dict[str, str], values: tuple[str, ...]) -> None:
    assert set(table) == set(values)
    assert all(label.strip() and label != "_" for label in table.values())
    assert all("_" not in label for label in table.values())
