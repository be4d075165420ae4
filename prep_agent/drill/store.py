"""FSRS cards and their review log in the transcripts database (tables from migration m004)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fsrs import Rating, ReviewLog, Scheduler

from prep_agent.drill.cards import SIMILARITY_THRESHOLD, CardKind, CardSpec, similarity
from prep_agent.drill.schedule import (
    CardState,
    make_scheduler,
    parse_time,
    rating_for,
    review,
    utc,
)
from prep_agent.drill.threads import GradedThread, session_threads
from prep_agent.transcripts.db import (
    GuardedStore,
    now_iso,
)
from prep_agent.transcripts.records import Session

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class StoredCard:
    """A card with its FSRS state and how often it was reviewed."""

    id: int
    spec: CardSpec
    memory: CardState
    n_reviews: int
    retired: bool = False

    @property
    def is_new(self) -> bool:
        """True for a card never reviewed."""
        return self.n_reviews == 0


@dataclass(frozen=True)
class ReviewRecord:
    """One row of a card's review history."""

    id: int
    card_id: int
    session_id: int
    turn_id: int | None
    rating: Rating
    status: str
    reviewed_at: datetime
    due_after: datetime | None
    text: str = ""  # the card's text, when known


@dataclass
class SyncReport:
    """What `sync` did to the cards."""

    added: int = 0
    kept: int = 0
    reworded: list[tuple[str, str]] = field(default_factory=list)  # (old text, new text)
    retired: int = 0


class DrillStore(GuardedStore):
    """Cards, reviews and FSRS state over the transcripts connection; the clock is passed in."""

    def __init__(self, conn: sqlite3.Connection, scheduler: Scheduler | None = None,
                 clock: Clock = system_clock) -> None:
        self.clock = clock
        self.problems: list[str] = []  # damaged review rows seen, for the Review page
        super().__init__(conn)
        self.scheduler = scheduler or make_scheduler(self.fitted_parameters())

    # -- plumbing

    def now(self) -> datetime:
        """The store's clock, as aware UTC."""
        return utc(self.clock())

    # -- cards

    def sync(self, specs: Sequence[CardSpec]) -> SyncReport:
        """Match the notes' cards to the stored ones: keep, reword (history kept), add, retire."""
        report = SyncReport()
        now = now_iso(self.now())
        with self._write() as conn:
            rows = {r["key"]: r for r in conn.execute("SELECT * FROM cards")}
            wanted = {s.key for s in specs}
            orphans = [r for k, r in rows.items() if k not in wanted]
            for spec in specs:
                row = rows.get(spec.key)
                if row is None:
                    row = _closest(spec, orphans)
                    if row is not None:
                        orphans.remove(row)
                        report.reworded.append((row["text"], spec.text))
                if row is None:
                    conn.execute(
                        "INSERT INTO cards (key, kind, topic, item, text, prompt, tip, source,"
                        " line, parent_key, created_at, updated_at, due)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (spec.key, spec.kind.value, spec.topic, spec.item, spec.text, spec.prompt,
                         spec.tip, spec.source, spec.line, spec.parent_key, now, now, now))
                    report.added += 1
                    continue
                if row["key"] == spec.key:
                    report.kept += 1
                    if row["retired_at"] is None and _same(row, spec):
                        continue  # nothing to write: page renders sync on every run
                conn.execute(
                    "UPDATE cards SET key = ?, text = ?, prompt = ?, tip = ?, source = ?, line = ?,"
                    " parent_key = ?, updated_at = ?, retired_at = NULL WHERE id = ?",
                    (spec.key, spec.text, spec.prompt, spec.tip, spec.source, spec.line,
                     spec.parent_key, now, row["id"]))
            for row in orphans:
                if row["retired_at"] is None:
                    conn.execute("UPDATE cards SET retired_at = ? WHERE id = ?", (now, row["id"]))
                    report.retired += 1
        return report

    def cards(self, topic: str | None = None, include_retired: bool = False) -> list[StoredCard]:
        """Cards in note order (their insertion order), optionally of one topic."""
        self.refresh()
        where = ["1=1"]
        params: list[Any] = []
        if not include_retired:
            where.append("retired_at IS NULL")
        if topic:
            where.append("lower(topic) = lower(?)")
            params.append(topic)
        rows = self._read(f"SELECT * FROM cards WHERE {' AND '.join(where)} ORDER BY id", params)
        return [_card(r) for r in rows]

    def card(self, card_id: int) -> StoredCard | None:
        """One card by id (retired ones too)."""
        rows = self._read("SELECT * FROM cards WHERE id = ?", (card_id,))
        return _card(rows[0]) if rows else None

    # -- reviews

    def rate_thread(self, thread: GradedThread) -> list[ReviewRecord]:
        """Review every card the thread covered; a thread already rated is not rated again."""
        when = self.now()
        done: list[ReviewRecord] = []
        with self._write() as conn:
            for cov in thread.coverage:
                row = conn.execute("SELECT * FROM cards WHERE key = ? AND retired_at IS NULL",
                                   (cov.key,)).fetchone()
                if row is None:
                    continue  # not a card (a practice note) or the notes changed since
                seen = conn.execute("SELECT 1 FROM card_reviews WHERE card_id = ? AND turn_id = ?",
                                    (row["id"], thread.root_turn_id)).fetchone()
                if seen:
                    continue
                rating = rating_for(cov.status, cov.first_answer_only)
                after = review(self.scheduler, _card(row).memory, rating, when)
                _save_state(conn, row["id"], after, row["n_reviews"] + 1)
                cur = conn.execute(
                    "INSERT INTO card_reviews (card_id, session_id, turn_id, rating, status,"
                    " reviewed_at, due_after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (row["id"], thread.session_id, thread.root_turn_id, int(rating), cov.status,
                     now_iso(when), _iso(after.due)))
                done.append(ReviewRecord(int(cur.lastrowid or 0), row["id"], thread.session_id,
                                         thread.root_turn_id, rating, cov.status, when,
                                         after.due, cov.text))
        return done

    def rate_session(
        self, session: Session, root_turn_id: int | None = None
    ) -> list[ReviewRecord]:
        """Rate a session's ended thread (every thread when None); exam mode waits for the end."""
        if root_turn_id is not None and session.meta.get("mode") == "exam":
            return []
        reviews: list[ReviewRecord] = []
        for thread in session_threads(session, root_turn_id):
            reviews += self.rate_thread(thread)
        return reviews

    def history(self, card_id: int) -> list[ReviewRecord]:
        """A card's reviews in the order they happened (damaged rows skipped with a warning)."""
        return self._valid(self._read(
            "SELECT * FROM card_reviews WHERE card_id = ? ORDER BY id", (card_id,)))

    def reviews(self) -> list[ReviewRecord]:
        """Every valid review, oldest first."""
        return self._valid(self._read("SELECT * FROM card_reviews ORDER BY id"))

    def last_questions(self) -> dict[int, str]:
        """Card id -> the text of the last main question that reviewed it."""
        rows = self._read(
            "SELECT r.card_id, t.question_text FROM card_reviews r JOIN turns t"
            " ON t.id = r.turn_id ORDER BY r.id")
        return {r["card_id"]: r["question_text"] for r in rows if r["question_text"]}

    def review_logs(self) -> list[ReviewLog]:
        """The review log as fsrs ReviewLogs, for the optimiser."""
        return [ReviewLog(card_id=r.card_id, rating=r.rating, review_datetime=r.reviewed_at,
                          review_duration=None) for r in self.reviews()]

    def refresh(self) -> list[int]:
        """Replay the log of every card whose reviews changed (a session was deleted)."""
        rows = self._read(
            "SELECT c.id FROM cards c LEFT JOIN card_reviews r ON r.card_id = c.id"
            " GROUP BY c.id HAVING COUNT(r.id) != c.n_reviews")
        ids = [r["id"] for r in rows]
        if ids:
            self.recompute(ids)
        return ids

    def recompute(self, card_ids: Sequence[int]) -> None:
        """Rebuild cards' FSRS state from their review logs with the current scheduler."""
        with self._write() as conn:
            for card_id in card_ids:
                rows = conn.execute("SELECT * FROM card_reviews WHERE card_id = ? ORDER BY id",
                                    (card_id,)).fetchall()
                state = CardState(card_id=card_id)
                for rec in self._valid(rows):
                    state = review(self.scheduler, state, rec.rating, rec.reviewed_at)
                if state.due is None:  # no valid review left: a new card, due now
                    state = CardState(card_id=card_id, due=self.now())
                _save_state(conn, card_id, state, len(rows))

    def _valid(self, rows: Sequence[sqlite3.Row]) -> list[ReviewRecord]:
        """Review rows as records; a damaged row is skipped with a warning naming its session."""
        out: list[ReviewRecord] = []
        for r in rows:
            try:
                rating = Rating(int(r["rating"]))
                when = parse_time(str(r["reviewed_at"]))
                due = _time(r["due_after"])
            except (ValueError, TypeError) as exc:
                message = (f"Skipped damaged review {r['id']} of session {r['session_id']} "
                           f"(card {r['card_id']}): {exc}. Delete that session on the Review "
                           "page (or fix the row) to clear this warning")
                log.warning(message)
                if message not in self.problems:
                    self.problems.append(message)
                continue
            out.append(ReviewRecord(r["id"], r["card_id"], r["session_id"], r["turn_id"],
                                    rating, r["status"], when, due))
        return out

    # -- fitted parameters (drill --optimize)

    def fitted_parameters(self) -> list[float] | None:
        """The latest parameters fitted to this candidate's reviews, if any."""
        rows = self._read("SELECT parameters FROM fsrs_parameters ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        try:
            values = [float(x) for x in json.loads(rows[0]["parameters"])]
            make_scheduler(values)  # out-of-bounds parameters raise ValueError
        except (ValueError, TypeError, json.JSONDecodeError):
            log.warning("Ignoring damaged fitted FSRS parameters; the defaults are used")
            return None
        return values

    def save_parameters(self, parameters: Sequence[float], n_reviews: int) -> None:
        """Store fitted parameters and reschedule every card with them."""
        self.scheduler = make_scheduler(parameters)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO fsrs_parameters (parameters, n_reviews, fitted_at) VALUES (?, ?, ?)",
                (json.dumps(list(parameters)), n_reviews, now_iso(self.now())))
        self.recompute([r["id"] for r in self._read("SELECT id FROM cards")])


def _closest(spec: CardSpec, orphans: Sequence[sqlite3.Row]) -> sqlite3.Row | None:
    """The orphaned card of the same slot whose text is most similar, if similar enough."""
    best, best_sim = None, SIMILARITY_THRESHOLD
    for row in orphans:
        if (row["kind"], row["topic"], row["item"]) != spec.slot:
            continue
        sim = similarity(row["text"], spec.text)
        if sim >= best_sim:
            best, best_sim = row, sim
    return best


def _same(row: sqlite3.Row, spec: CardSpec) -> bool:
    return (row["text"], row["prompt"], row["tip"], row["source"], row["line"],
            row["parent_key"]) == (spec.text, spec.prompt, spec.tip, spec.source, spec.line,
                                   spec.parent_key)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else now_iso(value)


def _time(raw: Any) -> datetime | None:
    return None if raw is None else parse_time(str(raw))


def _card(row: sqlite3.Row) -> StoredCard:
    spec = CardSpec(key=row["key"], kind=CardKind(row["kind"]), topic=row["topic"],
                    item=row["item"], text=row["text"], prompt=row["prompt"], tip=row["tip"],
                    source=row["source"], line=row["line"], parent_key=row["parent_key"])
    memory = CardState(card_id=row["id"], state=row["state"], step=row["step"],
                       stability=row["stability"], difficulty=row["difficulty"],
                       due=_time(row["due"]), last_review=_time(row["last_review"]))
    return StoredCard(row["id"], spec, memory, row["n_reviews"], row["retired_at"] is not None)


def _save_state(conn: sqlite3.Connection, card_id: int, state: CardState, n_reviews: int) -> None:
    conn.execute(
        "UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?,"
        " last_review = ?, n_reviews = ? WHERE id = ?",
        (state.state, state.step, state.stability, state.difficulty, _iso(state.due),
         _iso(state.last_review), n_reviews, card_id))


