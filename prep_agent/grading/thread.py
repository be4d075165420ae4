"""The thread ledger: a main question and its follow-ups graded as one answer.

A claim made in any answer of the thread counts for the thread (the best status wins; a
contradiction stays visible), STAR and scenario elements are found across every answer, and
what is still missing drives the next follow-up, the next-time tips and mastery.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from prep_agent.text.signals import Element, detect

# Higher wins when the same claim is judged in several answers of a thread; a contradiction
# outranks silence, so it is still shown until a later answer corrects it.
RANK = {"covered": 3, "partial": 2, "contradicted": 1, "missing": 0}
CREDIT = {"covered": 1.0, "partial": 0.5, "contradicted": 0.0, "missing": 0.0}
# Elements a question type needs, in the order a follow-up probes them.
NEEDED: dict[str, tuple[Element, ...]] = {
    "behavioral": (Element.action, Element.result, Element.metric, Element.situation,
                   Element.task),
    "scenario": (Element.risks, Element.decision, Element.stakeholders, Element.first_steps),
}
# The grader's criterion names that stand for an element.
CRITERION_ELEMENT = {"situation": Element.situation, "task": Element.task,
                     "action": Element.action, "ownership": Element.action,
                     "result": Element.result, "metric": Element.metric,
                     "stakeholders": Element.stakeholders, "first_steps": Element.first_steps,
                     "risks": Element.risks, "decision": Element.decision}
MASTERY_ALPHA = 0.5


class GapKind(StrEnum):
    """What a gap in a thread is: a claim of a key point, or a STAR/scenario element."""

    claim = "claim"
    element = "element"


class Judged(Protocol):
    """What every judged item carries: a status and its strength."""

    @property
    def status(self) -> str: ...
    @property
    def strength(self) -> float: ...


class ClaimLike(Judged, Protocol):
    """One claim's result (grading's ClaimResult)."""

    @property
    def text(self) -> str: ...
    @property
    def evidence(self) -> Sequence[str]: ...


class KeyPointLike(Judged, Protocol):
    """One key point's result (grading's KeyPointResult); `claims` may be absent or empty."""

    @property
    def key_point(self) -> str: ...


class ScoreLike(Protocol):
    """The part of a Score the ledger reads; `criteria` may be absent."""

    @property
    def key_points(self) -> Sequence[KeyPointLike]: ...


@dataclass(frozen=True)
class ThreadAnswer:
    """One answer of a thread: the text and its score (None when scoring failed)."""

    answer: str
    score: ScoreLike | None = None


@dataclass(frozen=True)
class ClaimEntry:
    """A claim's best result across the thread."""

    key_point: str
    claim: str
    status: str
    strength: float
    evidence: tuple[str, ...] = ()
    answer: int = 0  # which answer of the thread gave the best result
    contradicted_in: tuple[int, ...] = ()

    @property
    def contradicted(self) -> bool:
        """True when any answer of the thread contradicted this claim."""
        return bool(self.contradicted_in)


@dataclass(frozen=True)
class ElementEntry:
    """Whether the thread contains an element, with the sentence that shows it."""

    element: Element
    present: bool
    evidence: str = ""


@dataclass(frozen=True)
class Gap:
    """Something the thread still lacks: a claim (with its status) or an element."""

    kind: GapKind
    name: str
    key_point: str = ""
    status: str = "missing"
    strength: float = 0.0


@dataclass(frozen=True)
class ThreadLedger:
    """Everything the thread's answers made, merged."""

    question_type: str
    key_points: tuple[str, ...]
    claims: tuple[ClaimEntry, ...]
    elements: tuple[ElementEntry, ...] = ()
    answers: tuple[str, ...] = field(default=(), repr=False)

    def key_point_credit(self, key_point: str) -> float:
        """0..1: the mean credit of the key point's claims across the thread."""
        own = [CREDIT[c.status] for c in self.claims if c.key_point == key_point]
        return sum(own) / len(own) if own else 0.0

    def key_point_status(self, key_point: str) -> str:
        """covered / partial / missing / contradicted for the key point over the thread."""
        own = [c for c in self.claims if c.key_point == key_point]
        if not own:
            return "missing"
        if all(c.status == "covered" for c in own):
            return "covered"
        if any(c.status == "contradicted" for c in own):
            return "contradicted"
        return "partial" if any(c.status in ("covered", "partial") for c in own) else "missing"

    def contains(self, element: Element) -> bool:
        """True when some answer of the thread shows the element."""
        return any(e.element is element and e.present for e in self.elements)


def _claims_of(kp: KeyPointLike) -> list[tuple[str, str, float, tuple[str, ...]]]:
    # grading-v2 splits key points into claims; an older score is one claim per key point.
    claims: Iterable[Any] = getattr(kp, "claims", None) or ()
    out = [(c.text, str(c.status), float(c.strength), tuple(c.evidence)) for c in claims]
    quotes = tuple(getattr(kp, "evidence", None) or ())  # a hand-made score may carry none
    return out or [(kp.key_point, str(kp.status), float(kp.strength), quotes)]


def _better(new: ClaimEntry, old: ClaimEntry) -> bool:
    return (RANK[new.status], new.strength) > (RANK[old.status], old.strength)


def build_ledger(
    question_type: str, key_points: Sequence[str], answers: Sequence[ThreadAnswer],
) -> ThreadLedger:
    """Merge the per-answer results of a main question (first) and its follow-ups."""
    best: dict[tuple[str, str], ClaimEntry] = {}
    contradicted: dict[tuple[str, str], list[int]] = {}
    order = list(key_points)
    criteria: dict[Element, tuple[bool, str]] = {}
    # A key point split into claims in one answer but judged whole in another (a too-short
    # answer, an LLM judge without claims): the whole verdict applies to each known claim.
    split: dict[str, list[str]] = {}
    for thread_answer in answers:
        for kp in thread_answer.score.key_points if thread_answer.score else ():
            for claim in getattr(kp, "claims", None) or ():
                split.setdefault(kp.key_point, [])
                if claim.text not in split[kp.key_point]:
                    split[kp.key_point].append(claim.text)
    for index, thread_answer in enumerate(answers):
        score = thread_answer.score
        if score is None:
            continue
        for kp in score.key_points:
            if kp.key_point not in order:
                order.append(kp.key_point)
            found = _claims_of(kp)
            if len(found) == 1 and found[0][0] == kp.key_point and split.get(kp.key_point):
                _, status, strength, evidence = found[0]
                found = [(c, status, strength, evidence) for c in split[kp.key_point]]
            for text, status, strength, evidence in found:
                status = status if status in RANK else "missing"
                key = (kp.key_point, text)
                entry = ClaimEntry(kp.key_point, text, status, strength, evidence, index)
                if status == "contradicted":
                    contradicted.setdefault(key, []).append(index)
                if key not in best or _better(entry, best[key]):
                    best[key] = entry
        for criterion in getattr(score, "criteria", None) or ():
            element = CRITERION_ELEMENT.get(str(criterion.name))
            if element is not None and str(criterion.status) in ("covered", "partial"):
                quote = next(iter(criterion.evidence), "")
                criteria.setdefault(element, (True, quote))
    claims = [
        ClaimEntry(e.key_point, e.claim, e.status, e.strength, e.evidence, e.answer,
                   tuple(contradicted.get((e.key_point, e.claim), ())))
        for e in best.values()
    ]
    claims += [ClaimEntry(kp, kp, "missing", 0.0) for kp in order
               if not any(c.key_point == kp for c in claims)]
    claims.sort(key=lambda c: order.index(c.key_point))
    texts = tuple(a.answer for a in answers)
    return ThreadLedger(question_type, tuple(order), tuple(claims),
                        _elements(question_type, texts, criteria), texts)


def _elements(
    question_type: str, answers: Sequence[str], criteria: Mapping[Element, tuple[bool, str]],
) -> tuple[ElementEntry, ...]:
    signals = detect(answers)
    out = []
    for element in NEEDED.get(question_type, ()):
        if element in signals:
            out.append(ElementEntry(element, True, signals[element].evidence))
        elif element in criteria:
            out.append(ElementEntry(element, True, criteria[element][1]))
        else:
            out.append(ElementEntry(element, False))
    return tuple(out)


def thread_gaps(ledger: ThreadLedger) -> list[Gap]:
    """What the thread still lacks: elements first (in probing order), then claims, weakest
    first (missing, then contradicted, then partial)."""
    gaps = [Gap(GapKind.element, e.element.value) for e in ledger.elements if not e.present]
    order = {"missing": 0, "contradicted": 1, "partial": 2}
    weak = sorted((c for c in ledger.claims if c.status != "covered"),
                  key=lambda c: (order[c.status], c.strength))
    gaps += [Gap(GapKind.claim, c.claim, c.key_point, c.status, c.strength) for c in weak]
    return gaps


def thread_coverage(ledger: ThreadLedger) -> float:
    """0..1: mean key-point credit, averaged with the share of needed elements when the
    question type has any (behavioral, scenario)."""
    if ledger.key_points:
        points = sum(ledger.key_point_credit(k) for k in ledger.key_points) / len(
            ledger.key_points)
    else:
        points = 1.0
    if not ledger.elements:
        return round(points, 4)
    elements = sum(e.present for e in ledger.elements) / len(ledger.elements)
    return round((points + elements) / 2, 4)


def update_mastery(previous: float | None, credit: float, alpha: float = MASTERY_ALPHA) -> float:
    """Mastery of a key point after one more thread: an exponential moving average of its
    thread credit, starting at the first thread's credit (the one definition in the app)."""
    value = credit if previous is None else (1 - alpha) * previous + alpha * credit
    return round(value, 3)


def mastery(credits: Iterable[float], alpha: float = MASTERY_ALPHA) -> float | None:
    """Mastery after a sequence of thread credits, oldest first; None when never asked."""
    value: float | None = None
    for credit in credits:
        value = update_mastery(value, credit, alpha)
    return value


@dataclass(frozen=True)
class ThreadRecord:
    """One asked thread, for mastery: its key points and its answers, oldest thread first."""

    question_type: str
    key_points: tuple[str, ...]
    answers: tuple[ThreadAnswer, ...]
    topic: str = ""
    when: str = ""


@dataclass(frozen=True)
class KeyPointLevel:
    """Mastery of one key point over every thread that asked it."""

    key_point: str
    topic: str
    attempts: int
    mastery: float
    last_status: str
    last_seen: str


def key_point_levels(threads: Iterable[ThreadRecord],
                     alpha: float = MASTERY_ALPHA) -> dict[str, KeyPointLevel]:
    """Mastery per key point: the EMA of its thread credit over the threads that asked it and
    scored at least one answer (the one definition the summary, Review and planner share)."""
    levels: dict[str, KeyPointLevel] = {}
    for thread in threads:
        if not any(a.score is not None for a in thread.answers):
            continue
        ledger = build_ledger(thread.question_type, thread.key_points, thread.answers)
        for kp in ledger.key_points:
            prev = levels.get(kp)
            levels[kp] = KeyPointLevel(
                key_point=kp, topic=thread.topic or (prev.topic if prev else ""),
                attempts=(prev.attempts if prev else 0) + 1,
                mastery=update_mastery(prev.mastery if prev else None,
                                       ledger.key_point_credit(kp), alpha),
                last_status=ledger.key_point_status(kp), last_seen=thread.when,
            )
    return levels


def coverage_text(ledger: ThreadLedger) -> str:
    """The card's line: '75% over 2 answers; still missing: result, metric'."""
    gaps = thread_gaps(ledger)
    text = f"{100 * thread_coverage(ledger):.0f}% over {len(ledger.answers)} answer(s)"
    names = [g.name.replace("_", " ") if g.kind is GapKind.element else f"“{g.name}”"
             for g in gaps[:3]]
    return f"{text}; still missing: {', '.join(names)}" if names else text
