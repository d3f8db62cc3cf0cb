"""The spaCy pipeline: loaded once per process from an installed package, never downloaded.

spaCy gives us tokens, part-of-speech tags (proper-noun runs are our organisation candidates), the dependency parse
(sentence subjects) and sentence boundaries. Its small model's NER is weak on this domain (it calls brands persons
or places), so entity labels are only one hint among several in extract/orgs.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from ..errors import BreachlensError

# Components we never read; excluding them makes the pass cheaper (same for the benchmark's baseline).
EXCLUDED_COMPONENTS = ("lemmatizer",)


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Any:
    """The installed spaCy pipeline `model` (cached per process)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise BreachlensError("spaCy is not installed: run `make install`") from exc
    try:
        return spacy.load(model, exclude=list(EXCLUDED_COMPONENTS))
    except OSError as exc:
        raise BreachlensError(f"spaCy model {model!r} is not installed: run `make install`") from exc


def parse_texts(nlp: Any, texts: Iterable[str], window_tokens: int, batch_tokens: int) -> Iterator[Any]:
    """One parsed spaCy Doc per text, in order, with bounded memory whatever the texts hold.

    spaCy's peak memory grows with the tokens it parses at once (measured: about 17 KB per token for the
    small model, so 300 KB of "a\\r\\n" lines took 3.3 GB in one call). So a text of more than `window_tokens`
    tokens is parsed in windows cut at line breaks (else at spaces, else anywhere) and the windows are joined
    back into one Doc with the same text; and `nlp.pipe` is fed groups of at most `batch_tokens` tokens. A text
    within one window is parsed whole, exactly as before.
    """
    from spacy.tokens import Doc

    group: list[tuple[int, Any]] = []  # (text number, window doc)
    tokens = 0
    windows_of: list[int] = []
    done: dict[int, list[Any]] = {}
    next_out = 0

    def flush() -> Iterator[Any]:
        nonlocal group, tokens, next_out
        parsed = list(nlp.pipe(doc for _n, doc in group)) if group else []
        for (n, _doc), out in zip(group, parsed, strict=True):
            done.setdefault(n, []).append(out)
        group, tokens = [], 0
        while next_out < len(windows_of) and len(done.get(next_out, ())) == windows_of[next_out]:
            parts = done.pop(next_out)
            yield parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            next_out += 1

    for n, text in enumerate(texts):
        windows = list(_windows(nlp, text, window_tokens))
        windows_of.append(len(windows))
        for window in windows:
            if group and tokens + len(window) > batch_tokens:
                yield from flush()
            group.append((n, window))
            tokens += len(window)
    yield from flush()


def _windows(nlp: Any, text: str, window_tokens: int) -> Iterator[Any]:
    """`text` tokenised, as one Doc or as consecutive Docs of at most `window_tokens` tokens each."""
    doc = nlp.make_doc(text)
    if len(doc) <= window_tokens or window_tokens <= 0:
        yield doc
        return
    start = 0
    while start < len(doc):
        stop = min(len(doc), start + window_tokens)
        if stop < len(doc):
            cut = _cut(doc, start, stop)
            stop = cut if cut > start else stop
        a = doc[start].idx
        b = doc[stop].idx if stop < len(doc) else len(text)
        yield nlp.make_doc(text[a:b])
        start = stop


def _cut(doc: Any, start: int, stop: int) -> int:
    """A token index in (start, stop] to end a window at: after a line break, else after a space, else stop."""
    for k in range(stop - 1, start, -1):
        if "\n" in doc[k].text_with_ws:
            return k + 1
    for k in range(stop - 1, start, -1):
        if doc[k].whitespace_ or doc[k].is_space:
            return k + 1
    return stop
