"""Every threshold and weight of the offline grader and the blend, in one frozen value.

`OfflineGrader(encoder, rubric=Rubric())` takes it as ragas metrics take their weights, so a
benchmark can sweep a field with `dataclasses.replace` instead of monkeypatching modules. Prompt
sets carry per-question-type criteria weights and a strictness (prompts/*.yaml `grading`), turned
into a Rubric by `Rubric.for_prompt_set`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from collections.abc import Mapping

QuestionTypeName = Literal["knowledge", "scenario", "behavioral", "drill"]


class _StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- the `grading` section of a prompt set's YAML (validated; unknown keys are errors) ---------

CriterionName = Literal[
    "situation", "task", "action", "result", "ownership", "metric", "tie_to_subject", "resume",
    "stakeholders", "first_steps", "risks", "decision", "budget",
]
# Which criteria each question type may weigh (grading/criteria.py detects each of them).
TYPE_CRITERIA: dict[str, frozenset[str]] = {
    "knowledge": frozenset(),
    "behavioral": frozenset({
        "situation", "task", "action", "result", "ownership", "metric", "tie_to_subject", "resume",
    }),
    "scenario": frozenset({"stakeholders", "first_steps", "risks", "decision", "tie_to_subject"}),
    "drill": frozenset({"budget"}),
}


class TypeRubric(_StrictModel):
    """One question type's criteria weights and their share of the overall score."""

    share: float = Field(default=0.6, ge=0.0, le=1.0)
    criteria: dict[CriterionName, float] = Field(default_factory=dict)

    @field_validator("criteria")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        for name, weight in value.items():
            if not 0.0 <= weight <= 10.0:
                raise ValueError(f"criterion {name} weight {weight} must be between 0 and 10")
        return value


class GradingRubric(_StrictModel):
    """A prompt set's grading rubric: strictness (1 = built-in) and per-type criteria."""

    strictness: float = Field(default=1.0, ge=0.5, le=2.0)
    question_types: dict[QuestionTypeName, TypeRubric] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _criteria_fit_types(self) -> GradingRubric:
        for qtype, spec in self.question_types.items():
            wrong = sorted(set(spec.criteria) - TYPE_CRITERIA[qtype])
            if wrong:
                allowed = ", ".join(sorted(TYPE_CRITERIA[qtype])) or "none"
                raise ValueError(
                    f"grading.question_types.{qtype} cannot weigh {', '.join(wrong)}: "
                    f"use {allowed}"
                )
        return self



# --- the rubric value the graders take ----------------------------------------------------------


# The built-in criteria of each question type and their weights (a prompt set may override them).
# Knowledge questions are graded on their key points alone; the others blend in their criteria.
DEFAULT_CRITERIA: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "knowledge": MappingProxyType({}),
        "behavioral": MappingProxyType(
            {
                "situation": 1.0,
                "task": 1.0,
                "action": 1.5,
                "result": 1.5,
                "ownership": 1.0,
                "metric": 1.0,
                "tie_to_subject": 0.5,
                "resume": 1.0,
            }
        ),
        "scenario": MappingProxyType(
            {
                "stakeholders": 1.0,
                "first_steps": 1.5,
                "risks": 1.0,
                "decision": 1.0,
                "tie_to_subject": 0.5,
            }
        ),
        "drill": MappingProxyType({"budget": 1.0}),
    }
)
# The share of the overall score the criteria carry (the rest is key-point coverage).
DEFAULT_CRITERIA_SHARE: Mapping[str, float] = MappingProxyType(
    {"knowledge": 0.0, "behavioral": 0.4, "scenario": 0.4, "drill": 0.0}
)


@dataclass(frozen=True)
class Rubric:
    """Thresholds and weights; `strictness` > 1 raises the bar for every status and credit."""

    # Key-point evidence (prepare.py, keypoints.py).
    sem_low: float = 0.25  # residual cosine at which semantic credit starts...
    sem_high: float = 0.75  # ...and where it is full
    residual_mix: float = 1.0
    sem_weight: float = 0.5
    lex_alone: float = 0.8  # all of a key point's words in one sentence is strong evidence
    sem_alone: float = 0.8  # a close paraphrase in other words is evidence on its own too
    question_word_weight: float = 0.3  # key-point words already in the question prove little
    covered_at: float = 0.6
    partial_at: float = 0.3
    echo_share: float = 0.6
    contradiction_sim: float = 0.45
    # A sentence that denies a claim is outweighed by another that states it only when that one
    # has this share of the claim's words (a paraphrase beside a denial may be a substitute).
    restated_words: float = 0.5
    keyword_list_cap: float = 0.35  # a bare list shows recall of terms, not understanding
    substitution_factor: float = 0.25
    # Calibrated similarity (calibration.py): credit for a span much closer to the claim than
    # any generic sentence is, whatever words it uses.
    # The ceiling is the claim's second-highest cosine with the background sentences: the single
    # highest is one sentence's accident of wording (a robust maximum). With the highest, 6 of
    # train's 12 full paraphrases were all-covered, with the second 9; UNT/Mohler Pearson -0.008.
    cal_ceiling_rank: int = 2
    cal_low: float = -0.1  # a little below the background ceiling: no credit...
    cal_high: float = 0.1  # ...a tenth of the way from it to a perfect match: full credit
    cal_alone: float = 0.85  # a full paraphrase lands within 15 points of the verbatim key point
    cal_siblings: bool = True  # a span must be closer to the claim than to other key points
    # A span cannot state a claim in far fewer content words than the claim has: calibrated
    # credit ramps from none at this share of the claim's words to full at cal_words_high.
    cal_words_low: float = 0.6
    cal_words_high: float = 1.0
    # What a span adds to the question must itself be close to the claim: a low background
    # ceiling (a domain far from the generic sentences) otherwise lets any on-topic span through.
    cal_sem: tuple[float, float] = (0.0, 0.2)
    # A span that shares the claim's subject ("A TPM ...", "Slurm is ...") must say what the
    # claim says of it: the cosine of both without the subject ramps the credit that rests on
    # it from none to full. Claims with fewer content words left than cal_rest_terms are
    # mostly names: not checked.
    cal_rest: tuple[float, float] = (0.15, 0.3)
    cal_rest_terms: int = 3
    cal_rest_lex: float = 0.5  # ...unless the span already has this share of the rest's words
    cal_rest_names: float = 0.5  # ...or the shared names are this share of the claim's words
    pair_margin: float = 0.05  # a sentence pair must beat its best single sentence by this
    # A sentence this long is embedded clause by clause (its vector is their mean). Shorter
    # splits (20 words) helped the holdout and the public set a little, but cost full
    # paraphrases whose claim spans two clauses (a load balancer's: 88 to 73).
    clause_words: int = 32
    # Whole-answer checks and aggregation (offline.py, aggregate.py).
    off_topic_sim: float = 0.25
    off_topic_lex: float = 0.25
    short_answer_words: int = 8
    short_off_topic_sim: float = 0.1
    too_short_words: int = 5
    no_claim_words: int = 2  # one or two words cannot state a claim...
    no_claim_max: float = 5.0  # ...and score like a non-answer
    keyword_list_max: float = 10.0  # a bare list or word salad: 0.5 of 5 in the written rubric
    resume_bonus: float = 20.0
    avoid_penalty: float = 15.0
    contradiction_penalty: float = 15.0
    contradiction_cap: float = 20.0  # a contradicted claim caps the answer (rubric: 1 of 5)
    # Up to `floor` points follow the answer's question-demoted closeness to the key points over
    # the whole cosine range, so answers the rules cannot name are still ranked by meaning.
    floor: float = 40.0
    floor_sim: tuple[float, float] = (0.0, 0.7)
    off_topic_cap: float = 10.0
    avoid_only_share: float = 0.75  # an answer this much made of what the notes say to avoid...
    avoid_only_cap: float = 20.0  # ...scores like a wrong one (rubric: 1 of 5)
    responsive_floor: float = 25.0  # a first-person plan or story to "what would you do?"
    length_penalty: float = 5.0
    over_budget_penalty: float = 20.0  # per the drill rubric: -1 of 5 for 1-2 sentences over
    # Avoid notes (avoid.py).
    avoid_sim: float = 0.45
    avoid_margin: float = 0.15
    # LLM blend (blend.py).
    llm_weight: float = 0.6
    # Per question type criteria (criteria.py) and how much they weigh against key points.
    criteria: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: DEFAULT_CRITERIA)
    criteria_share: Mapping[str, float] = field(default_factory=lambda: DEFAULT_CRITERIA_SHARE)
    strictness: float = 1.0
    # A behavioral or scenario question asked about a notes item whose key point is a product
    # fact (not "Situation: ...", "Risks: ..."): the fact is only the subject, the criteria are
    # what the answer is graded on.
    unlabelled_share: float = 0.75

    def status_for(self, strength: float) -> str:
        """covered / partial / missing for a strength, by this rubric's thresholds."""
        if strength >= self.covered_at:
            return "covered"
        return "partial" if strength >= self.partial_at else "missing"

    def weights_for(self, question_type: str) -> Mapping[str, float]:
        """The criteria and weights graded for a question type (none for knowledge)."""
        return self.criteria.get(question_type, self.criteria.get("knowledge", {}))

    def share_for(self, question_type: str, labelled: bool = True) -> float:
        """The share of the overall score the question type's criteria carry."""
        if not self.weights_for(question_type):
            return 0.0
        share = self.criteria_share.get(question_type, 0.0)
        if not labelled and question_type in ("behavioral", "scenario") and share > 0:
            return max(share, self.unlabelled_share)
        return share

    def stricter(self, strictness: float) -> Rubric:
        """This rubric with every bar raised by `strictness` (1.0 leaves it unchanged)."""
        if strictness == 1.0:
            return self
        return replace(
            self,
            strictness=strictness,
            covered_at=min(0.95, self.covered_at * strictness),
            partial_at=min(0.9, self.partial_at * strictness),
            sem_low=self.sem_low * strictness,
            floor=self.floor / strictness,
            responsive_floor=self.responsive_floor / strictness,
            resume_bonus=self.resume_bonus / strictness,
            avoid_penalty=self.avoid_penalty * strictness,
            length_penalty=self.length_penalty * strictness,
        )

    @classmethod
    def for_prompt_set(cls, prompt_set: Any) -> Rubric:
        """The built-in rubric with a prompt set's `grading` section applied (None: built-in)."""
        return cls().with_grading(getattr(prompt_set, "grading", None))

    def with_grading(self, grading: Any) -> Rubric:
        """Apply a prompt set's validated `grading` section (prompts.GradingRubric) to this one."""
        if grading is None:
            return self
        criteria = dict(self.criteria)
        share = dict(self.criteria_share)
        for qtype, spec in grading.question_types.items():
            criteria[qtype] = MappingProxyType(dict(spec.criteria))
            share[qtype] = spec.share
        updated = replace(
            self, criteria=MappingProxyType(criteria), criteria_share=MappingProxyType(share)
        )
        return updated.stricter(grading.strictness)
