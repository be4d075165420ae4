"""AppTest: a WAV through st.audio_input, edited transcript graded, replay, delete, read aloud."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from prep_agent.voice.audio import SAMPLE_RATE, wav_bytes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None,
                       reason="espeak-ng is not installed: apt-get install espeak-ng"),
]
SPOKEN = ("DGX systems scale AI from enterprise data centers to developer PCs. At Microsoft I "
          "provisioned 15,000 servers.")


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("**", "")


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def voice_app(app_test: Any, app_services: Any, whisper: Any) -> Any:
    """The app with the session's Whisper model, on a one-question interview."""
    app_services.given_transcriber = whisper

    def make() -> AppTest:
        at = app_test()
        at.number_input(key="setup_n").set_value(1)
        at.toggle(key="setup_follow_ups").set_value(False)
        at.form_submit_button[0].click().run()
        _ok(at)
        return at

    return make


def test_recorded_answer_is_transcribed_edited_graded_replayed_and_deleted(
    voice_app: Any, app_services: Any, data_home: Path, espeak_wav: Any
) -> None:
    at = voice_app()
    sid = int(at.query_params["session"])
    assert len(at.audio_input) == 1
    at.audio_input[0].set_value(("answer.wav", espeak_wav(SPOKEN), "audio/wav")).run()
    _ok(at)
    caption = " ".join(_plain(c.value) for c in at.caption)
    assert "Heard by local faster-whisper (whisper-base, int8)" in caption
    assert "words/min" in caption
    box = at.text_area[0]
    heard = box.value
    assert "15,000" in heard and "Microsoft" in heard
    # The candidate fixes the transcript before submitting: the edited text is graded.
    edited = heard + " I kept stakeholders aligned with dashboards."
    box.set_value(edited)
    at.button(key=box.key.replace("voice_text_", "voice_submit_")).click().run()
    _ok(at)

    session = app_services.transcripts.get_session(sid)
    turn = session.turns[0]
    assert turn.answer == edited and session.info.finished
    spoken = turn.score["delivery"]["spoken"]
    assert spoken["transcriber"].startswith("local faster-whisper")
    assert spoken["words_per_minute"] > 60 and spoken["target_wpm"] == [130, 160]
    stored = data_home / "audio" / f"session-{sid}" / f"turn-{turn.id}.wav"
    assert stored.is_file() and spoken["audio_file"] == stored.name
    text = _plain("\n".join(m.value for m in at.markdown))
    assert "Spoken delivery" in text
    assert re.search(r"\d wpm \((slow|on target|fast), target 130-160\)", text)

    review = at.switch_page("app_pages/review.py").run()
    _ok(review)
    review.selectbox(key="review_session").select(sid).run()
    _ok(review)
    assert len(review.get("audio")) == 1  # the recording replays next to its answer
    assert any("Recorded answer" in _plain(c.value) for c in review.caption)
    assert "Spoken answers" in _plain("\n".join(m.value for m in review.markdown))
    review.button(key="review_delete").click().run()
    review.button(key="review_delete_yes").click().run()
    _ok(review)
    assert not (data_home / "audio" / f"session-{sid}").exists()


def test_silent_recording_says_so_and_the_question_waits(voice_app: Any,
                                                         app_services: Any) -> None:
    at = voice_app()
    sid = int(at.query_params["session"])
    silence = wav_bytes(np.zeros(2 * SAMPLE_RATE, dtype=np.float32))
    at.audio_input[0].set_value(("answer.wav", silence, "audio/wav")).run()
    assert not at.exception
    assert any("No speech was heard" in _plain(e.value) for e in at.error)
    assert not at.text_area  # nothing to submit
    assert app_services.transcripts.get_session(sid).turns[0].answer is None
    assert len(at.chat_input) == 1  # typing the answer still works


def test_read_aloud_plays_the_question(voice_app: Any) -> None:
    at = voice_app()
    at.toggle(key="voice_read_aloud").set_value(True).run()
    _ok(at)
    assert len(at.get("audio")) == 1
    assert any("Read aloud by" in _plain(c.value) for c in at.caption)
