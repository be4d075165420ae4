"""Cards from the notes: one per key point, per claim and per resume story, with stable ids.

A card's key is derived from its content (kind, topic, item and normalised text), as chunk ids
are, so re-ingesting unchanged notes finds the same cards. When a key point's wording changes,
`sync` (drill/store.py) keeps the old card and its history if the new text is similar enough
(`similarity >= SIMILARITY_THRESHOLD`) to the card it replaces in the same item; otherwise the
old card is retired and a new one starts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from prep_agent.grading.claims import split_claims
from prep_agent.knowledge.models import Topic
from prep_agent.text.match import token_set

# Jaccard overlap of the normalised content words (text.match.token_set) of the old and the new
# wording. 0.6 keeps typo fixes, reorderings and an added qualifier (one or two words out of
# five or more); a rewrite that drops or swaps most of the content words starts a new card.
SIMILARITY_THRESHOLD = 0.6

ClaimSplitter = Callable[[str], Sequence[str]]


class CardKind(StrEnum):
    """What a card asks the candidate to recall."""

    KEY_POINT = "key_point"  # an item's key point (its goal when it has none)
    CLAIM = "claim"  # one claim of a key point, once grading splits key points into claims
    RESUME_LINK = "resume_link"  # the resume story an item ties to
    RESUME_TIE_IN = "resume_tie_in"  # the topic's resume tie-in


@dataclass(frozen=True)
class CardSpec:
    """A card as the notes define it today (its FSRS state lives in the database)."""

    key: str
    kind: CardKind
    topic: str
    item: str
    text: str
    prompt: str  # the card's front when no interview question has asked it yet
    tip: str = ""  # the item's Interview Tip
    source: str = ""
    line: int = 0
    parent_key: str = ""  # a claim's key point card

    @property
    def slot(self) -> tuple[str, str, str]:
        """Where the card lives in the notes: an edited card is looked for in the same slot."""
        return (self.kind.value, self.topic, self.item)

    @property
    def citation(self) -> str:
        """`source:line`, the notes line behind the card."""
        return f"{self.source}:{self.line}" if self.source else ""


def normalise(text: str) -> str:
    """Whitespace-collapsed text, for matching a card to a graded key point."""
    return re.sub(r"\s+", " ", text).strip()


def card_key(kind: str, topic: str, item: str, text: str) -> str:
    """Stable id from content; the source file is left out so moving an item keeps its card."""
    raw = "\x1f".join([kind, normalise(topic), normalise(item), normalise(text).lower()])
    return f"{kind}-{hashlib.sha1(raw.encode()).hexdigest()[:16]}"


def similarity(old: str, new: str) -> float:
    """Jaccard overlap (0..1) of two texts' normalised content words."""
    a, b = token_set(old), token_set(new)
    if not a and not b:
        return 1.0 if normalise(old).lower() == normalise(new).lower() else 0.0
    return len(a & b) / len(a | b)


def _spec(kind: CardKind, topic: Topic, item: str, text: str, prompt: str, tip: str,
          line: int, parent_key: str = "") -> CardSpec:
    return CardSpec(key=card_key(kind, topic.title, item, text), kind=kind, topic=topic.title,
                    item=item, text=normalise(text), prompt=prompt, tip=tip, source=topic.source,
                    line=line, parent_key=parent_key)


def topic_cards(topic: Topic, claims_of: ClaimSplitter | None = None) -> list[CardSpec]:
    """Every card of one topic, in note order."""
    cards: list[CardSpec] = []
    if not topic.structured:
        return cards
    for item in topic.items:
        main = item.key_point or item.goal
        tip = item.interview_tip or ""
        if main:
            prompt = (f"{item.title}: {item.goal}" if item.goal and item.key_point
                      else f"{item.title}: what is the key point?")
            line = item.lines.get("key_point" if item.key_point else "goal", item.line)
            point = _spec(CardKind.KEY_POINT, topic, item.title, main, prompt, tip, line)
            cards.append(point)
            claims = [c for c in (claims_of(main) if claims_of else []) if normalise(c)]
            if len(claims) > 1:  # a one-claim key point is already its own card
                cards += [_spec(CardKind.CLAIM, topic, item.title, claim,
                                f"{item.title}: one claim of the key point", tip, line,
                                parent_key=point.key) for claim in claims]
        if item.resume_link:
            cards.append(_spec(CardKind.RESUME_LINK, topic, item.title, item.resume_link,
                               f"{item.title}: which of your own stories ties in here?", tip,
                               item.lines.get("resume_link", item.line)))
    if topic.resume_tie_in:
        cards.append(_spec(CardKind.RESUME_TIE_IN, topic, "", topic.resume_tie_in,
                           f"{topic.title}: how does your own experience tie in?", "",
                           topic.lines.get("resume_tie_in", topic.line)))
    return cards


def cards_from_topics(
    topics: Iterable[Topic], claims_of: ClaimSplitter | None = None
) -> list[CardSpec]:
    """Every card of the notes; a card appearing twice (same key) is kept once."""
    seen: dict[str, CardSpec] = {}
    for topic in topics:
        for card in topic_cards(topic, claims_of):
            seen.setdefault(card.key, card)
    return list(seen.values())


def note_cards(topics: Iterable[Topic]) -> list[CardSpec]:
    """The notes' cards with grading's claim split: what the app, the CLI and sessions sync."""
    return cards_from_topics(topics, claims_of=split_claims)
