"""A sentence in the question's words is an echo unless it adds what answers the question."""

from __future__ import annotations

from typing import Any

import pytest

from prep_agent.grading.models import ScoreRequest
from prep_agent.grading.offline import score_offline
from prep_agent.grading.prepare import answer_words


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "What is the base case for a recursive implementation of merge sort?",
            "The base case for a recursive implementation of merge sort is one.",
        ),
        (
            "How many dimensions need to be specified when passing an array to a function?",
            "All of the dimensions must be specified.",
        ),
        (
            "When does C++ create a default constructor?",
            "C++ will create a default constructor when no other constructor is present.",
        ),
        (
            "What is the difference between an array declared as static and one that is not?",
            "An array declared as static can only be declared once.",
        ),
    ],
)
def test_a_quantity_or_polarity_word_answers_the_question(
    encoder: Any, question: str, answer: str
) -> None:
    req = ScoreRequest(question=question, answer=answer, key_points=["See the course notes"])
    score = score_offline(req, encoder)
    assert "question_echo" not in score.flags


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("What is the base case for merge sort?", "The base case for merge sort."),
        # "one" is in the question: saying it again adds nothing.
        ("Why is one GPU not enough for training?", "One GPU is not enough for training."),
    ],
)
def test_the_question_said_back_is_still_an_echo(encoder: Any, question: str, answer: str) -> None:
    req = ScoreRequest(question=question, answer=answer, key_points=["Model size and data size"])
    score = score_offline(req, encoder)
    assert "question_echo" in score.flags


def test_answer_words_are_the_quantity_and_polarity_stopwords() -> None:
    assert answer_words("It runs only once, never twice.") == {"only", "once", "never", "twice"}
    assert answer_words("The tools that run on DGX") == set()
