"""Find the victim a document is about, the other breaches it mentions, and give every fact to its incident.

The naive reading (most frequent organisation = victim, every fact = the victim's) is exactly the failure this
tool exists to avoid. Hand-written cues feed learned scorers (analysis/scorers.py, trained by `breachlens train`).
Steps:

1. Candidates: organisation mentions per sentence (extract/orgs.py), minus threat actors and countries; names in
   headings are found by looking up the body's candidates and by a "<name> data breach" headline pattern.
2. Roles: each mention gets a victim cue (subject of a breach verb, "breach at X", "X's breach", a list of
   victims, a "Name:" bullet in a list of breaches, the headline) or a bystander cue (quoted source, commentator,
   vendor). Cues spread along coordinated lists ("attacks on A, B and C").
3. Main victim: the candidate the main scorer rates highest, once the incident scorer and the cues agree that a
   breach is reported; a brand whose parent is named as the one confirming is folded into the parent when several
   of its brands are hit together. Another candidate with a victim cue, or that the other-victim scorer accepts,
   is `mentioned`. People named as the attacker (extract/attackers.py) join the threat actors.
4. Facts: each sentence's facts go to the victim named in their clause, else to the sentence's subject, else to
   the paragraph's current topic (the main victim at each new paragraph, the bullet's name inside a bullet).
"""

from __future__ import annotations

from ...records import Incident
from ..scorers import Scorers, load_scorers
from ..segment import Segmented
from .candidates import _read_candidates
from .facts import _build_incidents
from .owners import _assign_owners
from .victims import _fold_brands, candidate_table, decide

__all__ = ["attribute", "candidate_table", "read_mentions"]

read_mentions = _read_candidates  # the mention table: candidates with their role cues (for training and eval)


def attribute(
    source: str, seg: Segmented, title: str | None = None, scorers: Scorers | None = None
) -> tuple[Incident, ...]:
    """The document's incidents: the main one first (if any), then mentioned ones, each with its facts."""
    reading = _read_candidates(source, seg)
    decision = decide(reading, scorers or load_scorers())
    if decision.main is None:
        return ()
    main_key, brand_keys, parent_key = _fold_brands(reading, decision.main)
    # the parent speaks for the brand's breach: its statements are facts of the same incident
    same_incident = brand_keys | ({parent_key} if parent_key else set())
    victims = {main_key} | (set(decision.others) - same_incident - decision.factless)
    owners = _assign_owners(reading, main_key, victims, same_incident)
    victims |= reading.recalled | (decision.factless - same_incident)
    return _build_incidents(reading, main_key, victims, brand_keys, owners, parent_key)
