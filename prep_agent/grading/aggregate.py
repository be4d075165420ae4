"""The overall score, the rationale and the next-time tips, as pure functions of the findings."""

from __future__ import annotations

from prep_agent.grading.claims import label_of
from prep_agent.grading.criteria import labelled_criteria
from prep_agent.grading.delivery import Delivery
from prep_agent.grading.models import AvoidHit, CriterionResult, KeyPointResult, ResumeHit, Status
from prep_agent.grading.prepare import ramp
from prep_agent.grading.rubric import Rubric

STATUS_STRENGTH = {
    Status.covered: 1.0,
    Status.partial: 0.5,
    Status.missing: 0.0,
    Status.contradicted: 0.0,
}


def criteria_score(criteria: list[CriterionResult]) -> float | None:
    """Weighted mean strength of the criteria (0-1), None without criteria."""
    total = sum(c.weight for c in criteria)
    if not criteria or total <= 0:
        return None
    return sum(c.weight * c.strength for c in criteria) / total


def overall_score(
    ledger: list[KeyPointResult],
    resume: list[ResumeHit],
    avoid: list[AvoidHit],
    flags: list[str],
    delivery: Delivery,
    rubric: Rubric,
    relevance: float = 1.0,
    criteria: list[CriterionResult] | None = None,
    question_type: str = "knowledge",
    labelled: bool = True,
) -> int:
    """Coverage (blended with the type's criteria), tie-in bonus, minus avoid hits, caps (0-100)."""
    if "empty" in flags or "prompt_injection" in flags:
        return 0
    coverage = sum(r.strength for r in ledger) / len(ledger) if ledger else 0.0
    floor = rubric.floor * ramp(relevance, *rubric.floor_sim)
    score = floor + (100 - floor) * coverage
    if resume:
        score += rubric.resume_bonus * min(1.0, coverage / rubric.covered_at)
    by_criteria = criteria_score(criteria or [])
    share = rubric.share_for(question_type, labelled)
    if by_criteria is not None and share > 0:
        score = (1 - share) * min(100.0, score) + share * 100 * by_criteria
    score -= rubric.avoid_penalty * len(avoid)
    contradicted = sum(r.status == Status.contradicted for r in ledger)
    contradicted += sum(c.status == Status.contradicted for c in criteria or [])
    if contradicted or "contradiction" in flags:
        # Any contradicted claim caps the answer, whatever else is right.
        score = (
            min(score, rubric.contradiction_cap)
            - rubric.contradiction_penalty * max(0, contradicted - 1) / 3
        )
    if "off_topic" in flags:
        score = min(score, rubric.off_topic_cap)
    if "keyword_list" in flags:
        score = min(score, rubric.keyword_list_max)
    if delivery.words <= rubric.no_claim_words and not (
        ledger and all(r.status == Status.covered for r in ledger)
    ):
        # A word or two ("plants", "CUDA.") states no claim whatever it names: a non-answer,
        # unless it is all the notes ask for ("By rows." for "By rows.").
        score = min(score, rubric.no_claim_max)
    if delivery.length_ok is False:
        score -= _length_penalty(delivery, rubric, question_type)
    return int(round(min(100.0, max(0.0, score))))


def _length_penalty(delivery: Delivery, rubric: Rubric, question_type: str) -> float:
    if question_type != "drill" or not delivery.target_sentences:
        return rubric.length_penalty
    over = delivery.sentences - delivery.target_sentences
    # The drill rubric: 1-2 sentences over the budget cost one grade point, 3+ cost two.
    return rubric.over_budget_penalty * (1 if over <= 2 else 2) if over > 0 else 0.0


def rationale(
    ledger: list[KeyPointResult], flags: list[str], criteria: list[CriterionResult] | None = None
) -> str:
    """One line: key-point counts, missing criteria and flags."""
    counts = {s: sum(r.status == s for r in ledger) for s in Status}
    parts = [f"{n} {s.value}" for s, n in counts.items() if n]
    text = f"Key points: {', '.join(parts) or 'none given'}."
    lacking = [c.label for c in criteria or [] if c.status in (Status.missing, Status.contradicted)]
    if criteria:
        met = sum(c.status == Status.covered for c in criteria)
        text += f" Criteria: {met} of {len(criteria)} met"
        text += f" (missing: {', '.join(lacking)})." if lacking else "."
    if flags:
        text += f" Flags: {', '.join(flags)}."
    return text


def _claim_gap(r: KeyPointResult, wanted: Status) -> str:
    """The key point, or its claims with the given status when only some of them are."""
    parts = [c.text for c in r.claims if c.status == wanted]
    if r.claims and parts and len(parts) < len(r.claims):
        return "; ".join(parts)
    return r.key_point


def next_time_tips(
    ledger: list[KeyPointResult],
    avoid: list[AvoidHit],
    delivery: Delivery,
    criteria: list[CriterionResult] | None = None,
    tip: str | None = None,
) -> list[str]:
    """Next-time advice naming the missing claim or criterion, plus the notes' Interview Tip."""
    tips: list[str] = []
    for r in ledger:
        if r.status == Status.missing:
            tips.append(f"Add: {r.key_point}")
        elif r.status == Status.partial:
            missing = [c.text for c in r.claims if c.status == Status.missing]
            if missing:
                tips.append(f"Add the missing part: {'; '.join(missing)}")
            else:
                tips.append(f"Strengthen: {_claim_gap(r, Status.partial)}")
        elif r.status == Status.contradicted:
            tips.append(f"Correct: {_claim_gap(r, Status.contradicted)}")
    # A key point labelled with a criterion ("Risks: ...") already said what to add for it.
    advised = {
        name
        for r in ledger
        if r.status != Status.covered
        for name in labelled_criteria(label_of(r.key_point))
    }
    for c in criteria or []:
        if c.status in (Status.missing, Status.partial) and c.weight > 0 and c.name not in advised:
            tips.append(f"Add the {c.label.lower()}.")
    tips += [f"Skip: {h.avoid}" for h in avoid]
    if delivery.length_ok is False and delivery.target_sentences:
        tips.append(f"Keep it to {delivery.target_sentences} sentence(s).")
    if tip and any(r.status != Status.covered for r in ledger):
        tips.append(f"Interview tip: {tip}")
    return tips
