"""Indicators of compromise (IP addresses, hashes, URLs and domains, defanged forms too) via ioc-finder.

ioc-finder is the library for this; we only post-filter what it is known to over-report (see
../shared/DEPENDENCIES.md): trailing punctuation on URLs, IPv4 "addresses" that are version strings, private
addresses, and plain domains outside an indicator context (a news article names many harmless domains).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

# ioc-finder is comparatively slow (a pyparsing grammar), so it runs only on text with something IOC-shaped in it.
_PRECHECK = re.compile(
    r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[a-f0-9]{32,64}\b|hxxps?|\[\.\]|\(\.\)|\[dot\]|\bhttps?://", re.IGNORECASE
)
_IOC_CONTEXT = re.compile(
    r"\b(?:indicators?|IOCs?|C2|command[-\s]and[-\s]control|malicious|beacon\w*|callback|hash(?:es)?|exfiltrat\w+|attacker[-\s]controlled)\b",
    re.IGNORECASE,
)
_TYPES = {
    "ipv4s": "ipv4",
    "sha256s": "sha256",
    "sha1s": "sha1",
    "md5s": "md5",
    "urls": "url",
    "domains": "domain",
    "cves": "cve",
}


@dataclass(frozen=True)
class IOC:
    """An indicator at text[start:end] (the form written, possibly defanged); `value` is the refanged form."""

    start: int
    end: int
    value: str
    type: str


def _usable(kind: str, value: str) -> bool:
    """Drop IPs that are private/version-like and URLs that are just article links."""
    if kind == "ipv4":
        try:
            addr = ipaddress.ip_address(value)
        except ValueError:
            return False
        return not (addr.is_private or addr.is_loopback or addr.is_reserved or addr.is_multicast)
    return True


def find_iocs(text: str) -> list[IOC]:
    """IOCs in text with offsets of the written form; plain domains/URLs only in an indicator context."""
    if not _PRECHECK.search(text):
        return []
    from ioc_finder import find_iocs as _find  # imported lazily: it builds its grammar on import

    found = _find(text, included_ioc_types=list(_TYPES))
    out: list[IOC] = []
    seen: set[tuple[str, str]] = set()
    for key, kind in _TYPES.items():
        for value in found.get(key, []):
            value = value.rstrip(".,;:)]")
            if not _usable(kind, value) or (kind, value) in seen:
                continue
            for start, end in _written_forms(text, value):
                window = text[max(0, start - 120) : end + 40]
                if kind in ("domain", "url") and not (
                    _IOC_CONTEXT.search(window) or _is_defanged(text[start:end])
                ):
                    continue
                seen.add((kind, value))
                out.append(IOC(start, end, value, kind))
                break
    return sorted(out, key=lambda i: i.start)


def _is_defanged(written: str) -> bool:
    """True for hxxp://, example[.]com and similar."""
    return bool(re.search(r"hxxp|\[\.\]|\(\.\)|\[dot\]", written, re.IGNORECASE))


def _written_forms(text: str, value: str) -> list[tuple[int, int]]:
    """Where `value` is written in text, either as is or defanged."""
    pattern = re.escape(value).replace(r"\.", r"(?:\.|\[\.\]|\(\.\)|\[dot\])").replace("http", "h(?:tt|xx)p")
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE)]
