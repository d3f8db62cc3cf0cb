"""Near-duplicate detection: copies map to their original; different articles on one breach do not."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from breachlens.analysis.dedupe import (
    LSH_MAX_BANDS,
    LSH_ROWS,
    LSH_TARGET_RECALL,
    bands_for,
    find_duplicates,
    jaccard,
    shingles,
    signature,
)
from breachlens.analysis.unionfind import UnionFind

ORIGINAL = (
    "Vesper Atelier said on Tuesday that an unauthorised party accessed a customer database "
    "containing names, "
    "email addresses and postal addresses. The luxury label, owned by Orla Group, said no payment "
    "card details "
    "were involved and that it had informed the data-protection authority. The company has engaged external "
    "experts and is contacting affected clients directly, a spokesperson said in a statement."
)
OTHER_OUTLET = (
    "Hackers stole the personal details of Vesper customers, the fashion house confirmed. According "
    "to a notice "
    "sent to clients, the intruders obtained contact information but not bank details. Orla Group, "
    "which owns "
    "Vesper, declined to say how many people were affected or whether a ransom had been demanded."
)


def _republished(text: str) -> str:
    """The same article under another outlet's headline and sign-off."""
    return "Breaking: luxury brand hit by cyber attack. " + text + " Read more on our site."


def test_dedupe_copy_maps_to_earlier_published_original() -> None:
    items = [("b-copy", "2025-06-12", _republished(ORIGINAL)), ("a-orig", "2025-06-10", ORIGINAL)]
    assert find_duplicates(items, 0.5) == {"b-copy": "a-orig"}


def test_dedupe_original_is_earlier_even_if_source_sorts_later() -> None:
    items = [("a-copy", "2025-06-12", _republished(ORIGINAL)), ("z-orig", "2025-06-10", ORIGINAL)]
    assert find_duplicates(items, 0.5) == {"a-copy": "z-orig"}


def test_dedupe_undated_original_is_lexicographically_first_source() -> None:
    items = [("site-b", None, ORIGINAL), ("site-a", None, _republished(ORIGINAL))]
    assert find_duplicates(items, 0.5) == {"site-b": "site-a"}


def test_dedupe_dated_text_is_original_of_undated_copy() -> None:
    items = [("a", None, ORIGINAL), ("b", "2025-06-10", _republished(ORIGINAL))]
    assert find_duplicates(items, 0.5) == {"a": "b"}


def test_dedupe_different_outlets_are_not_duplicates() -> None:
    assert find_duplicates([("a", None, ORIGINAL), ("b", None, OTHER_OUTLET)], 0.5) == {}


def test_dedupe_copies_of_copies_map_to_one_original() -> None:
    second = _republished(ORIGINAL)
    third = "Update. " + second + " Shared from a partner site."
    items = [("c", "2025-06-12", third), ("a", "2025-06-10", ORIGINAL), ("b", "2025-06-11", second)]
    assert find_duplicates(items, 0.5) == {"b": "a", "c": "a"}


def test_dedupe_empty_text_is_never_a_duplicate() -> None:
    assert find_duplicates([("a", None, ""), ("b", None, ""), ("c", None, "   ")], 0.5) == {}


def test_dedupe_repeated_source_is_compared_once() -> None:
    assert find_duplicates([("a", None, ORIGINAL), ("a", None, ORIGINAL)], 0.5) == {}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("one two three four five", "one two three four five", 1.0),
        ("one two three four five six", "one two three four five seven", 1 / 3),
        ("one two three", "ONE, two; three!", 1.0),
        ("", "one two three four five", 0.0),
    ],
)
def test_dedupe_jaccard_of_word_5gram_shingles(a: str, b: str, expected: float) -> None:
    assert jaccard(shingles(a), shingles(b)) == pytest.approx(expected)


def test_dedupe_shingles_are_stable_across_processes() -> None:
    # blake2b, not Python's salted str hash: another process with another hash seed gets the same values.
    text = "alpha beta gamma delta epsilon zeta"
    code = f"from breachlens.analysis.dedupe import shingles; print(sorted(shingles({text!r})))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(shingles(text)))


@pytest.mark.parametrize("threshold", [0.35, 0.5, 0.7, 0.9, 1.0])
def test_dedupe_bands_reach_target_recall_at_threshold(threshold: float) -> None:
    bands = bands_for(threshold)
    recall = 1 - (1 - threshold**LSH_ROWS) ** bands
    assert recall >= LSH_TARGET_RECALL


def test_dedupe_bands_are_capped_for_very_low_thresholds() -> None:
    assert bands_for(0.05) == LSH_MAX_BANDS


def test_dedupe_signature_agreement_estimates_jaccard() -> None:
    rng = random.Random(7)
    words = [f"w{rng.randrange(5000)}" for _ in range(400)]
    edited = list(words)
    for i in rng.sample(range(400), 40):
        edited[i] = "changed"
    a, b = shingles(" ".join(words)), shingles(" ".join(edited))
    sig_a, sig_b = signature(a, 256), signature(b, 256)
    agreement = sum(x == y for x, y in zip(sig_a, sig_b, strict=True)) / 256
    assert agreement == pytest.approx(jaccard(a, b), abs=0.1)


def test_dedupe_lsh_path_finds_the_same_copies_as_exact_pairs() -> None:
    rng = random.Random(3)
    vocab = [f"word{i}" for i in range(2000)]
    items = []
    for i in range(120):
        text = " ".join(rng.choice(vocab) for _ in range(150))
        items.append((f"src{i:03d}", f"2025-01-{1 + i % 28:02d}", text))
    for i in range(0, 120, 7):
        words = items[i][2].split()
        words[:8] = ["headline"] * 8
        items.append((f"copy{i:03d}", "2025-03-01", " ".join(words)))
    exact = find_duplicates(items, 0.5, exact_limit=10_000)
    lsh = find_duplicates(items, 0.5, exact_limit=0)
    assert lsh == exact
    assert len(exact) == len(range(0, 120, 7))


def test_dedupe_union_find_roots_each_group_at_its_smallest_member() -> None:
    """find_duplicates maps a copy to ordered[root]: the root must be the best-ranked (smallest) index."""
    groups = UnionFind(6)
    groups.union(4, 2)
    groups.union(5, 4)
    groups.union(3, 1)
    assert [groups.find(i) for i in range(6)] == [0, 1, 2, 1, 2, 2]
    groups.union(5, 3)
    assert {groups.find(i) for i in (1, 2, 3, 4, 5)} == {1}
