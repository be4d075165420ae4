"""Transcript turns grouped into threads (a main question and its follow-ups)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prep_agent.grading.thread import (
    ScoreLike,
    ThreadAnswer,
    ThreadRecord,
    build_ledger,
    coverage_text,
)
from prep_agent.transcripts.records import KeyPointResult, Turn

if TYPE_CHECKING:
    from prep_agent.grading.models import Score
    from prep_agent.interview.interviewer import Question


@dataclass(frozen=True)
class _LedgerScore:
    """A score read back from the ledger rows (rows whose score JSON lacks key points)."""

    key_points: list[KeyPointResult]


def _score(turn: Turn) -> ScoreLike | None:
    graded = turn.graded
    if graded is not None and graded.key_points:
        return graded
    if turn.ledger:
        return _LedgerScore(list(turn.ledger))
    return graded


def thread_turns(turns: Sequence[Turn], root: int) -> list[Turn]:
    """The answered turns of the thread rooted at turn `root`, in the order asked."""
    return [t for t in turns if (t.id == root or t.parent_id == root) and t.answer is not None]


def thread_records(turns: Sequence[Turn]) -> list[ThreadRecord]:
    """Every thread of these turns (oldest first), with its main question's key points."""
    groups: dict[int, list[Turn]] = {}
    for turn in turns:
        groups.setdefault(turn.parent_id or turn.id, []).append(turn)
    out = []
    for group in groups.values():
        main = group[0].asked
        ledger = [kp for t in group for kp in t.ledger]
        if main is not None:
            key_points = tuple(main.thread_key_points or main.target_key_points)
            qtype, topic = main.type, main.topic
        else:  # an older or hand-written row: the ledger says what was graded
            key_points = tuple(dict.fromkeys(kp.key_point for kp in ledger))
            qtype, topic = "knowledge", ""
        topic = next((kp.topic for kp in ledger if kp.topic), topic)
        answered = [t for t in group if t.answer is not None]
        when = max((t.scored_at or t.answered_at or t.asked_at for t in group), default="")
        out.append(ThreadRecord(qtype, key_points,
                                tuple(ThreadAnswer(t.answer or "", _score(t)) for t in answered),
                                topic, when))
    return out


def _root(turns: Sequence[Turn], turn_id: int) -> int:
    turn = next(t for t in turns if t.id == turn_id)
    return turn.parent_id if turn.parent_id is not None else turn.id


def thread_so_far(turns: Sequence[Turn], turn_id: int,
                  score: Score) -> list[tuple[Question, str, Score | None]]:
    """The thread up to and including turn `turn_id` (whose score is `score`), for follow-ups."""
    return [(t.asked, t.answer or "", t.graded if t.id != turn_id else score)
            for t in thread_turns(turns, _root(turns, turn_id)) if t.asked is not None]


def thread_coverage_text(turns: Sequence[Turn], turn_id: int, answer: str,
                         score: ScoreLike) -> str:
    """The card's thread line once turn `turn_id` is answered with `answer` and scored."""
    root = _root(turns, turn_id)
    main = next((t.asked for t in turns if t.id == root and t.asked), None)
    if main is None:
        main = next(t.asked for t in turns if t.id == turn_id and t.asked)
    answers = [*(ThreadAnswer(t.answer or "", _score(t)) for t in thread_turns(turns, root)
                 if t.id != turn_id), ThreadAnswer(answer, score)]
    return coverage_text(build_ledger(
        main.type, main.thread_key_points or main.target_key_points, answers))
