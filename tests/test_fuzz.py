"""Property tests on hostile text (issue 13): whatever the text, the stages return and never raise.

Examples per property: BREACHLENS_FUZZ_EXAMPLES (default 25, what every test run does; `make fuzz` runs 2,000).
Strategies lean towards the shapes that once cost minutes: long runs of one character class, capitals, digits,
line breaks and punctuation.
"""

from __future__ import annotations

import os

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed")
from hypothesis import HealthCheck, given, settings  # noqa: E402 - after the skip guard
from hypothesis import strategies as st  # noqa: E402

from breachlens.analysis import enrich  # noqa: E402
from breachlens.analysis.extract.dates import find_dates  # noqa: E402
from breachlens.analysis.extract.quantities import find_counts  # noqa: E402
from breachlens.settings import Settings  # noqa: E402

EXAMPLES = int(os.environ.get("BREACHLENS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

_ATOMS = st.sampled_from(
    ["A", "a", "Z", "0", "9", "1", ".", "-", "$", "'", " ", "\n", "\r\n", "\t", "ransomware", "gang", "group",
     "the", "known as", "ShinyHunters", "Sh1ny", "February", "31", "2025", "million", "records", ",", "\u00e9",
     "\U0001f600", "\u202e", "\u0301", "<", ">", "&", "http://", "@"]
)
# a text: pieces, each an atom repeated up to 2,000 times (runs are what made the old patterns quadratic)
TEXTS = st.lists(st.tuples(_ATOMS, st.integers(1, 2_000)), min_size=1, max_size=12).map(
    lambda parts: "".join(atom * n for atom, n in parts)
)


@FUZZ
@given(TEXTS)
def test_fuzz_find_actors_returns_spans_of_the_text(text: str) -> None:
    for actor in enrich.find_actors(text):
        assert text[actor.start : actor.end] == actor.as_written


@FUZZ
@given(TEXTS)
def test_fuzz_other_scanners_return(text: str) -> None:
    enrich.find_countries(text)
    enrich.find_campaigns(text)
    enrich.sector_cues(text)
    for d in find_dates(text):
        assert text[d.start : d.end]
    for c in find_counts(text):
        assert 2 <= c.value <= 10**15


@FUZZ
@given(TEXTS)
def test_fuzz_cap_text_keeps_within_budgets(text: str) -> None:
    from breachlens.analysis.clean import cap_text

    budget = Settings.load(max_chars=5_000, max_token_chars=100, max_line_chars=500)
    capped, _dropped = cap_text(text, budget)
    assert len(capped) <= 5_000
    assert all(len(line) <= 500 for line in capped.split("\n"))
    assert all(len(word) <= 100 for word in capped.split())


@settings(max_examples=max(3, EXAMPLES // 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(TEXTS)
def test_fuzz_analyze_text_is_a_result_or_a_source_error(text: str) -> None:
    from breachlens.errors import SourceError
    from breachlens.pipeline import analyze_text

    try:
        doc = analyze_text(text, "fuzz.txt", Settings.load(max_chars=20_000))
    except SourceError:
        return  # binary-looking, empty or over its deadline: the document's one error line
    assert len(doc.text) <= 20_000
