"""Which cards a graded thread (a main question and its follow-ups) covered, and how well."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from prep_agent.drill.cards import CardKind, card_key, normalise
from prep_agent.grading.models import Score, Status
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


def _answer_statuses(score: Score) -> dict[tuple[CardKind, str], Status]:
    """(kind, text) -> status for the key points and claims of one scored answer."""
    out: dict[tuple[CardKind, str], Status] = {}
    for kp in score.key_points:
        out[(CardKind.KEY_POINT, normalise(kp.key_point))] = kp.status
        for claim in kp.claims:
            out[(CardKind.CLAIM, normalise(claim.text))] = claim.status
    return out


def thread_coverage(turns: Sequence[Turn]) -> list[CardCoverage]:
    """The cards one thread covered: its first turn is the main question, then follow-ups."""
    root = turns[0].asked if turns else None
    scores = [t.graded for t in turns if t.answer is not None]
    graded = [g for g in scores if g is not None]
    if root is None or not graded:
        return []  # a damaged question or no scored answer: nothing to rate
    follow_ups = len(turns) - 1
    per_answer = [_answer_statuses(g) for g in graded]
    order: list[tuple[CardKind, str]] = []
    for statuses in per_answer:
        order += [k for k in statuses if k not in order and k[1]]
    out: list[CardCoverage] = []
    for kind, text in order:
        status = thread_status([s[(kind, text)] for s in per_answer if (kind, text) in s])
        first = follow_ups == 0 and per_answer[0].get((kind, text)) == Status.covered
        out.append(CardCoverage(card_key(kind, root.topic, root.item, text), kind, root.topic,
                                root.item, text, status, first))
    story = next((k for prefix, k in RESUME_TARGETS.items()
                  if root.target_id.startswith(prefix)), None)
    if story is not None and root.resume_links:
        text = normalise(root.resume_links[0])
        item = root.item if story is CardKind.RESUME_LINK else ""
        hits = [text.lower() in {normalise(h.fact).lower() for h in g.resume} for g in graded]
        told = Status.covered if any(hits) else Status.missing
        out.append(CardCoverage(card_key(story, root.topic, item, text), story, root.topic,
                                item, text, told, follow_ups == 0 and hits[0]))
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
