"""Typed records read back from the transcripts database."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def pending_turn(self) -> Turn | None:
        """The last turn still waiting for an answer, if any."""
        unanswered = [t for t in self.turns if t.answer is None]
        return unanswered[-1] if unanswered else None


@dataclass(frozen=True)
class ProgressPoint:
    """Average score of one session, for the score-over-time chart."""

    session_id: int
    started_at: str
    prompt_set: str
    engine: str
    average_score: float
    n_scored: int


@dataclass(frozen=True)
class KeyPointMastery:
    """Recency-weighted mastery of one key point over every attempt."""

    key_point: str
    topic: str
    attempts: int
    mastery: float
    last_status: str
    last_seen: str
