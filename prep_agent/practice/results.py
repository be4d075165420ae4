"""What a practice session hands its callers: the asked question, a turn's result, the summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prep_agent.drill.store import ReviewRecord
from prep_agent.grading.models import Score
from prep_agent.interview.interviewer import Citation, Question
from prep_agent.streaming import Stream
from prep_agent.transcripts.records import question_caption


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
    thread_coverage: str | None = None  # the thread so far, e.g. "75% over 2 answer(s)"
    reviews: list[ReviewRecord] = field(default_factory=list)  # drill cards rated as a thread ended


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


class PracticeQuestion(Stream[Question]):
    """A question being asked: a stream of its text whose value is the recorded Question.

    It is recorded as a turn when the stream ends (or on `turn_id`), exactly once; iterating
    it again replays the text, so a page redrawn mid-stream shows it whole.
    """

    def __init__(
        self, stream: Stream[Question], record: Callable[[Question], tuple[int, Question]],
        *, number: int, total: int | None = None, follow_up: int = 0,
        parent_turn_id: int | None = None, turn_id: int | None = None,
    ) -> None:
        self._record = record
        self._turn_id = turn_id
        self.number = number
        self.total = total
        self.follow_up = follow_up
        self.parent_turn_id = parent_turn_id
        super().__init__(iter(stream), lambda: self._save(stream.result()), parent=stream)

    def _save(self, question: Question) -> Question:
        if self._turn_id is None:
            self._turn_id, question = self._record(question)
        self.note = question.engine_note  # the stored question's, if another tab asked it
        return question

    @property
    def is_follow_up(self) -> bool:
        """True for a follow-up to an earlier answer."""
        return self.parent_turn_id is not None

    @property
    def label(self) -> str:
        """What the chat shows above it: "Question 2 of 3" or "Follow-up on question 2"."""
        return question_caption(self.number, self.follow_up, self.total)

    @property
    def recorded(self) -> bool:
        """True once the question is saved as a turn (its text is final)."""
        return self._turn_id is not None

    @property
    def turn_id(self) -> int:
        """The transcript turn id (records the question if that has not happened yet)."""
        self.result()
        assert self._turn_id is not None
        return self._turn_id
