"""The CLI's one exit point for text: secrets scrubbed and control characters stripped."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from prep_agent.text.redact import safe_text


class SafeStream:
    """A text stream whose writes are scrubbed of secrets and terminal control sequences."""

    def __init__(self, stream: TextIO, secrets: Iterable[str] = ()) -> None:
        self._stream = stream
        self._secrets = tuple(secrets)

    def write(self, text: str) -> int:
        """Write the cleaned text; returns len(text) as callers expect."""
        self._stream.write(safe_text(text, self._secrets))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def safe_output(secrets: Iterable[str] = ()) -> Iterator[None]:
    """Route sys.stdout and sys.stderr through SafeStream while the command runs."""
    secrets = tuple(secrets)
    out, err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(out, secrets)
    sys.stderr = SafeStream(err, secrets)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
