"""Record models of parsed study notes: Topic, Item, Note, LabeledText, Chunk."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

ChunkKind = Literal[
    "goal",
    "key_point",
    "interview_tip",
    "resume_link",
    "note",
    "avoid",
    "practice",
    "why",
    "depth",
    "time",
    "resume_tie_in",
    "activity",
    "other",
    "text",
]


class LabeledText(BaseModel):
    """A `**Label**: text` line the parser has no special slot for, kept generically."""

    label: str
    text: str
    line: int


class Item(BaseModel):
    """One checklist item: `- [ ] **Title** (duration)` and its labelled lines."""

    title: str
    line: int
    done: bool = False
    duration: str | None = None
    url: str | None = None
    activity: str | None = None  # "Read", "Watch", ...
    activity_text: str | None = None
    goal: str | None = None
    key_point: str | None = None  # surrounding quotes stripped
    interview_tip: str | None = None
    resume_link: str | None = None
    extra: list[LabeledText] = Field(default_factory=list)
    lines: dict[str, int] = Field(default_factory=dict)  # field name -> 1-based line

    def fields(self) -> dict[str, str]:
        """The item's filled-in study fields (goal, key_point, interview_tip, resume_link)."""
        names = ("goal", "key_point", "interview_tip", "resume_link")
        return {n: v for n in names if (v := getattr(self, n))}


class Note(BaseModel):
    """A bullet of a Notes section: `- **Label**: text`."""

    label: str
    text: str
    line: int
    kind: Literal["note", "avoid", "practice"] = "note"


class Topic(BaseModel):
    """A notes file's topic (one `# Heading`) with its header fields, items and notes."""

    title: str
    source: str  # path as given to the parser, used in citations
    line: int = 1
    why_it_matters: str | None = None
    depth: str | None = None
    time: str | None = None
    resume_tie_in: str | None = None
    items: list[Item] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    extra: list[LabeledText] = Field(default_factory=list)  # unknown header fields / sections
    plain: list[LabeledText] = Field(default_factory=list)  # text chunks of unstructured files
    lines: dict[str, int] = Field(default_factory=dict)
    structured: bool = True

    def avoid(self) -> list[Note]:
        """Notes that say what to avoid."""
        return [n for n in self.notes if n.kind == "avoid"]

    def practice(self) -> list[Note]:
        """Notes that say what to practise."""
        return [n for n in self.notes if n.kind == "practice"]

    def key_points(self) -> list[tuple[Item, str]]:
        """(item, key point) for every item that has a key point."""
        return [(i, i.key_point) for i in self.items if i.key_point]

    def item(self, title: str) -> Item | None:
        """The item with this title (case-insensitive), if any."""
        wanted = title.strip().lower()
        return next((i for i in self.items if i.title.lower() == wanted), None)

    def header(self) -> dict[str, str]:
        """The filled-in header fields (why_it_matters, depth, time, resume_tie_in)."""
        names = ("why_it_matters", "depth", "time", "resume_tie_in")
        return {n: v for n in names if (v := getattr(self, n))}


class Chunk(BaseModel):
    """One embeddable field of a record, with its citation."""

    id: str
    text: str
    kind: ChunkKind
    topic: str
    item: str = ""
    source: str
    line: int
    label: str = ""  # the note or generic label, or the heading of a plain text chunk

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata: everything but the id and text."""
        return {"kind": self.kind, "topic": self.topic, "item": self.item,
                "source": self.source, "line": self.line, "label": self.label}


def chunk_id(source: str, topic: str, item: str, kind: str, text: str) -> str:
    """Stable id derived from content, so unchanged chunks are never embedded twice."""
    digest = hashlib.sha1("\x1f".join([source, topic, item, kind, text]).encode()).hexdigest()
    return f"{kind}-{digest[:20]}"
