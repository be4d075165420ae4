"""Drill plans: the queued cards (due first, then new) as short planned questions."""

from __future__ import annotations

from collections.abc import Sequence

from prep_agent.drill.cards import CardKind, normalise
from prep_agent.drill.store import StoredCard
from prep_agent.interview.planner import PlannedQuestion, Target, eligible_types, offline_values
from prep_agent.prompts import PromptSet, QuestionType, render_offline

# A card is asked through the planner's target for the same note line.
_TARGET_KINDS: dict[CardKind, tuple[str, ...]] = {
    CardKind.KEY_POINT: ("key_point", "goal"),
    CardKind.RESUME_LINK: ("resume_link",),
    CardKind.RESUME_TIE_IN: ("resume_tie_in",),
}


def target_for(card: StoredCard, targets: Sequence[Target]) -> Target | None:
    """The planner target that asks about this card, if the notes still have it."""
    kinds = _TARGET_KINDS.get(card.spec.kind, ())
    for target in targets:
        if (target.kind in kinds and target.topic == card.spec.topic
                and target.item == card.spec.item
                and normalise(target.text) == card.spec.text):
            return target
    return None


def _planned(target: Target, prompt_set: PromptSet, used: set[str],
             position: int) -> PlannedQuestion | None:
    types = eligible_types(target, prompt_set)
    # Short drill questions when the prompt set has them for this kind of note line.
    ordered: list[QuestionType] = sorted(types, key=lambda t: t != "drill")
    for qtype in ordered:
        templates = prompt_set.templates.for_type(qtype)[target.kind]
        for step in range(len(templates)):
            index = (position + step) % len(templates)
            text = render_offline(templates[index], offline_values(target, prompt_set, qtype))
            if text.strip().lower() not in used:
                return PlannedQuestion(id=f"{target.id}-{qtype}-{index}", type=qtype,
                                       target=target, template_index=index, round=0,
                                       offline_text=text)
    return None


def drill_plan(
    cards: Sequence[StoredCard], targets: Sequence[Target], prompt_set: PromptSet,
    asked: Sequence[str] = (),
) -> list[PlannedQuestion]:
    """One planned question per queued card, in queue order (cards with no target are skipped)."""
    used = {a.strip().lower() for a in asked}
    plan: list[PlannedQuestion] = []
    seen: set[str] = set()
    for card in cards:
        target = target_for(card, targets)
        if target is None or target.id in seen:
            continue
        planned = _planned(target, prompt_set, used, len(plan))
        if planned is not None:
            seen.add(target.id)
            used.add(planned.offline_text.strip().lower())
            plan.append(planned)
    return plan
