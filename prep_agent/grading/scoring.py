"""Grading entry points: the `Grader` protocol, `make_grader`, and the `score_answer` facade.

`OfflineGrader` (offline.py) grades with embeddings, lexical evidence and rules; `BlendedGrader`
(blend.py) adds an LLM judge's verified verdict. Both take a `Rubric` (rubric.py), which a
prompt set's `grading` section can make stricter.
"""

from __future__ import annotations

from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from prep_agent.grading.blend import BlendedGrader
from prep_agent.grading.models import Encoder, Score, ScoreRequest
from prep_agent.grading.offline import OfflineGrader
from prep_agent.grading.rubric import Rubric


class Grader(Protocol):
    """Anything that turns a ScoreRequest into a Score."""

    def grade(self, req: ScoreRequest) -> Score:
        """Grade one answer."""
        ...


def make_grader(
    encoder: Encoder,
    chat_model: BaseChatModel | None = None,
    judge_prompt: ChatPromptTemplate | None = None,
    rubric: Rubric | None = None,
) -> Grader:
    """The offline grader, or the blended one when a chat model is given."""
    offline = OfflineGrader(encoder, rubric)
    return offline if chat_model is None else BlendedGrader(offline, chat_model, judge_prompt)


def score_answer(
    req: ScoreRequest,
    encoder: Encoder,
    chat_model: BaseChatModel | None = None,
    judge_prompt: ChatPromptTemplate | None = None,
    rubric: Rubric | None = None,
) -> Score:
    """Grade offline, then, when a chat model is given, blend in its verified judgement."""
    return make_grader(encoder, chat_model, judge_prompt, rubric).grade(req)
