"""The thread ledger: best status per claim, contradictions kept, gaps, coverage, mastery."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from prep_agent.grading.thread import (
    GapKind,
    ThreadAnswer,
    build_ledger,
    mastery,
    thread_coverage,
    thread_gaps,
    update_mastery,
)
from prep_agent.text.signals import Element, detect, mention

KP1 = "DGX systems scale AI from data centers to desktops"
KP2 = "DGX combines GPUs and software for training and inference"


@dataclass
class Claim:
    text: str
    status: str
    strength: float = 0.5
    evidence: list[str] = field(default_factory=list)


@dataclass
class KP:
    key_point: str
    status: str
    strength: float = 0.5
    evidence: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Criterion:
    name: str
    status: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Score:
    key_points: list[KP]
    criteria: list[Criterion] = field(default_factory=list)


def answer(*kps: KP, text: str = "", criteria: tuple[Criterion, ...] = ()) -> ThreadAnswer:
    return ThreadAnswer(text, Score(list(kps), list(criteria)))


@pytest.mark.parametrize(("statuses", "thread_status", "contradicted"), [
    (["missing"], "missing", False),
    (["missing", "partial"], "partial", False),
    (["partial", "missing"], "partial", False),
    (["missing", "covered"], "covered", False),
    (["covered", "missing", "partial"], "covered", False),
    (["contradicted"], "contradicted", True),
    (["contradicted", "missing"], "contradicted", True),
    (["contradicted", "covered"], "covered", True),  # corrected later, still visible
    (["partial", "contradicted"], "partial", True),
])
def test_best_status_wins_and_contradiction_stays_visible(
        statuses: list[str], thread_status: str, contradicted: bool) -> None:
    ledger = build_ledger("knowledge", [KP1], [answer(KP(KP1, s)) for s in statuses])
    assert ledger.key_point_status(KP1) == thread_status
    (claim,) = ledger.claims
    assert claim.contradicted is contradicted
    assert claim.answer == (statuses.index(thread_status) if thread_status in statuses else 0)


def test_claims_made_across_answers_add_up_to_a_covered_key_point() -> None:
    halves = ("DGX Spark brings data center AI to desktops",
              "tool integration aligns developer feedback with engineering")
    first = answer(KP(KP1, "partial", claims=[Claim(halves[0], "covered", 0.9, ["Spark..."]),
                                              Claim(halves[1], "missing", 0.1)]))
    second = answer(KP(KP1, "partial", claims=[Claim(halves[0], "missing", 0.0),
                                               Claim(halves[1], "covered", 0.8, ["I'd..."])]))
    single = build_ledger("knowledge", [KP1], [first])
    assert single.key_point_status(KP1) == "partial" and thread_coverage(single) == 0.5
    both = build_ledger("knowledge", [KP1], [first, second])
    assert both.key_point_status(KP1) == "covered"
    assert thread_coverage(both) == 1.0 and thread_gaps(both) == []
    assert [c.evidence for c in both.claims] == [("Spark...",), ("I'd...",)]


@pytest.mark.parametrize(("answers", "coverage", "gaps"), [
    ([], 0.0, [KP1, KP2]),
    ([answer(KP(KP1, "covered"), KP(KP2, "missing"))], 0.5, [KP2]),
    ([answer(KP(KP1, "covered"), KP(KP2, "missing")), answer(KP(KP2, "partial"))], 0.75, [KP2]),
    ([answer(KP(KP1, "partial"), KP(KP2, "contradicted"))], 0.25, [KP2, KP1]),
    ([answer(KP(KP1, "covered"), KP(KP2, "covered"))], 1.0, []),
    ([ThreadAnswer("scoring failed", None), answer(KP(KP2, "covered"))], 0.5, [KP1]),
])
def test_knowledge_coverage_and_gaps(answers: list[ThreadAnswer], coverage: float,
                                     gaps: list[str]) -> None:
    ledger = build_ledger("knowledge", [KP1, KP2], answers)
    assert thread_coverage(ledger) == coverage
    found = thread_gaps(ledger)
    assert [g.key_point for g in found] == gaps and {g.kind for g in found} <= {GapKind.claim}


STAR = ("At VMware the BI team had no dashboards. I hired four analysts and set up a weekly "
        "stakeholder review. We launched two weeks early.")


@pytest.mark.parametrize(("qtype", "texts", "missing"), [
    ("behavioral", ["We had a team."], ["action", "result", "metric", "task"]),
    ("behavioral", [STAR], ["task"]),
    ("behavioral", ["I was responsible for the BI launch at VMware.", "I hired analysts.",
                    "It shipped early, saving $2M."], []),
    ("scenario", ["I'd call the leads together."], ["risks", "decision", "stakeholders",
                                                    "first_steps"]),
    ("scenario", ["First I'd meet engineering.", "The main risk is the driver dependency."],
     ["decision"]),
    ("knowledge", [STAR], []),
])
def test_elements_are_found_across_the_whole_thread(qtype: str, texts: list[str],
                                                    missing: list[str]) -> None:
    ledger = build_ledger(qtype, [KP1], [answer(KP(KP1, "covered"), text=t) for t in texts])
    gaps = [g.name for g in thread_gaps(ledger) if g.kind is GapKind.element]
    assert gaps == missing


def test_a_grader_criterion_counts_as_an_element() -> None:
    crit = (Criterion("risks", "covered", ["schedule slip"]),
            Criterion("decision", "missing"))
    ledger = build_ledger("scenario", [KP1], [answer(KP(KP1, "covered"), text="Hmm.",
                                                     criteria=crit)])
    assert ledger.contains(Element.risks) and not ledger.contains(Element.decision)
    assert thread_coverage(ledger) == pytest.approx((1 + 0.25) / 2)


@pytest.mark.parametrize(("text", "present", "absent"), [
    ("I hired four analysts.", {Element.action, Element.metric}, {Element.result}),
    ("I think it runs containers.", set(), {Element.action, Element.metric}),
    ("Costs dropped by 30%.", {Element.result, Element.metric}, {Element.action}),
    ("We delivered $300M of servers.", {Element.result, Element.metric}, set()),
    ("I'd escalate to the VP of engineering.", {Element.stakeholders}, {Element.action}),
    ("The biggest risk is the vendor dependency.", {Element.risks, Element.stakeholders},
     {Element.decision}),
    ("I'd cut scope and defer the dashboard.", {Element.decision}, set()),
    ("In the first 48 hours I'd meet the leads.", {Element.first_steps, Element.metric}, set()),
])
def test_signal_detectors(text: str, present: set[Element], absent: set[Element]) -> None:
    found = set(detect([text]))
    assert present <= found and not (absent & found), found


@pytest.mark.parametrize(("text", "phrase"), [
    ("I set up a weekly stakeholder review with engineering.", "the weekly stakeholder review"),
    ("My dashboards were the key.", None),
    ("We built our GPU capacity plan first.", "the GPU capacity plan"),
    ("I fixed it.", None),
])
def test_mention_quotes_a_noun_phrase_in_second_person(text: str, phrase: str | None) -> None:
    assert mention(text) == phrase


@pytest.mark.parametrize(("credits", "value"), [
    ([], None), ([1.0], 1.0), ([0.0], 0.0), ([0.0, 1.0], 0.5), ([1.0, 0.5, 0.0], 0.375),
])
def test_mastery_is_an_ema_of_thread_credit_seeded_by_the_first(credits: list[float],
                                                                value: float | None) -> None:
    assert mastery(credits) == value
    if credits:
        assert update_mastery(None, credits[0]) == credits[0]


@pytest.mark.parametrize(("whole", "status"), [("missing", "partial"), ("covered", "covered")])
def test_a_whole_verdict_applies_to_each_claim_known_from_another_answer(
        whole: str, status: str) -> None:
    halves = ("DGX Spark brings data center AI to desktops", "tool integration follows feedback")
    split = answer(KP(KP1, "partial", claims=[Claim(halves[0], "covered", 0.9),
                                              Claim(halves[1], "missing", 0.1)]))
    ledger = build_ledger("knowledge", [KP1], [split, answer(KP(KP1, whole))])
    assert [c.claim for c in ledger.claims] == list(halves)  # no phantom whole-point claim
    assert ledger.key_point_status(KP1) == status
