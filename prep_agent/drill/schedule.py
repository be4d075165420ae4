"""FSRS scheduling: the one rating table, the scheduler settings, and reviews with a safe clock.

The `fsrs` package (FSRS-6, open-spaced-repetition) computes every interval; this module only
chooses its settings and maps a graded thread's coverage to a rating.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from prep_agent.grading.models import Status

DESIRED_RETENTION = 0.9

# Thread coverage -> FSRS rating, the single place this mapping lives (README "Spaced re-drill").
# Key: (status of the card over the whole thread, covered on the first answer with no follow-up).
RATINGS: dict[tuple[Status, bool], Rating] = {
    (Status.contradicted, False): Rating.Again,
    (Status.contradicted, True): Rating.Again,
    (Status.missing, False): Rating.Again,
    (Status.missing, True): Rating.Again,
    (Status.partial, False): Rating.Hard,
    (Status.partial, True): Rating.Hard,
    (Status.covered, False): Rating.Good,
    (Status.covered, True): Rating.Easy,
}


def rating_for(status: Status | str, first_answer_only: bool) -> Rating:
    """The FSRS rating of a card from its thread coverage (see RATINGS)."""
    return RATINGS[(Status(status), first_answer_only)]


def make_scheduler(parameters: Sequence[float] | None = None) -> Scheduler:
    """The FSRS scheduler: whole-day intervals, no fuzz, so replaying a log gives the same dues.

    Interviews come at most a few times a day, so the minute-long (re)learning steps of a
    flashcard app are dropped: every review schedules the card a whole number of days ahead.
    """
    return Scheduler(parameters=DEFAULT_PARAMETERS if parameters is None else tuple(parameters),
                     desired_retention=DESIRED_RETENTION, learning_steps=(),
                     relearning_steps=(), enable_fuzzing=False)


def utc(value: datetime) -> datetime:
    """An aware UTC datetime (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_time(raw: str) -> datetime:
    """An ISO-8601 timestamp from the database, as aware UTC."""
    return utc(datetime.fromisoformat(raw))


@dataclass(frozen=True)
class CardState:
    """The FSRS memory state of one card, as stored in the `cards` table."""

    card_id: int
    state: int = int(State.Learning)
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None

    @property
    def is_new(self) -> bool:
        """True for a card never reviewed."""
        return self.last_review is None

    def to_fsrs(self, now: datetime) -> Card:
        """The fsrs.Card for this state."""
        return Card(card_id=self.card_id, state=State(self.state), step=self.step,
                    stability=self.stability, difficulty=self.difficulty,
                    due=self.due or now, last_review=self.last_review)

    @classmethod
    def from_fsrs(cls, card: Card) -> CardState:
        """The stored state of an fsrs.Card."""
        return cls(card_id=card.card_id, state=int(card.state), step=card.step,
                   stability=card.stability, difficulty=card.difficulty, due=utc(card.due),
                   last_review=None if card.last_review is None else utc(card.last_review))


def review(scheduler: Scheduler, state: CardState, rating: Rating, when: datetime) -> CardState:
    """The card's state after one review at `when`.

    A clock that went backwards (when < the last review) is treated as "no time passed": the
    review counts at the last review's time, so no interval is ever negative.
    """
    when = utc(when)
    if state.last_review is not None and when < state.last_review:
        when = state.last_review
    card, _ = scheduler.review_card(state.to_fsrs(when), rating, review_datetime=when)
    return CardState.from_fsrs(card)


def replay(
    scheduler: Scheduler, card_id: int, reviews: Sequence[tuple[Rating, datetime]]
) -> CardState:
    """A card's state rebuilt from its reviews in the order they happened."""
    state = CardState(card_id=card_id)
    for rating, when in reviews:
        state = review(scheduler, state, rating, when)
    return state


def retrievability(scheduler: Scheduler, state: CardState, now: datetime) -> float | None:
    """Probability (0..1) of recalling the card now; None for a card never reviewed."""
    if state.is_new:
        return None
    return float(scheduler.get_card_retrievability(state.to_fsrs(utc(now)), utc(now)))


# Mastery looks a week ahead: right after a review every card's recall is ~100%, which says
# nothing; the chance of still recalling it in a week separates a missed point from a known one.
MASTERY_HORIZON = timedelta(days=7)


def mastery(scheduler: Scheduler, state: CardState, now: datetime) -> float | None:
    """Mastery of a card (0..1): its FSRS retrievability a week from now; None if never reviewed."""
    return retrievability(scheduler, state, now + MASTERY_HORIZON)


def interval_days(state: CardState) -> float:
    """Days from the last review to the due date (0 for a new card); never negative."""
    if state.last_review is None or state.due is None:
        return 0.0
    return max(0.0, (state.due - state.last_review) / timedelta(days=1))
