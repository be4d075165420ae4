"""Turn notes into question targets and plan a session: every target once before any repeats."""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
TIP = re.compile(r"\bif\s+(?:you(?:'re|\s+are)\s+)?asked\s+(?:about|on|how)\s+([^,:;.“\"]{3,60})",
                 re.IGNORECASE)
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


_TITLE_TAIL = re.compile(r"\s+(?:for|in|at|with|from|vs\.?|versus)\s+.*$|\s*[:—–-]\s+.*$",
                         re.IGNORECASE)


def topic_subject(topic: Topic, context: str = "") -> str:
    """A noun phrase for the whole topic, never its file title: 'Kubernetes for TPMs' ->
    'Kubernetes', 'DGX Systems (AI Supercomputers)' -> 'DGX systems'."""
    head = _TITLE_TAIL.sub("", clean_title(topic.title)).strip() or clean_title(topic.title)
    words = [w for w in head.split() if w.lower() not in GENERIC_TITLE_WORDS] or head.split()
    return with_article(natural_case(" ".join(words), context or topic_text(topic)))


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
    title = topic_subject(topic, context)
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
        tip = TIP.search(item.interview_tip or "")
        if tip and main:
            # "If asked about scaling tools, say: '...'" is a question the notes expect.
            quoted = re.search(r"[“\"](.+?)[”\"]", item.interview_tip or "")
            asked_about = tip.group(1).strip()
            add("goal", item.title, item.interview_tip or "",
                asked_about if not is_dangling(asked_about) else subject,
                item.lines.get("interview_tip", item.line),
                _sentences(quoted.group(1)) if quoted else [main], resume_links=links)
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


@dataclass(frozen=True)
class PlanHistory:
    """What earlier sessions asked: times each unit was asked, and the templates and resume
    facts of the last session (not repeated in the next one when there is another choice)."""

    asked_units: Mapping[str, int] = field(default_factory=dict)
    recent_templates: frozenset[str] = frozenset()
    recent_facts: frozenset[str] = frozenset()


ITEM_KINDS = frozenset({"key_point", "goal", "resume_link"})


def unit_key(topic: str, item: str, kind: str, target_id: str) -> str:
    """What coverage counts: a checklist item, or one topic-level target (tie-in, practice)."""
    if item and kind in ITEM_KINDS:
        return f"{topic}\x1f{item}"
    return f"{topic}\x1f#{target_id}"


def unit_of(target: Target) -> str:
    """The coverage unit a target belongs to."""
    return unit_key(target.topic, target.item, target.kind, target.id)


def template_key(qtype: str, kind: str, index: int) -> str:
    """Names one offline template of a prompt set, for the no-repeat history."""
    return f"{qtype}/{kind}/{index}"


def history_from_sessions(sessions: Sequence[Sequence[Mapping[str, Any]]]) -> PlanHistory:
    """The planner's history from earlier sessions' main questions (Question dicts), oldest
    session first."""
    counts: Counter[str] = Counter()
    for questions in sessions:
        for q in questions:
            kind = str(q.get("target_id", "")).split("-", 1)[0]
            counts[unit_key(str(q.get("topic", "")), str(q.get("item", "")), kind,
                            str(q.get("target_id", "")))] += 1
    last = sessions[-1] if sessions else []
    return PlanHistory(
        asked_units=dict(counts),
        recent_templates=frozenset(str(q["template"]) for q in last if q.get("template")),
        recent_facts=frozenset(str(q["resume_fact"]) for q in last
                               if q.get("resume_fact") and q.get("type") == "behavioral"),
    )


def _base_order(units: Mapping[str, Sequence[Target]], rng: random.Random) -> list[str]:
    """Checklist items before topic-level units, topics taken in turn so each comes early."""
    topics = list(dict.fromkeys(ts[0].topic for ts in units.values()))
    rng.shuffle(topics)
    order: list[str] = []
    for item_level in (True, False):
        queues = [[u for u, ts in units.items() if ts[0].topic == topic
                   and (ts[0].item != "" and ts[0].kind in ITEM_KINDS) == item_level]
                  for topic in topics]
        while any(queues):
            for queue in queues:
                if queue:
                    order.append(queue.pop(0))
    return order


def _known(target: Target, history: Mapping[str, float] | None) -> bool:
    if not history:
        return False
    return any(k in history for k in (target.id, target.text, *target.key_points))


def plan_questions(
    targets: Sequence[Target],
    prompt_set: PromptSet,
    n: int,
    seed: int = 0,
    history: Mapping[str, float] | None = None,
    asked: Sequence[str] = (),
    past: PlanHistory | None = None,
) -> list[PlannedQuestion]:
    """N questions: every unit (checklist item, then topic-level target) once before any is
    asked again, counting earlier sessions; weak units first only among those already asked;
    question types, targets, resume facts and templates rotate.

    Stops early (fewer than n) only when every target/type/template combination is used up.
    """
    rng = random.Random(seed)
    past = past or PlanHistory()
    units: dict[str, list[Target]] = {}
    for target in targets:
        if eligible_types(target, prompt_set):
            units.setdefault(unit_of(target), []).append(target)
    base = {u: i for i, u in enumerate(_base_order(units, rng))}
    # A unit with a known mastery was asked before, even when the session history is gone.
    count = {u: past.asked_units.get(u, 0) or int(any(_known(t, history) for t in ts))
             for u, ts in units.items()}
    weakness = {u: min(round(mastery_of(t, history) * 4) / 4 for t in ts)
                for u, ts in units.items()}
    state = _State(used_text={a.strip().lower() for a in asked}, recent=past)
    planned: list[PlannedQuestion] = []
    while len(planned) < n and units:
        # Never-asked units in base order; then units with a target this session has not
        # asked, least asked and weakest first.
        previous = planned[-1].type if planned else None
        order = sorted(units, key=lambda u: (
            count[u] > 0, all(state.targets[t.id] for t in units[u]), count[u],
            weakness[u] if count[u] else 0,
            _type_penalty(units[u], prompt_set, state, previous) if count[u] else 0, base[u]))
        for unit in order:
            choice = _choose(units[unit], prompt_set, rng, state,
                             planned[-1].type if planned else None)
            if choice is None:
                continue
            target, qtype, index, text = choice
            state.note(target, qtype, index, text)
            planned.append(PlannedQuestion(
                id=f"{target.id}-{qtype}-{index}", type=qtype, target=target,
                template_index=index, round=count[unit], offline_text=text,
            ))
            count[unit] += 1
            break
        else:
            break
    return planned


def _type_penalty(targets: Sequence[Target], prompt_set: PromptSet, state: _State,
                  previous: QuestionType | None) -> int:
    """How overused the unit's best question type is (ties between asked units rotate types)."""
    fresh = [t for t in targets if not state.targets[t.id]] or list(targets)
    return min(2 * state.types[q] + (q == previous)
               for t in fresh for q in eligible_types(t, prompt_set))


@dataclass
class _State:
    """What this session has used so far."""

    used_text: set[str]
    recent: PlanHistory
    types: Counter[str] = field(default_factory=Counter)
    targets: Counter[str] = field(default_factory=Counter)
    templates: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)

    def note(self, target: Target, qtype: QuestionType, index: int, text: str) -> None:
        self.used_text.add(text.strip().lower())
        self.types[qtype] += 1
        self.targets[target.id] += 1
        self.templates.add(template_key(qtype, target.kind, index))
        if qtype == "behavioral" and target.resume_fact:
            self.facts.add(target.resume_fact)


def _choose(
    targets: Sequence[Target], prompt_set: PromptSet, rng: random.Random, state: _State,
    previous: QuestionType | None,
) -> tuple[Target, QuestionType, int, str] | None:
    """The unit's least-used target, an unused resume fact, the least-used type (not the last
    one), and a template not used in this session nor, when there is another, the last one."""
    options = []
    for target in targets:
        preferred = eligible_types(target, prompt_set)
        for qtype in preferred:
            fact = target.resume_fact if qtype == "behavioral" else None
            stale_fact = bool(fact) and (fact in state.facts or fact in state.recent.recent_facts)
            options.append(((state.targets[target.id], stale_fact, state.types[qtype],
                             qtype == previous, preferred.index(qtype)), target, qtype))
    options.sort(key=lambda o: o[0])
    # An unasked target first; then fresh templates, ones the last session used, this
    # session's own.
    tiers = sorted({o[0][0] for o in options})
    for tier, level in ((tier, level) for tier in tiers for level in range(3)):
        for rank, target, qtype in options:
            if rank[0] != tier:
                continue
            templates = prompt_set.templates.for_type(qtype)[target.kind]
            start = rng.randrange(len(templates))
            for step in range(len(templates)):
                index = (start + step) % len(templates)
                key = template_key(qtype, target.kind, index)
                stale = 2 if key in state.templates else (
                    1 if key in state.recent.recent_templates else 0)
                if stale != level:
                    continue
                text = render_offline(templates[index],
                                      offline_values(target, prompt_set, qtype))
                if text.strip().lower() not in state.used_text:
                    return target, qtype, index, text
    return None
