"""One mock-interview session for the CLI and the app: ask, save, score, follow up, summarise.

Every step is written to the transcripts store as it happens, and the answer is committed
before scoring starts, so a crash loses no answer and `resume` carries on from the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate
from pydantic import ValidationError

from prep_agent.drill.store import DrillStore, ReviewRecord
from prep_agent.drill.views import mastery_by_key_point
from prep_agent.engine import Engine, offline_engine
from prep_agent.errors import PrepAgentError, StaleAnswerError, TranscriptError
from prep_agent.grading.delivery import SpokenDelivery
from prep_agent.grading.models import Encoder, Score, ScoreRequest
from prep_agent.grading.rubric import Rubric
from prep_agent.grading.scoring import make_grader
from prep_agent.interview.interviewer import Interviewer, Question
from prep_agent.interview.planner import PlannedQuestion, history_from_sessions
from prep_agent.interview.summary import SessionCounts
from prep_agent.practice.model_answer import model_answer
from prep_agent.practice.results import PracticeQuestion, PracticeSummary, TurnResult
from prep_agent.streaming import Stream
from prep_agent.text.redact import settings_snapshot
from prep_agent.transcripts.records import AnswerWrite, KeyPointResult, NumberedTurn, Session, Turn
from prep_agent.transcripts.store import TranscriptStore
from prep_agent.transcripts.threads import thread_coverage_text, thread_so_far

Scorer = Callable[[ScoreRequest], Score]
STALE_MESSAGES = {
    AnswerWrite.answered: "This question was answered in another tab. Reload to continue",
    AnswerWrite.skipped: "This question was skipped in another tab. Reload to continue",
    AnswerWrite.finished: "This interview was ended in another tab. Reload to see its summary",
}
log = logging.getLogger(__name__)


def make_scorer(
    encoder: Encoder, chat_model: BaseChatModel | None = None,
    judge_prompt: ChatPromptTemplate | None = None,
    rubric: Rubric | None = None,
) -> Scorer:
    """A scorer bound to the encoder, the optional LLM judge and the prompt set's rubric."""
    grader = make_grader(encoder, chat_model, judge_prompt, rubric)

    def scorer(req: ScoreRequest) -> Score:
        return grader.grade(req)

    return scorer


class PracticeSession:
    """Drives one session; dependencies are passed in, state lives in the transcripts store.

    The plan is stored with the session and each question fills a named slot of it, so any
    number of drivers (browser tabs, a CLI) on one session ask each planned question once,
    and an answer is only ever written to a turn that still waits for one.
    """

    def __init__(
        self, interviewer: Interviewer, scorer: Scorer, transcripts: TranscriptStore, *,
        engine: Engine | None = None, settings: Any = None, follow_ups: bool = True,
        drill: DrillStore | None = None,
    ) -> None:
        self.interviewer = interviewer
        self.scorer = scorer
        self.transcripts = transcripts
        self.engine = engine or offline_engine()
        self.settings: dict[str, Any] = settings_snapshot(settings) if settings is not None else {}
        self.follow_ups = follow_ups
        self.drill = drill  # FSRS cards: rated as each thread ends (exam mode: at finish)
        self.session_id: int | None = None
        self.plan: list[PlannedQuestion] = []
        self._current: PracticeQuestion | None = None

    # -- lifecycle

    def start(
        self, n_questions: int, topics: Sequence[str] | None = None,
        history: Mapping[str, float] | None = None, meta: Mapping[str, Any] | None = None,
        plan: Sequence[PlannedQuestion] | None = None,
    ) -> int:
        """Plan N questions (least recalled first; a drill passes its `plan`); returns the id.

        Every checklist item is asked before any repeats, counting earlier sessions.
        """
        if plan is not None:
            if not plan:
                raise PrepAgentError("Nothing to drill: no card is due or new for these notes")
            self.plan = list(plan)
        else:
            if n_questions < 1:
                raise PrepAgentError(f"Ask for at least 1 question (got {n_questions})")
            if history is None:
                history = self.mastery_levels()
            past = history_from_sessions(self.transcripts.asked_main_questions())
            self.plan = self.interviewer.plan(n_questions, topics=topics, history=history,
                                              past=past)
        chosen = sorted({p.target.topic for p in self.plan})
        ps = self.interviewer.prompt_set
        self.session_id = self.transcripts.start_session(
            ps.name, ps.hash, str(self.engine.kind), self.engine.recorded_model, topics=chosen,
            settings=self.settings,
            meta={"plan": [p.model_dump(mode="json") for p in self.plan],
                  "requested_topics": list(topics or []), "seed": self.interviewer.seed,
                  "follow_ups": self.follow_ups, **dict(meta or {})},
        )
        self._current = None
        return self.session_id

    def mastery_levels(self) -> dict[str, float]:
        """Mastery per key point, the one definition the summary, Review and the planner share:
        FSRS recall of its drill card a week ahead (thread-credit EMA without a drill store)."""
        if self.drill is not None:
            return mastery_by_key_point(self.drill)
        return self.transcripts.mastery_by_key_point()

    def _sid(self) -> int:
        if self.session_id is None:
            raise PrepAgentError("No session is running: call start() or resume() first")
        return self.session_id

    def _session(self) -> Session:
        return self.transcripts.get_session(self._sid())

    @property
    def position(self) -> int:
        """Main questions asked so far (read from the transcript, shared by every tab)."""
        return sum(1 for t in self._session().turns if t.parent_id is None)

    @property
    def remaining(self) -> int:
        """Planned main questions not yet asked."""
        return max(0, len(self.plan) - self.position)

    def _record(self, slot: str, parent: int | None) -> Callable[[Question], tuple[int, Question]]:
        def record(question: Question) -> tuple[int, Question]:
            tid, added = self.transcripts.ask_slot(
                self._sid(), slot, question.model_dump(mode="json"), parent_id=parent)
            if not added:  # another tab asked this slot first: show what it asked
                question = self.transcripts.get_turn(tid).asked or question
            self._note_engine(question)
            return tid, question
        return record

    def _note_engine(self, question: Question) -> None:
        if not self.engine.uses_llm:
            return
        if question.engine_note:
            self.engine = self.engine.falling_back(question.engine_note)
        elif self.engine.fell_back and question.engine == "llm":
            self.engine = replace(self.engine, fell_back=False, reason=None)

    def next_question(self) -> PracticeQuestion | None:
        """The question to answer now (a follow-up, or the next planned one); None when done."""
        if self._current is not None:
            return self._current
        session = self._session()
        if session.info.finished:
            return None
        places = {n.turn.id: n for n in session.numbered_turns()}
        last = session.turns[-1] if session.turns else None
        if last is not None and last.pending and last.asked is not None:
            self._current = self._recorded(last, places)  # asked (maybe by another tab)
            return self._current
        position = sum(1 for t in session.turns if t.parent_id is None)
        if position >= len(self.plan):
            return None
        stream = self.interviewer.stream(self.plan[position], asked=[t.text for t in session.turns])
        self._current = PracticeQuestion(stream, self._record(f"q{position + 1}", None),
                                         number=position + 1, total=len(self.plan))
        return self._current

    def _recorded(self, turn: Turn, places: Mapping[int, NumberedTurn]) -> PracticeQuestion:
        place = places[turn.id]
        root = turn.parent_id if turn.parent_id in places else None
        slot = turn.slot or f"turn{turn.id}"
        assert turn.asked is not None
        return PracticeQuestion(Stream.of(turn.asked.text, turn.asked), self._record(slot, root),
                                number=place.number, total=len(self.plan) or None,
                                follow_up=place.follow_up, parent_turn_id=root,
                                turn_id=turn.id)

    def submit(self, turn_id: int, answer: str,
               spoken: Callable[[int], SpokenDelivery] | None = None) -> TurnResult:
        """Save the answer to `turn_id` if it still waits for one, score it, line up a follow-up.

        Raises StaleAnswerError (nothing written, the text kept) when another tab answered or
        skipped that question, or ended the session. `spoken` runs once the answer is saved and
        before scoring: it keeps the recording with the turn and returns the pace, pauses and
        fillers that join the score's delivery section.
        """
        turn = self.transcripts.get_turn(turn_id)
        if turn.session_id != self._sid():
            raise TranscriptError(f"Turn {turn_id} belongs to session {turn.session_id}, not "
                                  f"{self._sid()}: answer the question this session shows")
        question = turn.asked
        if question is None:
            raise TranscriptError(f"Turn {turn_id} has no usable question: start a new interview")
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        outcome = self.transcripts.answer_pending(turn_id, answer)
        timings["save_answer_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        if outcome is not AnswerWrite.saved:
            self._current = None  # resynchronise with the transcript on the next question
            raise StaleAnswerError(STALE_MESSAGES[outcome], answer, turn_id)
        if self._current is not None and self._current.recorded and \
                self._current.turn_id == turn_id:
            self._current = None
        delivery = self._spoken(turn_id, spoken) if spoken is not None else None
        score, error, coverage = self._score(turn_id, question, answer, timings, delivery)
        follow = self._follow_up(turn, question, score) if score is not None else None
        if follow is not None:
            self._current = follow
        reviews = [] if follow is not None else self._rate(turn.parent_id or turn.id)
        return TurnResult(
            turn_id=turn_id, question=question, answer=answer, score=score, error=error,
            follow_up=follow, notes=list(question.citations), model_answer=model_answer(question),
            timings=timings, thread_coverage=coverage, reviews=reviews,
        )

    def _spoken(self, turn_id: int,
                spoken: Callable[[int], SpokenDelivery]) -> SpokenDelivery | None:
        try:
            return spoken(turn_id)
        except (PrepAgentError, OSError) as exc:  # the answer is saved; grade it without pacing
            log.warning("Turn %s: recording not kept (%s)", turn_id, exc)
            return None

    def _rate(self, root_turn_id: int | None) -> list[ReviewRecord]:
        """Rate the drill cards of an ended thread (every thread when None)."""
        if self.drill is None:
            return []
        try:
            return self.drill.rate_session(self._session(), root_turn_id)
        except PrepAgentError as exc:  # the answer and score are saved; scheduling can wait
            log.warning("Session %s: drill cards not rated (%s)", self.session_id, exc)
            return []

    def _score(
        self, turn_id: int, question: Question, answer: str, timings: dict[str, float],
        spoken: SpokenDelivery | None = None,
    ) -> tuple[Score | None, str | None, str | None]:
        """Score and save; returns (score, error, thread coverage text)."""
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
            return None, error, None
        timings["score_ms"] = round((time.perf_counter() - t0) * 1000, 2)
        ledger = [KeyPointResult(kp.key_point, kp.status, kp.strength, list(kp.evidence),
                                 question.topic) for kp in score.key_points]
        # The card shows how much of the point the thread has made so far, this answer included.
        coverage = thread_coverage_text(self._session().turns, turn_id, answer, score)
        stored = {**score.model_dump(mode="json"), "thread_coverage": coverage}
        self.transcripts.save_score(turn_id, stored, float(score.overall), ledger, timings)
        return score, None, coverage

    def _follow_up(self, turn: Turn, question: Question, score: Score) -> PracticeQuestion | None:
        if not self.follow_ups:
            return None
        root = turn.parent_id if turn.parent_id is not None else turn.id
        session = self._session()
        thread = thread_so_far(session.turns, turn.id, score)
        stream = self.interviewer.stream_follow_up(question, score, turn.answer or "",
                                                   thread or None)
        if stream is None:
            return None
        place = {n.turn.id: n for n in session.numbered_turns()}.get(root)
        depth = question.followup_depth + 1
        return PracticeQuestion(stream, self._record(f"{root}.f{depth}", root),
                                number=place.number if place else 1, follow_up=depth,
                                parent_turn_id=root)

    def skip_follow_up(self) -> None:
        """Drop the follow-up on screen (kept in the transcript as skipped) and move on."""
        current = self._current
        if current is not None and current.is_follow_up:
            root = current.parent_turn_id
            if current.recorded:
                self.transcripts.skip_turn(current.turn_id)
            self._current = None
            self._rate(root)

    def finish_if_done(self) -> PracticeSummary | None:
        """Finish the session when no question is left; None while one is."""
        return self.finish() if self.next_question() is None else None

    def finish(self) -> PracticeSummary:
        """End the session with the interviewer's summary (unanswered questions stay recorded)."""
        self._rate(None)  # threads not rated yet (exam mode, an interrupted follow-up)
        session = self._session()
        answered = [t for t in session.turns if t.asked is not None and t.answer is not None]
        results = [(t.asked, t.graded) for t in answered if t.asked is not None]
        scored = [s for _, s in results if s is not None]
        # Counts come from the transcript: every question and follow-up asked, answered or not.
        counts = SessionCounts(
            questions=sum(1 for t in session.turns if t.parent_id is None),
            follow_ups=sum(1 for t in session.turns if t.parent_id is not None),
            answered=len(answered), scored=len(scored))
        # Mastery over every session (the Review page's numbers), for this session's points.
        levels = self.mastery_levels()
        asked = {kp for q, _ in results for kp in (q.thread_key_points or q.target_key_points)}
        mastery = {kp: levels[kp] for kp in asked if kp in levels}
        text = self.interviewer.summary(results, counts, [t.answer or "" for t in answered],
                                        mastery)
        average = round(sum(s.overall for s in scored) / len(scored), 1) if scored else None
        summary = PracticeSummary(
            session_id=session.id, text=text, average=average, questions=counts.questions,
            follow_ups=counts.follow_ups, scored=counts.scored, mastery=mastery,
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
        self._current = None
        late: list[TurnResult] = []
        last = session.turns[-1] if session.turns else None
        if last is None or last.skipped_at is not None:
            return late
        question = last.asked
        if question is None:
            return late
        if last.answer is None:
            self._current = self._recorded(last, {n.turn.id: n for n in session.numbered_turns()})
            return late
        score = last.graded
        if score is None and last.score_error is None:
            timings: dict[str, float] = {}
            score, error, coverage = self._score(last.id, question, last.answer, timings)
            follow = self._follow_up(last, question, score) if score is not None else None
            late.append(TurnResult(last.id, question, last.answer, score, error, follow,
                                   list(question.citations), model_answer(question), timings,
                                   coverage))
            self._current = follow
        elif score is not None:
            self._current = self._follow_up(last, question, score)
        return late

