"""Practice sessions grade threads: follow-ups read the whole thread, the card shows thread
coverage, the summary counts from the transcript, and the next session covers new items."""

from __future__ import annotations

from pathlib import Path

from fakes import practice_session

from prep_agent.grading.delivery import Delivery
from prep_agent.grading.models import KeyPointResult, Score, ScoreRequest
from prep_agent.interview.planner import unit_of
from prep_agent.knowledge.models import Topic
from prep_agent.prompts import PromptSet
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent
# Every STAR and scenario element, so only the key point itself can be missing.
RICH = ("At VMware I was responsible for the launch. First I hired four analysts and met the VP; "
        "the main risk was the vendor dependency, so I decided to cut scope. We launched two "
        "weeks early.")


def scripted(status_by_call: list[str]):  # type: ignore[no-untyped-def]
    """A scorer that grades every key point with the next scripted status."""
    calls = iter(status_by_call)

    def scorer(req: ScoreRequest) -> Score:
        status = next(calls)
        return Score(overall={"covered": 90, "partial": 50}.get(status, 10),
                     key_points=[KeyPointResult(key_point=kp, status=status,  # type: ignore[arg-type]
                                                strength=0.9 if status == "covered" else 0.4)
                                 for kp in req.key_points],
                     delivery=Delivery(words=10, sentences=1, filler_words={}, hedges={},
                                       top_words=[], length_ok=True))
    return scorer


def test_a_thread_stops_once_it_covers_the_point(topics: list[Topic],
                                                 prompt_set: PromptSet) -> None:
    transcripts = TranscriptStore(connect(":memory:"))
    practice = practice_session(topics, prompt_set, transcripts, scripted(["partial", "covered"]),
                                seed=2)
    practice.start(1)
    first = practice.next_question()
    assert first is not None
    result = practice.submit(first.turn_id, RICH)
    assert result.follow_up is not None and result.thread_coverage is not None
    assert not result.thread_coverage.startswith("100%")
    second = practice.submit(result.follow_up.turn_id, RICH)
    assert second.follow_up is None  # the thread made the point across two answers
    assert second.thread_coverage is not None and second.thread_coverage.startswith("100%")
    turn = transcripts.get_turn(second.turn_id)
    assert turn.card is not None and turn.card.thread_coverage == second.thread_coverage
    summary = practice.finish()
    assert (summary.questions, summary.follow_ups, summary.scored) == (1, 1, 2)
    assert "1 question(s) and 1 follow-up(s) asked, 2 of 2 answer(s) scored" in summary.text
    assert "Thread coverage: 100% over 1 thread(s)" in summary.text
    assert "No key point was missed" in summary.text
    # One mastery: the summary's numbers are the Review page's numbers.
    review = transcripts.mastery_by_key_point()
    assert summary.mastery and all(review[kp] == m for kp, m in summary.mastery.items())
    assert set(summary.mastery.values()) == {1.0}


def test_follow_ups_never_exceed_the_budget(topics: list[Topic], prompt_set: PromptSet) -> None:
    transcripts = TranscriptStore(connect(":memory:"))
    practice = practice_session(topics, prompt_set, transcripts, scripted(["missing"] * 20), seed=5)
    practice.start(2)
    answers = 0
    while (q := practice.next_question()) is not None:
        practice.submit(q.turn_id, "I am not sure.")
        answers += 1
    assert answers == 2 * (1 + prompt_set.settings.followups_per_question)
    summary = practice.finish()
    assert summary.follow_ups == 4 and "No key point was missed" not in summary.text
    assert "2 question(s) and 4 follow-up(s) asked" in summary.text


def test_the_next_session_starts_on_an_item_not_asked_yet(topics: list[Topic],
                                                          prompt_set: PromptSet) -> None:
    transcripts = TranscriptStore(connect(":memory:"))
    asked: list[str] = []
    for _ in range(4):
        practice = practice_session(topics, prompt_set, transcripts, scripted(["covered"] * 5),
                                    seed=0, follow_ups=False)
        practice.start(1)
        asked.append(unit_of(practice.plan[0].target))
        q = practice.next_question()
        assert q is not None
        practice.submit(q.turn_id, RICH)
        practice.finish()
    assert len(set(asked)) == 4, asked  # same seed, four different units
