"""Stream[T]: text as it arrives, a value at the end, replay after done, on_done callbacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prep_agent.streaming import Stream


def _words(log: list[str]) -> Iterator[str]:
    for word in ("one ", "two ", "three"):
        log.append(word)
        yield word


def test_iterate_then_result_then_replay() -> None:
    pulled: list[str] = []
    stream = Stream(_words(pulled), lambda: "done")
    assert not stream.done
    assert list(stream) == ["one ", "two ", "three"] and stream.done
    assert stream.result() == "done"
    assert list(stream) == ["one ", "two ", "three"]  # replayed, not read again
    assert pulled == ["one ", "two ", "three"]


def test_an_interrupted_reader_loses_nothing() -> None:
    stream = Stream(_words([]), lambda: 3)
    reader = iter(stream)
    assert next(reader) == "one "
    del reader  # a rerun dropped the page that was drawing it
    assert "".join(stream) == "one two three" and stream.result() == 3


def test_on_done_runs_once_at_the_end_or_at_once_when_done() -> None:
    seen: list[int] = []
    stream = Stream(_words([]), lambda: 7).on_done(seen.append)
    assert seen == []
    stream.result()
    stream.result()
    assert seen == [7]
    stream.on_done(lambda v: seen.append(v * 2))
    assert seen == [7, 14]


def test_map_shares_the_text_and_the_note() -> None:
    base = Stream(_words([]), lambda: "one two three")
    base.note = "used the offline engine"
    upper = base.map(str.upper)
    assert "".join(upper) == "one two three" and upper.result() == "ONE TWO THREE"
    assert upper.note == "used the offline engine" and base.done


def test_a_failing_callback_is_retried_by_the_next_result() -> None:
    calls: list[str] = []

    def flaky(value: str) -> None:
        calls.append(value)
        if len(calls) == 1:
            raise RuntimeError("database busy")

    stream = Stream(_words([]), lambda: "v").on_done(flaky)
    with pytest.raises(RuntimeError):
        stream.result()
    assert not stream.done
    assert stream.result() == "v" and stream.done and calls == ["v", "v"]


def test_of_is_already_done() -> None:
    stream = Stream.of("text", 42)
    assert stream.done and list(stream) == ["text"] and stream.result() == 42
