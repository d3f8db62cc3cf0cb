"""Near-duplicate texts: which articles only republish another outlet's text.

A syndicated copy, a press release pasted verbatim or a scraper's mirror adds no independent evidence, so
`resolve` counts its quotes toward the original's source (DESIGN.md, principle 4: confidence comes from
independent sources).

Method
1. Each text becomes a set of word 5-gram shingles (casefolded `\\w+` words), each hashed to 64 bits with
   blake2b, so results do not depend on Python's per-process string hash salt.
2. Candidate pairs: for small groups every pair is compared; for larger ones a MinHash signature (densified
   one-permutation hashing: one pass over the shingles, so a signature costs O(shingles) in pure Python) is
   cut into bands of `LSH_ROWS` values, and texts that share a band bucket are candidates. The band count is
   derived from the threshold so that a pair exactly at the threshold is found with probability >=
   `LSH_TARGET_RECALL`.
3. Every candidate is verified with the exact Jaccard similarity; pairs at or above the threshold are copies.
4. Copies of copies form one group (union-find); the group's original is the earliest published text, else the
   lexicographically first source. Every other member maps to it.

The cost is linear in the number of texts (plus the verified candidates), not quadratic.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .unionfind import UnionFind

__all__ = ["TextItem", "shingles", "jaccard", "bands_for", "signature", "find_duplicates"]

# Words per shingle. 5-grams are the usual choice for news copy detection: short enough that a changed
# headline or a dropped paragraph keeps most shingles, long enough that two outlets on one breach share few.
SHINGLE_WORDS = 5
# Values per LSH band. With 3 rows and the default threshold 0.5 the derived band count is 35 (105 values).
LSH_ROWS = 3
# A pair exactly at the threshold becomes a candidate with at least this probability; above it, more.
LSH_TARGET_RECALL = 0.99
# Upper bound on bands, so a very low threshold cannot make signatures huge: 128 bands keep the target recall
# down to a threshold of 0.34; below it, recall falls under the target.
LSH_MAX_BANDS = 128
# Groups up to this size are compared pair by pair (at most 1,128 exact comparisons; faster than signatures).
EXACT_PAIRS_LIMIT = 48

_WORD = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1


class TextItem(NamedTuple):
    """One text to compare: its source, its published date ("YYYY-MM-DD" or partial, or None) and its text."""

    source: str
    published: str | None
    text: str


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[int]:
    """64-bit hashes of the text's word `size`-grams (a shorter text is one shingle, an empty one none)."""
    words = _WORD.findall(text.casefold())
    if not words:
        return frozenset()
    if len(words) < size:
        grams = [" ".join(words)]
    else:
        grams = [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    return frozenset(_hash64(g) for g in grams)


def _hash64(text: str) -> int:
    """Stable 64-bit hash (Python's own str hash is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 when both are empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def bands_for(threshold: float, rows: int = LSH_ROWS) -> int:
    """LSH bands needed so that a pair at `threshold` is a candidate with probability >= LSH_TARGET_RECALL."""
    p_band = max(min(threshold, 1.0), 1e-9) ** rows
    if p_band >= 1.0:
        return 1
    bands = math.ceil(math.log(1.0 - LSH_TARGET_RECALL) / math.log(1.0 - p_band))
    return max(1, min(bands, LSH_MAX_BANDS))


def signature(hashes: frozenset[int], length: int) -> tuple[int, ...]:
    """MinHash signature of `length` values by densified one-permutation hashing.

    Each shingle hash falls into bin `h % length` and the bin keeps its minimum `h // length`; empty bins
    borrow the next non-empty bin's value (circularly) salted with the distance, which keeps the collision
    probability of each position close to the Jaccard similarity (Shrivastava & Li, "Densifying one
    permutation hashing", 2014).
    """
    empty = _MASK64 + 1
    bins = [empty] * length
    for h in hashes:
        # Mix the hash (splitmix64 finaliser) so that bin and value are independent bits of it.
        h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
        h = (h ^ (h >> 27)) * 0x94D049BB133111EB & _MASK64
        h ^= h >> 31
        b = h % length
        v = h // length
        if v < bins[b]:
            bins[b] = v
    if all(v == empty for v in bins):
        return tuple(bins)
    out = list(bins)
    for i in range(length):
        if bins[i] != empty:
            continue
        step = 1
        while bins[(i + step) % length] == empty:
            step += 1
        out[i] = (bins[(i + step) % length] + step * 0x9E3779B97F4A7C15) & _MASK64
    return tuple(out)


def find_duplicates(
    items: Iterable[TextItem | tuple[str, str | None, str]],
    threshold: float,
    *,
    exact_limit: int = EXACT_PAIRS_LIMIT,
) -> dict[str, str]:
    """Map each near-duplicate copy's source to the source of the original it republishes.

    Args:
        items: (source, published, text) triples; a repeated source is compared once (its first text).
        threshold: word 5-gram Jaccard similarity at or above which two texts are copies of one text
            (`Settings.resolve.near_duplicate_jaccard`).
        exact_limit: groups up to this size are compared pair by pair instead of through LSH buckets.

    Returns:
        {copy_source: original_source}; sources that are nobody's copy (and originals) are absent.
    """
    unique: dict[str, TextItem] = {}
    for item in items:
        it = TextItem(*item)
        unique.setdefault(it.source, it)
    if len(unique) < 2:
        return {}
    ordered = sorted(unique.values(), key=_original_rank)
    sets = [shingles(it.text) for it in ordered]
    live = [i for i, s in enumerate(sets) if s]
    groups = UnionFind(len(ordered))  # roots are the better-ranked originals (smaller index in `ordered`)

    for i, j in _candidates(live, sets, threshold, exact_limit):
        if groups.find(i) != groups.find(j) and jaccard(sets[i], sets[j]) >= threshold:
            groups.union(i, j)
    return {ordered[i].source: ordered[groups.find(i)].source for i in range(len(ordered)) if groups.find(i) != i}


def _original_rank(item: TextItem) -> tuple[bool, str, str]:
    """Sort key of "which text is the original": earliest published first (undated last), then source."""
    return (item.published is None, item.published or "", item.source)


def _candidates(
    live: Sequence[int], sets: Sequence[frozenset[int]], threshold: float, exact_limit: int
) -> Iterable[tuple[int, int]]:
    """Pairs (i < j) worth verifying: all pairs of a small group, else pairs sharing an LSH band bucket."""
    if len(live) <= exact_limit:
        for a, i in enumerate(live):
            for j in live[a + 1 :]:
                yield i, j
        return
    bands = bands_for(threshold)
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for i in live:
        sig = signature(sets[i], bands * LSH_ROWS)
        for band in range(bands):
            buckets.setdefault((band, sig[band * LSH_ROWS : (band + 1) * LSH_ROWS]), []).append(i)
    seen: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        for a, i in enumerate(members):
            for j in members[a + 1 :]:
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield pair
