"""Typed records read back from the transcripts database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prep_agent.grading.models import Score
from prep_agent.grading.report import ScoreCard
from prep_agent.interview.interviewer import Citation, Question


class AnswerWrite(StrEnum):
    """What happened to a submitted answer: saved, or why it was refused."""

    saved = "saved"
    answered = "answered"  # another tab answered this turn first
    skipped = "skipped"
    finished = "finished"  # the session was ended


_EMPTY_DELIVERY: dict[str, Any] = {
    "words": 0, "sentences": 0, "filler_words": {}, "hedges": {}, "top_words": []}


@dataclass(frozen=True)
class KeyPointResult:
    """How one key point fared in one answer: covered/partial/missing/contradicted."""

    key_point: str
    status: str = "missing"
    strength: float = 0.0
    evidence: list[str] = field(default_factory=list)
    topic: str = ""


@dataclass(frozen=True)
class Turn:
    """One question asked, with its answer and score once they exist."""

    id: int
    session_id: int
    seq: int
    parent_id: int | None
    question: dict[str, Any]
    asked_at: str
    answer: str | None = None
    answered_at: str | None = None
    score: dict[str, Any] | None = None
    overall: float | None = None
    score_error: str | None = None
    scored_at: str | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    ledger: list[KeyPointResult] = field(default_factory=list)
    slot: str | None = None
    skipped_at: str | None = None

    @cached_property
    def asked(self) -> Question | None:
        """The stored question as a validated record (None for a row that is not a full one)."""
        try:
            return Question.model_validate(self.question)
        except ValidationError:
            return None

    @cached_property
    def graded(self) -> Score | None:
        """The stored score as a validated record; older, partial rows get empty defaults."""
        if self.score is None:
            return None
        data = {"overall": self.overall if self.overall is not None else 0,
                "key_points": [], "delivery": _EMPTY_DELIVERY, **self.score}
        try:
            return Score.model_validate(data)
        except ValidationError:
            return None

    @cached_property
    def card(self) -> ScoreCard | None:
        """The score card every view draws (None until the answer is scored)."""
        graded = self.graded
        if graded is None:
            return None
        coverage = (self.score or {}).get("thread_coverage")  # saved by the practice session
        return ScoreCard.from_score(graded, self.ledger,
                                    coverage if isinstance(coverage, str) else None)

    @cached_property
    def citations(self) -> list[Citation]:
        """Where the question came from in the notes (older rows may lack a citation's text)."""
        if self.asked is not None:
            return list(self.asked.citations)
        out: list[Citation] = []
        raw = self.question.get("citations")
        for item in raw if isinstance(raw, list) else []:
            try:
                out.append(Citation.model_validate({"kind": "", "text": "", **item}))
            except (TypeError, ValidationError):
                continue
        return out

    @property
    def pending(self) -> bool:
        """True while the turn waits for its answer (not answered, not skipped)."""
        return self.answer is None and self.skipped_at is None

    @property
    def text(self) -> str:
        """The question's text."""
        return str(self.question.get("text", ""))

    @property
    def type(self) -> str:
        """The question's type (knowledge, scenario, behavioral, drill, follow_up...)."""
        return str(self.question.get("type", ""))

    @property
    def is_follow_up(self) -> bool:
        """True for a follow-up to an earlier turn."""
        return self.parent_id is not None


@dataclass(frozen=True)
class SessionSummary:
    """A row of the sessions table."""

    id: int
    started_at: str
    ended_at: str | None
    prompt_set: str
    prompt_hash: str
    engine: str
    model: str
    topics: list[str]
    n_questions: int  # main questions; follow-ups are counted apart
    n_follow_ups: int
    n_answered: int
    average_score: float | None

    @property
    def finished(self) -> bool:
        """True once the session was ended."""
        return self.ended_at is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return {**asdict(self), "finished": self.finished}


class SessionReport(BaseModel):
    """The end-of-session summary as stored (fields added later are kept, not guessed at)."""

    model_config = ConfigDict(extra="allow")

    text: str = ""
    average: float | None = None
    questions: int = 0
    follow_ups: int = 0
    scored: int = 0
    mastery: dict[str, float] = Field(default_factory=dict)


@dataclass(frozen=True)
class Session:
    """A session with its settings snapshot, summary and turns in order."""

    info: SessionSummary
    settings: dict[str, Any]
    meta: dict[str, Any]
    summary: dict[str, Any] | None
    turns: list[Turn]

    @property
    def id(self) -> int:
        """The session id."""
        return self.info.id

    @cached_property
    def report(self) -> SessionReport | None:
        """The end-of-session summary as a record (None before the session ends)."""
        if not isinstance(self.summary, dict):
            return None
        try:
            return SessionReport.model_validate(self.summary)
        except ValidationError:
            return SessionReport(text=str(self.summary.get("text") or ""))

    def pending_turn(self) -> Turn | None:
        """The last turn still waiting for an answer, if any."""
        unanswered = [t for t in self.turns if t.pending]
        return unanswered[-1] if unanswered else None

    def numbered_turns(self) -> list[NumberedTurn]:
        """Every turn with its label: main questions count 1, 2, 3; follow-ups 2.1, 2.2."""
        out: list[NumberedTurn] = []
        numbers: dict[int, int] = {}
        subs: dict[int, int] = {}
        mains = 0
        for turn in self.turns:
            if turn.parent_id is None or turn.parent_id not in numbers:
                mains += 1
                numbers[turn.id] = mains
                out.append(NumberedTurn(turn, mains))
            else:
                number = numbers[turn.parent_id]
                subs[turn.parent_id] = subs.get(turn.parent_id, 0) + 1
                numbers[turn.id] = number
                out.append(NumberedTurn(turn, number, subs[turn.parent_id]))
        return out


def question_label(number: int, follow_up: int = 0, total: int | None = None) -> str:
    """"Question 2", "Question 2 of 3" or "Follow-up 2.1": the one numbering every view uses."""
    if follow_up:
        return f"Follow-up {number}.{follow_up}"
    return f"Question {number}" + (f" of {total}" if total else "")


def question_caption(number: int, follow_up: int = 0, total: int | None = None) -> str:
    """The chat's caption: "Question 2 of 3", or "Follow-up on question 2"."""
    if follow_up:
        return f"Follow-up on question {number}"
    return question_label(number, total=total)


@dataclass(frozen=True)
class NumberedTurn:
    """A turn with its place in the interview: main question `number`, follow-up `follow_up`."""

    turn: Turn
    number: int
    follow_up: int = 0

    @property
    def label(self) -> str:
        """"Question 2" or "Follow-up 2.1"."""
        return question_label(self.number, self.follow_up)

    @property
    def caption(self) -> str:
        """"Question 2" or "Follow-up on question 2"."""
        return question_caption(self.number, self.follow_up)


@dataclass(frozen=True)
class ProgressPoint:
    """Average score of one session, for the score-over-time chart."""

    session_id: int
    started_at: str
    prompt_set: str
    engine: str
    average_score: float
    n_scored: int
