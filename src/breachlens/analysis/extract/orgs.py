"""Organisation mentions and the roles the words around them give (victim of a breach, source, commentator).

Hand-written on top of spaCy's tags: the small model's NER misses or mislabels most brands in breach news, but
its part-of-speech tagger reliably marks them as proper nouns. A candidate is a run of proper nouns (with "&",
"of", "'s" and hyphens inside), a domain-like token ("acme-forum.net") or an ORG entity. Its role comes from cue
patterns in patterns.py applied to the text just before and after it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from .data_types import find_data_types
from .dates import find_dates
from .patterns import (
    BREACH_WORDS,
    DESCRIBING_HEADS,
    NON_VICTIM_LEFT,
    NON_VICTIM_RIGHT,
    NOT_ORG_WORDS,
    ORG_HEAD_WORDS,
    PEOPLE_OF_VICTIM,
    VICTIM_LEFT,
    VICTIM_RIGHT,
)


@dataclass(frozen=True)
class _Frame:
    """Cue patterns for the words just before (`left`) and just after (`right`) a name that give it one role."""

    left: re.Pattern[str]
    right: re.Pattern[str]

    @classmethod
    def of(cls, left: str, right: str) -> _Frame:
        """Compile a left/right pair of patterns.py cues (cues match in any case)."""
        return cls(re.compile(left, re.IGNORECASE), re.compile(right, re.IGNORECASE))


_VICTIM = _Frame.of(VICTIM_LEFT, VICTIM_RIGHT)  # the victim of a breach
_NON_VICTIM = _Frame.of(NON_VICTIM_LEFT, NON_VICTIM_RIGHT)  # a source, a commentator or a vendor

_DOMAIN = re.compile(
    r"^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|co|info|biz|me|app|ru|cn|uk|de|fr|in|us|gg|tv|xyz)$",
    re.IGNORECASE,
)
_SUFFIXES = re.compile(
    r"\b(?:inc|incorporated|ltd|limited|plc|llc|corp|corporation|co|sa|ag|group|holdings|the)\b"
)
_NAME_TOKEN = re.compile(r"^[A-Z0-9][\w&’'.-]*$")
# Brands written with a small first letter: "easyJet", "eBay", "iHeartMedia"
_LOWER_CAMEL = re.compile(r"^[a-z]{1,5}[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$")
_QUANTITY = re.compile(r"^[\d.,]+\s*(?:[kKmMbB]|bn|mn|GB|TB|MB)?$")
_CVE = re.compile(r"^CVE-\d{4}-\d+$", re.IGNORECASE)
_ADJECTIVAL = re.compile(
    r"-(?:based|owned|backed|led|run|linked|style|powered|related|affiliated)$", re.IGNORECASE
)  # "XenForo-based"
_LEADING_NOISE = frozenset(
    "yesterday today tomorrow tonight meanwhile earlier later last next this that however separately additionally "
    "also now recently lately overnight breaking update exclusive report other another several".split()
)
_CONNECTORS = {"&", "of", "de", "du", "van", "von", "y", "and", "for"}
# Heads of institution names that go on with "for" ("Centre for Cybersecurity", "Office for Civil Rights")
_FOR_HEADS = frozenset(
    "Institute Center Centre Office Society Foundation Alliance Council Agency Department Ministry Commission "
    "Association Coalition Committee Fund Trust Bureau Service School College".split()
)
_LEFT_WINDOW = 90
_RIGHT_WINDOW = 160


@dataclass(frozen=True)
class OrgMention:
    """A candidate organisation name at text[start:end]."""

    start: int
    end: int
    name: str
    key: str
    is_person: bool = False


def org_key(name: str) -> str:
    """Normalised identity of a name: case, accents, punctuation, '&'/'and' and legal suffixes ignored."""
    text = unicodedata.normalize("NFKD", name).casefold().replace("&", " and ").replace("’", "'")
    text = re.sub(r"'s\b", "s", text)
    text = _SUFFIXES.sub(" ", text)
    return re.sub(r"[\W_]", "", text)


def _is_name_token(tok: Any) -> bool:
    """A token that can be part of an organisation name."""
    if tok.pos_ == "PROPN" or tok.ent_type_ in ("ORG", "PRODUCT", "WORK_OF_ART", "FAC"):
        return bool(_NAME_TOKEN.match(tok.text) or _is_lower_camel_name(tok)) or tok.text in ("-", "&")
    if _DOMAIN.match(tok.text) or _is_lower_camel_name(tok) or _is_known_acronym(tok):
        return True
    # A capitalised word glued to a hyphenated lower-case part, not at the start of a sentence ("the Co-op").
    if (
        tok.text[:1].isupper()
        and not tok.is_sent_start
        and tok.whitespace_ == ""
        and tok.i + 1 < len(tok.doc)
        and tok.doc[tok.i + 1].text == "-"
    ):
        return True
    # Capitalised tokens inside an entity the tagger did not call proper nouns ("The North Face").
    return bool(
        tok.ent_type_
        and tok.ent_type_ not in _NUMERIC_ENTITIES  # "Nine million passengers"
        and tok.text[:1].isupper()
        and tok.pos_ in ("NOUN", "ADJ", "VERB", "NUM")
    )


_NUMERIC_ENTITIES = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "ORDINAL", "DATE", "TIME"})


def _is_lower_camel_name(tok: Any) -> bool:
    """A brand written with a small first letter ("easyJet") that the text also capitalises ("EasyJet said"):
    a product name in running text ("their vBulletin forum") never starts a sentence."""
    if not _LOWER_CAMEL.match(tok.text):
        return False
    words = tok.doc.user_data.get(_CAPITALISED_WORDS)
    if words is None:
        words = frozenset(_CAPITALISED_WORD.findall(tok.doc.text))
        tok.doc.user_data[_CAPITALISED_WORDS] = words
    return tok.text[:1].upper() + tok.text[1:] in words


_ACRONYM_NAMES = "breachlens.acronym_names"  # doc.user_data key: the acronyms the tagger reads as names


def _is_known_acronym(tok: Any) -> bool:
    """An acronym the tagger calls a common noun here but a name elsewhere in the document ("the attack on
    ICBC" after "ICBC, China's largest bank"): one name keeps one reading throughout a text."""
    if not (len(tok.text) >= 2 and tok.text.isupper() and tok.text.isalpha()):
        return False
    names = tok.doc.user_data.get(_ACRONYM_NAMES)
    if names is None:
        names = frozenset(
            t.text
            for t in tok.doc
            if t.text.isupper() and t.text.isalpha() and (t.pos_ == "PROPN" or t.ent_type_ == "ORG")
        )
        tok.doc.user_data[_ACRONYM_NAMES] = names
    return tok.text in names


_CAPITALISED_WORDS = "breachlens.capitalised_words"
_CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]{0,4}[A-Z][A-Za-z0-9]*")


def find_orgs(span: Any, offset: int, text: str | None = None) -> list[OrgMention]:
    """Candidate organisation mentions in a spaCy span; offsets are `offset` + the span's own offsets.

    `text` is the text those offsets index (default: the span's document text, which spaCy rebuilds per call).
    """
    tokens = list(span)
    out: list[OrgMention] = []
    i = 0
    while i < len(tokens):
        if not _is_name_token(tokens[i]) or tokens[i].text in ("-", "&") or _is_amount_unit(tokens, i):
            i += 1
            continue
        j = i + 1
        while j < len(tokens):
            tok, prev = tokens[j], tokens[j - 1]
            glued = prev.whitespace_ == ""
            if _is_name_token(tok) and tok.text not in ("-", "&"):
                j += 1
            elif tok.text in ("-", "&") and j + 1 < len(tokens) and (_is_name_token(tokens[j + 1]) or glued):
                j += 2 if (glued and tokens[j].whitespace_ == "") else 1
            elif tok.text.lower() == "and" and j == i + 1 and _one_entity_across_and(tokens, j):
                j += 1  # "Industrial and Commercial Bank of China"
            elif (
                (tok.text.lower() in ("of", "de", "du", "van", "von") or tok.text == "for" and prev.text in _FOR_HEADS)
                and j + 1 < len(tokens)
                and tokens[j + 1].pos_ == "PROPN"
            ):
                j += 1  # "Bank of America"; "Institute for Vulnerability Disclosure", "Office for Civil Rights"
            elif (
                tok.text in ("'s", "’s")
                and j + 1 < len(tokens)
                and tokens[j + 1].pos_ == "PROPN"
                and tokens[j + 1].text[:1].isupper()
                and tok.whitespace_
            ):
                j += 1  # "Victoria's Secret"; a possessive before a common noun ends the name
            elif glued and tok.text[:1].islower() and tok.is_alpha and prev.text == "-":
                j += 1  # "Co-op"
            else:
                break
        while j > i + 1 and (
            tokens[j - 1].text in ("-", "&", "'s", "’s") or tokens[j - 1].text.lower() in _CONNECTORS
        ):
            j -= 1
        base = offset - span.start_char if hasattr(span, "start_char") else offset
        if text is None:
            text = " " * base + span.doc.text if base >= 0 else span.doc.text[-base:]
        mention = _mention(tokens[i:j], base, text)
        if j < len(tokens) and tokens[j].text in DESCRIBING_HEADS:
            mention = None  # "the Call of Duty developer": a product that describes its maker
        elif j < len(tokens) and tokens[j].text in ("number", "numbers"):
            mention = None  # "NHS numbers", "Social Security number": a kind of identifier, not an organisation
        if mention is not None:
            out.append(mention)
        i = j
    return out


def _is_amount_unit(tokens: list[Any], i: int) -> bool:
    """A unit glued to a number ("$41M Stake hack", "5K"): part of an amount, not the start of a name."""
    prev = tokens[i - 1] if i > 0 else None
    return tokens[i].text in ("K", "M", "B", "Bn", "BN", "Mn", "MN") and prev is not None and prev.like_num and (
        prev.whitespace_ == ""
    )


def _one_entity_across_and(tokens: list[Any], j: int) -> bool:
    """Token j is an "and" inside one name: the tagger's entity runs across it and, after it, reaches an
    organisation head word ("Industrial and Commercial Bank"), unlike a list ("Pellmore and Quillon")."""
    if tokens[j].ent_iob_ != "I":
        return False
    k = j + 1
    while k < len(tokens) and tokens[k].ent_iob_ == "I" and (_is_name_token(tokens[k]) or tokens[k].text == "of"):
        if tokens[k].text.lower() in ORG_HEAD_WORDS:
            return True
        k += 1
    return False


def _mention(toks: list[Any], base: int, text: str) -> OrgMention | None:
    """An OrgMention for a token run, or None when the run is not an organisation name."""
    start = toks[0].idx + base
    end = toks[-1].idx + len(toks[-1].text) + base
    # Sentence adverbs the tagger glues onto a following name ("Yesterday Marks & Spencer confirmed...").
    while len(toks) > 1 and toks[0].text.lower() in _LEADING_NOISE:
        toks = toks[1:]
        start = toks[0].idx + base
    # Where the organisation is rather than what it is called: "Palo Alto-based Accellion", "UK's Royal Mail".
    toks = _without_location_prefix(toks)
    toks = _before_role(toks)
    if not toks:
        return None
    start = toks[0].idx + base
    end = toks[-1].idx + len(toks[-1].text) + base
    if _is_date_run(toks):
        return None
    # A leading "The" belongs to names like "The North Face" only when the tagger put it in the entity.
    if toks[0].text.lower() == "the" and not toks[0].ent_type_:
        toks = toks[1:]
        if not toks:
            return None
        start = toks[0].idx + base
    name = text[start:end]
    if name.lower() in NOT_ORG_WORDS or all(t.text.lower() in NOT_ORG_WORDS for t in toks) or _CVE.match(name):
        return None  # "CVE-2023-0669" names a flaw
    if not _SUFFIXES.sub("", name.lower()).strip(" .,"):
        return None  # "AG", "Inc.": a legal form alone ("the AG's office") names no one
    if all(t.ent_type_ in ("DATE", "TIME", "EVENT") for t in toks) and all(_is_date_word(t.text) for t in toks):
        return None  # "New Year's Eve" (the tagger also dates "Jones Day", a law firm)
    if not is_name_like(name):
        return None  # "Social Security Numbers"
    if toks[-1].text.lower() in _WORK_HEADS and len(toks) > 1:
        return None  # "Verizon Data Breach Investigations Report": a publication, not its publisher
    if (
        len(name) < 2
        or not any(c.isalpha() for c in name)
        or _QUANTITY.match(name)
        or _ADJECTIVAL.search(name)
    ):
        return None
    is_person = (
        len(toks) >= 2
        and all(t.ent_type_ == "PERSON" for t in toks)
        and toks[-1].text.lower() not in ORG_HEAD_WORDS
    )
    return OrgMention(start, end, name, org_key(name), is_person)


_PLACE_ADJECTIVE = frozenset({"based", "headquartered", "owned", "backed", "listed", "registered"})
_PLACE_CODES = frozenset({"uk", "u.k.", "us", "u.s.", "usa", "eu", "u.s", "u.k"})
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov. "
    "dec dec.".split()
)


def _without_location_prefix(toks: list[Any]) -> list[Any]:
    """Drop a leading "<Place>-based" phrase or a country code (with its "'s") when a name follows it."""
    for k in range(len(toks) - 2, 0, -1):
        if toks[k].text.lower() in _PLACE_ADJECTIVE and toks[k - 1].text == "-":
            return toks[k + 1 :]
    if len(toks) > 1 and toks[0].text.lower() in _PLACE_CODES:
        rest = toks[1:]
        if rest[0].text in ("'s", "’s") and len(rest) > 1:
            rest = rest[1:]
        if rest[0].text[:1].isupper():
            return rest
    return toks


# Job titles glued to a company name by the tagger: "Veldra CEO Jane Marsh" is Veldra's CEO, not a company.
_ROLE_WORDS = frozenset(
    """ceo cso cto ciso cfo coo cio cmo vp svp evp president chairman chairwoman chair founder cofounder co-founder
    spokesperson spokesman spokeswoman director head chief minister secretary commissioner analyst researcher
    executive officer manager lawyer attorney""".split()
)


def _before_role(toks: list[Any]) -> list[Any]:
    """The tokens before a job title ("Robinhood CSO Caleb Sima" -> "Robinhood"); [] when the run opens with one."""
    for k, tok in enumerate(toks):
        if tok.text.lower() in _ROLE_WORDS and (k + 1 < len(toks) or k > 0):
            if k + 1 == len(toks) and tok.text == "Executive":
                break  # a public body's name ends so ("Health Service Executive"), a role is followed by a person
            return toks[:k]
    return toks


# Last words of the titles of publications, which the tagger runs together with their publisher's name
_WORK_HEADS = frozenset("report reports study survey index whitepaper handbook guide playbook".split())
# Words of named days and seasons ("New Year's Eve", "Black Friday", "Christmas Day")
_DATE_WORDS = frozenset(
    """day days eve night morning week weekend year years new month season holiday holidays black cyber friday
    monday tuesday wednesday thursday saturday sunday christmas easter thanksgiving halloween boxing memorial
    labor labour independence valentine valentine's mother's father's lunar spring summer autumn fall winter""".split()
)


def _is_date_word(word: str) -> bool:
    """A word that names days or times, a month, or a number."""
    low = word.lower()
    return low in _DATE_WORDS or low in _MONTHS or word.isdigit() or not word.isalnum() and len(word) <= 2


def _is_date_run(toks: list[Any]) -> bool:
    """A month name alone or with day/year numbers ("December 19", "Jan."): a date, not a name."""
    return toks[0].text.lower() in _MONTHS and all(t.text.isdigit() or t.is_punct for t in toks[1:])


@dataclass(frozen=True)
class RoleCue:
    """Why a mention looks like a victim or like a bystander."""

    victim: str | None  # "subject", "possessive", "object", "list", "bullet", "title" or None
    bystander: bool
    introduced_as_bystander: bool = False  # the words before it make it a source/commentator
    reports: bool = False  # a subject by a reporting verb ("X disclosed that ..."): it may report another's breach
    set_off: bool = False  # a subject with words set off by commas before its verb ("X, a provider of Y, said")


_PEOPLE_OF = re.compile(PEOPLE_OF_VICTIM, re.IGNORECASE)


def is_name_like(name: str) -> bool:
    """False for what only looks like a name by its capitals: a date ("December 19") or a kind of personal data
    ("Social Security Numbers")."""
    spans = [(d.start, d.end) for d in find_dates(name)] + [(h.start, h.end) for h in find_data_types(name)]
    return (0, len(name)) not in spans


# Verbs that make their subject the victim only when what they report is a breach: "Acme disclosed a cyber incident",
# but "researcher X discovered that the map showed bases", "the ICO announced that it has issued a fine"
_REPORTING_VERB = re.compile(r"\b(?:disclos|confirm|announc|reveal|admit|detect|discover|warn)\w*\s*$", re.IGNORECASE)
_TELLS_OF_A_BREACH = re.compile(
    rf"\b(?:{BREACH_WORDS}|incidents?|accessed|unauthori[sz]ed|cyber\w*|intru\w+|malware|encrypt\w*)\b",
    re.IGNORECASE,
)


def _clause_after(right: str, start: int) -> str:
    """The words after a reporting verb up to the end of its clause: a full stop, a semicolon or a second verb
    joined by "and"/"but" ("confirmed the veracity of the findings and claimed the breached content ...")."""
    ends = (right.find(".", start), right.find(";", start), right.find(" and ", start), right.find(" but ", start))
    return right[start : min((i for i in ends if i >= 0), default=len(right))]


def role_cue(text: str, mention: OrgMention, sentence_start: int, sentence_end: int) -> RoleCue:
    """The role the words right before/after a mention give it, within its sentence."""
    left = text[max(sentence_start, mention.start - _LEFT_WINDOW) : mention.start]
    right = text[mention.end : min(sentence_end, mention.end + _RIGHT_WINDOW)]
    introduced = bool(_NON_VICTIM.left.search(left))
    bystander = introduced or bool(_NON_VICTIM.right.search(right))
    victim: str | None = None
    reports = set_off = False
    m = _VICTIM.right.search(right)
    if m:
        snippet = right[: m.end()]
        words = snippet.split()
        if snippet.lstrip().startswith(("'", "’")) and len(words) > 1 and words[-1][:1].isupper():
            victim = None  # "Verizon's 2023 Data Breach Investigations Report": the title of its publication
        elif snippet.lstrip().startswith(("'", "’")) or snippet.startswith(("s'", "s’")) or _PEOPLE_OF.match(snippet):
            victim = "possessive"
        elif snippet.strip().endswith(":"):
            victim = "bullet"
        elif re.match(
            r"^\s*(?:data\s+)?(?:breach|hack|cyber|leak|security|incident)", snippet, re.IGNORECASE
        ):
            victim = "possessive"
        elif _REPORTING_VERB.search(snippet) and not _TELLS_OF_A_BREACH.search(_clause_after(right, m.end())):
            victim = None  # "Insider Gaming confirmed the veracity of the findings", "X announced it plans to buy Y"
        else:
            victim = "subject"
            reports = bool(_REPORTING_VERB.search(snippet))
            set_off = snippet.lstrip().startswith(",")
    elif _VICTIM.left.search(left):
        lm = _VICTIM.left.search(left)
        assert lm is not None
        victim = (
            "list" if re.search(r"including|like|such\s+as|namely", lm.group(0), re.IGNORECASE) else "object"
        )
        if introduced and lm.end() == len(left):
            # "an attack targeting X": the victim frame reaches the name, so the "targeting X" tool frame is moot
            introduced = bystander = bool(_NON_VICTIM.right.search(right))
    return RoleCue(victim, bystander, introduced, reports, set_off)


# What separates two names of one list, with up to three lower-case words describing either ("Goodwin Procter
# law firm, SingTel", "ASIC, state of Washington")
_LIST_GAP = re.compile(
    r"(?:\s+in\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"  # "the University of Georgia in the US, and ..."
    r"\s*(?:[a-z]+\s*){0,3}?(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|as\s+well\s+as\s+)(?:[Tt]he\s+)?"
    r"(?:[a-z]+\s+){0,3}?"
)


def coordinated_groups(text: str, mentions: list[OrgMention]) -> list[list[int]]:
    """Indices of mentions joined by commas/'and'/'or' into one list ("A, B, and C")."""
    groups: list[list[int]] = []
    last_end = -1  # where the last list item ends, with a place that qualifies it ("Georgia in the US")
    for i, m in enumerate(mentions):
        if groups and _PLACE_OF_ITEM.fullmatch(text, last_end, m.start):
            last_end = m.end  # "the University of Georgia in the US, and Putnam": where, not another item
        elif groups and _LIST_GAP.fullmatch(text, last_end, m.start):
            groups[-1].append(i)
            last_end = m.end
        else:
            groups.append([i])
            last_end = m.end
    return groups


_PLACE_OF_ITEM = re.compile(r"\s+in\s+(?:the\s+)?")
