"""People named as the attacker: "Paige Thompson, the alleged hacker", "police arrested a woman, Ana Reyes".

Threat-actor catalogues know groups, not the individuals that news names once an arrest is made. A person is an
attacker only where the parse says so: in apposition to an attacker noun, the one arrested or charged, or the
agent of an attack verb. The person's fullest spelling in the text is the actor's name; a later bare surname
("Thompson is believed to have stolen...") is the same person.
"""

from __future__ import annotations

from typing import Any

from ..enrich import ActorMatch
from ..segment import Segmented

# Word forms, not lemmas: the pipeline runs without a lemmatizer (analysis/nlp.py).
# "the alleged hacker", "the suspect": nouns that make a person the attacker
ATTACKER_NOUNS = frozenset(
    "hacker hackers attacker attackers suspect suspects intruder perpetrator cybercriminal culprit".split()
)
# a hacker who found and reported a flaw is no attacker
_BENIGN_MODIFIERS = frozenset({"ethical", "white", "hat", "white-hat", "security", "friendly"})
# verbs whose object (or passive subject) is the person held for the attack
ARREST_VERBS = frozenset(
    """arrest arrested arrests arresting charged indicted convicted sentenced extradited detained prosecuted
    jailed""".split()
)
# verbs whose subject did the attack
ATTACK_VERBS = frozenset(
    "hacked stole stolen breached exfiltrated infiltrated downloaded accessed leaked".split()
)


def named_attackers(seg: Segmented) -> list[ActorMatch]:
    """Mentions of people the text presents as the attacker, with the person's fullest name as canonical."""
    found: list[tuple[int, int, str]] = []
    full_names: dict[str, str] = {}  # surname -> fullest name seen framed as the attacker
    for sent in seg.sentences:
        base = sent.start - sent.span.start_char
        for ent in sent.span.ents:
            # a bare surname is often tagged as an organisation ("Thompson is believed to have stolen...")
            person = ent.label_ == "PERSON" or (len(ent) == 1 and ent.label_ == "ORG")
            if not person or not _framed_as_attacker(ent, sent.span):
                continue
            name = ent.text.strip()
            start = base + ent.start_char
            found.append((start, start + len(name), name))
            if len(name.split()) >= 2:
                surname = name.split()[-1]
                full_names[surname] = max(full_names.get(surname, ""), name, key=len)
    out = []
    for start, end, name in found:
        canonical = full_names.get(name.split()[-1], name)
        if len(canonical.split()) >= 2:  # a bare name never given in full could be anyone's
            out.append(ActorMatch(start, end, name, canonical, False))
    return out


def _framed_as_attacker(ent: Any, sentence: Any) -> bool:
    """Whether the parse presents this PERSON entity as the attacker (within its sentence: the parse runs over the
    whole text, and a by-line's name must not become the subject of the next paragraph's verb)."""

    def inside(tok: Any) -> bool:
        return bool(sentence.start <= tok.i < sentence.end)

    root = ent.root
    for tok in (*root.children, root.head):
        if tok is root or not inside(tok):
            continue
        related = tok.dep_ in ("appos", "compound") or root.dep_ == "appos"
        if related and tok.lower_ in ATTACKER_NOUNS and not _benign(tok):
            return True
    if root.dep_ == "appos" and root.head.dep_ in ("dobj", "nsubjpass"):
        root = root.head  # "arrested a Seattle-area woman, Paige Thompson": the woman is the one arrested
    verb = root.head
    if not inside(verb):
        return False
    if root.dep_ in ("dobj", "nsubjpass") and verb.lower_ in ARREST_VERBS:
        return True
    if root.dep_ in ("nsubj", "nsubjpass"):
        # "Thompson stole", "Thompson is believed to have stolen": the subject of an attack verb or of the verb
        # an attack verb completes; never a passive ("the forum X was hacked": X is the victim)
        completing = [t for c in verb.children if c.dep_ == "xcomp" for t in c.subtree if inside(t)]
        if any(t.dep_ == "auxpass" for t in completing):
            return False
        active = root.dep_ == "nsubj" and not any(c.dep_ == "auxpass" for c in verb.children)
        return (active and verb.lower_ in ATTACK_VERBS) or any(t.lower_ in ATTACK_VERBS for t in completing)
    return False


def _benign(noun: Any) -> bool:
    """"ethical hacker", "white-hat hacker": a finder, not an attacker."""
    return any(c.lower_ in _BENIGN_MODIFIERS for c in noun.children if c.dep_ in ("amod", "compound"))
