"""Delivery from word timings: words per minute against a target band, long pauses, fillers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from prep_agent.voice.transcribe import Word

TARGET_WPM = (130, 160)
LONG_PAUSE_S = 2.0
MIN_WORDS_FOR_PACE = 5


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Spelling variants Whisper writes for the same sound, counted under one name.
_SOUNDS = {"um": "um", "umm": "um", "uhm": "um", "hmm": "um", "mm": "um",
           "uh": "uh", "uhh": "uh", "er": "uh", "erm": "uh", "ah": "uh"}
# "like" after these is usually filler ("it was like, ten"); before these it usually compares.
_LIKE_AFTER = _wordset("so and but was is it's were just literally um uh")
_LIKE_BEFORE = _wordset("a an the this that these those to it them him her me you us")
# "you know what/how/that..." is a real question or clause, not a filler.
_CLAUSE_AFTER_KNOW = _wordset(
    "what how that why when where who whom if the about it him her them this whether"
)
_ASKS = _wordset("do did don't didn't if as would will")
_PUNCT = re.compile(r"[^\w']+")


class PaceBand(StrEnum):
    """Where the speaking rate falls against the target band."""

    SLOW = "slow"
    ON_TARGET = "on target"
    FAST = "fast"
    TOO_SHORT = "too short to tell"


@dataclass(frozen=True)
class Pause:
    """Silence between two words, in seconds from the start of the recording."""

    after_word: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        """Length of the pause."""
        return round(self.end - self.start, 2)


@dataclass(frozen=True)
class Pacing:
    """How an answer was spoken, measured from word timestamps."""

    words: int
    speaking_s: float
    wpm: float | None
    band: PaceBand
    target_wpm: tuple[int, int]
    pauses: tuple[Pause, ...]
    fillers: tuple[tuple[str, int], ...]
    time_to_first_word_s: float | None

    @property
    def filler_count(self) -> int:
        """All fillers together."""
        return sum(count for _, count in self.fillers)

    @property
    def fillers_per_minute(self) -> float | None:
        """Fillers per minute of speaking, comparable across answers of different length."""
        if self.speaking_s <= 0:
            return None
        return round(self.filler_count * 60.0 / self.speaking_s, 1)


def _bare(text: str) -> str:
    return _PUNCT.sub("", text.lower())


def _set_off(words: Sequence[Word], i: int) -> bool:
    # A comma either side ("so, like, we...") marks an aside rather than a comparison.
    return words[i].text.rstrip().endswith(",") or (i > 0 and words[i - 1].text.endswith(","))


def count_fillers(words: Sequence[Word]) -> dict[str, int]:
    """Filler sounds (um, uh), filler "like" and filler "you know", by heuristics on neighbours."""
    bare = [_bare(w.text) for w in words]
    found: Counter[str] = Counter()
    for i, word in enumerate(bare):
        before = bare[i - 1] if i > 0 else ""
        after = bare[i + 1] if i + 1 < len(bare) else ""
        if word in _SOUNDS:
            found[_SOUNDS[word]] += 1
        elif word == "like" and (
            _set_off(words, i)
            or i == 0
            or before in _SOUNDS
            or before == "like"
            or (before in _LIKE_AFTER and after not in _LIKE_BEFORE)
        ):
            found["like"] += 1
        elif word == "know" and before == "you" and (
            words[i].text.endswith(",")
            or (after not in _CLAUSE_AFTER_KNOW and (bare[i - 2] if i > 1 else "") not in _ASKS)
        ):
            found["you know"] += 1
    return dict(found)


def _band(wpm: float | None, words: int, target: tuple[int, int]) -> PaceBand:
    if wpm is None or words < MIN_WORDS_FOR_PACE:
        return PaceBand.TOO_SHORT
    if wpm < target[0]:
        return PaceBand.SLOW
    if wpm > target[1]:
        return PaceBand.FAST
    return PaceBand.ON_TARGET


def measure_pacing(words: Sequence[Word], *, target: tuple[int, int] = TARGET_WPM,
                   long_pause_s: float = LONG_PAUSE_S) -> Pacing:
    """Pace over the span from first to last word; leading silence is time to first word."""
    if not words:
        return Pacing(words=0, speaking_s=0.0, wpm=None, band=PaceBand.TOO_SHORT,
                      target_wpm=target, pauses=(), fillers=(), time_to_first_word_s=None)
    speaking = max(0.0, words[-1].end - words[0].start)
    wpm = round(len(words) * 60.0 / speaking, 1) if speaking > 0 else None
    pauses = tuple(
        Pause(after_word=_bare(a.text) or a.text, start=a.end, end=b.start)
        for a, b in zip(words, words[1:], strict=False)
        if b.start - a.end >= long_pause_s - 1e-6  # float sums of 10 ms timestamps
    )
    fillers = tuple(sorted(count_fillers(words).items(), key=lambda kv: (-kv[1], kv[0])))
    return Pacing(
        words=len(words),
        speaking_s=round(speaking, 2),
        wpm=wpm,
        band=_band(wpm, len(words), target),
        target_wpm=target,
        pauses=pauses,
        fillers=fillers,
        time_to_first_word_s=round(words[0].start, 2),
    )
