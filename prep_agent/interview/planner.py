"""Turn notes into question targets and plan a session: every target once before any repeats."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from prep_agent.interview.phrasing import (
    FALLBACK_RESUME_FACT,
    GENERIC_TITLE_WORDS,
    is_dangling,
    natural_case,
    resume_phrase,
    subject_of,
    title_words,
    with_article,
)
from prep_agent.knowledge.models import Item, Topic
from prep_agent.prompts import FieldKind, PromptSet, QuestionType, render_offline

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
WORD_NUMBERS = {word: n for n, word in NUMBER_WORDS.items()}
PRACTICE = re.compile(
    r"\b(?:explain|describe|pitch|summari[sz]e|present|define|introduce)\s+(.+?)\s+in\s+"
    r"(\d+|one|two|three|four|five|six)\s+sentences?",
    re.IGNORECASE,
)


class Target(BaseModel):
    """Something to ask about: a key point or goal, a resume link or tie-in, or a practice note."""

    id: str
    kind: FieldKind
    topic: str
    item: str = ""
    text: str
    subject: str
    source: str
    line: int
    key_points: list[str]
    resume_links: list[str] = Field(default_factory=list)
    avoid: list[str] = Field(default_factory=list)
    sentences: int | None = None
    resume_fact: str | None = None


class PlannedQuestion(BaseModel):
    """One planned question: which target, which type and template, and the offline wording."""

    id: str
    type: QuestionType
    target: Target
    template_index: int
    round: int
    offline_text: str


def clean_title(title: str) -> str:
    """A topic title without its parenthetical, e.g. 'DGX Systems (AI ...)' -> 'DGX Systems'."""
    return re.sub(r"\s*\([^)]*\)", "", title).strip() or title.strip()


def item_subject(item: Item, topic_title: str, context: str = "") -> str:
    """The subject an item's questions name; context (the topic's text) decides the casing."""
    for text in (item.key_point, item.goal):
        if text:
            found = subject_of(text, topic_title, item.title)
            # A resume fact opening a key point is the candidate's story, not the topic.
            if found and not found.startswith("your ") and not is_dangling(found):
                return found
    words = [w for w in item.title.split() if w.lower() not in GENERIC_TITLE_WORDS]
    named = natural_case(" ".join(words), context) or natural_case(clean_title(topic_title),
                                                                   context)
    return with_article(named)


def topic_text(topic: Topic) -> str:
    """Everything a topic says, without its title: the evidence for how words are cased."""
    parts = [*topic.header().values(), *(n.text for n in topic.notes),
             *(t.text for t in topic.plain)]
    for item in topic.items:
        parts += item.fields().values()
    return "\n".join(parts)


def _id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def topic_targets(topic: Topic, drill_sentences: int = 2) -> list[Target]:
    """Every askable thing in a topic, in note order."""
    context = topic_text(topic)
    title = with_article(natural_case(clean_title(topic.title), context))
    avoid = [n.text for n in topic.avoid()]
    targets: list[Target] = []

    def add(kind: FieldKind, item: str, text: str, subject: str, line: int,
            key_points: list[str], **extra: object) -> None:
        targets.append(Target(
            id=f"{kind}-{_id(topic.source, topic.title, item, kind, text)}", kind=kind,
            topic=topic.title, item=item, text=text, subject=subject, source=topic.source,
            line=line, key_points=key_points, avoid=avoid, **extra,  # type: ignore[arg-type]
        ))

    for item in topic.items:
        subject = item_subject(item, topic.title, context)
        links = [t for t in (item.resume_link, topic.resume_tie_in) if t]
        main = item.key_point or item.goal
        if main:
            kind: FieldKind = "key_point" if item.key_point else "goal"
            add(kind, item.title, main, subject, item.lines.get(kind, item.line), [main],
                resume_links=links)
        if item.resume_link and main:
            add("resume_link", item.title, item.resume_link, subject,
                item.lines.get("resume_link", item.line), [main], resume_links=links,
                resume_fact=resume_phrase(item.resume_link))
    if topic.resume_tie_in:
        add("resume_tie_in", "", topic.resume_tie_in, title,
            topic.lines.get("resume_tie_in", topic.line), [topic.resume_tie_in],
            resume_links=[topic.resume_tie_in], resume_fact=resume_phrase(topic.resume_tie_in))
    for note in topic.practice():
        match = PRACTICE.search(note.text)
        count = drill_sentences
        subject = title
        if match:
            raw = match.group(2).lower()
            count = int(raw) if raw.isdigit() else WORD_NUMBERS.get(raw, drill_sentences)
            named = match.group(1).strip()
            subject = title if is_dangling(named) else named
        model = re.search(r"[“\"](.+?)[”\"]", note.text)
        key_points = _sentences(model.group(1)) if model else [note.text]
        add("practice", "", note.text, subject, note.line, key_points, sentences=count,
            resume_links=[topic.resume_tie_in] if topic.resume_tie_in else [])
    if not topic.structured:
        fallback = " ".join(w for w in title.split() if w.lower() not in GENERIC_TITLE_WORDS)
        for chunk in topic.plain:
            found = subject_of(chunk.text, topic.title)
            # A sentence-initial word that is not in the title is rarely the subject.
            if not found or not set(found.lower().split()) & title_words(topic.title):
                found = fallback or title
            add("goal", chunk.label, chunk.text, found, chunk.line, [chunk.text])
    return targets


def offline_values(target: Target, prompt_set: PromptSet, qtype: QuestionType) -> dict[str, str]:
    """Variables for offline templates."""
    sentences = target.sentences or prompt_set.settings.drill_sentences
    return {
        "subject": target.subject,
        "topic": clean_title(target.topic),
        "item": target.item or clean_title(target.topic),
        "role": prompt_set.settings.role,
        "sentences": str(sentences),
        "sentences_word": NUMBER_WORDS.get(sentences, str(sentences)),
        "resume_fact": target.resume_fact or FALLBACK_RESUME_FACT,
    }


def eligible_types(target: Target, prompt_set: PromptSet) -> list[QuestionType]:
    """Question types this set can ask about a target, in the set's order of preference."""
    return [t for t in prompt_set.settings.question_types
            if prompt_set.templates.for_type(t).get(target.kind)]


def mastery_of(target: Target, history: Mapping[str, float] | None) -> float:
    """Lowest known mastery (0..1) of the target's key points; 0.5 when never asked."""
    if not history:
        return 0.5
    known = [history[k] for k in (target.id, target.text, *target.key_points) if k in history]
    return min(known) if known else 0.5


def plan_questions(
    targets: Sequence[Target],
    prompt_set: PromptSet,
    n: int,
    seed: int = 0,
    history: Mapping[str, float] | None = None,
    asked: Sequence[str] = (),
) -> list[PlannedQuestion]:
    """N questions: each target once per round, weakest first, mixing types, no repeated text.

    Stops early (fewer than n) only when every target/type/template combination is used up.
    """
    rng = random.Random(seed)
    askable = [t for t in targets if eligible_types(t, prompt_set)]
    used_text = {a.strip().lower() for a in asked}
    type_counts: Counter[str] = Counter()
    planned: list[PlannedQuestion] = []
    round_no = 0
    while len(planned) < n and askable:
        order = _interleave(askable, rng)
        # Weak points first; the interleaved order breaks ties so question kinds alternate.
        order.sort(key=lambda t: round(mastery_of(t, history) * 4) / 4)
        added = 0
        for target in order:
            if len(planned) == n:
                break
            choice = _choose(target, prompt_set, round_no, rng, type_counts, used_text,
                             planned[-1].type if planned else None)
            if choice is None:
                continue
            qtype, index, text = choice
            used_text.add(text.strip().lower())
            type_counts[qtype] += 1
            planned.append(PlannedQuestion(
                id=f"{target.id}-{qtype}-{index}", type=qtype, target=target,
                template_index=index, round=round_no, offline_text=text,
            ))
            added += 1
        if added == 0:
            break
        round_no += 1
    return planned


KIND_GROUPS: tuple[tuple[FieldKind, ...], ...] = (
    ("key_point", "goal"), ("resume_link", "resume_tie_in"), ("practice",),
)


def _interleave(targets: Sequence[Target], rng: random.Random) -> list[Target]:
    """Key points, resume links and practice notes taken in turn, key points first."""
    groups = [[t for t in targets if t.kind in kinds] for kinds in KIND_GROUPS]
    for group in groups:
        rng.shuffle(group)
    order: list[Target] = []
    while any(groups):
        for group in groups:
            if group:
                order.append(group.pop(0))
    return order


def _choose(
    target: Target, prompt_set: PromptSet, round_no: int, rng: random.Random,
    type_counts: Counter[str], used_text: set[str], previous: QuestionType | None,
) -> tuple[QuestionType, int, str] | None:
    preferred = eligible_types(target, prompt_set)
    # Least-used type first mixes the session; a different type than the last one breaks ties.
    types = sorted(preferred, key=lambda t: (type_counts[t], t == previous, preferred.index(t)))
    for qtype in types:
        templates = prompt_set.templates.for_type(qtype)[target.kind]
        start = (round_no + rng.randrange(len(templates))) % len(templates)
        for step in range(len(templates)):
            index = (start + step) % len(templates)
            text = render_offline(templates[index], offline_values(target, prompt_set, qtype))
            if text.strip().lower() not in used_text:
                return qtype, index, text
    return None
