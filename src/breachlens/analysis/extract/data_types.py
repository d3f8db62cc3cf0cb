"""Data-type mentions ("names, email addresses and dates of birth" -> name, email, date_of_birth).

Hand-written because no library maps breach prose to HIBP-style data classes; the vocabulary is in patterns.py.
Whether a mention is exposed or not exposed is decided later (assertions.py); this module only finds them.
"""

from __future__ import annotations

import re

from .patterns import (
    CARD_APPLIED_FOR_BEFORE,
    CARD_NOT_DATA_AFTER,
    DATA_TYPE_BLOCKERS,
    DATA_TYPE_PATTERNS,
    LOGIN_PAIR_AFTER,
    NAMES_OF_THINGS_AFTER,
    NOT_POSTAL_BEFORE,
    PHONE_NOT_DATA_AFTER,
)
from .spans import Hit, find_labelled

_BLOCKER = re.compile(
    DATA_TYPE_BLOCKERS + "|" + r"(?:via|by|through|over|per|using|your|their\s+own)\s+$", re.IGNORECASE
)
_VERB_OBJECT = re.compile(
    r"\s+(?:the|a|an|this|these|that|those|its|their|our|your|any|some|concerns?|issues?)\b", re.IGNORECASE
)
_CARD_NOT_DATA = re.compile(CARD_NOT_DATA_AFTER, re.IGNORECASE)
_APPLIED_FOR = re.compile(CARD_APPLIED_FOR_BEFORE, re.IGNORECASE)
_LOGIN_PAIR = re.compile(LOGIN_PAIR_AFTER, re.IGNORECASE)
_PHONE_NOT_DATA = re.compile(PHONE_NOT_DATA_AFTER, re.IGNORECASE)
_NAMES_OF_THINGS = re.compile(NAMES_OF_THINGS_AFTER, re.IGNORECASE)
_NOT_POSTAL_BEFORE = re.compile(NOT_POSTAL_BEFORE, re.IGNORECASE)
_NAMES_AS_BRANDS = re.compile(r"\s+(?:in|like|such\s+as|behind|across|within)\b", re.IGNORECASE)
_ACRONYMS = frozenset(
    {"ip", "pin", "pins", "ssn", "ssns", "dob", "dobs", "iban", "ibans", "cvv", "cvvs", "cvc", "cvcs", "phi", "ehr",
     "ehrs"}
)
# "IP" and the like are only data types in a data context; alone they are often something else.
_CASE_SENSITIVE_SHORT = re.compile(r"^(?:IP|PINs?|SSNs?|DOBs?|IBANs?|CVVs?|CVCs?|PHI|EHRs?)$")


# A bare channel word ending a list that "via"/"by" opens names how someone was reached, like the list's first item
_CHANNEL_WORDS = frozenset({"phone", "telephone", "email", "e-mail", "mail", "post", "text", "sms"})
_CHANNEL_LIST = re.compile(
    r"\b(?:via|by|through|over)\s+(?:[\w-]+\s*){1,3}(?:,\s*(?:[\w-]+\s*){1,3})*,?\s*(?:and|or)\s+$", re.IGNORECASE
)


def find_data_types(text: str, start: int = 0, end: int | None = None) -> list[Hit]:
    """Data-type hits in text[start:end]; `label` is the vocabulary value."""
    out = []
    for hit in find_labelled(text, DATA_TYPE_PATTERNS, start, end):
        word = text[hit.start : hit.end]
        if len(word) <= 4 and word.lower() in _ACRONYMS and not _CASE_SENSITIVE_SHORT.match(word):
            continue  # "ip", "pin" in lower case are ordinary words, not the acronyms
        if _BLOCKER.search(text[max(0, hit.start - 25) : hit.start]):
            continue
        after = text[hit.end : hit.end + 20]
        if hit.label == "postal_address" and word.lower().startswith("address") and _VERB_OBJECT.match(after):
            continue  # "addresses the fallout": the verb, not postal addresses
        if hit.label == "postal_address" and word.lower().startswith("address") and _NOT_POSTAL_BEFORE.search(
            text[max(0, hit.start - 30) : hit.start]
        ):
            continue  # "123k yandex.ru addresses", "guest account addresses": mail accounts, not postal addresses
        if hit.label == "payment_card" and (
            _CARD_NOT_DATA.match(after) or _APPLIED_FOR.search(text[max(0, hit.start - 25) : hit.start])
        ):
            continue  # "credit card applications", "applied for credit cards": the product, not card data
        if hit.label == "phone" and word.lower().endswith("phone") and _PHONE_NOT_DATA.match(after):
            continue  # "phone calls from fraudsters": the channel, not phone numbers
        if word.lower() in _CHANNEL_WORDS and _CHANNEL_LIST.search(text[max(0, hit.start - 80) : hit.start]):
            continue  # "notified customers via email, in-product notices, and phone": how, not what leaked
        if hit.label == "name" and _NAMES_OF_THINGS.match(text, hit.end):
            continue  # "the names of any subreddits": names of things
        if hit.label == "name" and _NAMES_AS_BRANDS.match(after):
            continue  # "the most established names in the industry": brands, not personal names
        out.append(hit)
        if hit.label == "account_id" and _LOGIN_PAIR.match(text, hit.end):
            out.append(Hit(hit.start, hit.end, "credentials"))  # "usernames and passwords": a login pair
    return out
