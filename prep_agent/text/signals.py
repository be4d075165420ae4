"""What an answer already contains: numbers, a personal action, a result, stakeholders, STAR
parts, risks and decisions, each with the sentence that shows it, and phrases to quote back."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Element(StrEnum):
    """A part of a behavioral or scenario answer (names match the grader's criteria)."""

    situation = "situation"
    task = "task"
    action = "action"
    result = "result"
    metric = "metric"
    stakeholders = "stakeholders"
    first_steps = "first_steps"
    risks = "risks"
    decision = "decision"


_NUMBER_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                 r"thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|"
                 r"billion|dozen|half|double|doubled|tripled|quadrupled|halved")
# A verb the candidate did, after "I": thinking, hedging and being are not actions.
_NOT_ACTION = (r"think|thought|guess|believe|feel|felt|mean|am|was|'m|’m|hope|know|knew|"
               r"don't|didn't|do|would|could|should|might|may|can|will|'d|’d|'ll|’ll|have|had|"
               r"wonder|suppose|agree|disagree|like|love|want|wanted|learned|realised|realized")
_PATTERNS: dict[Element, str] = {
    Element.metric: (
        rf"\d|\b(?:{_NUMBER_WORDS})\b|\bper\s?cent\b|\b(?:kpis?|metrics?|sla|slo)s?\b"),
    Element.action: (
        rf"\bI\s+(?:personally\s+|also\s+|then\s+|first\s+|quickly\s+|just\s+)?"
        rf"(?!(?:{_NOT_ACTION})\b)[a-z]{{2,}}\b|\bmy\s+(?:role|job)\s+was\s+to\s+\w+"
        rf"|\bI\s+was\s+(?:the\s+one|accountable)\b"),
    Element.result: (
        r"\b(?:result(?:ed|s)?|outcome|impact|led\s+to|which\s+meant|so\s+that|in\s+the\s+end|"
        r"ended\s+up|delivered|shipped|launched|landed|finished|completed|achieved|saved|"
        r"reduced|cut|increased|improved|grew|dropped|raised|ahead\s+of\s+schedule|early|"
        r"on\s+time|on\s+budget|went\s+from|adopted|adoption|won|succeeded)\b"),
    Element.stakeholders: (
        r"\b(?:stakeholders?|vps?|directors?|leadership|execs?|executives?|cto|ceo|cfo|"
        r"engineering|engineers|product\s+(?:team|managers?|owners?)|pms?|customers?|clients?|"
        r"finance|legal|security|procurement|partners?|vendors?|suppliers?|sales|marketing|"
        r"support|operations|ops|sre|sres|developers?|users?|sponsors?|board|managers?|"
        r"team\s+leads?|teams)\b"),
    Element.situation: (
        r"\b(?:when\s+I\s+was|at\s+[A-Z][\w$]+|back\s+in|in\s+(?:19|20)\d\d|the\s+situation|"
        r"the\s+problem\s+was|the\s+challenge\s+was|we\s+(?:had|were|faced)|our\s+team\s+was|"
        r"context|the\s+company\s+was|there\s+was|had\s+no)\b"),
    Element.task: (
        r"\b(?:my\s+(?:job|task|role|goal|mandate|mission)|I\s+was\s+(?:responsible|asked|"
        r"tasked|hired|brought\s+in|accountable)|I\s+(?:needed|had)\s+to|I\s+owned|"
        r"charged\s+with|the\s+goal\s+was|we\s+needed\s+to|our\s+goal)\b"),
    Element.risks: (
        r"\b(?:risks?|risky|could\s+slip|might\s+slip|slip(?:s|page)?|what\s+could\s+go\s+wrong|"
        r"dependenc(?:y|ies)|blockers?|concerns?|mitigat\w*|fallback|roll\s?back|contingency|"
        r"worst\s+case|exposure|critical\s+path|bottlenecks?|threats?)\b"),
    Element.decision: (
        r"\b(?:decid\w*|decision|choose|chose|choosing|trade-?offs?|go/no-go|no-go|"
        r"prioriti[sz]\w*|cut\s+scope|descope\w*|de-scope\w*|recommend\w*|I'd\s+rather|"
        r"I\s+would\s+rather|call\s+it|pick|picked|opt\s+for|defer\w*)\b"),
    Element.first_steps: (
        r"\b(?:first|day\s+one|48\s+hours|24\s+hours|immediately|right\s+away|start\s+by|"
        r"begin\s+by|step\s+one|initially|kick\s+off|before\s+anything)\b"),
}
_COMPILED = {element: re.compile(pattern, re.IGNORECASE if element is not Element.situation
                                 else 0) for element, pattern in _PATTERNS.items()}
# "at Microsoft" needs the capital; the rest of the situation cues are case-insensitive.
_SITUATION_LOWER = re.compile(_PATTERNS[Element.situation].replace(r"at\s+[A-Z][\w$]+|", ""),
                              re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The non-empty sentences of a text."""
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _matches(element: Element, sentence: str) -> bool:
    if element is Element.situation:
        return bool(_COMPILED[element].search(sentence) or _SITUATION_LOWER.search(sentence))
    return bool(_COMPILED[element].search(sentence))


@dataclass(frozen=True)
class Signal:
    """An element an answer contains, with the sentence that shows it."""

    element: Element
    evidence: str


def detect(answers: Sequence[str]) -> dict[Element, Signal]:
    """Every element found in any of the answers, with the first sentence that shows it."""
    found: dict[Element, Signal] = {}
    for answer in answers:
        for sentence in sentences(answer):
            for element in Element:
                if element not in found and _matches(element, sentence):
                    found[element] = Signal(element, sentence)
    return found


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_DETERMINER = re.compile(r"\b(the|a|an|our|my|their|this|that)\s+", re.IGNORECASE)
_PHRASE_STOP = _wordset(
    "and or but with to for of in on at by from as that which who so because while when where "
    "is are was were be been it its we i you they he she them us me was then than into about "
    "over under after before across during every each all any some had has have did does do "
    "got gets will would can could should not no first then now too again early later "
    "today soon instead i'd i'm i've i'll we'd we're we've you'd you're")
_VAGUE_HEADS = _wordset("way thing things time lot bit kind sort point end part one")


def mention(text: str) -> str | None:
    """A concrete noun phrase the candidate said, in second person ("our weekly review" ->
    "the weekly review"), to quote back in a follow-up; None when there is none."""
    best: tuple[int, int, str] | None = None
    for match in _DETERMINER.finditer(text):
        words: list[str] = []
        for token in text[match.end():].split():
            word = token.strip(",.;:!?()\"'“”")
            # A verb-like word ends the phrase: "the plan worked" -> "the plan".
            if (not word or word.lower() in _PHRASE_STOP
                    or (len(words) >= 1 and word.lower().endswith(("ed", "ly")))):
                break
            words.append(word)
            if token != word or len(words) == 5:
                break
        while words and (words[-1].lower().endswith("ing") or words[-1].lower() in
                         _VAGUE_HEADS):
            words.pop()
        if not words or not any(w[:1].isalnum() for w in words):
            continue
        determiner = match.group(1).lower()
        article = "your" if determiner == "my" else "the"
        phrase = f"{article} {' '.join(words)}"
        # Longer, more specific phrases read as a real quote; earlier ones break ties.
        rank = (min(len(words), 4) + sum(w[0].isupper() or w[0].isdigit() for w in words),
                -match.start())
        if best is None or rank > best[:2]:
            best = (*rank, phrase)
    return best[2] if best is not None and best[0] >= 2 else None


_ASKS: dict[Element, re.Pattern[str]] = {
    Element.metric: re.compile(
        r"\b(?:numbers?|metrics?|measured?|measuring|quantif\w*|how\s+(?:much|many)|percent|"
        r"kpis?)\b", re.IGNORECASE),
    Element.action: re.compile(
        r"\b(?:you\s+personally|what\s+did\s+you\s+(?:do|own)|your\s+own\s+(?:part|role)|"
        r"what\s+you\s+did)\b", re.IGNORECASE),
    Element.result: re.compile(
        r"\b(?:results?|outcomes?|what\s+did\s+it\s+change|what\s+changed|impact|"
        r"how\s+did\s+it\s+(?:end|turn\s+out))\b", re.IGNORECASE),
    Element.stakeholders: re.compile(
        r"\b(?:who\s+would\s+you|who\s+did\s+you|which\s+(?:stakeholders|teams|people))\b",
        re.IGNORECASE),
    Element.situation: re.compile(r"\b(?:situation|set\s+the\s+scene)\b", re.IGNORECASE),
    Element.task: re.compile(
        r"\b(?:accountable\s+for|responsible\s+for|your\s+task)\b", re.IGNORECASE),
    Element.risks: re.compile(r"\b(?:risks?|go\s+wrong)\b", re.IGNORECASE),
    Element.decision: re.compile(r"\b(?:decide|decision|trade-?offs?)\b", re.IGNORECASE),
    Element.first_steps: re.compile(
        r"\b(?:first\s+48\s+hours|first\s+steps?|day\s+one)\b", re.IGNORECASE),
}


def asks_for(question: str) -> set[Element]:
    """The elements a question asks the candidate for ("how did you measure it?" -> metric)."""
    return {element for element, pattern in _ASKS.items() if pattern.search(question)}
