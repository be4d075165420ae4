"""The one composition root: build or resume a practice session for the CLI and the app alike."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prep_agent.errors import TranscriptError
from prep_agent.grading.models import Encoder
from prep_agent.grading.rubric import Rubric
from prep_agent.interview.interviewer import Interviewer, SearchStore
from prep_agent.knowledge.models import Topic
from prep_agent.llm import Engine
from prep_agent.practice.session import PracticeSession, TurnResult, make_scorer
from prep_agent.prompts import PromptLibrary, PromptSet
from prep_agent.transcripts.store import TranscriptStore


@dataclass(frozen=True)
class PracticeDeps:
    """What every practice session is wired from; the engine was decided once, by the caller."""

    prompts: PromptLibrary
    topics: Sequence[Topic]
    store: SearchStore | None
    encoder: Encoder
    transcripts: TranscriptStore
    engine: Engine
    resume_facts: Sequence[str] = ()
    settings: Any = None  # a Settings snapshot is stored with each session (secrets scrubbed)


def build_practice(
    deps: PracticeDeps, prompt_set: str | PromptSet, *, seed: int | None = None,
    follow_ups: bool = True,
) -> PracticeSession:
    """A practice session (not started yet) for this prompt set, engine, notes and store."""
    ps = deps.prompts.load(prompt_set) if isinstance(prompt_set, str) else prompt_set
    interviewer = Interviewer(
        deps.topics, deps.store, ps, chat_model=deps.engine.chat_model,
        seed=secrets.randbelow(1_000_000) if seed is None else seed,
        resume_facts=list(deps.resume_facts),
    )
    judge = ps.judge_template() if deps.engine.uses_llm else None
    # The prompt set's grading section (criteria weights, strictness) applies offline too.
    scorer = make_scorer(deps.encoder, deps.engine.chat_model if deps.engine.uses_llm else None,
                         judge, Rubric.for_prompt_set(ps))
    return PracticeSession(interviewer, scorer, deps.transcripts, engine=deps.engine,
                           settings=deps.settings, follow_ups=follow_ups)


def resume_practice(
    deps: PracticeDeps, session_id: int, *, follow_ups: bool | None = None,
) -> tuple[PracticeSession, list[TurnResult]]:
    """Carry on an unfinished session with the prompt set and seed it started with.

    Returns the session and the results of answers scored now (saved before a crash).
    `follow_ups=False` turns follow-ups off for the rest of it.
    """
    session = deps.transcripts.get_session(session_id)
    if session.info.finished:
        raise TranscriptError(f"Session {session_id} is finished: start a new interview instead")
    seed = session.meta.get("seed")
    stored = bool(session.meta.get("follow_ups", True))
    practice = build_practice(
        deps, session.info.prompt_set, seed=int(seed) if isinstance(seed, int) else None,
        follow_ups=stored,
    )
    late = practice.resume(session_id)
    if follow_ups is False:
        practice.follow_ups = False
    return practice, late
