"""One stream type for text that arrives in pieces and ends in a value (as llm's `Response`).

Iterate a `Stream` for the text as it arrives, call `result()` for the final value, iterate it
again to replay what it produced (a page redrawn mid-stream shows the start again, then the
rest as it comes), and hook completion with `on_done` (how a question gets recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

_UNSET: Any = object()


class Stream(Generic[T]):
    """Text chunks now, a value of type T at the end; replayable, with completion callbacks."""

    def __init__(
        self, chunks: Iterator[str], finish: Callable[[], T], parent: Stream[Any] | None = None,
    ) -> None:
        self._source = chunks
        self._finish = finish
        self._parent = parent
        self._seen: list[str] = []
        self._value: T = _UNSET
        self._done = False
        self._callbacks: list[Callable[[T], None]] = []
        self._note: str | None = None

    @classmethod
    def of(cls, text: str, value: T) -> Stream[T]:
        """A stream that is already done: one chunk of text and its value."""
        stream: Stream[T] = cls(iter(()), lambda: value)
        stream._seen, stream._value, stream._done = [text], value, True
        return stream

    @property
    def note(self) -> str | None:
        """Why the offline engine was used for this step, if it was (from the stream it maps)."""
        if self._note is not None or self._parent is None:
            return self._note
        return self._parent.note

    @note.setter
    def note(self, value: str | None) -> None:
        self._note = value

    @property
    def done(self) -> bool:
        """True once every chunk was produced and the value is known."""
        return self._done

    @property
    def chunks(self) -> list[str]:
        """The chunks produced so far."""
        return list(self._seen)

    def __iter__(self) -> Iterator[str]:
        # Every iteration starts from the first chunk: what was seen is replayed, then the
        # source is read further, so an interrupted reader loses nothing.
        i = 0
        while True:
            while i < len(self._seen):
                yield self._seen[i]
                i += 1
            if self._done:
                return
            try:
                chunk = next(self._source)
            except StopIteration:
                self._complete()
                continue
            self._seen.append(chunk)

    def _complete(self) -> None:
        value = self._finish()
        self._value = value
        for callback in self._callbacks:
            callback(value)
        # Done only once the callbacks ran: if one fails, result() tries again.
        self._done = True

    def result(self) -> T:
        """Read whatever is left and return the final value."""
        if not self._done:
            for _ in self:
                pass
        return self._value

    def on_done(self, callback: Callable[[T], None]) -> Stream[T]:
        """Call `callback(value)` when the stream ends (now, if it already has)."""
        if self._done:
            callback(self._value)
        else:
            self._callbacks.append(callback)
        return self

    def map(self, build: Callable[[T], U]) -> Stream[U]:
        """A stream of the same text whose value is `build(this stream's value)`."""
        return Stream(iter(self), lambda: build(self.result()), parent=self)
