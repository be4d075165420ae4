"""Which cards a graded thread (a main question and its follow-ups) covered, and how well."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from prep_agent.drill.cards import CardKind, card_key, normalise
from prep_agent.grading.models import Status
from prep_agent.transcripts.records import Session, Turn

# Best first; a contradiction anywhere in the thread outranks everything (a wrong belief is a
# lapse even when a follow-up got the candidate to the right answer).
_RANK: dict[str, int] = {"missing": 0, "partial": 1, "covered": 2}
STATUSES = {s.value for s in Status}
RESUME_TARGETS = {"resume_link-": CardKind.RESUME_LINK, "resume_tie_in-": CardKind.RESUME_TIE_IN}


@dataclass(frozen=True)
class CardCoverage:
    """One card's coverage over a whole thread."""

    key: str
    kind: CardKind
    topic: str
    item: str
    text: str
    status: Status
    first_answer_only: bool  # covered by the main answer, and no follow-up was asked


@dataclass(frozen=True)
class GradedThread:
    """A main question with its follow-ups, and the cards it covered."""

    session_id: int
    root_turn_id: int
    answers: int
    follow_ups: int
    coverage: list[CardCoverage]


def thread_status(statuses: Sequence[str]) -> Status:
    """A card's status over a thread: contradicted if any answer contradicted it, else the best."""
    known = [Status(s) for s in statuses if s in STATUSES]
    if not known:
        return Status.missing
    if Status.contradicted in known:
        return Status.contradicted
    return max(known, key=lambda s: _RANK[s])


def _answer_statuses(score: Mapping[str, Any]) -> dict[tuple[CardKind, str], str]:
    """(kind, text) -> status for the key points and claims of one scored answer."""
    out: dict[tuple[CardKind, str], str] = {}
    for kp in score.get("key_points") or []:
        if not isinstance(kp, Mapping):
            continue
        out[(CardKind.KEY_POINT, normalise(str(kp.get("key_point", ""))))] = str(kp.get("status"))
        for claim in kp.get("claims") or []:
            if isinstance(claim, Mapping):
                out[(CardKind.CLAIM, normalise(str(claim.get("text", ""))))] = str(
                    claim.get("status"))
    return out


def _resume_facts(score: Mapping[str, Any]) -> set[str]:
    facts = score.get("resume") or []
    return {normalise(str(h.get("fact", ""))).lower() for h in facts if isinstance(h, Mapping)}


def thread_coverage(turns: Sequence[Turn]) -> list[CardCoverage]:
    """The cards one thread covered: its first turn is the main question, then follow-ups."""
    scored = [t for t in turns if t.answer is not None and isinstance(t.score, Mapping)]
    if not scored:
        return []
    root = turns[0].question
    topic, item = str(root.get("topic", "")), str(root.get("item", ""))
    follow_ups = len(turns) - 1
    per_answer = [_answer_statuses(cast(Mapping[str, Any], t.score)) for t in scored]
    order: list[tuple[CardKind, str]] = []
    for statuses in per_answer:
        order += [k for k in statuses if k not in order and k[1]]
    out: list[CardCoverage] = []
    for kind, text in order:
        seen = [s[(kind, text)] for s in per_answer if (kind, text) in s]
        status = thread_status(seen)
        first = follow_ups == 0 and per_answer[0].get((kind, text)) == "covered"
        out.append(CardCoverage(card_key(kind, topic, item, text), kind, topic, item, text,
                                status, first))
    target = str(root.get("target_id", ""))
    links = [str(x) for x in root.get("resume_links") or []]
    story = next((k for prefix, k in RESUME_TARGETS.items() if target.startswith(prefix)), None)
    if story is not None and links:
        text = normalise(links[0])
        card_item = item if story is CardKind.RESUME_LINK else ""
        hits = [text.lower() in _resume_facts(cast(Mapping[str, Any], t.score)) for t in scored]
        told = Status.covered if any(hits) else Status.missing
        out.append(CardCoverage(card_key(story, topic, card_item, text), story, topic, card_item,
                                text, told, follow_ups == 0 and hits[0]))
    return out


def threads(turns: Iterable[Turn]) -> dict[int, list[Turn]]:
    """Root turn id -> the thread's turns in the order asked."""
    out: dict[int, list[Turn]] = {}
    for turn in sorted(turns, key=lambda t: t.seq):
        out.setdefault(turn.parent_id or turn.id, []).append(turn)
    return out


def session_threads(session: Session, root_turn_id: int | None = None) -> list[GradedThread]:
    """The session's threads with at least one scored answer (one thread when a root is given)."""
    out: list[GradedThread] = []
    for root, turns in threads(session.turns).items():
        if root_turn_id is not None and root != root_turn_id:
            continue
        answered = [t for t in turns if t.answer is not None]
        coverage = thread_coverage(turns)
        if coverage:
            out.append(GradedThread(session.id, root, len(answered), len(turns) - 1, coverage))
    return out
