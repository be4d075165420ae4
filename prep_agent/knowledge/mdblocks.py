"""Markdown block structure (headings, paragraphs, bullets, raw blocks) with 1-based lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from markdown_it import MarkdownIt

BlockKind = Literal["heading", "para", "bullet", "raw"]

# "**Label**: text", "**Label:** text" or "__Label__: text"
_BOLD_LABEL = re.compile(
    r"^(?:\*\*|__)(?P<label>[^*_:][^*_]{0,60}?)(?::(?:\*\*|__)\s*|(?:\*\*|__)\s*:\s*)(?P<text>.*)$"
)
_PLAIN_LABEL = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9 '&/()+.-]{0,40}?)\s*:\s*(?P<text>.*)$")
_CHECKBOX = re.compile(r"^\[(?P<mark>[ xX])\]\s*(?P<rest>.*)$")
# CommonMark: `__` never emphasises inside a word (`__init__`, `my__var`), `**` may.
_EMPHASIS = re.compile(
    r"\*\*(?=\S)(?P<a>.+?)(?<=\S)\*\*|(?<![A-Za-z0-9_])__(?=\S)(?P<b>.+?)(?<=\S)__(?![A-Za-z0-9_])"
)


@dataclass
class Block:
    """One markdown block: its kind, first line and (line, text) content lines."""

    kind: BlockKind
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    level: int = 0  # heading level, or list nesting depth for bullets
    parent: int | None = None  # index of the enclosing bullet block

    @property
    def text(self) -> str:
        """All content lines joined with spaces."""
        return " ".join(t for _, t in self.lines if t).strip()


def parse_blocks(text: str) -> list[Block]:
    """Split markdown into blocks; paragraphs inside a list item belong to that bullet."""
    # CommonMark (no tables): a table stays a paragraph, so none of its text is lost.
    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    open_bullets: list[int] = []
    for i, tok in enumerate(tokens):
        start = tok.map[0] + 1 if tok.map else 1
        if tok.type == "heading_open":
            content = tokens[i + 1].content.strip()
            blocks.append(Block("heading", start, [(start, content)], level=int(tok.tag[1:])))
        elif tok.type == "list_item_open":
            parent = open_bullets[-1] if open_bullets else None
            blocks.append(Block("bullet", start, level=len(open_bullets), parent=parent))
            open_bullets.append(len(blocks) - 1)
        elif tok.type == "list_item_close":
            open_bullets.pop()
        elif tok.type == "inline" and i > 0 and tokens[i - 1].type == "paragraph_open":
            lines = [(start + j, s.strip()) for j, s in enumerate(tok.content.split("\n"))]
            if open_bullets:
                blocks[open_bullets[-1]].lines.extend(lines)
            else:
                blocks.append(Block("para", start, lines))
        elif tok.type in ("fence", "code_block", "html_block"):
            first = start + 1 if tok.type == "fence" else start
            raw = tok.content.rstrip("\n").split("\n")
            lines = [(first + j, s.rstrip()) for j, s in enumerate(raw)]
            if open_bullets:
                blocks[open_bullets[-1]].lines.extend(lines)
            else:
                blocks.append(Block("raw", start, lines))
    return blocks


def split_label(line: str, known: set[str] | None = None) -> tuple[str, str] | None:
    """(label, text) of a `**Label**: text` line, or of `Label: text` when Label is known."""
    match = _BOLD_LABEL.match(line)
    if match:
        return match["label"].strip(), match["text"].strip()
    match = _PLAIN_LABEL.match(line)
    if match and known is not None and norm_label(match["label"]) in known:
        return match["label"].strip(), match["text"].strip()
    return None


def checkbox(line: str) -> tuple[bool, str] | None:
    """(done, rest) of a `[ ] rest` / `[x] rest` task line, else None."""
    match = _CHECKBOX.match(line)
    if not match:
        return None
    return match["mark"] in "xX", match["rest"].strip()


def norm_label(label: str) -> str:
    """Label key for matching: lower case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", label.lower())


def _unbold(match: re.Match[str]) -> str:
    if match["a"] is not None:
        return match["a"]
    # `__init__` is a Python name far more often than bold text in study notes: keep it.
    return match[0] if re.fullmatch(r"\w+", match["b"]) else match["b"]


def clean(text: str) -> str:
    """Text without bold markers and with collapsed whitespace."""
    plain = _EMPHASIS.sub(_unbold, text)
    return re.sub(r"\s+", " ", plain).strip()
