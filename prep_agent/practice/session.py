"""One mock-interview session for the CLI and the app: ask, save, score, follow up, summarise.

Every step is written to the transcripts store as it happens, and the answer is committed
before scoring starts, so a crash loses no answer and `resume` carries on from the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from pydantic import ValidationError

from prep_agent.errors import PrepAgentError, TranscriptError
from prep_agent.grading.delivery import SpokenDelivery
from prep_agent.grading.models import Encoder, Score, ScoreRequest
from prep_agent.grading.scoring import score_answer
from prep_agent.interview.interviewer import (
    Citation,
    Interviewer,
    Question,
    QuestionStream,
    mastery_from_results,
)
from prep_agent.interview.planner import PlannedQuestion
from prep_agent.text.redact import settings_snapshot
from prep_agent.transcripts.records import KeyPointResult, Session, Turn
from prep_agent.transcripts.store import TranscriptStore

Scorer = Callable[[ScoreRequest], Score]


def make_scorer(
    encoder: Encoder, chat_model: BaseChatModel | None = None,
    judge_prompt: ChatPromptTemplate | None = None,
) -> Scorer:
    """A scorer bound to the encoder, the optional LLM judge and the prompt set's rubric."""

    def scorer(req: ScoreRequest) -> Score:
        return score_answer(req, encoder, chat_model, judge_prompt)

    return scorer


def model_answer(question: Question) -> str:
    """A model answer assembled from the notes: the question's key points, then a resume tie-in."""
    points = [kp.strip() for kp in question.target_key_points if kp.strip()]
    body = " ".join(p if p.endswith((".", "!", "?")) else f"{p}." for p in points)
    tie = next((r.strip() for r in question.resume_links if r.strip()), "")
    return f"{body}\n\nResume tie-in: {tie}" if tie else body


@dataclass
class TurnResult:
    """What `submit` returns: the saved answer's score (or the scoring error) and what is next."""

    turn_id: int
    question: Question
    answer: str
    score: Score | None
    error: str | None
    follow_up: PracticeQuestion | None
    notes: list[Citation]
    model_answer: str
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class PracticeSummary:
    """The end-of-session report."""

    session_id: int
    text: str
    average: float | None
    questions: int
    follow_ups: int
    scored: int
    mastery: dict[str, float]


class PracticeQuestion:
    """A question being asked: iterate for streamed text; `result()` records it as a turn."""

    def __init__(
        self, stream: QuestionStream | None, record: Callable[[Question], int],
        parent_turn_id: int | None = None, question: Question | None = None,
        turn_id: int | None = None,
    ) -> None:
        self._stream = stream
        self._record = record
        self.parent_turn_id = parent_turn_id
        self._question = question
        self._turn_id = turn_id

    @property
    def is_follow_up(self) -> bool:
        """True for a follow-up to an earlier answer."""
        return self.parent_turn_id is not None

    @property
    def recorded(self) -> bool:
        """True once the question is saved as a turn (its text is final)."""
        return self._turn_id is not None

    @property
    def note(self) -> str | None:
        """Why the offline engine phrased this question, when the LLM failed."""
        if self._question is not None:
            return self._question.engine_note
        return self._stream.note if self._stream is not None else None

    def __iter__(self) -> Iterator[str]:
        if self._stream is None or self._question is not None:
            yield self.result().text
            return
        yield from self._stream
        self.result()

    def result(self) -> Question:
        """The finished question, recorded in the transcript exactly once."""
        if self._question is None:
            assert self._stream is not None
            self._question = self._stream.result()
        if self._turn_id is None:
            self._turn_id = self._record(self._question)
        return self._question

    @property
    def turn_id(self) -> int:
        """The transcript turn id (records the question if that has not happened yet)."""
        self.result()
        assert self._turn_id is not None
        return self._turn_id


class PracticeSession:
    """Drives one session; dependencies are passed in, state lives in the transcripts store."""

    def __init__(
        self, interviewer: Interviewer, scorer: Scorer, transcripts: TranscriptStore, *,
        model: str = "", settings: Any = None, follow_ups: bool = True,
    ) -> None:
        self.interviewer = interviewer
        self.scorer = scorer
        self.transcripts = transcripts
        self.model = model if interviewer.engine == "llm" else ""
        self.settings: dict[str, Any] = settings_snapshot(settings) if settings is not None else {}
        self.follow_ups = follow_ups
        self.session_id: int | None = None
        self.plan: list[PlannedQuestion] = []
        self.position = 0
        self._current: PracticeQuestion | None = None
        self._root: dict[int, int] = {}  # turn id -> the main question's turn id

    # -- lifecycle

    def start(
        self, n_questions: int, topics: Sequence[str] | None = None,
        history: Mapping[str, float] | None = None,
    ) -> int:
        """Plan N questions (weak key points first) and open a session; returns its id."""
        if n_questions < 1:
            raise PrepAgentError(f"Ask for at least 1 question (got {n_questions})")
        if history is None:
            history = self.transcripts.mastery_by_key_point()
        self.plan = self.interviewer.plan(n_questions, topics=topics, history=history)
        chosen = sorted({p.target.topic for p in self.plan})
        ps = self.interviewer.prompt_set
        self.session_id = self.transcripts.start_session(
            ps.name, ps.hash, self.interviewer.engine, self.model, topics=chosen,
            settings=self.settings,
            meta={"plan": [p.model_dump(mode="json") for p in self.plan],
                  "requested_topics": list(topics or []), "seed": self.interviewer.seed,
                  "follow_ups": self.follow_ups},
        )
        self.position = 0
        self._current = None
        return self.session_id

    def _sid(self) -> int:
        if self.session_id is None:
            raise PrepAgentError("No session is running: call start() or resume() first")
        return self.session_id

    def _asked(self) -> list[str]:
        return [t.text for t in self.transcripts.get_session(self._sid()).turns]

    def _record(self, parent: int | None) -> Callable[[Question], int]:
        def record(question: Question) -> int:
            tid = self.transcripts.add_turn(self._sid(), question.model_dump(mode="json"),
                                            parent_id=parent)
            self._root[tid] = parent if parent is not None else tid
            if parent is None:
                self.position += 1
            return tid
        return record

    def next_question(self) -> PracticeQuestion | None:
        """The question to answer now (a follow-up, or the next planned one); None when done."""
        if self._current is not None:
            return self._current
        if self.position >= len(self.plan):
            return None
        planned = self.plan[self.position]
        stream = self.interviewer.stream(planned, asked=self._asked())
        self._current = PracticeQuestion(stream, self._record(None))
        return self._current

    @property
    def remaining(self) -> int:
        """Planned main questions not yet asked."""
        return max(0, len(self.plan) - self.position)

    def submit(self, answer: str, spoken: SpokenDelivery | None = None) -> TurnResult:
        """Save the answer (committed), score it, save the score, and line up any follow-up.

        A spoken answer's pace, pauses and fillers join the score's delivery section.
        """
        current = self.next_question()
        if current is None:
            raise PrepAgentError("Every planned question was answered: call finish()")
        question, turn_id = current.result(), current.turn_id
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        self.transcripts.save_answer(turn_id, answer)
        timings["save_answer_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        self._current = None
        score, error = self._score(turn_id, question, answer, timings, spoken)
        follow = self._follow_up(turn_id, question, score, answer) if score is not None else None
        self._current = follow
        return TurnResult(
            turn_id=turn_id, question=question, answer=answer, score=score, error=error,
            follow_up=follow, notes=list(question.citations), model_answer=model_answer(question),
            timings=timings,
        )

    def _score(
        self, turn_id: int, question: Question, answer: str, timings: dict[str, float],
        spoken: SpokenDelivery | None = None,
    ) -> tuple[Score | None, str | None]:
        t0 = time.perf_counter()
        try:
            score = self.scorer(ScoreRequest.model_validate(question.score_request(answer)))
            if spoken is not None:
                delivery = score.delivery.model_copy(update={"spoken": spoken})
                score = score.model_copy(update={"delivery": delivery})
        except Exception as exc:  # noqa: BLE001 - the answer is saved; report and carry on
            timings["score_ms"] = round((time.perf_counter() - t0) * 1000, 2)
            error = f"Scoring failed ({type(exc).__name__}: {exc}); the answer is saved"
            self.transcripts.save_score_error(turn_id, error, timings)
            return None, error
        timings["score_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        ledger = [KeyPointResult(kp.key_point, kp.status, kp.strength, list(kp.evidence),
                                 question.topic) for kp in score.key_points]
        self.transcripts.save_score(turn_id, score.model_dump(mode="json"), float(score.overall),
                                    ledger, timings)
        return score, None

    def _follow_up(
        self, turn_id: int, question: Question, score: Score, answer: str
    ) -> PracticeQuestion | None:
        if not self.follow_ups:
            return None
        stream = self.interviewer.stream_follow_up(question, score, answer)
        if stream is None:
            return None
        root = self._root.get(turn_id, turn_id)
        return PracticeQuestion(stream, self._record(root), parent_turn_id=root)

    def skip_follow_up(self) -> None:
        """Drop a follow-up that has not been asked yet and move on."""
        if self._current is not None and self._current.is_follow_up:
            self._current = None

    def finish(self) -> PracticeSummary:
        """End the session with the interviewer's summary (unanswered questions stay recorded)."""
        session = self.transcripts.get_session(self._sid())
        results = _results(session)
        text = self.interviewer.summary(results)
        scored = [s for _, s in results if s is not None]
        average = round(sum(s.overall for s in scored) / len(scored), 1) if scored else None
        summary = PracticeSummary(
            session_id=session.id, text=text, average=average,
            questions=sum(1 for t in session.turns if t.parent_id is None),
            follow_ups=sum(1 for t in session.turns if t.parent_id is not None),
            scored=len(scored), mastery=mastery_from_results(results),
        )
        self.transcripts.end_session(session.id, {
            "text": text, "average": average, "questions": summary.questions,
            "follow_ups": summary.follow_ups, "scored": summary.scored,
            "mastery": summary.mastery,
        })
        self._current = None
        return summary

    # -- resume

    def resume(self, session_id: int) -> list[TurnResult]:
        """Carry on an unfinished session from the database; returns results of late scoring.

        A question asked but not answered is asked again as is; an answer saved but never
        scored (the process died while scoring) is scored now; a due follow-up is lined up.
        """
        session = self.transcripts.get_session(session_id)
        if session.info.finished:
            raise TranscriptError(
                f"Session {session_id} is finished: start a new interview instead"
            )
        try:
            self.plan = [PlannedQuestion.model_validate(p) for p in session.meta.get("plan", [])]
        except ValidationError as exc:
            raise TranscriptError(
                f"Session {session_id} has no usable plan ({exc.error_count()} errors): "
                "start a new interview instead"
            ) from exc
        self.session_id = session_id
        self.follow_ups = bool(session.meta.get("follow_ups", self.follow_ups))
        self.position = sum(1 for t in session.turns if t.parent_id is None)
        self._root = {t.id: t.parent_id or t.id for t in session.turns}
        self._current = None
        late: list[TurnResult] = []
        if not session.turns:
            return late
        last = session.turns[-1]
        question = _question(last)
        if question is None:
            return late
        parent = self._root[last.id] if last.parent_id is not None else None
        if last.answer is None:
            self._current = PracticeQuestion(None, self._record(parent), parent_turn_id=parent,
                                             question=question, turn_id=last.id)
            return late
        score = _score(last)
        if score is None and last.score_error is None:
            timings: dict[str, float] = {}
            score, error = self._score(last.id, question, last.answer, timings)
            follow = (self._follow_up(last.id, question, score, last.answer)
                      if score is not None else None)
            late.append(TurnResult(last.id, question, last.answer, score, error, follow,
                                   list(question.citations), model_answer(question), timings))
            self._current = follow
        elif score is not None:
            self._current = self._follow_up(last.id, question, score, last.answer)
        return late


def _question(turn: Turn) -> Question | None:
    try:
        return Question.model_validate(turn.question)
    except ValidationError:
        return None


def _score(turn: Turn) -> Score | None:
    if turn.score is None:
        return None
    try:
        return Score.model_validate(turn.score)
    except ValidationError:
        return None


def _results(session: Session) -> list[tuple[Question, Score | None]]:
    out: list[tuple[Question, Score | None]] = []
    for turn in session.turns:
        question = _question(turn)
        if question is not None and turn.answer is not None:
            out.append((question, _score(turn)))
    return out
