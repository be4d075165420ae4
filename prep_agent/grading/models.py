"""Score records: what is graded (ScoreRequest) and the verdict (Score) with its quoted ledger."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from prep_agent.grading.delivery import Delivery

MAX_ANSWER_CHARS = 10_000  # ~1,600 words: far beyond a spoken answer, keeps grading under ~0.3 s
MAX_SENTENCES = 120
MAX_LIST_ITEMS = 40
MAX_ITEM_CHARS = 1_000
QUESTION_TYPES = ("knowledge", "scenario", "behavioral", "drill")


class Status(StrEnum):
    """How well the answer made a claim, key point or criterion (best first, contradicted last)."""

    covered = "covered"
    partial = "partial"
    missing = "missing"
    contradicted = "contradicted"


class Flag(StrEnum):
    """A whole-answer finding, in display order."""

    empty = "empty"
    too_short = "too_short"
    off_topic = "off_topic"
    question_echo = "question_echo"
    keyword_list = "keyword_list"
    prompt_injection = "prompt_injection"
    contradiction = "contradiction"


FLAGS: tuple[str, ...] = tuple(f.value for f in Flag)


class Encoder(Protocol):
    """Anything with `encode(texts) -> (n, d)` unit vectors, such as embeddings.Encoder."""

    def encode(self, texts: Any, batch_size: int = ...) -> np.ndarray:
        """Embed texts as unit vectors."""
        ...


class ScoreRequest(BaseModel):
    """One answer to grade and what it is graded against."""

    model_config = ConfigDict(extra="ignore")

    question: str
    answer: str
    key_points: list[str]
    resume_links: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    target_sentences: int | None = None
    id: str | None = None
    question_type: str = "knowledge"
    rubric: str | None = None  # prompt-set name whose grading rubric applies; None = built-in
    interview_tip: str | None = None  # the notes' Interview Tip, added to the next-time advice

    @field_validator("key_points", "resume_links", "avoid", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("question_type", mode="before")
    @classmethod
    def _question_type(cls, value: Any) -> Any:
        if value is None:
            return "knowledge"
        text = str(value).strip().lower()
        if text not in QUESTION_TYPES:
            raise ValueError(f"question_type must be one of {', '.join(QUESTION_TYPES)}")
        return text

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return None if value is None else str(value)


class ClaimResult(BaseModel):
    """One atomic claim of a key point and how the answer made it."""

    text: str
    status: Status
    strength: float
    evidence: list[str] = Field(default_factory=list)


class KeyPointResult(BaseModel):
    """How one key point fared, with the answer's own words as evidence."""

    key_point: str
    status: Status
    strength: float
    evidence: list[str] = Field(default_factory=list)
    claims: list[ClaimResult] = Field(default_factory=list)


class CriterionResult(BaseModel):
    """One rubric criterion of the question type (e.g. STAR 'result'), with quoted evidence."""

    name: str
    label: str
    status: Status
    strength: float
    evidence: list[str] = Field(default_factory=list)
    weight: float = 1.0


class ResumeHit(BaseModel):
    """A resume fact the answer used."""

    fact: str
    evidence: list[str]


class AvoidHit(BaseModel):
    """Something the notes say to avoid that the answer brought up."""

    avoid: str
    evidence: list[str]


class Score(BaseModel):
    """The grade of one answer; every credit is backed by exact quotes from the answer."""

    overall: int
    key_points: list[KeyPointResult]
    resume: list[ResumeHit] = Field(default_factory=list)
    avoid_hits: list[AvoidHit] = Field(default_factory=list)
    delivery: Delivery
    flags: list[str] = Field(default_factory=list)
    engine: str = "offline"
    model: str | None = None
    rationale: str = ""
    next_time: list[str] = Field(default_factory=list)
    llm_error: str | None = None
    truncated: bool = False
    judge_prompt: str | None = None  # "prompt set" or "built-in" on the LLM path
    question_type: str = "knowledge"
    criteria: list[CriterionResult] = Field(default_factory=list)
