"""Recordings: WAV checks with fixes named, decoding to 16 kHz mono, and per-turn audio storage."""

from __future__ import annotations

import io
import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from prep_agent.errors import AudioError, SpeechModelError

SAMPLE_RATE = 16_000
MAX_SECONDS = 300.0
_FIX_FORMAT = "save or convert it as WAV (for example: ffmpeg -i answer.m4a answer.wav)"
_FIX_AGAIN = "record the answer again, or type it instead"


@dataclass(frozen=True)
class WavInfo:
    """What a WAV header says about the recording."""

    channels: int
    sample_rate: int
    bits: int
    duration_s: float


@dataclass(frozen=True, eq=False)
class Recording:
    """A checked recording: 16 kHz mono float32 samples plus its original header."""

    samples: np.ndarray = field(repr=False)
    info: WavInfo

    @property
    def duration_s(self) -> float:
        """Length in seconds after decoding."""
        return len(self.samples) / SAMPLE_RATE


def _minutes(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60} min {whole % 60} s" if whole >= 60 else f"{seconds:.1f} s"


def wav_info(data: bytes) -> WavInfo:
    """Parse the RIFF header; empty, non-WAV and damaged files get an AudioError naming the fix."""
    if not data:
        raise AudioError(f"The recording is empty (0 bytes): {_FIX_AGAIN}.")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError(
            f"The file is not a WAV recording (it starts with {data[:4]!r}): {_FIX_FORMAT}."
        )
    fmt: tuple[int, int, int, int] | None = None
    data_bytes: int | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        body = pos + 8
        if chunk_id == b"fmt " and size >= 16 and body + 16 <= len(data):
            _, channels, rate, byte_rate, _, bits = struct.unpack("<HHIIHH", data[body : body + 16])
            fmt = (channels, rate, byte_rate, bits)
        elif chunk_id == b"data":
            # Streaming recorders leave the size as 0 or 0xFFFFFFFF: trust the bytes present.
            available = len(data) - body
            data_bytes = available if size == 0 or size > available else size
            break
        pos = body + size + (size & 1)
    if fmt is None or data_bytes is None:
        missing = "format" if fmt is None else "audio data"
        raise AudioError(f"The WAV recording is damaged (no {missing} chunk): {_FIX_AGAIN}.")
    channels, rate, byte_rate, bits = fmt
    if not channels or not rate or not byte_rate:
        raise AudioError(
            f"The WAV recording is damaged (header says {channels} channels at {rate} Hz): "
            f"{_FIX_AGAIN}."
        )
    return WavInfo(channels=channels, sample_rate=rate, bits=bits,
                   duration_s=data_bytes / byte_rate)


def decode_wav(data: bytes) -> np.ndarray:
    """Decode any WAV (PCM or float, any rate, any channels) to 16 kHz mono float32."""
    try:
        from faster_whisper.audio import decode_audio
    except ImportError as exc:
        raise SpeechModelError(
            "Reading recordings needs faster-whisper: run pip install 'faster-whisper==1.2.1'"
        ) from exc
    try:
        samples = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # noqa: BLE001 - PyAV raises many types for one cause: bad bytes
        raise AudioError(f"The WAV recording is damaged ({exc}): {_FIX_AGAIN}.") from exc
    return np.asarray(samples, dtype=np.float32)


def wav_bytes(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Encode mono float samples in [-1, 1] as a 16-bit PCM WAV file."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1, 1,
        sample_rate, sample_rate * 2, 2, 16, b"data", len(pcm),
    )
    return header + pcm


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """Where Silero VAD (shipped in faster-whisper) hears speech, as (start, end) seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in chunks]


def load_recording(data: bytes, *, max_seconds: float = MAX_SECONDS,
                   require_speech: bool = True) -> Recording:
    """Check and decode a WAV answer; empty, non-WAV, damaged, too long, silent: AudioError."""
    info = wav_info(data)
    if info.duration_s > max_seconds:
        raise AudioError(
            f"The recording is {_minutes(info.duration_s)} long; answers are capped at "
            f"{_minutes(max_seconds)}: trim it or split it into shorter answers."
        )
    samples = decode_wav(data)
    if samples.size == 0:
        raise AudioError(f"The WAV recording holds no audio samples: {_FIX_AGAIN}.")
    recording = Recording(samples=samples, info=info)
    if recording.duration_s > max_seconds:
        raise AudioError(
            f"The recording is {_minutes(recording.duration_s)} long; answers are capped at "
            f"{_minutes(max_seconds)}: trim it or split it into shorter answers."
        )
    if require_speech and not speech_spans(samples):
        raise AudioError(
            f"No speech was heard in the {_minutes(recording.duration_s)} recording: check that "
            f"the microphone is on and not muted, then {_FIX_AGAIN}."
        )
    return recording


def read_wav_file(path: Path) -> bytes:
    """The bytes of a WAV file on disk, with an AudioError when it cannot be read."""
    if path.suffix.lower() != ".wav":
        raise AudioError(f"{path} is not a .wav file: {_FIX_FORMAT}.")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AudioError(f"Cannot read {path}: {exc.strerror}. Check the path.") from exc


# --- storage: $PREP_AGENT_HOME/audio/session-<id>/turn-<id>.wav ------------------------------


def _check_id(kind: str, value: int) -> int:
    # Ids become path parts: only plain positive integers may reach the file system.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AudioError(f"A {kind} id must be a positive whole number, not {value!r}.")
    return value


def audio_root(home: Path) -> Path:
    """Folder of all stored recordings and cached speech."""
    return home / "audio"


def session_audio_dir(home: Path, session_id: int) -> Path:
    """Folder of one session's recordings (derived from the id, so no database column)."""
    return audio_root(home) / f"session-{_check_id('session', session_id)}"


def save_turn_audio(home: Path, session_id: int, turn_id: int, data: bytes) -> Path:
    """Store a turn's recording; an existing file is never replaced (a -2, -3 suffix is added)."""
    folder = session_audio_dir(home, session_id)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"turn-{_check_id('turn', turn_id)}"
    for n in range(1, 10_000):
        path = folder / (f"{stem}.wav" if n == 1 else f"{stem}-{n}.wav")
        try:
            # "x" creates or fails atomically, so two tabs saving at once cannot clobber a file.
            with path.open("xb") as out:
                out.write(data)
        except FileExistsError:
            continue
        return path
    raise AudioError(f"Too many recordings for turn {turn_id} in {folder}: delete some first.")


def turn_audio_files(home: Path, session_id: int, turn_id: int) -> list[Path]:
    """A turn's recordings, oldest first."""
    folder = session_audio_dir(home, session_id)
    stem = f"turn-{_check_id('turn', turn_id)}"
    found = [p for p in folder.glob(f"{stem}*.wav")
             if p.stem == stem or p.stem.removeprefix(f"{stem}-").isdigit()]

    def order(path: Path) -> int:
        return 1 if path.stem == stem else int(path.stem.rsplit("-", 1)[1])

    return sorted(found, key=order)


def delete_session_audio(home: Path, session_id: int) -> bool:
    """Remove a session's recordings folder; True when there was one."""
    folder = session_audio_dir(home, session_id)
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True
