"""View-models of the drill for the pages and the CLI: counts, forecast, recall, history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fsrs import Scheduler

from prep_agent.drill.cards import CardKind
from prep_agent.drill.schedule import interval_days, mastery, utc
from prep_agent.drill.store import DrillStore, ReviewRecord, StoredCard

FORECAST_DAYS = 14
ASKABLE = (CardKind.KEY_POINT, CardKind.RESUME_LINK, CardKind.RESUME_TIE_IN)


def end_of_day(now: datetime) -> datetime:
    """Midnight (UTC) after `now`: a card due before it is due today."""
    now = utc(now)
    return datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)


def is_due(card: StoredCard, now: datetime) -> bool:
    """True for a reviewed card due by the end of today."""
    return not card.is_new and card.memory.due is not None and card.memory.due < end_of_day(now)


@dataclass(frozen=True)
class DrillCounts:
    """'N due today, M new' for the Drill choice."""

    due: int
    new: int
    total: int

    @property
    def label(self) -> str:
        """The line shown next to the Drill choice and by `drill`."""
        return f"{self.due} due today, {self.new} new"


def counts(cards: Sequence[StoredCard], now: datetime) -> DrillCounts:
    """Due and new askable cards."""
    askable = [c for c in cards if c.spec.kind in ASKABLE]
    return DrillCounts(due=sum(is_due(c, now) for c in askable),
                       new=sum(c.is_new for c in askable), total=len(askable))


def queue(cards: Sequence[StoredCard], now: datetime, limit: int | None = None) -> list[StoredCard]:
    """What a drill asks: due cards first (most overdue first), then new cards in note order."""
    askable = [c for c in cards if c.spec.kind in ASKABLE]
    due = sorted((c for c in askable if is_due(c, now)),
                 key=lambda c: (c.memory.due or now, c.id))
    fresh = [c for c in askable if c.is_new]
    ordered = due + fresh
    return ordered if limit is None else ordered[:max(0, limit)]


@dataclass(frozen=True)
class ForecastDay:
    """How many reviewed cards fall due on one day (day 0 includes the overdue ones)."""

    day: date
    due: int


def forecast(cards: Sequence[StoredCard], now: datetime,
             days: int = FORECAST_DAYS) -> list[ForecastDay]:
    """Due cards per day for the next `days` days, today first (claims ride on their key point)."""
    today = utc(now).date()
    tally = [0] * days
    for card in cards:
        if card.spec.kind not in ASKABLE or card.is_new or card.memory.due is None:
            continue
        offset = max(0, (card.memory.due.date() - today).days)
        if offset < days:
            tally[offset] += 1
    return [ForecastDay(today + timedelta(days=i), n) for i, n in enumerate(tally)]


@dataclass(frozen=True)
class RecallRow:
    """A key point's mastery: FSRS recall a week from now (None until first reviewed)."""

    card_id: int
    topic: str
    item: str
    key_point: str
    mastery: float | None
    due: date | None
    interval_days: float
    reviews: int
    citation: str


def recall_rows(cards: Sequence[StoredCard], scheduler: Scheduler, now: datetime,
                topic: str | None = None) -> list[RecallRow]:
    """Mastery per key point, weakest first, never-reviewed ones last."""
    rows = []
    for card in cards:
        if card.spec.kind is not CardKind.KEY_POINT:
            continue
        if topic and card.spec.topic.lower() != topic.lower():
            continue
        r = mastery(scheduler, card.memory, now)
        rows.append(RecallRow(
            card.id, card.spec.topic, card.spec.item, card.spec.text,
            None if r is None else round(r, 3),
            None if card.is_new or card.memory.due is None else card.memory.due.date(),
            round(interval_days(card.memory), 1), card.n_reviews, card.spec.citation))
    return sorted(rows, key=lambda r: (r.mastery is None, r.mastery or 0.0, r.card_id))


def mastery_by_key_point(store: DrillStore, now: datetime | None = None) -> dict[str, float]:
    """Key point text -> mastery 0..1 (recall a week ahead), the summary's, Review's and the
    planner's one definition (a known point rests).

    Cards never reviewed are left out, so the planner treats them as unknown.
    """
    now = now or store.now()
    out: dict[str, float] = {}
    for card in store.cards():
        if card.spec.kind is CardKind.KEY_POINT:
            r = mastery(store.scheduler, card.memory, now)
            if r is not None:
                out[card.spec.text] = round(r, 3)
    return out


@dataclass(frozen=True)
class HistoryRow:
    """One review of a card, for the Review page."""

    reviewed_at: datetime
    session_id: int
    rating: str
    status: str
    due_after: date | None


def history_rows(store: DrillStore, card_id: int) -> list[HistoryRow]:
    """A card's reviews, oldest first."""
    return [HistoryRow(r.reviewed_at, r.session_id, r.rating.name, str(r.status),
                       None if r.due_after is None else r.due_after.date())
            for r in store.history(card_id)]


def review_lines(reviews: Sequence[ReviewRecord], width: int = 70) -> list[str]:
    """One line per card a thread rated: rating, coverage, next review, the card's text."""
    out = []
    for r in reviews:
        due = f"{r.due_after:%Y-%m-%d}" if r.due_after else "-"
        text = r.text if len(r.text) <= width else r.text[: width - 1] + "…"
        out.append(f"{r.rating.name} ({r.status}), next review {due}: {text}")
    return out
