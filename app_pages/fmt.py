"""Safe Markdown for user text: escaping, evidence highlighting, download file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# also disarms Streamlit's own directives (`:red[...]`, `:material/x:`, `$math$`).
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_HIGHLIGHT = "green-background"
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class _Escaper:
    """Escapes text piece by piece, so a streamed reply renders exactly like the whole text."""

    def __init__(self) -> None:
        self.line_start = True

    def feed(self, text: str) -> str:
        out: list[str] = []
        for c in str(text).replace("\r\n", "\n").replace("\r", "\n"):
            if c == "\n":
                # Two trailing spaces keep the user's own line breaks.
                out.append("  \n")
                self.line_start = True
            elif self.line_start and c in " \t":
                # Leading blanks would turn a line into a code block; keep them visible but inert.
                out.append("\u00a0")
            else:
                self.line_start = False
                out.append("\\" + c if c in _PUNCT else c)
        return "".join(out)


def escape_md(text: str) -> str:
    """User text as Markdown that renders literally (no links, HTML, math or directives)."""
    return _Escaper().feed(text)


def escape_stream(chunks: Iterable[str]) -> Iterator[str]:
    """escape_md for a stream of text pieces (line starts are tracked across pieces)."""
    escaper = _Escaper()
    for chunk in chunks:
        yield escaper.feed(chunk)


def _spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Character ranges of each quote found in text (any case, any whitespace), merged."""
    found: list[tuple[int, int]] = []
    for quote in quotes:
        words = str(quote).strip(" \t\n.,;:!?\"'“”‘’…").split()
        if not words or sum(len(w) for w in words) < 2:
            continue
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
        found += [(m.start(), m.end()) for m in pattern.finditer(text)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, quotes: Iterable[str]) -> str:
    """Escaped user text with every quoted piece of evidence shown highlighted."""
    text = str(text)
    escaper = _Escaper()
    out: list[str] = []
    pos = 0
    for start, end in _spans(text, quotes):
        out.append(escaper.feed(text[pos:start]))
        # A highlight cannot span lines in Markdown, so each line is wrapped on its own.
        for i, piece in enumerate(text[start:end].split("\n")):
            if i:
                out.append(escaper.feed("\n"))
            core = piece.strip()
            if not core:
                out.append(escaper.feed(piece))
                continue
            # Bold needs no blank just inside its markers, so blanks stay outside.
            lead, tail = piece[: piece.index(core)], piece[piece.index(core) + len(core):]
            out.append(escaper.feed(lead))
            out.append(f":{_HIGHLIGHT}[**{escaper.feed(core)}**]")
            out.append(escaper.feed(tail))
        pos = end
    out.append(escaper.feed(text[pos:]))
    return "".join(out)


def safe_filename(stem: str, suffix: str, max_len: int = 80) -> str:
    """An ASCII file name with no path separators or shell-special characters."""
    ascii_stem = unicodedata.normalize("NFKD", str(stem)).encode("ascii", "ignore").decode()
    clean = _FILE_UNSAFE.sub("-", ascii_stem).strip(".-_")[:max_len].strip(".-_")
    ext = _FILE_UNSAFE.sub("", suffix.lstrip("."))[:10]
    return f"{clean or 'prep-agent'}.{ext or 'txt'}"


def pct(value: float | None) -> str:
    """A 0-100 score as text, or a dash when there is none."""
    return "—" if value is None else f"{value:.0f}"


def cite_md(source: object, line: object) -> str:
    """A citation such as seeds/dgx.md:12, shown small and grey."""
    return f":gray[{escape_md(f'{source}:{line}')}]"
