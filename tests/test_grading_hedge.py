"""A claim's word offered with its opposite ("higher or lower") commits to neither side."""

from __future__ import annotations

from typing import Any

import pytest

from prep_agent.grading.antonyms import hedged
from prep_agent.grading.models import ScoreRequest, Status
from prep_agent.grading.offline import score_offline

PITCH = "When the string was tighter, the pitch was higher."


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It would either make the pitch higher or lower.", True),
        ("It is lower or higher depending on the string.", True),
        ("The pitch was high or low, I can't remember.", True),
        ("The pitch was higher.", False),
        ("It goes higher, or so I think.", False),  # "or" joins no opposite
        ("Faster or slower?", False),  # neither word is the claim's
    ],
)
def test_hedged_needs_the_claims_word_and_its_opposite_around_or(
    sentence: str, expected: bool
) -> None:
    assert hedged(PITCH, sentence) is expected


def test_two_operations_joined_by_or_are_no_hedge() -> None:
    claim = "The last item added will be the first to be removed"
    assert not hedged(claim, "A list that can be added to or removed from only from the top.")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("It is either faster or slower, depending on the batch.", True),
        ("It is the fastest or the slowest, depending on the batch.", True),
        ("It is fast or not, depending on the batch.", False),
    ],
)
def test_gradable_words_in_any_degree(sentence: str, expected: bool) -> None:
    assert hedged("The H100 trains models faster than the A100", sentence) is expected


def test_a_hedged_answer_earns_no_credit_and_no_contradiction(encoder: Any) -> None:
    question = "Describe how the sound was different when the string was tightened."

    def grade(answer: str) -> tuple[int, Status]:
        req = ScoreRequest(question=question, answer=answer, key_points=[PITCH])
        score = score_offline(req, encoder)
        return score.overall, score.key_points[0].status

    hedge, hedge_status = grade("It would either make the pitch higher or lower.")
    right, right_status = grade("It made a higher pitch once the string was tighter.")
    assert hedge_status != Status.contradicted and hedge_status != Status.covered
    assert right_status == Status.covered and right >= hedge + 40
