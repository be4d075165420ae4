"""What the app's pages read about the drill: counts, forecast, recall, history, the Anki deck."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from prep_agent.drill.anki import write_apkg
from prep_agent.drill.cards import note_cards
from prep_agent.drill.store import DrillStore, StoredCard
from prep_agent.drill.views import (
    ASKABLE,
    DrillCounts,
    ForecastDay,
    HistoryRow,
    RecallRow,
    counts,
    forecast,
    history_rows,
    is_due,
    recall_rows,
)
from prep_agent.knowledge.models import Topic


@dataclass(frozen=True)
class AnkiDeck:
    """An Anki export ready for a download button."""

    data: bytes
    notes: int
    file_name: str


class DrillDesk:
    """The drill's view-models over one DrillStore, for the notes as they are now."""

    def __init__(self, store: DrillStore, topics: Sequence[Topic]) -> None:
        self.store = store
        store.sync(note_cards(topics))

    def _cards(self, topic: str | None = None) -> list[StoredCard]:
        return self.store.cards(topic=topic or None)

    def counts(self, topic: str | None = None) -> DrillCounts:
        """'N due today, M new'."""
        return counts(self._cards(topic), self.store.now())

    def forecast(self) -> list[ForecastDay]:
        """Due cards per day for the next 14 days."""
        return forecast(self._cards(), self.store.now())

    def recall(self, topic: str | None = None) -> list[RecallRow]:
        """Mastery per key point (FSRS recall a week ahead), weakest first."""
        return recall_rows(self._cards(topic), self.store.scheduler, self.store.now())

    def history(self, card_id: int) -> list[HistoryRow]:
        """One card's reviews, oldest first."""
        return history_rows(self.store, card_id)

    def problems(self) -> list[str]:
        """Damaged review-log rows that were skipped, each naming its session."""
        self.store.problems.clear()  # a deleted session takes its damaged rows with it
        self.store.reviews()  # reads every row, so each damaged one is noticed
        return list(self.store.problems)

    def anki(self, topic: str | None = None, due_only: bool = False) -> AnkiDeck:
        """The cards as an .apkg (bytes), as `export-anki` writes them."""
        now = self.store.now()
        cards = [c for c in self._cards(topic) if c.spec.kind in ASKABLE
                 and (not due_only or is_due(c, now))]
        buffer = io.BytesIO()
        n = write_apkg(buffer, cards, self.store.last_questions()) if cards else 0
        return AnkiDeck(buffer.getvalue(), n, f"prep-agent-{now:%Y-%m-%d}.apkg")
