"""`transcribe FILE.wav` and `interview --voice-file DIR` end to end in a subprocess (slow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prep_agent.transcripts.db import connect
from prep_agent.transcripts.store import TranscriptStore

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREP_AGENT_ENGINE": "offline"}
    return subprocess.run([sys.executable, "-m", "prep_agent", *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=300)


@pytest.mark.slow
def test_transcribe_rejects_non_wav(tmp_path: Path) -> None:
    (tmp_path / "answer.mp3").write_bytes(b"ID3fake")
    proc = _run("transcribe", str(tmp_path / "answer.mp3"))
    assert proc.returncode == 2
    assert "not a .wav file" in proc.stderr and "ffmpeg" in proc.stderr


@pytest.mark.slow
def test_transcribe_prints_words_timings_and_pace(tmp_path: Path, espeak_wav) -> None:  # type: ignore[no-untyped-def]
    wav = tmp_path / "answer.wav"
    wav.write_bytes(espeak_wav("At Microsoft we deployed 15,000 servers on schedule."))
    proc = _run("transcribe", str(wav))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Transcriber: local faster-whisper" in out
    assert "15,000" in out and "servers" in out
    assert "Words:" in out and "Pace: " in out and "target 130-160" in out
    proc = _run("transcribe", str(wav), "--json")
    data = json.loads(proc.stdout)
    assert data["transcript"]["engine"].startswith("local faster-whisper")
    assert data["pacing"]["words"] == len(data["transcript"]["words"]) >= 7


@pytest.mark.slow
def test_interview_answers_from_voice_files(data_home: Path, tmp_path: Path,
                                           espeak_wav) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "answers"
    folder.mkdir()
    # Name order: the empty file comes first and is reported; the question then waits.
    (folder / "a0-empty.wav").write_bytes(b"")
    (folder / "a1.wav").write_bytes(espeak_wav(
        "DGX Spark brings data center AI to desktops, and I would align developer feedback "
        "with engineering."))
    (folder / "a2.wav").write_bytes(espeak_wav(
        "At Microsoft I ran the provisioning of 15,000 servers."))
    (folder / "notes.txt").write_text("ignored")
    proc = _run("interview", "--questions", "2", "--no-follow-ups", "--seed", "3",
                "--voice-file", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "Transcriber: local faster-whisper" in proc.stderr
    assert "a0-empty.wav: The recording is empty" in proc.stderr
    out = proc.stdout
    assert "[a1.wav · local faster-whisper" in out and "[a2.wav · local faster-whisper" in out
    assert out.count("Spoken delivery:") == 2 and "target 130-160" in out
    assert "Saved as session 1" in out

    store = TranscriptStore(connect(data_home / "transcripts.db"))
    try:
        session = store.get_session(1)
    finally:
        store.conn.close()
    answered = [t for t in session.turns if t.answer is not None]
    assert len(answered) == 2
    assert "15,000" in (answered[1].answer or "")
    for turn in answered:
        spoken = turn.score["delivery"]["spoken"]  # type: ignore[index]
        assert spoken["words_per_minute"] > 0 and spoken["transcriber"].startswith("local")
        stored = data_home / "audio" / "session-1" / spoken["audio_file"]
        assert stored.name == f"turn-{turn.id}.wav" and stored.stat().st_size > 10_000
