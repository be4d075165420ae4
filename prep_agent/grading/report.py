"""The score card as a view-model: ordered sections, flag texts and quotes for every renderer.

The terminal, the Markdown export and the Streamlit page draw the same `ScoreCard`; each is a
thin adapter that only chooses how a section looks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from prep_agent.grading.delivery import SpokenDelivery
from prep_agent.grading.models import Score
from prep_agent.grading.thread import KeyPointLike

FLAG_TEXT = {
    "empty": "No answer given.",
    "too_short": "Very short answer: say more.",
    "off_topic": "The answer seems off topic.",
    "question_echo": "The answer mostly repeats the question.",
    "keyword_list": "A bare list of keywords: explain in sentences.",
    "prompt_injection": "The answer contains instructions to the grader; they were ignored.",
    "contradiction": "Something in the answer contradicts your notes.",
}


class SectionKind(StrEnum):
    """The card's sections, in the order every renderer shows them."""

    key_points = "key_points"
    criteria = "criteria"
    resume = "resume"
    avoid = "avoid"
    flags = "flags"
    spoken = "spoken"
    next_time = "next_time"


TITLES = {
    SectionKind.key_points: "Key points",
    SectionKind.criteria: "Criteria",
    SectionKind.resume: "Resume tie-ins",
    SectionKind.avoid: "Avoid flags",
    SectionKind.flags: "Flags",
    SectionKind.spoken: "Spoken delivery",
    SectionKind.next_time: "Next time",
}


class LedgerLine(KeyPointLike, Protocol):
    """A stored key-point result (transcripts' ledger row or grading's KeyPointResult)."""

    @property
    def evidence(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class CardLine:
    """One entry of a section: its text, and where it applies a status, strength and quotes."""

    text: str
    status: str | None = None
    strength: float | None = None
    quotes: tuple[str, ...] = ()
    code: str | None = None  # the machine name behind the text (a flag, a criterion)


@dataclass(frozen=True)
class CardSection:
    """A titled group of lines."""

    kind: SectionKind
    title: str
    lines: tuple[CardLine, ...]


@dataclass(frozen=True)
class ScoreCard:
    """Everything a score card shows, in order; renderers add only their own markup."""

    overall: int | None
    engine: str
    model: str | None
    rationale: str
    llm_error: str | None
    truncated: bool
    sections: tuple[CardSection, ...]
    delivery: tuple[tuple[str, str], ...]  # (label, value), e.g. ("filler words", "um ×2")
    thread_coverage: str | None = None
    question_type: str = "knowledge"

    def section(self, kind: SectionKind) -> CardSection | None:
        """The section of that kind, if the card has one."""
        return next((s for s in self.sections if s.kind == kind), None)

    @property
    def quotes(self) -> tuple[str, ...]:
        """Every quote from the answer that the score relies on (to highlight it)."""
        return tuple(q for s in self.sections for line in s.lines for q in line.quotes
                     if q.strip())

    @property
    def grader(self) -> str:
        """"graded by the offline engine", with the model when one judged."""
        text = f"graded by the {self.engine or 'offline'} engine"
        return f"{text} ({self.model})" if self.model else text

    @classmethod
    def from_score(
        cls, score: Score, ledger: Sequence[LedgerLine] | None = None,
        thread_coverage: str | None = None,
    ) -> ScoreCard:
        """The card of a score; `ledger` (stored key-point rows) overrides its key points."""
        points: Sequence[LedgerLine] = ledger if ledger else score.key_points
        sections = [
            _section(SectionKind.key_points, _key_point_lines(points)),
            _section(SectionKind.criteria, _criteria(getattr(score, "criteria", None))),
            _section(SectionKind.resume, [CardLine(h.fact, quotes=_quotes(h.evidence))
                                          for h in score.resume]),
            _section(SectionKind.avoid, [CardLine(h.avoid, quotes=_quotes(h.evidence))
                                         for h in score.avoid_hits]),
            _section(SectionKind.flags, [CardLine(FLAG_TEXT.get(str(f), ""), code=str(f))
                                         for f in score.flags]),
            _section(SectionKind.spoken, spoken_lines(score.delivery.spoken)),
            _section(SectionKind.next_time, [CardLine(t) for t in score.next_time]),
        ]
        coverage = thread_coverage or getattr(score, "thread_coverage", None)
        return cls(
            overall=score.overall, engine=score.engine, model=score.model,
            rationale=score.rationale, llm_error=score.llm_error, truncated=score.truncated,
            sections=tuple(s for s in sections if s is not None),
            delivery=delivery_facts(score), question_type=str(
                getattr(score, "question_type", "knowledge") or "knowledge"),
            thread_coverage=coverage if isinstance(coverage, str) and coverage else None,
        )


def _quotes(evidence: Iterable[str] | str | None) -> tuple[str, ...]:
    if evidence is None:
        return ()
    if isinstance(evidence, str):
        return (evidence,) if evidence.strip() else ()
    return tuple(str(e) for e in evidence if str(e).strip())


def _section(kind: SectionKind, lines: Sequence[CardLine]) -> CardSection | None:
    return CardSection(kind, TITLES[kind], tuple(lines)) if lines else None


def _key_point_lines(points: Sequence[LedgerLine]) -> list[CardLine]:
    """Each key point, then, for a compound one, each claim that is not covered ("↳ ...")."""
    out: list[CardLine] = []
    for kp in points:
        out.append(CardLine(kp.key_point, str(kp.status), float(kp.strength), _quotes(kp.evidence)))
        claims = getattr(kp, "claims", None) or []
        if str(kp.status) == "covered":
            continue
        for claim in claims:
            status = str(getattr(claim, "status", ""))
            if status != "covered":
                out.append(CardLine(f"↳ claim: {getattr(claim, 'text', '')}", status,
                                    float(getattr(claim, "strength", 0.0) or 0.0),
                                    _quotes(getattr(claim, "evidence", None)), code="claim"))
    return out


def _criteria(criteria: Any) -> list[CardLine]:
    """Behavioural and scenario criteria (situation, action, result...), when graded."""
    out: list[CardLine] = []
    for c in criteria or []:
        name = str(getattr(c, "name", "") or "")
        label = str(getattr(c, "label", "") or name)
        out.append(CardLine(label, str(getattr(c, "status", "")),
                            float(getattr(c, "strength", 0.0) or 0.0),
                            _quotes(getattr(c, "evidence", None)), code=name or None))
    return out


def spoken_lines(spoken: SpokenDelivery | None) -> list[CardLine]:
    """A spoken answer's pace against its band, first word, long pauses, fillers, transcriber."""
    if spoken is None:
        return []
    low, high = spoken.target_wpm
    pace = (f"{spoken.words_per_minute:g} wpm ({spoken.pace}, target {low}-{high})"
            if spoken.words_per_minute is not None else
            f"too short for a pace (target {low}-{high} wpm)")
    lines = [CardLine(pace)]
    if spoken.time_to_first_word_s is not None:
        lines.append(CardLine(f"first word after {spoken.time_to_first_word_s:.1f} s"))
    pauses = ", ".join(f"{p.seconds:.1f} s after “{p.after_word}”" for p in spoken.long_pauses)
    lines.append(CardLine(f"{len(spoken.long_pauses)} long pause(s)"
                          + (f": {pauses}" if pauses else "")))
    lines.append(CardLine("fillers: " + (_counts(spoken.fillers.items()) or "none")))
    heard = f"heard by {spoken.transcriber}"
    lines.append(CardLine(f"{heard}, recording {spoken.audio_file}" if spoken.audio_file
                          else heard))
    return lines


def delivery_facts(score: Score) -> tuple[tuple[str, str], ...]:
    """How the answer was said, as (label, value) pairs with empty ones left out."""
    d = score.delivery
    facts: list[tuple[str, str]] = [("words", str(d.words)), ("sentences", str(d.sentences))]
    if d.filler_words:
        facts.append(("filler words", _counts(d.filler_words.items())))
    if d.hedges:
        facts.append(("hedges", _counts(d.hedges.items())))
    if d.most_used:
        # A word said once is not a habit: only repeated words are listed.
        facts.append(("top words", _counts(d.most_used[:5])))
    if d.target_sentences:
        verdict = "" if d.length_ok is None else (" (on target)" if d.length_ok else
                                                  " (off target)")
        facts.append(("target sentences", f"{d.target_sentences}{verdict}"))
    return tuple(facts)


def _counts(pairs: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{w} ×{n}" for w, n in pairs)
