"""Drill in the practice loop: ratings at thread end, exam mode, due cards first, Anki, CLI."""

from __future__ import annotations

import html
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import T0, Clock, practice_session
from fsrs.scheduler import DEFAULT_PARAMETERS

from prep_agent.cli.main import main
from prep_agent.drill.anki import write_apkg
from prep_agent.drill.cards import CardKind, cards_from_topics
from prep_agent.drill.optimize import MIN_REVIEWS, fsrs_optimizer, optimize
from prep_agent.drill.plan import drill_plan
from prep_agent.drill.store import DrillStore
from prep_agent.drill.views import (
    counts,
    forecast,
    mastery_by_key_point,
    queue,
    recall_rows,
)
from prep_agent.errors import PrepAgentError
from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.models import Topic
from prep_agent.practice.factory import start_drill
from prep_agent.practice.results import TurnResult
from prep_agent.practice.session import PracticeSession, make_scorer
from prep_agent.prompts import PromptSet
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
@pytest.fixture
def clock() -> Clock:
    return Clock()


def _practice(topics: list[Topic], prompt_set: PromptSet, encoder: Any, clock: Clock,
              **kw: Any) -> PracticeSession:
    transcripts = TranscriptStore(connect(":memory:"))
    drill = DrillStore(transcripts.conn, clock=clock)
    drill.sync(cards_from_topics(topics))
    return practice_session(topics, prompt_set, transcripts, make_scorer(encoder), drill=drill,
                            **kw)


def _submit(practice: PracticeSession, answer: str) -> TurnResult:
    question = practice.next_question()
    assert question is not None
    return practice.submit(question.turn_id, answer)


def _answer_for(practice: PracticeSession) -> str:
    question = practice.next_question()
    assert question is not None
    return " ".join(question.result().target_key_points)


def test_cards_rated_when_the_thread_ends(topics: list[Topic], prompt_set: PromptSet,
                                          encoder: Any, clock: Clock) -> None:
    practice = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    practice.start(1)
    result = _submit(practice, _answer_for(practice))
    assert result.reviews and all(r.due_after and r.due_after > T0 for r in result.reviews)
    drill = practice.drill
    assert drill is not None
    reviewed = [c for c in drill.cards() if not c.is_new]
    assert {c.id for c in reviewed} == {r.card_id for r in result.reviews}
    practice.finish()  # finishing does not rate the same thread twice
    assert len(drill.reviews()) == len(result.reviews)


def test_exam_mode_rates_at_the_end(topics: list[Topic], prompt_set: PromptSet, encoder: Any,
                                    clock: Clock) -> None:
    practice = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    sid = practice.start(2, meta={"mode": "exam"})
    for _ in range(2):
        assert _submit(practice, _answer_for(practice)).reviews == []
    drill = practice.drill
    assert drill is not None and drill.reviews() == []
    practice.finish()
    assert {r.session_id for r in drill.reviews()} == {sid} and len(drill.reviews()) >= 2


def test_follow_up_thread_rated_once_after_follow_up(topics: list[Topic], prompt_set: PromptSet,
                                                     encoder: Any, clock: Clock) -> None:
    practice = _practice(topics, prompt_set, encoder, clock)
    practice.start(1)
    first = _submit(practice, "I am not sure about that one.")
    assert first.follow_up is not None and first.reviews == []
    drill = practice.drill
    assert drill is not None and drill.reviews() == []
    second = _submit(practice, "No idea.")
    if second.follow_up is not None:  # the thread ends when the follow-up is skipped
        assert second.reviews == []
        practice.skip_follow_up()
    reviews = drill.reviews()
    assert reviews and {r.rating.name for r in reviews} == {"Again"}
    assert {r.turn_id for r in reviews} == {first.turn_id}


def test_drill_asks_due_cards_first_then_new(topics: list[Topic], prompt_set: PromptSet,
                                             encoder: Any, clock: Clock) -> None:
    practice = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    drill = practice.drill
    assert drill is not None
    practice.start(1)
    _submit(practice, "I don't know.")  # every card of this thread: Again, due tomorrow
    practice.finish()
    rated = {r.card_id for r in drill.reviews()}
    before = counts(drill.cards(), clock.now)
    assert before.due == 0 and before.new == before.total - len(rated)
    clock.now = T0 + timedelta(days=1, hours=1)
    cards = drill.cards()
    tally = counts(cards, clock.now)
    assert tally.label == f"{len(rated)} due today, {tally.total - len(rated)} new"
    ordered = queue(cards, clock.now)
    assert {c.id for c in ordered[:len(rated)]} == rated
    assert all(c.is_new for c in ordered[len(rated):])
    plan = drill_plan(ordered, practice.interviewer.targets, prompt_set)
    due_texts = {c.spec.text for c in ordered[:len(rated)]}
    assert plan[0].target.text in due_texts
    assert any(p.type == "drill" for p in plan)
    sid = practice.start(0, plan=plan[:2])
    assert practice.session_id == sid and practice.plan == plan[:2]
    days = forecast(drill.cards(), clock.now)
    assert len(days) == 14 and days[0].day == clock.now.date()
    rows = recall_rows(drill.cards(), drill.scheduler, clock.now)
    assert rows[0].mastery is not None and rows[-1].mastery is None


def test_anki_package_is_a_zip_with_the_expected_notes(topics: list[Topic], tmp_path: Path,
                                                       clock: Clock) -> None:
    drill = DrillStore(connect(":memory:"), clock=clock)
    drill.sync(cards_from_topics(topics))
    cards = [c for c in drill.cards() if c.spec.kind is CardKind.KEY_POINT]
    path = tmp_path / "deck.apkg"
    assert write_apkg(path, cards, {cards[0].id: "What is <DGX>?"}) == len(cards)
    with zipfile.ZipFile(path) as apkg:
        assert "collection.anki2" in apkg.namelist()
        apkg.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    fields = [r[0].split("\x1f") for r in conn.execute("SELECT flds FROM notes ORDER BY id")]
    assert len(fields) == len(cards)
    assert fields[0][0] == "What is &lt;DGX&gt;?"  # escaped, never rendered
    assert [f[1:4] for f in fields] == [
        [html.escape(c.spec.text), html.escape(c.spec.tip), html.escape(c.spec.citation)]
        for c in cards]
    assert all(f[3].startswith("seeds/") for f in fields) and any(f[2] for f in fields)
    assert fields[1][0] == html.escape(cards[1].spec.prompt)
    assert conn.execute("SELECT COUNT(*) FROM cards").fetchone()[0] == len(cards)
    assert conn.execute("SELECT COUNT(*) FROM col").fetchone()[0] == 1  # Anki's collection row


def test_cli_export_anki_and_too_few_reviews(data_home: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "prep.apkg"
    assert main(["export-anki", "-o", str(out)]) == 0
    assert zipfile.is_zipfile(out) and "wrote" in capsys.readouterr().err
    assert main(["export-anki", "--due-only", "-o", str(out)]) == 2
    assert "No due cards" in capsys.readouterr().err
    assert main(["export-anki", "-o", str(tmp_path / "deck.txt")]) == 2
    assert main(["drill", "--optimize"]) == 1
    assert "Only 0 reviews" in capsys.readouterr().out


def test_optimize_fits_with_enough_reviews(clock: Clock, topics: list[Topic]) -> None:
    transcripts = TranscriptStore(connect(":memory:"))
    drill = DrillStore(transcripts.conn, clock=clock)
    drill.sync(cards_from_topics(topics))
    sid = transcripts.start_session("hiring-manager", "h", "offline")
    card = drill.cards()[0]
    for i in range(MIN_REVIEWS):
        drill.conn.execute(
            "INSERT INTO card_reviews (card_id, session_id, rating, status, reviewed_at)"
            " VALUES (?, ?, ?, 'covered', ?)",
            (card.id, sid, 3, (T0 + timedelta(days=i)).isoformat()))
    if fsrs_optimizer() is None:  # the extra (torch) is not installed here: it says how
        missing = optimize(drill)
        assert not missing.fitted and 'fsrs[optimizer]' in missing.message
    fitted = [*DEFAULT_PARAMETERS[:-1], 0.2]

    class FakeOptimizer:
        def __init__(self, logs: Any) -> None:
            assert len(logs) == MIN_REVIEWS

        def compute_optimal_parameters(self) -> list[float]:
            return fitted

    result = optimize(drill, FakeOptimizer)
    assert result.fitted and result.parameters == fitted
    assert tuple(drill.scheduler.parameters) == tuple(fitted)
    assert DrillStore(drill.conn, clock=clock).fitted_parameters() == fitted


def test_planner_rests_a_known_point(topics: list[Topic], prompt_set: PromptSet, encoder: Any,
                                     clock: Clock) -> None:
    practice = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    practice.start(1)
    known = practice.next_question()
    assert known is not None
    kp = known.result().target_key_points
    _submit(practice, " ".join(kp))  # covered on the first answer: Easy
    practice.finish()
    drill = practice.drill
    assert drill is not None
    clock.now = T0 + timedelta(days=1)
    history = mastery_by_key_point(drill)
    assert history[kp[0]] > 0.9
    for seed in range(5):
        plan = Interviewer(topics, None, prompt_set, seed=seed).plan(3, history=history)
        assert all(p.target.key_points != kp for p in plan[:2]), seed


@pytest.mark.slow
def test_cli_drill_piped_end_to_end(data_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREP_AGENT_ENGINE": "offline"}
    run = [sys.executable, "-m", "prep_agent", "drill", "--limit", "2", "--no-follow-ups"]
    proc = subprocess.run(run, input="I don't know.\n\nNo idea.\n\n", capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "drill: 0 due today, 5 new" in proc.stderr
    assert proc.stdout.count("Drill: Again (missing), next review ") >= 2
    drill = DrillStore(connect(data_home / "transcripts.db"))
    assert len({r.card_id for r in drill.reviews()}) >= 2


def test_nothing_to_drill_says_when_the_next_card_is_due(
    topics: list[Topic], prompt_set: PromptSet, encoder: Any, clock: Clock
) -> None:
    practice = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    drill = practice.drill
    assert drill is not None
    start_drill(practice)
    while (question := practice.next_question()) is not None:
        practice.submit(question.turn_id, " ".join(question.result().target_key_points))
    practice.finish()
    assert counts(drill.cards(), clock.now).new == 0
    again = _practice(topics, prompt_set, encoder, clock, follow_ups=False)
    again.drill = drill
    again.transcripts = practice.transcripts
    with pytest.raises(PrepAgentError, match=r"0 due today, 0 new; the next card is due 20"):
        start_drill(again)


def test_mastery_looks_a_week_ahead_so_a_missed_point_never_reads_as_known() -> None:
    """Right after a review recall is ~1 for every card; mastery separates Again from Easy."""
    from fsrs import Card, Rating, Scheduler

    from prep_agent.drill.schedule import MASTERY_HORIZON, CardState, mastery, retrievability

    scheduler = Scheduler(enable_fuzzing=False)
    missed, _ = scheduler.review_card(Card(), Rating.Again, review_datetime=T0)
    known, _ = scheduler.review_card(Card(), Rating.Easy, review_datetime=T0)
    assert MASTERY_HORIZON.days == 7
    for card in (missed, known):
        state = CardState.from_fsrs(card)
        assert retrievability(scheduler, state, T0) == pytest.approx(1.0, abs=0.01)
    low = mastery(scheduler, CardState.from_fsrs(missed), T0)
    high = mastery(scheduler, CardState.from_fsrs(known), T0)
    assert low is not None and high is not None and low < 0.75 < high
