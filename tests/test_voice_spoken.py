"""Spoken answers in a practice session: audio kept first, pacing in the score, pace per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from prep_agent.errors import StaleAnswerError
from prep_agent.grading.models import Score, ScoreRequest
from prep_agent.interview.interviewer import Interviewer
from prep_agent.knowledge.library import load_notes
from prep_agent.practice.session import PracticeSession, make_scorer
from prep_agent.practice.spoken import HeardAnswer, pace_by_session, submit_spoken
from prep_agent.prompt_library import PromptLibrary
from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore
from prep_agent.voice.audio import turn_audio_files
from prep_agent.voice.pacing import measure_pacing
from prep_agent.voice.transcribe import Transcript, Word

ROOT = Path(__file__).resolve().parent.parent
TEXT = "um DGX systems scale AI from data centers to developer PCs like, for training"


def heard(wav: bytes = b"RIFF-fake-recording") -> HeardAnswer:
    """A transcript as a transcriber would return it: 14 words at 0.4 s, first after 1.2 s."""
    words = tuple(Word(w, round(1.2 + 0.4 * i, 2), round(1.6 + 0.4 * i, 2))
                  for i, w in enumerate(TEXT.split()))
    gap = tuple(Word(w.text, w.start + 2.5, w.end + 2.5) if i >= 6 else w
                for i, w in enumerate(words))  # a 2.5 s pause after "from"
    transcript = Transcript(text=TEXT, words=gap, duration_s=10.0, engine="fake transcriber",
                            elapsed_s=0.1)
    return HeardAnswer(wav=wav, transcript=transcript, pacing=measure_pacing(gap))


@pytest.fixture
def practice(encoder: Any) -> PracticeSession:
    topics = load_notes(ROOT / "seeds").topics
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    practice = PracticeSession(Interviewer(topics, None, prompt_set, seed=1),
                               make_scorer(encoder), TranscriptStore(connect(":memory:")),
                               follow_ups=False)
    practice.start(2)
    return practice


def test_spoken_answer_keeps_audio_and_adds_pacing_to_delivery(practice: PracticeSession,
                                                               data_home: Path) -> None:
    sid = practice.session_id
    assert sid is not None
    first = practice.next_question()
    assert first is not None
    result = submit_spoken(practice, first.turn_id, data_home, heard(b"first recording"),
                           text="DGX systems scale AI from data centers to developer PCs.")
    assert result.answer == "DGX systems scale AI from data centers to developer PCs."
    assert result.score is not None and result.score.delivery.spoken is not None
    spoken = result.score.delivery.spoken
    assert spoken.transcriber == "fake transcriber"
    assert spoken.time_to_first_word_s == 1.2
    assert spoken.fillers == {"um": 1, "like": 1}
    assert [(p.after_word, p.seconds) for p in spoken.long_pauses] == [("from", 2.5)]
    assert spoken.speaking_s == 8.1  # 14 words at 0.4 s plus the 2.5 s pause
    assert spoken.words_per_minute == round(14 * 60 / 8.1, 1)
    assert spoken.target_wpm == (130, 160) and spoken.pace == "slow"
    files = turn_audio_files(data_home, sid, result.turn_id)
    assert [p.name for p in files] == [spoken.audio_file] == [f"turn-{result.turn_id}.wav"]
    assert files[0].read_bytes() == b"first recording"
    # Saved with the score, so Review and exports see it.
    stored = practice.transcripts.get_turn(result.turn_id).score
    assert stored is not None and stored["delivery"]["spoken"]["fillers"] == {"um": 1, "like": 1}

    # The Markdown export is inert (punctuation escaped): compare its text without backslashes.
    markdown = practice.transcripts.export_markdown(sid).replace("\\", "")
    assert "*Spoken delivery:*" in markdown
    assert f"{spoken.words_per_minute:g} wpm (slow, target 130-160)" in markdown
    assert "2.5 s after “from”" in markdown and "heard by fake transcriber" in markdown
    assert f"recording turn-{result.turn_id}.wav" in markdown

    # A typed answer has no spoken section; the pace chart counts only spoken answers.
    second = practice.next_question()
    assert second is not None
    typed = practice.submit(second.turn_id, "I would coordinate tools for developers.")
    assert typed.score is not None and typed.score.delivery.spoken is None
    [point] = pace_by_session(practice.transcripts)
    assert (point.session_id, point.answers, point.long_pauses) == (sid, 1, 1)
    assert point.words_per_minute == spoken.words_per_minute
    assert point.fillers_per_minute == round(2 * 60 / spoken.speaking_s, 1)


def test_audio_is_saved_even_when_scoring_fails(encoder: Any, data_home: Path) -> None:
    def broken(req: ScoreRequest) -> Score:
        raise RuntimeError("grader down")

    topics = load_notes(ROOT / "seeds").topics
    prompt_set = PromptLibrary(ROOT / "prompts").load("hiring-manager")
    practice = PracticeSession(Interviewer(topics, None, prompt_set, seed=1), broken,
                               TranscriptStore(connect(":memory:")), follow_ups=False)
    sid = practice.start(1)
    first = practice.next_question()
    assert first is not None
    result = submit_spoken(practice, first.turn_id, data_home, heard(b"kept"))
    assert result.score is None and "grader down" in (result.error or "")
    assert result.answer == TEXT  # no edit: the transcript as heard
    assert turn_audio_files(data_home, sid, result.turn_id)[0].read_bytes() == b"kept"


def test_stale_spoken_answer_writes_nothing(practice: PracticeSession, data_home: Path) -> None:
    """Another tab answered first: the guarded write refuses, and no recording is filed."""
    sid = practice.session_id
    assert sid is not None
    first = practice.next_question()
    assert first is not None
    turn_id = first.turn_id
    practice.submit(turn_id, "Typed in the other tab.")
    with pytest.raises(StaleAnswerError) as caught:
        submit_spoken(practice, turn_id, data_home, heard(b"late recording"), text="spoken late")
    assert caught.value.answer == "spoken late" and caught.value.turn_id == turn_id
    assert turn_audio_files(data_home, sid, turn_id) == []
    assert practice.transcripts.get_turn(turn_id).answer == "Typed in the other tab."


def test_spoken_card_section_in_every_adapter(practice: PracticeSession, data_home: Path) -> None:
    """The ScoreCard carries the spoken section; the terminal adapter prints it as is."""
    from prep_agent.cli.interview import format_score_card
    from prep_agent.grading.report import ScoreCard, SectionKind

    first = practice.next_question()
    assert first is not None
    result = submit_spoken(practice, first.turn_id, data_home, heard())
    assert result.score is not None
    section = ScoreCard.from_score(result.score).section(SectionKind.spoken)
    assert section is not None and section.title == "Spoken delivery"
    texts = [line.text for line in section.lines]
    assert texts[1:4] == ["first word after 1.2 s", "1 long pause(s): 2.5 s after “from”",
                          "fillers: like ×1, um ×1"]
    assert texts[-1] == f"heard by fake transcriber, recording turn-{result.turn_id}.wav"
    card = format_score_card(result)
    assert "Spoken delivery:\n  - " in card and "(slow, target 130-160)" in card
    # A typed answer's card has no spoken section.
    second = practice.next_question()
    assert second is not None
    typed = practice.submit(second.turn_id, "I would coordinate tools for developers.")
    assert typed.score is not None
    assert ScoreCard.from_score(typed.score).section(SectionKind.spoken) is None
