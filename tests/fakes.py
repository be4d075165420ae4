"""Shared test fakes and builders: a settable clock and a practice session over given parts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.models import Topic
from prep_agent.practice.session import PracticeSession, Scorer
from prep_agent.prompts import PromptSet
from prep_agent.transcripts.store import TranscriptStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock: tests move time without sleeping."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def practice_session(topics: list[Topic], prompt_set: PromptSet, transcripts: TranscriptStore,
                     scorer: Scorer, seed: int = 1, **kw: Any) -> PracticeSession:
    """A practice session with the offline interviewer (no store, no chat model)."""
    return PracticeSession(Interviewer(topics, None, prompt_set, seed=seed), scorer,
                           transcripts, **kw)
