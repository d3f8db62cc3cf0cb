"""The hostile corpus: documents made to cost time or memory, generated (never stored as files).

Each kind is one document shape that once cost minutes or gigabytes (issue 13) or that a parser is likely to
choke on. `hostile_corpus(scale)` yields `(name, bytes)`; `scale=1.0` is the full-size corpus of
`breachlens bench --hostile` (the largest document just under the 10 MB input limit), a small scale is what
the test suite runs on every CI run. `write_corpus(folder)` puts it on disk for an `ingest` run.

    python -m benchmarks.hostile out/hostile --scale 1.0
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["KINDS", "hostile_corpus", "write_corpus"]

# Bytes of the full-size documents (scale 1.0): just under the default 10 MB input limit for the biggest.
FULL_BYTES = 9_900_000
BIG_BYTES = 1_000_000
# A seed so the corpus is the same on every run.
SEED = 13

_LEAD = "Acme Corp said on Monday that hackers stole customer data in a breach.\n\n"


def _repeat(unit: str, size: int) -> str:
    """`unit` repeated to about `size` characters."""
    return unit * max(1, size // max(1, len(unit)))


def _repeated(unit: str, head: str = "", tail: str = "\n") -> Callable[[int], str]:
    """The lead paragraph, `head`, `unit` repeated to about the size, then `tail`: most hostile kinds are one unit
    said over and over, and differ only in what it is."""
    return lambda size: _LEAD + head + _repeat(unit, size) + tail






def _single_word(size: int) -> str:
    return "x" * size


def _crlf_lines(size: int) -> str:
    return _repeat("a\r\n", size)


def _emoji(size: int) -> str:
    return _repeat("\U0001f600", size // 4)


def _long_sentence(size: int) -> str:
    words = ["data", "breach", "Acme", "customers", "stolen", "records", "the", "of", "and", "hackers"]
    rng = random.Random(SEED)
    return _LEAD + " ".join(rng.choice(words) for _ in range(size // 6)) + ".\n"






def _huge_number(size: int) -> str:
    return _LEAD + "Hackers stole " + "9" * min(size, 5_000) + " records and 1" + "0" * 400 + " emails.\n"


def _impossible_dates(size: int) -> str:
    return _LEAD + "The breach happened on 31 February 2025 and was found on 30 February 2025.\n"






def _nested_html(size: int) -> str:
    depth = min(size // 10, 100_000)
    return "<html><body>" + "<div>" * depth + "Acme Corp breach." + "</div>" * depth + "</body></html>"


def _wide_html(size: int) -> str:
    return "<html><head><title>Acme breach</title></head><body>" + _repeat(
        "<p>Hackers stole data from <b>Acme</b> <a href='#'>Corp</a>.</p>", size
    ) + "</body></html>"


def _attribute_html(size: int) -> str:
    return "<html><body><p " + _repeat('a="x" ', size) + ">Acme Corp breach.</p></body></html>"



# name -> (generator of text for a size in characters, size at scale 1.0, file suffix)
KINDS: dict[str, tuple[Callable[[int], str], int, str]] = {
    "long-capital-token": (_repeated("A", "The group ", " claimed the attack.\n"), BIG_BYTES, ".txt"),
    "long-hex-token": (_repeated("deadbeef0123456789", "Hash: "), BIG_BYTES, ".txt"),
    "long-mixed-token": (_repeated("Ab1$", "Actor ", " ransomware gang\n"), BIG_BYTES, ".txt"),
    "long-leet-token": (_repeated("Sh1n", "Group "), BIG_BYTES, ".txt"),
    "single-word-10mb": (_single_word, FULL_BYTES, ".txt"),
    "crlf-lines": (_crlf_lines, 300_000, ".txt"),
    "emoji": (_emoji, BIG_BYTES, ".txt"),
    "long-sentence": (_long_sentence, BIG_BYTES, ".txt"),
    "capital-words": (_repeated("Alpha Beta Gamma Delta ", tail="ransomware gang claimed it.\n"), BIG_BYTES, ".txt"),
    "dotted-capitals": (_repeated("A.B.", tail=" hacking group\n"), BIG_BYTES, ".txt"),
    "many-paragraphs": (_repeated("Hackers stole 1,000 records from Acme Corp.\n\n", tail=""), BIG_BYTES, ".txt"),
    "many-numbers": (_repeated("1,000,000 records, 2 million users, $3 ransom, 4 TB; "), BIG_BYTES, ".txt"),
    "huge-number": (_huge_number, 5_000, ".txt"),
    "impossible-dates": (_impossible_dates, 0, ".txt"),
    "cue-spam": (
        _repeated("the ransomware gang known as Velvet Ledger claimed the breach of Acme Corp. ", tail=""),
        BIG_BYTES,
        ".txt",
    ),
    "punctuation": (_repeated(".,;:!?-'\"()[]"), BIG_BYTES, ".txt"),
    "zalgo": (_repeated("A\u0301\u0302\u0303\u0304\u0305\u0306\u0307 "), BIG_BYTES, ".txt"),
    "rtl-mixed": (
        _repeated("\u202eAcme \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 breach ", tail=""),
        BIG_BYTES,
        ".txt",
    ),
    "nested-html": (_nested_html, BIG_BYTES, ".html"),
    "wide-html": (_wide_html, BIG_BYTES, ".html"),
    "attribute-html": (_attribute_html, BIG_BYTES, ".html"),
    "urls-and-emails": (_repeated("http://a.example/" + "a" * 50 + " user@a.example 10.0.0.1 "), BIG_BYTES, ".txt"),
}


def hostile_corpus(scale: float = 1.0, kinds: list[str] | None = None) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of each hostile kind at `scale` times its full size."""
    for name, (make, size, suffix) in KINDS.items():
        if kinds and name not in kinds:
            continue
        yield name + suffix, make(max(1, int(size * scale))).encode("utf-8")


def write_corpus(folder: str | Path, scale: float = 1.0, kinds: list[str] | None = None) -> list[Path]:
    """Write the corpus into `folder` (created); the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in hostile_corpus(scale, kinds):
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.hostile FOLDER [--scale S]`: write the corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    for path in write_corpus(args.folder, args.scale):
        print(path)


if __name__ == "__main__":
    main()
