"""The one composition root: build or resume a practice session for the CLI and the app alike."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prep_agent.drill.cards import note_cards
from prep_agent.drill.plan import drill_plan
from prep_agent.drill.store import DrillStore
from prep_agent.drill.views import DrillCounts, counts, queue
from prep_agent.engine import Engine
from prep_agent.errors import PrepAgentError, TranscriptError
from prep_agent.grading.models import Encoder
from prep_agent.grading.rubric import Rubric
from prep_agent.interview.interviewer import Interviewer, SearchStore
from prep_agent.interview.planner import clean_title
from prep_agent.knowledge.models import Topic
from prep_agent.practice.results import TurnResult
from prep_agent.practice.session import PracticeSession, make_scorer
from prep_agent.prompt_library import PromptLibrary
from prep_agent.prompts import PromptSet
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
    drill: DrillStore | None = None  # FSRS cards (on the transcripts connection); None: no drill


def build_practice(
    deps: PracticeDeps, prompt_set: str | PromptSet, *, seed: int | None = None,
    follow_ups: bool = True,
) -> PracticeSession:
    """A practice session (not started yet) for this prompt set, engine, notes and store."""
    ps = deps.prompts.load(prompt_set) if isinstance(prompt_set, str) else prompt_set
    interviewer = Interviewer(
        deps.topics, deps.store, ps, chat_model=deps.engine.chat_model,
        seed=secrets.randbelow(1_000_000) if seed is None else seed,
        resume_facts=list(deps.resume_facts), compact=deps.engine.compact,
    )
    judge_model = deps.engine.judge_model  # None: the offline grader (always, for local)
    judge = ps.judge_template() if judge_model is not None else None
    # The prompt set's grading section (criteria weights, strictness) applies offline too.
    scorer = make_scorer(deps.encoder, judge_model, judge, Rubric.for_prompt_set(ps))
    if deps.drill is not None:
        deps.drill.sync(note_cards(deps.topics))  # new or edited notes become cards
    return PracticeSession(interviewer, scorer, deps.transcripts, engine=deps.engine,
                           settings=deps.settings, follow_ups=follow_ups, drill=deps.drill)


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


def start_drill(
    practice: PracticeSession, topics: Sequence[str] | None = None, limit: int | None = None,
    meta: Mapping[str, Any] | None = None,
) -> DrillCounts:
    """Open a drill session: due cards first, then new ones; returns "N due today, M new"."""
    drill = practice.drill
    if drill is None:
        raise PrepAgentError("This practice session has no drill cards: build it with "
                             "PracticeDeps(drill=DrillStore(...))")
    if limit is not None and limit < 1:
        raise PrepAgentError(f"Drill at least 1 card (got {limit})")
    cards = drill.cards()
    if topics:
        wanted = {t.strip().lower() for t in topics}
        chosen = [c for c in cards if c.spec.topic.lower() in wanted
                  or clean_title(c.spec.topic).lower() in wanted]
        if not chosen:
            known = ", ".join(sorted({clean_title(c.spec.topic) for c in cards})) or "none"
            raise PrepAgentError(f"No cards for topic {', '.join(topics)}: use one of {known}")
        cards = chosen
    now = drill.now()
    tally = counts(cards, now)
    plan = drill_plan(queue(cards, now, limit), practice.interviewer.targets,
                      practice.interviewer.prompt_set)
    if not plan:
        upcoming = sorted(c.memory.due for c in cards if not c.is_new and c.memory.due)
        when = f"the next card is due {upcoming[0]:%Y-%m-%d}" if upcoming else "no card yet"
        raise PrepAgentError(f"Nothing to drill today ({tally.label}; {when}): run an "
                             "interview instead, or add key points to your notes")
    practice.start(len(plan), plan=plan,
                   meta={"mode": "drill", "drill": tally.label, **dict(meta or {})})
    return tally
