"""Inert Markdown: user and notes text that renders literally in any CommonMark viewer."""

from __future__ import annotations

import re

from prep_agent.text.redact import REDACTED, strip_controls

# Backslash-escaping these disarms raw HTML (`<`), entities (`&`), links and images (`[`, `!`),
# emphasis, code spans, tables and strike-through; CommonMark renders `\<` as a literal `<`.
# `_` inside a word (too_short, __init__'s middle) never emphasises, so it stays as typed.
_INLINE = re.compile(r"([\\`*\[\]<>!|~&{}()#]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# Constructs that only matter at the start of a line: headings, quotes, lists, rules.
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)


def md_text(text: object) -> str:
    """Text as Markdown that shows exactly these characters: no tag, link or image survives."""
    out = _INLINE.sub(r"\\\1", strip_controls(str(text)))
    # The redaction marker stays readable: a bare [label] with no definition is not a link.
    out = out.replace(_INLINE.sub(r"\\\1", REDACTED), REDACTED)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if len(m[2]) == 1 else
                           f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", out)


def md_inline(text: object) -> str:
    """md_text on one line (table cells, list items): line breaks become spaces."""
    return md_text(re.sub(r"\s*[\r\n]+\s*", " ", str(text)))
