"""Spaced re-drill: cards, m004, the rating table, FSRS over simulated days, bad input."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import T0, Clock
from fsrs import Rating

from prep_agent.drill.cards import (
    SIMILARITY_THRESHOLD,
    CardKind,
    card_key,
    cards_from_topics,
    similarity,
)
from prep_agent.drill.schedule import (
    RATINGS,
    CardState,
    interval_days,
    make_scheduler,
    rating_for,
    review,
)
from prep_agent.drill.service import DrillDesk
from prep_agent.drill.store import DrillStore
from prep_agent.drill.threads import session_threads, thread_status
from prep_agent.interview.interviewer import Question
from prep_agent.knowledge.library import load_notes
from prep_agent.knowledge.parser import parse_notes
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
NOTES = """# Fabric (Networks)

**Resume Tie-In**: Your 15,000-server rollout at Microsoft.

## Checklist

- [ ] **NVLink** (1 hour)
  Goal: Learn NVLink.
  **Key Point**: "NVLink connects 72 GPUs in one domain for fast collective operations."
  **Interview Tip**: Mention bandwidth, not cable counts.
  **Resume Link**: Your cluster bring-up at Microsoft.

- [ ] **InfiniBand** (1 hour)
  **Key Point**: "InfiniBand links racks with RDMA and adaptive routing."
"""


def _db() -> tuple[TranscriptStore, Clock, Callable[[str], DrillStore]]:
    conn = connect(":memory:")
    clock = Clock()
    return TranscriptStore(conn), clock, lambda text: _drill(conn, clock, text)


def _drill(conn: Any, clock: Clock, text: str) -> DrillStore:
    drill = DrillStore(conn, clock=clock)
    drill.sync(cards_from_topics(parse_notes(text, "notes/fabric.md")))
    return drill


def _answer(transcripts: TranscriptStore, statuses: dict[str, str], *, item: str = "NVLink",
            follow_up: dict[str, str] | None = None, target: str = "key_point-x",
            resume: list[str] | None = None, links: list[str] | None = None) -> int:
    """One graded thread in a new session; returns the session id."""
    sid = transcripts.start_session("hiring-manager", "h", "offline")
    q = _question(item, target, links or [])
    turns = [(None, statuses)] + ([(1, follow_up)] if follow_up else [])
    parent = None
    for i, (_, marks) in enumerate(turns):
        tid = transcripts.add_turn(sid, q, parent_id=parent)
        parent = parent or tid
        transcripts.save_answer(tid, f"answer {i}")
        score = {"key_points": [{"key_point": k, "status": s, "strength": 1.0}
                                for k, s in marks.items()],
                 "resume": [{"fact": f, "evidence": []} for f in (resume or [])]}
        transcripts.save_score(tid, score, 50.0)
    return sid


def _question(item: str, target: str = "key_point-x",
              links: list[str] | None = None) -> dict[str, Any]:
    """A stored question as the interviewer records it."""
    return Question(id="q", text="Q?", type="knowledge", topic="Fabric (Networks)", item=item,
                    subject=item, target_id=target, target_key_points=[A],
                    resume_links=links or [], prompt_set="hiring-manager",
                    prompt_hash="h").model_dump(mode="json")


A = "NVLink connects 72 GPUs in one domain for fast collective operations."
B = "InfiniBand links racks with RDMA and adaptive routing."


# -- migrations and cards -------------------------------------------------------------------


def test_m004_runs_on_memory_and_is_recorded_once() -> None:
    conn = connect(":memory:")
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations")]
    assert "m004_drill_cards" in names
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"cards", "card_reviews", "fsrs_parameters"} <= tables
    DrillStore(conn)  # migrating again is a no-op
    assert [r[0] for r in conn.execute("SELECT name FROM _migrations")] == names


def test_cards_from_seed_notes_cover_key_points_and_resume_stories() -> None:
    topics = load_notes(ROOT / "seeds").topics
    cards = cards_from_topics(topics)
    kinds = {c.kind for c in cards}
    assert {CardKind.KEY_POINT, CardKind.RESUME_LINK, CardKind.RESUME_TIE_IN} <= kinds
    points = [c for c in cards if c.kind is CardKind.KEY_POINT]
    assert len(points) == sum(len(t.key_points()) for t in topics)
    assert all(c.citation.startswith(c.source) and c.line > 0 for c in cards)


def test_card_ids_stable_across_reingest() -> None:
    first = [c.key for c in cards_from_topics(parse_notes(NOTES, "notes/fabric.md"))]
    moved = "\n\n" + NOTES.replace("**Interview Tip**: Mention", "**Interview Tip**: Stress")
    again = [c.key for c in cards_from_topics(parse_notes(moved, "elsewhere/fabric.md"))]
    assert first == again and len(set(first)) == len(first)
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    report = DrillStore(drill.conn, clock=clock).sync(
        cards_from_topics(parse_notes(NOTES, "notes/fabric.md")))
    assert report.added == 0 and report.kept == len(first) and report.retired == 0


def test_claims_become_cards_through_the_hook() -> None:
    cards = cards_from_topics(parse_notes(NOTES, "n.md"),
                              claims_of=lambda kp: [s for s in kp.split(" for ")])
    claims = [c for c in cards if c.kind is CardKind.CLAIM]
    assert len(claims) == 2 and all(c.parent_key.startswith("key_point-") for c in claims)


def test_small_rewording_keeps_history_and_rewrite_starts_anew() -> None:
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    _answer(transcripts, {A: "covered"})
    (thread,) = session_threads(transcripts.get_session(1))
    drill.rate_thread(thread)
    old = next(c for c in drill.cards() if c.spec.text == A)
    small = A.replace("in one domain", "in one NVLink domain")
    assert similarity(A, small) >= SIMILARITY_THRESHOLD
    drill_for(NOTES.replace(A, small))
    kept = next(c for c in drill.cards() if c.spec.text == small)
    assert kept.id == old.id and kept.n_reviews == 1 and len(drill.history(kept.id)) == 1
    rewrite = "Grace Hopper pairs a CPU with a GPU over a coherent chip link."
    assert similarity(small, rewrite) < SIMILARITY_THRESHOLD
    report = drill_for(NOTES.replace(A, rewrite)).sync(
        cards_from_topics(parse_notes(NOTES.replace(A, rewrite), "notes/fabric.md")))
    fresh = next(c for c in drill.cards() if c.spec.text == rewrite)
    assert fresh.id != old.id and fresh.is_new and report.added == 0
    retired = next(c for c in drill.cards(include_retired=True) if c.id == old.id)
    assert retired.retired and len(drill.history(old.id)) == 1


# -- ratings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "first_only", "expected"), [
    ("contradicted", False, Rating.Again), ("contradicted", True, Rating.Again),
    ("missing", False, Rating.Again), ("missing", True, Rating.Again),
    ("partial", False, Rating.Hard), ("partial", True, Rating.Hard),
    ("covered", False, Rating.Good), ("covered", True, Rating.Easy),
])
def test_rating_table(status: Any, first_only: bool, expected: Rating) -> None:
    assert rating_for(status, first_only) is expected
    assert len(RATINGS) == 8


@pytest.mark.parametrize(("statuses", "expected"), [
    (["missing", "covered"], "covered"), (["partial", "missing"], "partial"),
    (["covered", "contradicted"], "contradicted"), ([], "missing"), (["bogus"], "missing"),
])
def test_thread_status(statuses: list[str], expected: str) -> None:
    assert thread_status(statuses) == expected


def test_thread_ratings_use_follow_ups_and_resume_stories() -> None:
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    _answer(transcripts, {A: "missing"}, follow_up={A: "covered"})
    _answer(transcripts, {A: "covered"})
    link = "Your cluster bring-up at Microsoft."
    _answer(transcripts, {A: "partial"}, target="resume_link-abc", links=[link], resume=[link])
    ratings = []
    for sid in (1, 2, 3):
        for thread in session_threads(transcripts.get_session(sid)):
            ratings += [(r.status, r.rating) for r in drill.rate_thread(thread)]
    assert ratings == [("covered", Rating.Good), ("covered", Rating.Easy),
                       ("partial", Rating.Hard), ("covered", Rating.Easy)]
    # Rating the same thread again changes nothing.
    assert drill.rate_thread(session_threads(transcripts.get_session(1))[0]) == []


# -- FSRS over simulated days -----------------------------------------------------------------


def test_thirty_days_always_covered_vs_always_missed() -> None:
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    asked = {A: 0, B: 0}
    intervals: list[float] = []
    for day in range(30):
        clock.now = T0 + timedelta(days=day)
        due = [c for c in drill.cards() if c.spec.kind is CardKind.KEY_POINT
               and (c.memory.due is None or c.memory.due <= clock.now)]
        for card in due:
            text = card.spec.text
            asked[text] += 1
            sid = _answer(transcripts, {text: "covered" if text == A else "missing"},
                          item=card.spec.item)
            for thread in session_threads(transcripts.get_session(sid)):
                drill.rate_thread(thread)
            if text == A:
                intervals.append(interval_days(drill.cards()[0].memory))
    assert asked[B] >= 25 and asked[A] <= 4 and asked[B] >= 5 * asked[A]
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0] >= 1


def test_clock_going_backwards_never_gives_a_negative_interval() -> None:
    scheduler = make_scheduler()
    state = review(scheduler, CardState(card_id=1), Rating.Good, T0 + timedelta(days=10))
    for rating in Rating:
        back = review(scheduler, state, rating, T0)  # 10 days in the past
        assert back.last_review == state.last_review
        assert back.due is not None and back.due > back.last_review
        assert interval_days(back) >= 1


def test_corrupt_review_row_is_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    sid = _answer(transcripts, {A: "covered"})
    drill.rate_thread(session_threads(transcripts.get_session(sid))[0])
    card = drill.cards()[0]
    bad = _answer(transcripts, {})
    drill.conn.execute(
        "INSERT INTO card_reviews (card_id, session_id, turn_id, rating, status, reviewed_at)"
        " VALUES (?, ?, NULL, 'x', 'covered', 'not a date')", (card.id, bad))
    with caplog.at_level(logging.WARNING, logger="prep_agent.drill.store"):
        again = drill.cards()[0]
    assert f"of session {bad}" in caplog.text
    assert again.memory.due == card.memory.due and again.n_reviews == 2
    assert len(drill.history(card.id)) == 1
    desk = DrillDesk(drill, parse_notes(NOTES, "notes/fabric.md"))
    assert [p for p in desk.problems() if f"of session {bad} " in p]
    transcripts.delete_session(bad)
    assert desk.problems() == [] and drill.cards()[0].n_reviews == 1


def test_deleting_a_session_removes_its_reviews_and_recomputes() -> None:
    transcripts, clock, drill_for = _db()
    drill = drill_for(NOTES)
    first = _answer(transcripts, {A: "covered"})
    drill.rate_thread(session_threads(transcripts.get_session(first))[0])
    after_first = drill.cards()[0].memory
    clock.now = T0 + timedelta(days=9)
    second = _answer(transcripts, {A: "missing"})
    drill.rate_thread(session_threads(transcripts.get_session(second))[0])
    assert drill.cards()[0].memory.due != after_first.due
    transcripts.delete_session(second)
    restored = drill.cards()[0]
    assert restored.n_reviews == 1 and restored.memory == after_first
    transcripts.delete_session(first)
    assert drill.cards()[0].is_new and drill.reviews() == []


def test_card_key_ignores_case_and_spacing() -> None:
    assert card_key("key_point", "T", "I", "A  b") == card_key("key_point", "T", "I", "a b")


def test_claims_of_a_key_point_are_rated_on_their_own() -> None:
    conn = connect(":memory:")
    transcripts, clock = TranscriptStore(conn), Clock()
    drill = DrillStore(conn, clock=clock)
    drill.sync(cards_from_topics(parse_notes(NOTES, "notes/fabric.md"),
                                 claims_of=lambda kp: kp.split(" for ")))
    first, second = A.split(" for ")
    sid = transcripts.start_session("hiring-manager", "h", "offline")
    tid = transcripts.add_turn(sid, _question("NVLink"))
    transcripts.save_answer(tid, "NVLink connects 72 GPUs in one domain.")
    transcripts.save_score(tid, {"key_points": [{
        "key_point": A, "status": "partial", "strength": 0.5,
        "claims": [{"text": first, "status": "covered", "strength": 1.0},
                   {"text": second, "status": "missing", "strength": 0.0}],
    }]}, 50.0)
    reviews = drill.rate_thread(session_threads(transcripts.get_session(sid))[0])
    assert [(r.text, r.rating) for r in reviews] == [
        (A, Rating.Hard), (first, Rating.Easy), (second, Rating.Again)]


def test_a_damaged_question_or_score_rates_nothing() -> None:
    transcripts, clock, drill_for = _db()
    drill_for(NOTES)
    sid = transcripts.start_session("hiring-manager", "h", "offline")
    tid = transcripts.add_turn(sid, {"text": "Q?"})  # not a full question record
    transcripts.save_answer(tid, "An answer.")
    transcripts.save_score(tid, {"key_points": [{"key_point": A, "status": "covered",
                                                 "strength": 1.0}]}, 90.0)
    assert session_threads(transcripts.get_session(sid)) == []
    good = transcripts.add_turn(sid, _question("NVLink"))
    transcripts.save_answer(good, "Another answer.")
    transcripts.save_score(good, {"key_points": "not a list"}, 10.0)
    assert session_threads(transcripts.get_session(sid)) == []
