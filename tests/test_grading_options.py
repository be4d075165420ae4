"""A question that offers a choice: taking a side answers it, taking the other side contradicts."""

from __future__ import annotations

from typing import Any

import pytest

from prep_agent.grading.models import ScoreRequest, Status
from prep_agent.grading.offline import score_offline
from prep_agent.grading.options import is_choice, options, other_side, picks_an_option
from prep_agent.text.match import token_set

QUEUE = "What data structure is more appropriate for scheduling printing jobs, a stack or a queue?"
ROWS = "How are bi-dimensional arrays stored in memory, by rows or by columns?"
ERROR = "An index out of bounds gives an error. Is this a compile error or a run-time error?"
DATE = "Would you cut scope or slip the launch date?"
NOTATION = "How can an array be addressed in pointer or offset notation?"
BUILD = "Build vs. buy: which would you choose for the team's dashboards?"
VERSUS = "For batch inference, which matters more, throughput versus latency?"


@pytest.mark.parametrize(
    ("question", "choice"),
    [
        (QUEUE, True),
        (ROWS, True),
        (ERROR, True),
        (DATE, True),
        (NOTATION, False),
        (BUILD, True),
        (VERSUS, True),
    ],
)
def test_a_choice_is_told_from_a_pair_named_together(question: str, choice: bool) -> None:
    assert options(question) is not None
    assert is_choice(question) is choice


def test_no_alternative_no_options() -> None:
    assert options("Why do DGX systems matter to a TPM?") is None
    assert options("Would you rather ship or ship?") is None  # the sides say the same


@pytest.mark.parametrize(
    ("question", "claim", "sentence", "opposed"),
    [
        (ROWS, "By rows.", "By column.", True),
        (ROWS, "By rows.", "They are stored in memory in rows.", False),
        (QUEUE, "queue", "A stack, since urgent jobs can jump ahead.", True),
        (QUEUE, "queue", "A queue data structure is more appropriate for printing jobs.", False),
        (ERROR, "Run-time error.", "Generates a compile error.", True),
        # Denying the other side takes the claim's side, not the other.
        (ERROR, "Run-time error.", "It will NOT cause a compile error.", False),
        # Both sides named: no side taken.
        (ROWS, "By rows.", "By rows, then columns.", False),
        (DATE, "I'd cut scope to protect the launch date", "I would slip the date a month.", True),
        (BUILD, "I'd buy a dashboard tool", "We should build it.", True),
        (VERSUS, "Throughput matters more for batch jobs", "Latency is what counts.", True),
        # Not a choice: an answer in the other notation does not oppose the claim.
        (NOTATION, "By a pointer to the first element", "Offset notation adds the index.", False),
    ],
)
def test_the_other_side_opposes_the_claim(
    question: str, claim: str, sentence: str, opposed: bool
) -> None:
    assert other_side(claim, sentence, question) is opposed


def test_taking_a_side_in_the_questions_words_is_no_echo() -> None:
    assert picks_an_option(token_set("A queue is more appropriate for printing jobs"), QUEUE)
    assert not picks_an_option(token_set("Printing jobs need a data structure"), QUEUE)


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("By column.", Status.contradicted),
        ("By rows.", Status.covered),
        ("Arrays are stored by rows, one row after another.", Status.covered),
    ],
)
def test_choice_answers_are_graded_by_the_side_they_take(
    encoder: Any, answer: str, status: Status
) -> None:
    req = ScoreRequest(question=ROWS, answer=answer, key_points=["By rows."])
    score = score_offline(req, encoder)
    assert score.key_points[0].status == status
    if status == Status.contradicted:
        assert score.key_points[0].evidence == [answer]
        assert score.overall <= 20


@pytest.mark.parametrize("answer", ["Run-time.", "run-time", "A run-time error."])
def test_the_claims_side_is_the_answer_not_a_question_word(encoder: Any, answer: str) -> None:
    # Every word of "Run-time error." is in the question, but taking its side answers it.
    req = ScoreRequest(question=ERROR, answer=answer, key_points=["Run-time error."])
    score = score_offline(req, encoder)
    assert score.key_points[0].status == Status.covered
    assert score.overall >= 70
