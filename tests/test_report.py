"""One ScoreCard view-model and one numbering, drawn alike by the terminal, Markdown and the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prep_agent.cli.interview import format_score_card
from prep_agent.grading.delivery import Delivery
from prep_agent.grading.models import AvoidHit, KeyPointResult, ResumeHit, Score
from prep_agent.grading.report import FLAG_TEXT, ScoreCard, SectionKind
from prep_agent.practice.results import TurnResult
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.records import KeyPointResult as LedgerRow
from prep_agent.transcripts.store import TranscriptStore

KP = "DGX systems scale AI from data centers to developer PCs"


def _score(**extra: Any) -> Score:
    return Score(
        overall=64, engine="offline",
        key_points=[KeyPointResult(key_point=KP, status="partial", strength=0.5,
                                   evidence=["scale AI from data centers"]),
                    KeyPointResult(key_point="DGX Spark on desktops", status="missing",
                                   strength=0.0)],
        resume=[ResumeHit(fact="$300M provisioning", evidence=["I ran $300M"])],
        avoid_hits=[AvoidHit(avoid="Skip NVLink", evidence=["NVLink bandwidth"])],
        delivery=Delivery(words=9, sentences=1, filler_words={"um": 2}, hedges={},
                          top_words=[("dgx", 3)]),
        flags=["too_short"], next_time=["Mention DGX Spark"], rationale="Partly there.",
        **extra,
    )


def test_card_orders_sections_and_explains_flags() -> None:
    card = ScoreCard.from_score(_score())
    assert [s.kind for s in card.sections] == [
        SectionKind.key_points, SectionKind.resume, SectionKind.avoid, SectionKind.flags,
        SectionKind.next_time]
    flags = card.section(SectionKind.flags)
    assert flags is not None and flags.lines[0].code == "too_short"
    assert flags.lines[0].text == FLAG_TEXT["too_short"]
    assert card.quotes == ("scale AI from data centers", "I ran $300M", "NVLink bandwidth")
    assert card.delivery == (("words", "9"), ("sentences", "1"), ("filler words", "um ×2"),
                             ("top words", "dgx ×3"))
    assert card.section(SectionKind.criteria) is None and card.thread_coverage is None
    assert card.grader == "graded by the offline engine"


@dataclass
class Criterion:
    name: str
    label: str
    status: str
    strength: float
    evidence: list[str]
    weight: float = 1.0


def test_card_shows_criteria_and_thread_coverage_when_present() -> None:
    # The grading helper adds Score.criteria; the card reads it when there.
    score = _score().model_copy(update={"criteria": [
        Criterion("result", "Result", "covered", 0.9, ["cut costs 20%"])]})
    card = ScoreCard.from_score(score, thread_coverage="3 of 4 key points across the thread")
    criteria = card.section(SectionKind.criteria)
    assert criteria is not None and criteria.lines[0].text == "Result"
    assert criteria.lines[0].code == "result" and criteria.lines[0].quotes == ("cut costs 20%",)
    assert [s.kind for s in card.sections][:2] == [SectionKind.key_points, SectionKind.criteria]
    assert card.thread_coverage == "3 of 4 key points across the thread"


def test_ledger_rows_override_the_scores_key_points() -> None:
    card = ScoreCard.from_score(_score(), [LedgerRow(KP, "covered", 0.9, ["quoted"], "DGX")])
    kps = card.section(SectionKind.key_points)
    assert kps is not None and [(x.text, x.status, x.quotes) for x in kps.lines] == [
        (KP, "covered", ("quoted",))]


def test_terminal_and_markdown_adapters_draw_the_same_card() -> None:
    score = _score()
    result = TurnResult(turn_id=1, question=None, answer="a", score=score,  # type: ignore[arg-type]
                        error=None, follow_up=None, notes=[], model_answer="")
    text = format_score_card(result)
    store = TranscriptStore(connect(":memory:"))
    sid = store.start_session("hiring-manager", "h", "offline")
    tid = store.add_turn(sid, {"text": "Q?", "type": "knowledge"})
    store.save_answer(tid, "a")
    store.save_score(tid, score.model_dump(mode="json"), 64.0)
    md = store.export_markdown(sid)
    assert "Key points:" in text and "| Key point | Status | Strength | Evidence |" in md
    for title in ("Resume tie-ins", "Avoid flags", "Flags", "Next time"):
        assert f"{title}:" in text and f"*{title}:*" in md, title
    for needle in ("scale AI from data centers", "I ran $300M", FLAG_TEXT["too_short"],
                   "Mention DGX Spark", "filler words: um ×2"):
        assert needle in text and needle in md, needle


def test_every_view_numbers_questions_the_same_way() -> None:
    store = TranscriptStore(connect(":memory:"))
    sid = store.start_session("hiring-manager", "h", "offline")
    q1 = store.add_turn(sid, {"text": "Q1?", "type": "knowledge"})
    store.add_turn(sid, {"text": "F1?", "type": "follow_up"}, parent_id=q1)
    store.add_turn(sid, {"text": "F2?", "type": "follow_up"}, parent_id=q1)
    store.add_turn(sid, {"text": "Q2?", "type": "knowledge"})
    session = store.get_session(sid)
    labels = [n.label for n in session.numbered_turns()]
    assert labels == ["Question 1", "Follow-up 1.1", "Follow-up 1.2", "Question 2"]
    assert [n.caption for n in session.numbered_turns()][1] == "Follow-up on question 1"
    md = store.export_markdown(sid)
    assert "## Question 2" in md and "Question 4" not in md and "### Follow-up 1.2" in md


def test_review_numbers_the_second_question_2_not_3(app_test: Any, app_services: Any) -> None:
    store = app_services.transcripts
    sid = store.start_session("hiring-manager", "h", "offline")
    q1 = store.add_turn(sid, {"text": "First question?", "type": "knowledge"})
    store.add_turn(sid, {"text": "A follow-up?", "type": "follow_up"}, parent_id=q1)
    store.add_turn(sid, {"text": "Second question?", "type": "knowledge"})
    at = app_test("review")
    assert not at.exception
    heads = [m.value.split("**")[1] for m in at.markdown
             if m.value.startswith(("**Question", "**Follow-up"))]
    assert heads == ["Question 1", "Follow-up 1.1", "Question 2"], heads
