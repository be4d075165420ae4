"""Markdown notes in the study style -> Topic records (headings, checklist items, Notes bullets)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from prep_agent.knowledge.mdblocks import (
    Block,
    checkbox,
    clean,
    norm_label,
    parse_blocks,
    split_label,
)
from prep_agent.knowledge.models import Item, LabeledText, Note, Topic

_HEADER_FIELDS = {"whyitmatters": "why_it_matters", "why": "why_it_matters", "depth": "depth",
                  "time": "time", "resumetiein": "resume_tie_in"}
_ITEM_FIELDS = {"goal": "goal", "goals": "goal", "keypoint": "key_point", "keypoints": "key_point",
                "interviewtip": "interview_tip", "tip": "interview_tip",
                "resumelink": "resume_link", "url": "url", "link": "url",
                "duration": "duration", "time": "duration"}
_ACTIVITIES = {"read", "watch", "listen", "skim", "study", "review", "explore", "browse", "try",
               "do", "build", "attend", "complete", "take"}
_ITEM_KNOWN = set(_ITEM_FIELDS) | _ACTIVITIES
_QUOTES = {"“": "”", '"': '"', "'": "'", "‘": "’", "«": "»"}
_DURATION = re.compile(r"^(?P<title>.*?)\s*\((?P<dur>[^()]*(?:\d|hour|min|day|week)[^()]*)\)\s*$",
                       re.IGNORECASE)
_LINK_TITLE = re.compile(r"^\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)(?P<rest>.*)$")
# The closing marker must match the opening one and end a word, so `__init__` inside stays.
_BOLD_TITLE = re.compile(r"^(?P<m>\*\*|__)(?P<title>.+?)(?P=m)(?![A-Za-z0-9_])(?P<rest>.*)$")
PLAIN_CHUNK_CHARS = 800


def strip_quotes(text: str) -> str:
    """Remove one pair of quotes wrapping the whole text (“…”, "…", '…')."""
    text = text.strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]:
        inner = text[1:-1]
        if text[0] not in inner and text[-1] not in inner:
            return inner.strip()
    return text


def _section_kind(title: str) -> str:
    key = norm_label(title)
    if "checklist" in key or key in {"tasks", "todo", "todos", "plan", "studyplan", "items"}:
        return "checklist"
    if key.startswith("note") or key.endswith("notes"):
        return "notes"
    return "other"


def _entries(lines: list[tuple[int, str]], known: set[str]) -> list[tuple[str | None, str, int]]:
    """Group lines into (label, text, line); unlabelled lines continue the previous entry."""
    out: list[tuple[str | None, str, int]] = []
    for line_no, raw in lines:
        if not raw:
            continue
        labelled = split_label(raw, known)
        if labelled:
            out.append((labelled[0], clean(labelled[1]), line_no))
        elif out:
            label, text, first = out[-1]
            out[-1] = (label, f"{text} {clean(raw)}".strip(), first)
        else:
            out.append((None, clean(raw), line_no))
    return out


def _set_field(record: Item | Topic, name: str, text: str, line: int) -> None:
    current = getattr(record, name)
    if current:  # a repeated label adds to the field rather than overwriting it
        setattr(record, name, f"{current} {text}")
    else:
        setattr(record, name, text)
        record.lines[name] = line


def _item_title(item: Item, rest: str) -> None:
    link = _LINK_TITLE.match(rest)
    if link:
        item.url, rest = link["url"], f"{link['title']}{link['rest']}"
    bold = _BOLD_TITLE.match(rest)
    title, tail = (bold["title"], bold["rest"].strip()) if bold else (rest, "")
    if not bold:
        dur = _DURATION.match(title)
        if dur and dur["title"]:
            title, item.duration = dur["title"], dur["dur"].strip()
    else:
        dur = _DURATION.match(tail)
        if dur and not dur["title"].strip(" -–—:"):
            item.duration, tail = dur["dur"].strip(), ""
    item.title = clean(title) or f"Item at line {item.line}"
    if tail.strip(" -–—:"):
        item.extra.append(LabeledText(label="Details", text=clean(tail.strip(" -–—:")),
                                      line=item.line))


def _fill_item(item: Item, lines: list[tuple[int, str]]) -> None:
    for label, text, line in _entries(lines, _ITEM_KNOWN):
        key = norm_label(label or "")
        if label is None:
            item.extra.append(LabeledText(label="Details", text=text, line=line))
        elif key in _ITEM_FIELDS:
            field_name = _ITEM_FIELDS[key]
            if field_name == "key_point":
                text = strip_quotes(text)
            if field_name == "url" and item.url:
                item.extra.append(LabeledText(label=label, text=text, line=line))
            else:
                _set_field(item, field_name, text, line)
        elif key in _ACTIVITIES and item.activity is None:
            item.activity, item.activity_text = label, text
            item.lines["activity"] = line
        else:
            item.extra.append(LabeledText(label=label, text=text, line=line))


def _note_kind(label: str) -> Literal["note", "avoid", "practice"]:
    key = norm_label(label)
    if key.startswith("avoid") or key in {"dont", "donts", "pitfall", "pitfalls"}:
        return "avoid"
    if key.startswith(("practice", "practise", "drill")):
        return "practice"
    return "note"


class _TopicBuilder:
    """Turns one topic's blocks into a Topic, remembering which bullets became items/notes."""

    def __init__(self, title: str, line: int, source: str) -> None:
        self.topic = Topic(title=title, source=source, line=line)
        self.section, self.section_kind, self.section_level = "", "header", 1
        self.items: dict[int, Item] = {}
        self.notes: dict[int, str] = {}  # bullet index -> note label, for nested bullets

    def heading(self, block: Block) -> None:
        kind = _section_kind(block.text)
        nested = block.level > self.section_level and self.section_kind in ("checklist", "notes")
        if kind == "other" and nested:
            return  # a sub-heading such as "### Week 1" inside a checklist keeps its section
        self.section, self.section_kind, self.section_level = clean(block.text), kind, block.level

    def bullet(self, index: int, block: Block) -> None:
        if block.parent in self.items:  # nested bullets are an item's field lines
            self.items[index] = self.items[block.parent]
            _fill_item(self.items[index], block.lines)
            return
        if not any(text for _, text in block.lines):
            return  # an empty bullet holds nothing to keep
        first = block.lines[0][1]
        box = checkbox(first)
        if box or (self.section_kind == "checklist" and block.level == 0):
            done, rest = box if box else (False, first)
            item = Item(title="", line=block.line, done=done)
            _item_title(item, rest)
            _fill_item(item, block.lines[1:])
            self.topic.items.append(item)
            self.items[index] = item
        elif self.section_kind == "notes":
            parent = block.parent if block.parent is not None else -1
            default = self.notes.get(parent, "Note")
            for label, text, line in _entries(block.lines, set()):
                label = label or default
                self.topic.notes.append(Note(label=label, text=text, line=line,
                                             kind=_note_kind(label)))
                self.notes[index] = label
        else:
            self.other(block)

    def other(self, block: Block) -> None:
        """Header fields by label anywhere; everything else becomes a generic record."""
        fallback = self.section or "Text"
        if block.kind == "para" and self.section_kind == "checklist" and self.topic.items:
            # Unindented field lines after a blank line still belong to the item above.
            _fill_item(self.topic.items[-1], block.lines)
            return
        if block.kind == "raw":
            text = "\n".join(t for _, t in block.lines).strip()
            if text:
                self.topic.extra.append(LabeledText(label=fallback, text=text, line=block.line))
            return
        for label, text, line in _entries(block.lines, set(_HEADER_FIELDS)):
            key = norm_label(label or "")
            if key in _HEADER_FIELDS and text:
                _set_field(self.topic, _HEADER_FIELDS[key], text, line)
            elif self.section_kind == "notes":
                label = label or "Note"
                self.topic.notes.append(Note(label=label, text=text, line=line,
                                             kind=_note_kind(label)))
            elif text:
                self.topic.extra.append(LabeledText(label=label or fallback, text=text, line=line))

    def add(self, index: int, block: Block) -> None:
        if block.kind == "heading":
            self.heading(block)
        elif block.kind == "bullet":
            self.bullet(index, block)
        else:
            self.other(block)


def _plain(topic: Topic, blocks: list[Block]) -> list[LabeledText]:
    """Text chunks of a file not in the notes style, each under its nearest heading."""
    out: list[LabeledText] = []
    heading = topic.title
    for block in blocks:
        if block.kind == "heading":
            heading = clean(block.text)
            continue
        sep = "\n" if block.kind == "raw" else " "
        text = sep.join(t for _, t in block.lines if t).strip()
        if block.kind != "raw":
            text = clean(text)
        for piece in _split_long(text):
            out.append(LabeledText(label=heading, text=piece, line=block.line))
    return out


def _split_long(text: str) -> list[str]:
    """Split text at sentence ends into pieces the embedder reads in full."""
    if len(text) <= PLAIN_CHUNK_CHARS:
        return [text] if text else []
    pieces, current = [], ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if current and len(current) + len(sentence) + 1 > PLAIN_CHUNK_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
        while len(current) > PLAIN_CHUNK_CHARS:
            pieces.append(current[:PLAIN_CHUNK_CHARS])
            current = current[PLAIN_CHUNK_CHARS:]
    if current:
        pieces.append(current)
    return pieces


def parse_notes(text: str, source: str) -> list[Topic]:
    """Parse one notes file: one Topic per `# ` heading (the file stem when there is none)."""
    blocks = parse_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))
    # Bullet parents are indexes into the whole file's block list, so keep them with each block.
    segments: list[tuple[str, int, list[tuple[int, Block]]]] = []
    preamble: list[tuple[int, Block]] = []
    for index, block in enumerate(blocks):
        if block.kind == "heading" and block.level == 1:
            segments.append((clean(block.text), block.line, []))
        elif segments:
            segments[-1][2].append((index, block))
        else:
            preamble.append((index, block))
    if not segments:
        segments.append((Path(source).stem, 1, []))
    segments[0][2][:0] = preamble
    topics = []
    for title, line, seg in segments:
        builder = _TopicBuilder(title, line, source)
        for index, block in seg:
            builder.add(index, block)
        topic = builder.topic
        if not (topic.items or topic.notes or topic.header()):
            topic.structured = False
            topic.extra = []
            topic.plain = _plain(topic, [b for _, b in seg])
        topics.append(topic)
    return topics
