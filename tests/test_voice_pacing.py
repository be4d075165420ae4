"""Pace, pauses, fillers and time to first word from known word timings (pure, fast)."""

from __future__ import annotations

import pytest

from prep_agent.voice.pacing import PaceBand, count_fillers, measure_pacing
from prep_agent.voice.transcribe import Word


def timed(text: str, *, start: float = 0.0, step: float = 0.4,
          gaps: dict[int, float] | None = None) -> list[Word]:
    """Words of text, each `step` long, back to back, with extra silence before given indexes."""
    out: list[Word] = []
    t = start
    for i, token in enumerate(text.split()):
        t += (gaps or {}).get(i, 0.0)
        out.append(Word(token, round(t, 3), round(t + step, 3)))
        t += step
    return out


def test_wpm_on_target_band_and_first_word() -> None:
    # 30 words at 0.4 s each = 12 s of speech -> 150 wpm, after 1.5 s of silence.
    words = timed(" ".join(["word"] * 30), start=1.5)
    pacing = measure_pacing(words)
    assert pacing.wpm == 150.0
    assert pacing.band is PaceBand.ON_TARGET
    assert pacing.target_wpm == (130, 160)
    assert pacing.time_to_first_word_s == 1.5
    assert pacing.speaking_s == 12.0
    assert pacing.pauses == ()


@pytest.mark.parametrize(("step", "band", "wpm"), [
    (0.6, PaceBand.SLOW, 100.0),
    (0.3, PaceBand.FAST, 200.0),
])
def test_slow_and_fast(step: float, band: PaceBand, wpm: float) -> None:
    pacing = measure_pacing(timed(" ".join(["word"] * 20), step=step))
    assert (pacing.band, pacing.wpm) == (band, wpm)


def test_long_pauses_listed_with_their_length() -> None:
    words = timed("we scaled the fleet then we cut costs", gaps={3: 2.5, 6: 1.9, 7: 3.0})
    pacing = measure_pacing(words)
    assert [(p.after_word, p.seconds) for p in pacing.pauses] == [("the", 2.5), ("cut", 3.0)]
    # The pauses count in the speaking span: 8 words * 0.4 + 7.4 s of gaps = 10.6 s.
    assert pacing.speaking_s == 10.6
    assert pacing.wpm == round(8 * 60 / 10.6, 1)


def test_pause_threshold_is_configurable() -> None:
    words = timed("one two three", gaps={1: 1.0})
    assert len(measure_pacing(words, long_pause_s=1.0).pauses) == 1
    assert measure_pacing(words).pauses == ()


def test_too_short_and_empty() -> None:
    assert measure_pacing(timed("yes")).band is PaceBand.TOO_SHORT
    empty = measure_pacing([])
    assert (empty.words, empty.wpm, empty.time_to_first_word_s) == (0, None, None)
    assert empty.band is PaceBand.TOO_SHORT


@pytest.mark.parametrize(("text", "expected"), [
    ("Um, so we shipped it, uh, on time", {"um": 1, "uh": 1}),
    ("Umm I think uhh yes hmm", {"um": 2, "uh": 1}),
    ("So like, we had fifteen thousand servers", {"like": 1}),
    ("It was like ten racks", {"like": 1}),
    ("Like I said the plan held", {"like": 1}),
    ("I like the design and it looks like a cache", {}),
    ("We would like to ship something like that", {}),
    ("We had, you know, fifteen thousand servers", {"you know": 1}),
    ("The budget you know was tight", {"you know": 1}),
    ("Do you know how DGX scales", {}),
    ("you know what matters is the schedule", {}),
])
def test_fillers(text: str, expected: dict[str, int]) -> None:
    assert count_fillers(timed(text)) == expected


def test_fillers_summed_and_per_minute() -> None:
    words = timed("um we um shipped uh it like, fast and then you know we fixed the plan")
    pacing = measure_pacing(words)
    assert dict(pacing.fillers) == {"um": 2, "uh": 1, "like": 1, "you know": 1}
    assert pacing.fillers[0] == ("um", 2)  # most frequent first
    assert pacing.filler_count == 5
    assert pacing.fillers_per_minute == round(5 * 60 / pacing.speaking_s, 1)
