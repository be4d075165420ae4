"""Score records: what is graded (ScoreRequest) and the verdict (Score) with its quoted ledger."""

from __future__ import annotations

from typing import Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from prep_agent.grading.delivery import Delivery

MAX_ANSWER_CHARS = 10_000  # ~1,600 words: far beyond a spoken answer, keeps grading under ~0.3 s
MAX_SENTENCES = 120
MAX_LIST_ITEMS = 40
MAX_ITEM_CHARS = 1_000

Status = Literal["covered", "partial", "missing", "contradicted"]
FLAGS = (
    "empty",
    "too_short",
    "off_topic",
    "question_echo",
    "keyword_list",
    "prompt_injection",
    "contradiction",
)


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

    @field_validator("key_points", "resume_links", "avoid", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return None if value is None else str(value)


class KeyPointResult(BaseModel):
    """How one key point fared, with the answer's own words as evidence."""

    key_point: str
    status: Status
    strength: float
    evidence: list[str] = Field(default_factory=list)


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
