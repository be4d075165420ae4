"""Speech to text: the Transcriber protocol, local faster-whisper, and OpenAI's API on request."""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from prep_agent.errors import AudioError, SpeechModelError
from prep_agent.voice.audio import Recording, load_recording, wav_bytes
from prep_agent.voice.weights import INSTALL_HINT, MODEL_NAME, whisper_model_dir

if TYPE_CHECKING:
    import openai

GLOSSARY_TERMS = 8
# Whisper leaves out "um" and "uh" unless its prompt shows them; pacing needs them kept.
FILLER_PROMPT = "Umm, uh, let me think."
OPENAI_MODEL = "whisper-1"  # the OpenAI model that returns word timestamps
_NO_SPEECH = (
    "No words were recognised in the recording: speak closer to the microphone and record "
    "again, or type the answer instead."
)
_TERM = re.compile(r"[$]?[A-Za-z0-9][A-Za-z0-9.,+/-]*[A-Za-z0-9%]|[A-Z0-9]")
_COMMON_CAPS = frozenset(
    re.findall(
        r"\w+",
        "i a an the how what why when where which who tell describe explain walk give can could "
        "do does did would should your you we my our in on for and or if is are was it this that "
        "say imagine suppose let",
    )
)


class TranscriberKind(StrEnum):
    """Which speech-to-text engine the user chose."""

    LOCAL = "local"
    OPENAI = "openai"


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span in the recording, in seconds."""

    text: str
    start: float
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """What was said, word timings included, and which engine heard it."""

    text: str
    words: tuple[Word, ...]
    duration_s: float
    engine: str
    elapsed_s: float = 0.0

    @property
    def real_time_factor(self) -> float:
        """Transcription time over audio length (0.1 means ten times faster than real time)."""
        return self.elapsed_s / self.duration_s if self.duration_s else 0.0


class Transcriber(Protocol):
    """Turns a checked recording into a Transcript."""

    @property
    def engine(self) -> str:
        """Name shown in the engine indicator."""
        ...

    def transcribe(self, recording: Recording, prompt: str = "") -> Transcript:
        """Transcribe English speech; prompt is a short glossary of expected terms."""
        ...


def glossary_prompt(question: str, topic: str = "", limit: int = GLOSSARY_TERMS) -> str:
    """A short initial prompt: filler examples, then domain terms of the question and topic."""
    # Whisper copies prompt words into the transcript when unsure, so keep only a few terms.
    # Title words of a topic ("Systems") are ordinary English: only its acronyms and numbers count.
    terms: list[str] = []
    for text, names_too in ((topic, False), (question, True)):
        for token in _TERM.findall(text):
            token = token.rstrip(".,")
            distinctive = any(c.isdigit() for c in token) or any(c.isupper() for c in token[1:])
            name = names_too and token[:1].isupper() and token.lower() not in _COMMON_CAPS
            if (distinctive or name) and token not in terms:
                terms.append(token)
    glossary = f" {', '.join(terms[:limit])}." if terms else ""
    return FILLER_PROMPT + glossary


def _clean(text: str) -> str:
    return " ".join(text.split())


class LocalWhisper:
    """faster-whisper (CTranslate2, int8) on the CPU with weights from the data home."""

    def __init__(self, model_dir: Path, *, threads: int = 2, beam_size: int = 1) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise SpeechModelError(
                f"Local transcription needs faster-whisper: run {INSTALL_HINT}"
            ) from exc
        started = time.perf_counter()
        try:
            # A directory path makes faster-whisper skip the model hub entirely.
            self._model = WhisperModel(
                str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads,
                local_files_only=True,
            )
        except Exception as exc:  # noqa: BLE001 - any load failure means a broken model directory
            raise SpeechModelError(
                f"Could not load the speech model from {model_dir}: {exc}. Delete that folder "
                f"and reinstall: {INSTALL_HINT} --force-reinstall"
            ) from exc
        self.load_s = time.perf_counter() - started
        self.beam_size = beam_size

    @property
    def engine(self) -> str:
        """Name shown in the engine indicator."""
        return f"local faster-whisper ({MODEL_NAME}, int8)"

    def transcribe(self, recording: Recording, prompt: str = "") -> Transcript:
        """Transcribe with the measured settings: VAD on, English, no conditioning on prior text."""
        started = time.perf_counter()
        segments, _ = self._model.transcribe(
            recording.samples,
            language="en",
            beam_size=self.beam_size,
            vad_filter=True,
            # With conditioning on, long answers fell into repetition loops (research notes).
            condition_on_previous_text=False,
            word_timestamps=True,
            initial_prompt=prompt or None,
        )
        parts = list(segments)  # decoding happens while iterating
        words = _join_pieces([w for segment in parts for w in (segment.words or [])])
        text = _clean(" ".join(segment.text for segment in parts))
        if not text:
            raise AudioError(_NO_SPEECH)
        return Transcript(text=text, words=words, duration_s=recording.duration_s,
                          engine=self.engine, elapsed_s=time.perf_counter() - started)


def _join_pieces(raw: list[Any]) -> tuple[Word, ...]:
    # Whisper marks a new word with a leading space; "15" + ",000" is one word, not two.
    words: list[Word] = []
    for piece in raw:
        text = str(piece.word)
        if not text.strip():
            continue
        start, end = round(float(piece.start), 3), round(float(piece.end), 3)
        if words and not text[:1].isspace():
            last = words[-1]
            words[-1] = Word(last.text + text.strip(), last.start, end,
                             min(last.probability, round(float(piece.probability), 3)))
        else:
            words.append(Word(text.strip(), start, end, round(float(piece.probability), 3)))
    return tuple(words)


@functools.cache
def load_local_transcriber(models_dir: Path) -> LocalWhisper:
    """The process-wide local transcriber: weights joined and loaded once."""
    return LocalWhisper(whisper_model_dir(models_dir))


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


class OpenAITranscriber:
    """OpenAI's transcription API; used only when the user chooses it and a key is set."""

    def __init__(self, client: openai.OpenAI, model: str = OPENAI_MODEL) -> None:
        self._client = client
        self.model = model

    @property
    def engine(self) -> str:
        """Name shown in the engine indicator."""
        return f"OpenAI {self.model}"

    def transcribe(self, recording: Recording, prompt: str = "") -> Transcript:
        """Upload the recording as 16 kHz mono WAV (at most ~10 MB for 5 minutes)."""
        import openai

        started = time.perf_counter()
        try:
            result = self._client.audio.transcriptions.create(
                model=self.model,
                file=("answer.wav", wav_bytes(recording.samples), "audio/wav"),
                language="en",
                prompt=prompt,
                response_format="verbose_json",
                timestamp_granularities=["word"],
            )
        except openai.OpenAIError as exc:
            raise SpeechModelError(
                f"OpenAI transcription failed: {exc}. Check OPENAI_API_KEY and the network, or "
                "choose the local transcriber."
            ) from exc
        words = tuple(
            Word(str(_field(w, "word")).strip(), float(_field(w, "start")),
                 float(_field(w, "end")))
            for w in (_field(result, "words") or [])
            if str(_field(w, "word")).strip()
        )
        text = _clean(str(_field(result, "text") or ""))
        if not text:
            raise AudioError(_NO_SPEECH)
        return Transcript(text=text, words=words, duration_s=recording.duration_s,
                          engine=self.engine, elapsed_s=time.perf_counter() - started)


def build_transcriber(kind: TranscriberKind, *, models_dir: Path,
                      client: openai.OpenAI | None = None) -> Transcriber:
    """The transcriber the user chose; OpenAI needs a client built from a configured key."""
    if kind is TranscriberKind.OPENAI:
        if client is None:
            raise SpeechModelError(
                "OpenAI transcription needs OPENAI_API_KEY: set it, or choose the local "
                "transcriber."
            )
        return OpenAITranscriber(client)
    return load_local_transcriber(models_dir)


def transcribe_wav(transcriber: Transcriber, data: bytes,
                   prompt: str = FILLER_PROMPT) -> Transcript:
    """Check a WAV answer (empty, non-WAV, damaged, too long, silent) and transcribe it."""
    return transcriber.transcribe(load_recording(data), prompt=prompt)
