"""Offline detectors of each question type's rubric criteria, each with quoted evidence.

behavioral (STAR): situation, task, action, result, first-person ownership, a measurable
result (a number, money, a percentage, a duration), a tie to the subject asked about, and the
resume facts used. scenario: stakeholders named, first steps in order, risks, a decision with
its trade-off, a tie to the subject. drill: the sentence budget. knowledge questions have no
criteria (their key points are the rubric). The weights come from the Rubric (the prompt set's
YAML); a criterion whose weight is zero is not graded.

The cues are closed-class words and phrases (roles, sequence markers, first-person verbs in the
past tense, result verbs), not topic words, so they apply to any subject.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from prep_agent.grading.claims import label_of
from prep_agent.grading.delivery import Delivery
from prep_agent.grading.models import CriterionResult, KeyPointResult, ResumeHit, Status
from prep_agent.grading.prepare import PreparedAnswer
from prep_agent.text.match import content_terms, matched_terms

LABELS = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "ownership": "First-person ownership",
    "metric": "Measurable result",
    "tie_to_subject": "Tie to the subject",
    "resume": "Resume facts",
    "stakeholders": "Stakeholders",
    "first_steps": "First steps",
    "risks": "Risks",
    "decision": "Decision and trade-off",
    "budget": "Sentence budget",
}

_I = r"\b(?:I|I've|I'd)\b"
_SITUATION = re.compile(
    r"\b(?:at|when|while|during|back in|in (?:my|our) (?:last|previous)|last year|in \d{4})\b"
    r"|\b(?:was|were|had|needed|faced|struggled|threatened|lacked)\b",
    re.IGNORECASE,
)
_TASK = re.compile(
    _I + r"\s+(?:was\s+(?:asked|tasked|hired|responsible|accountable|in charge|brought in)|owned|"
    r"had to|needed to|took (?:on|ownership))|\bmy (?:job|role|task|goal|mandate|responsibility)\b"
    r"|\b(?:the|our) (?:goal|task|mandate) was\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    _I + r"\s+(?:\w+ly\s+)?(?!was\b|were\b|had\b|am\b|think\b|guess\b|believe\b|feel\b|"
    r"owned\b|needed\b|know\b|don't\b)(\w+ed|built|ran|set|led|made|wrote|drove|took|brought|"
    r"began|chose|sent|met|held|put|cut|got|gave|spoke|sat|hired|found|split|shut|sold|won|"
    r"kept|dug|laid|rolled|pushed|moved)\b",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"\b(?:as a result|result(?:ed)?|outcome|in the end|ended up|so that|which (?:led|meant)|"
    r"delivered|saved|cut|reduced|increased|improved|grew|shipped|launched|finished|achieved|"
    r"became|got|went from|dropped|doubled|halved|on time|ahead of|early|under budget)\b",
    re.IGNORECASE,
)
_METRIC = re.compile(
    r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:%|percent|k\b|m\b|million|billion|x\b)|\b\d[\d,.]*\s+[a-z]+"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice|half)\s+"
    r"(?:weeks?|days?|months?|analysts?|engineers?|people|teams?|times|sites?|servers?)\b",
    re.IGNORECASE,
)
_WE = re.compile(r"\b(?:we|our|us|the team)\b", re.IGNORECASE)
_ME = re.compile(r"\b(?:I|my|me|I'd|I've)\b")
_ROLES = re.compile(
    r"\b(?:stakeholders?|leadership|executives?|execs?|vps?|directors?|managers?|(?:team )?leads?|"
    r"teams?|customers?|users?|engineering|product owner|product|finance|legal|vendors?|partners?|"
    r"sponsors?|researchers?|data scientists?|owners?|on-call|support|sales|clients?)\b",
    re.IGNORECASE,
)
_INFORM = re.compile(
    r"\b(?:inform|tell|told|update|align|brief|loop(?:ed)? in|escalat\w*|notify|meet|call|email|"
    r"talk to|sync|communicat\w*|consult|ask|reset expectations)\b",
    re.IGNORECASE,
)
_STEPS = re.compile(
    r"\b(?:first|firstly|start(?:ing)? (?:by|with)|begin(?:ning)? (?:by|with)|step one|"
    r"initially|immediately|right away|within (?:the first )?\d+|then|next|after that|second|"
    r"secondly|finally|day one|by (?:the )?end of|in the first)\b",
    re.IGNORECASE,
)
_RISKS = re.compile(
    r"\b(?:risks?|danger|could (?:slip|fail|miss|break|lose|hurt)|might|impact|exposure|downside|"
    r"penalt(?:y|ies)|concerns?|threats?|what could go wrong|blockers?|dependenc(?:y|ies)|"
    r"knock-on|fallout|erode|miss(?:ed)? (?:milestones?|commitments?|deadlines?))\b",
    re.IGNORECASE,
)
_DECISION = re.compile(
    r"\b(?:I(?:'d| would)?\s+(?:decide|choose|recommend|propose|go with|pick|opt)|"
    r"my recommendation|recommend\w*|decision|decide|trade-?offs?|either\b.*\bor\b|options?|"
    r"cut scope|move the date|roll back|instead of|rather than)\b",
    re.IGNORECASE,
)


# The labels notes and graded sets give their STAR and scenario key points, by criterion.
_LABELLED: dict[str, str] = {
    "situation": "situation",
    "context": "situation",
    "background": "situation",
    "task": "task",
    "goal": "task",
    "action": "action",
    "actions": "action",
    "result": "result",
    "results": "result",
    "outcome": "result",
    "stakeholders": "stakeholders",
    "stakeholder": "stakeholders",
    "first steps": "first_steps",
    "first step": "first_steps",
    "steps": "first_steps",
    "risks": "risks",
    "risk": "risks",
    "decision": "decision",
    "trade-off": "decision",
    "trade-offs": "decision",
    "tradeoff": "decision",
    "tradeoffs": "decision",
}


def labelled_criteria(label: str) -> list[str]:
    """The criteria a key point's label names: "task/action" names two, "tie to DGX" one."""
    if label.startswith("tie to") or label == "tie":
        return ["tie_to_subject"]
    names = [_LABELLED.get(part.strip()) for part in re.split(r"\s*(?:/|&|\band\b)\s*", label)]
    return list(dict.fromkeys(n for n in names if n))


def _from_key_points(
    found: dict[str, tuple[Status, list[str]]], ledger: list[KeyPointResult]
) -> None:
    """Raise each criterion to the status of the key point that spells it out for this question.

    "First steps: look at actual usage data and the deadlines" says what the first steps are
    here; an answer that makes that point has them, in whatever words, with or without the
    sequence markers the cue words look for.
    """
    rank = {Status.covered: 2, Status.partial: 1}
    for result in ledger:
        level = rank.get(result.status, 0)
        if not level:
            continue
        for name in labelled_criteria(label_of(result.key_point)):
            if name not in found:
                continue
            status, evidence = found[name]
            if level > rank.get(status, 0) and status != Status.contradicted:
                found[name] = (result.status, list(dict.fromkeys(result.evidence + evidence)))


def _sentences(p: PreparedAnswer, pattern: re.Pattern[str]) -> list[str]:
    return [p.spans[i].text for i in p.usable if pattern.search(p.spans[i].text)]


def _result(name: str, status: Status, evidence: list[str], weight: float) -> CriterionResult:
    strength = {Status.covered: 1.0, Status.partial: 0.5}.get(status, 0.0)
    return CriterionResult(
        name=name,
        label=LABELS.get(name, name.replace("_", " ").capitalize()),
        status=status,
        strength=strength,
        evidence=evidence[:2] if status != Status.missing else [],
        weight=weight,
    )


def _by_count(evidence: list[str], full: int = 1) -> Status:
    if len(evidence) >= full:
        return Status.covered
    return Status.partial if evidence else Status.missing


def _tie(p: PreparedAnswer) -> tuple[Status, list[str]]:
    """The answer speaks to the subject asked about: the question's own content words."""
    terms = {t: w for t, w in content_terms(p.req.question).items() if len(t) > 2}
    hits = [p.spans[i].text for i in p.usable if len(matched_terms(terms, p.sent_tokens[i])) >= 1]
    found = (
        set().union(*(matched_terms(terms, p.sent_tokens[i]) for i in p.usable))
        if p.usable
        else set()
    )
    share = len(found) / len(terms) if terms else 0.0
    status = Status.covered if share >= 0.4 else Status.partial if hits else Status.missing
    return status, hits


def _ownership(p: PreparedAnswer) -> tuple[Status, list[str]]:
    mine = _sentences(p, _ME)
    ours = _sentences(p, _WE)
    if len(mine) >= 2 and len(mine) >= len(ours) / 2:
        return Status.covered, mine
    return (Status.partial if mine else Status.missing), mine


def behavioral(
    p: PreparedAnswer, resume: list[ResumeHit], misquoted: list[str]
) -> dict[str, tuple[Status, list[str]]]:
    """STAR criteria and their evidence."""
    actions = _sentences(p, _ACTION)
    results = _sentences(p, _RESULT)
    metrics = _sentences(p, _METRIC)
    situation = _sentences(p, _SITUATION)
    resume_quotes = [q for h in resume for q in h.evidence]
    found: dict[str, tuple[Status, list[str]]] = {
        "situation": (_by_count(situation), situation),
        "task": (_by_count(_sentences(p, _TASK)), _sentences(p, _TASK)),
        "action": (_by_count(actions, full=1), actions),
        "result": (
            Status.covered if results and metrics else _by_count(results, full=2),
            results,
        ),
        "ownership": _ownership(p),
        "metric": (_by_count(metrics), metrics),
        "tie_to_subject": _tie(p),
        "resume": (Status.covered if resume else Status.missing, resume_quotes),
    }
    if misquoted:
        found["resume"] = (Status.contradicted, misquoted)
    return found


def scenario(p: PreparedAnswer) -> dict[str, tuple[Status, list[str]]]:
    """Scenario criteria and their evidence."""
    roles = _sentences(p, _ROLES)
    informed = [s for s in roles if _INFORM.search(s)]
    steps = _sentences(p, _STEPS)
    return {
        "stakeholders": (
            Status.covered if informed else Status.partial if roles else Status.missing,
            informed or roles,
        ),
        # A sequence needs two markers ("first ..., then ..."), in one sentence or across several.
        "first_steps": (
            Status.covered
            if sum(len(_STEPS.findall(t)) for t in steps) >= 2
            else _by_count(steps, full=2),
            steps,
        ),
        "risks": (_by_count(_sentences(p, _RISKS)), _sentences(p, _RISKS)),
        "decision": (_by_count(_sentences(p, _DECISION)), _sentences(p, _DECISION)),
        "tie_to_subject": _tie(p),
    }


def drill(delivery: Delivery) -> dict[str, tuple[Status, list[str]]]:
    """The sentence budget of a drill."""
    target = delivery.target_sentences
    if not target:
        return {}
    over = delivery.sentences - target
    status = Status.covered if over <= 0 else Status.partial if over <= 2 else Status.missing
    return {"budget": (status, [f"{delivery.sentences} sentence(s) for a budget of {target}"])}


def grade_criteria(
    p: PreparedAnswer,
    question_type: str,
    delivery: Delivery,
    resume: list[ResumeHit],
    misquoted: list[str],
    ledger: list[KeyPointResult] | None = None,
) -> list[CriterionResult]:
    """The question type's criteria with their rubric weights (none for knowledge)."""
    weights = p.rubric.weights_for(question_type)
    if not weights:
        return []
    detectors: dict[str, Callable[[], dict[str, tuple[Status, list[str]]]]] = {
        "behavioral": lambda: behavioral(p, resume, misquoted),
        "scenario": lambda: scenario(p),
        "drill": lambda: drill(delivery),
    }
    found = detectors.get(question_type, dict)()
    _from_key_points(found, ledger or [])
    results: list[CriterionResult] = []
    for name, weight in weights.items():
        if weight <= 0 or name not in found:
            continue
        status, evidence = found[name]
        results.append(_result(name, status, evidence, weight))
    return results
