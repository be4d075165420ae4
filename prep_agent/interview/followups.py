"""Follow-up choice and offline wording: aim at the weakest missed key point, never give it away."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Protocol

from prep_agent.interview.leaks import leaked_stems
from prep_agent.interview.phrasing import is_dangling, mentions, subject_of
from prep_agent.interview.planner import Target, offline_values
from prep_agent.prompts import PromptSet, QuestionType, render_offline

FOLLOWUP_ORDER = {"missing": 0, "contradicted": 1, "partial": 2}
STATUS_PHRASE = {"missing": "left out", "partial": "only partly covered",
                 "contradicted": "contradicted"}


class KeyPointLike(Protocol):
    """One key point's result in a score."""

    @property
    def key_point(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def strength(self) -> float: ...


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


def weakest_miss(key_points: Sequence[KeyPointLike]) -> KeyPointLike | None:
    """The key point to probe: missing before contradicted before partial, weakest first."""
    weak = [kp for kp in key_points if kp.status in FOLLOWUP_ORDER]
    return min(weak, key=lambda kp: (FOLLOWUP_ORDER[kp.status], kp.strength)) if weak else None


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
    key_point: str, known: Sequence[str],
) -> str:
    """The set's follow-up wording for this status that neither repeats nor gives the point away."""
    followups = prompt_set.templates.followup
    key = "resume" if (question.type == "behavioral" and status != "contradicted"
                       and followups.get("resume")) else status
    templates = followups.get(key) or followups["missing"]  # type: ignore[call-overload]
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
        if text != question.text and not leaked_stems(text, key_point, *known):
            return text
    return (f"Let's stay with {subject} a little longer. What would you add or correct in your "
            "answer?")
