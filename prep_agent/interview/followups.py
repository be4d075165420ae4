"""Follow-up choice and offline wording: aim at what the whole thread still lacks, never ask for
what it already contains, never give the missed point away."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from prep_agent.grading.thread import Gap, GapKind, ThreadAnswer, build_ledger, thread_gaps
from prep_agent.interview.leaks import STOPWORDS, leaked_stems, words
from prep_agent.interview.phrasing import is_dangling, mentions, subject_of
from prep_agent.interview.planner import Target, offline_values
from prep_agent.prompts import PromptSet, QuestionType, render_offline
from prep_agent.text.signals import Element, asks_for, detect, mention

STATUS_PHRASE = {"missing": "left out", "partial": "only partly covered",
                 "contradicted": "contradicted"}
# What an element gap asks for, as the LLM follow-up prompt's secret "missed point".
ELEMENT_PHRASE = {
    Element.action: "what the candidate personally did",
    Element.result: "the outcome of the work",
    Element.metric: "a measurable result (a number)",
    Element.situation: "the situation at the start",
    Element.task: "what the candidate was accountable for",
    Element.risks: "the main risks and how to watch them",
    Element.decision: "the decision to make and its trade-off",
    Element.stakeholders: "who to involve and what they need",
    Element.first_steps: "the first concrete steps",
}
# Offline probes for a missing element: {mention} is a phrase the candidate said, {anchor} the
# story (resume fact) or the subject. The first wording quotes the candidate; the second does not.
PROBES: dict[Element, tuple[str, str]] = {
    Element.action: ("You mentioned {mention}. On {anchor}, what did you personally do there, "
                     "step by step?",
                     "On {anchor}, what did you personally do, step by step?"),
    Element.result: ("You mentioned {mention}; what did that change on {anchor}?",
                     "How did {anchor} turn out, and what changed because of your work?"),
    Element.metric: ("You mentioned {mention}. How did you measure whether {anchor} worked?",
                     "How did you measure whether {anchor} worked?"),
    Element.situation: ("Before {mention}, what was the situation on {anchor} when you "
                        "walked in?",
                        "Set the scene for {anchor}: what was the situation when you walked in?"),
    Element.task: ("Before {mention}, what exactly were you accountable for on {anchor}?",
                   "What exactly were you accountable for on {anchor}?"),
    Element.risks: ("You mentioned {mention}. What could go wrong with {anchor}, and which risk "
                    "would you watch first?",
                    "What could go wrong with {anchor}, and which risk would you watch first?"),
    Element.decision: ("You've laid out {mention}. What would you decide on {anchor}, and which "
                       "trade-off would you accept?",
                       "What would you decide on {anchor}, and which trade-off would you "
                       "accept?"),
    Element.stakeholders: ("Who would you bring into {mention} on {anchor}, and what would "
                           "each of them need from you?",
                           "Who would you bring in on {anchor}, and what would each of them "
                           "need from you?"),
    Element.first_steps: ("With {mention} in mind, what would you do in the first 48 hours on "
                          "{anchor}?",
                          "What would you do in the first 48 hours on {anchor}?"),
}


# Which earlier part of the answer a probe for the missing element quotes back, best first.
MENTION_FROM: dict[Element, tuple[Element, ...]] = {
    Element.result: (Element.action,), Element.metric: (Element.result, Element.action),
    Element.action: (Element.situation, Element.task), Element.situation: (Element.action,),
    Element.task: (Element.action, Element.situation),
    Element.risks: (Element.first_steps, Element.decision, Element.stakeholders),
    Element.decision: (Element.risks, Element.first_steps),
    Element.stakeholders: (Element.first_steps, Element.risks),
    Element.first_steps: (Element.stakeholders, Element.risks),
}


class AskedLike(Protocol):
    """The parts of a Question a follow-up is built from."""

    @property
    def text(self) -> str: ...
    @property
    def type(self) -> QuestionType: ...
    @property
    def topic(self) -> str: ...
    @property
    def item(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def target_id(self) -> str: ...
    @property
    def target_sentences(self) -> int | None: ...
    @property
    def resume_fact(self) -> str | None: ...
    @property
    def followup_depth(self) -> int: ...


@dataclass(frozen=True)
class Probe:
    """The follow-up due for a thread: the gap, its subject and the offline wording."""

    gap: Gap
    subject: str
    secret: str  # what must not be given away (the claim, or the element's description)
    status: str
    text: str
    key_points: tuple[str, ...]


def follow_up_subject(question: AskedLike, key_point: str) -> str:
    """The missed point's own subject when the question named it too, else the question's."""
    # A resume fact, a pronoun, a subject the candidate was not asked about, or a vaguer part
    # of the question's subject ("roadmap" for "roadmap planning") would read as a non sequitur.
    found = subject_of(key_point, question.topic, question.item)
    if (found and not found.startswith("your ") and not is_dangling(found)
            and mentions(question.text, found) and not mentions(question.subject, found)):
        return found
    return question.subject


def offline_follow_up(
    prompt_set: PromptSet, seed: int, question: AskedLike, status: str, subject: str,
    key_point: str, known: Sequence[str], contained: frozenset[Element] = frozenset(),
) -> str:
    """The set's follow-up wording for this status that neither repeats, gives the point away,
    nor asks for something the thread already contains."""
    followups = prompt_set.templates.followup
    templates = list(followups.get(status) or followups["missing"])  # type: ignore[call-overload]
    if question.type == "behavioral" and status != "contradicted":
        templates = list(followups.get("resume") or []) + templates
    target = Target(id=question.target_id, kind="key_point", topic=question.topic,
                    item=question.item, text=key_point, subject=subject, source="", line=0,
                    key_points=[key_point], sentences=question.target_sentences,
                    resume_fact=question.resume_fact)
    values = offline_values(target, prompt_set, question.type)
    rng = random.Random(f"{seed}:{question.target_id}")
    start = rng.randrange(len(templates)) + question.followup_depth
    for step in range(len(templates)):
        text = render_offline(templates[(start + step) % len(templates)], values)
        # Offline wording is ours, so it may not repeat a single distinctive word.
        if (text != question.text and not leaked_stems(text, key_point, *known)
                and not asks_for(text) & contained):
            return text
    return (f"Let's stay with {subject} a little longer. What would you add or correct in your "
            "answer?")


def _probe_text(element: Element, anchor: str, said: str | None, secret: str,
                known: Sequence[str]) -> str:
    quoted, plain = PROBES[element]
    if said and not leaked_stems(said, secret, *known):
        return quoted.format(mention=said, anchor=anchor)
    return plain.format(anchor=anchor)


def plan_follow_up(
    prompt_set: PromptSet, seed: int, main: AskedLike, key_points: Sequence[str],
    question: AskedLike, thread: Sequence[ThreadAnswer],
) -> Probe | None:
    """The follow-up the thread needs next, or None when it covers the point."""
    ledger = build_ledger(main.type, key_points, thread)
    gaps = thread_gaps(ledger)
    if not gaps:
        return None
    gap = gaps[0]
    answers = [t.answer for t in thread]
    signals = detect(answers)
    contained = frozenset(signals)
    latest = answers[-1] if answers else ""
    if gap.kind is GapKind.element:
        element = Element(gap.name)
        anchor = question.resume_fact if (main.type == "behavioral"
                                          and question.resume_fact) else question.subject
        secret = ELEMENT_PHRASE[element]
        # Quote what led up to the missing part: the action before asking for its result.
        said = next((m for e in MENTION_FROM[element] if e in signals
                     and (m := mention(signals[e].evidence))), None) or mention(latest)
        text = _probe_text(element, anchor, said, "", (question.text,))
        return Probe(gap, anchor, secret, "left out", text, tuple(key_points))
    subject = follow_up_subject(question, gap.name)
    wording = gap.status
    if gap.status == "missing" and any(
        c.key_point == gap.key_point and c.status in ("covered", "partial") for c in ledger.claims
    ):
        # Half of the key point is made: ask for the rest, not for a summary of all of it.
        wording = "partial"
    text = offline_follow_up(prompt_set, seed, question, wording, subject, gap.name,
                             (question.text, subject), contained)
    said = mention(latest)
    # Quote the candidate back when the quote is on the point and the wording stays short.
    on_point = said and (set(words(said)) - STOPWORDS) & set(words(" ".join(
        [gap.name, subject, *key_points])))
    if on_point and said and text.count("?") + text.count(". ") < 3 and not mentions(text, said):
        text = f"You mentioned {said}. {text}"
    # The follow-up is graded against the whole key point, so its claims merge with the thread's.
    return Probe(gap, subject, gap.name, gap.status, text, (gap.key_point or gap.name,))
