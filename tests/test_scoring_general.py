"""Grading beyond the dev set: hand-graded held-out answers on other topics, wrong facts stated
without negation, negated key points, short on-topic answers and the question-residual match."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from prep_agent.grading.calibration import BACKGROUND
from prep_agent.grading.models import Score, ScoreRequest
from prep_agent.grading.offline import score_offline
from prep_agent.knowledge.embeddings import Encoder

HOLDOUT = Path(__file__).parent / "fixtures" / "scoring_holdout.jsonl"
ROWS = [json.loads(line) for line in HOLDOUT.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def holdout(encoder: Encoder) -> list[tuple[dict[str, object], Score]]:
    return [(row, score_offline(ScoreRequest.model_validate(row), encoder)) for row in ROWS]


def test_holdout_covers_every_kind_of_answer() -> None:
    kinds = {row["kind"] for row in ROWS}
    assert {"complete", "partial", "vague", "wrong_fact", "contradicted", "off_topic",
            "keyword_list", "injection", "empty", "avoid_hit"} <= kinds
    assert len({row["question"] for row in ROWS}) >= 5


def test_complete_answers_outrank_everything_else_on_their_question(
    holdout: list[tuple[dict[str, object], Score]],
) -> None:
    by_question: dict[object, list[tuple[dict[str, object], Score]]] = defaultdict(list)
    for row, score in holdout:
        by_question[row["question"]].append((row, score))
    for rows in by_question.values():
        best = [s.overall for r, s in rows if r["kind"] == "complete"]
        others = [(r["id"], s.overall) for r, s in rows if r["kind"] != "complete"]
        assert best and all(min(best) > o for _, o in others), (best, others)


def test_partial_answers_outrank_vague_echo_and_off_topic_ones(
    holdout: list[tuple[dict[str, object], Score]],
) -> None:
    groups: dict[object, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for row, score in holdout:
        groups[row["question"]][str(row["kind"])].append(score.overall)
    for kinds in groups.values():
        for partial in kinds.get("partial", []):
            for kind in ("vague", "echo", "off_topic"):
                assert all(partial > other for other in kinds.get(kind, [])), dict(kinds)


def test_holdout_injection_and_empty_score_at_most_5(
    holdout: list[tuple[dict[str, object], Score]],
) -> None:
    guarded = [s.overall for r, s in holdout if r["kind"] in ("injection", "empty")]
    assert guarded and max(guarded) <= 5


DGX_Q = "Which DGX systems run in data centers, and what are they used for?"
DGX_KP = ["DGX H100 and DGX A100 power enterprise data centers",
          "They are used to train and serve AI models"]
S3_Q = "Which AWS service would you use for object storage, and what is it for?"
S3_KP = ["Amazon S3 stores objects such as files, backups and static website assets"]


@pytest.mark.parametrize(
    ("question", "key_points", "wrong", "vague"),
    [
        (DGX_Q, DGX_KP, "The data center ones are called GeForce.",
         "They are NVIDIA systems used in data centers."),
        (DGX_Q, DGX_KP, "Data centers run the DGX Spark and DGX Station.",
         "They are NVIDIA systems used in data centers."),
        (S3_Q, S3_KP, "You'd use Amazon EBS for that.", "Some AWS service for storing things."),
        (S3_Q, S3_KP, "I'd use DynamoDB to store files and backups.",
         "Some AWS service for storing things."),
    ],
)
def test_a_different_name_in_the_key_points_slot_scores_no_higher_than_vague(
    encoder: Encoder, question: str, key_points: list[str], wrong: str, vague: str
) -> None:
    def grade(answer: str) -> int:
        return score_offline(
            ScoreRequest(question=question, answer=answer, key_points=key_points), encoder
        ).overall

    assert grade(wrong) <= grade(vague)


def test_the_right_name_is_not_taken_for_a_substitution(encoder: Encoder) -> None:
    right = score_offline(
        ScoreRequest(question=S3_Q, answer="S3 - it holds files and backups as objects.",
                     key_points=S3_KP),
        encoder,
    )
    assert right.key_points[0].status in ("covered", "partial")
    assert right.key_points[0].evidence == ["S3 - it holds files and backups as objects."]


GIL_Q = "What is the GIL in CPython and how does it affect multithreading?"
GIL_KP = ["The GIL is a mutex that lets only one thread execute Python bytecode at a time",
          "CPU-bound threads do not run in parallel, so use multiprocessing"]


def test_a_negated_key_point_affirmed_in_positive_words_is_not_contradicted(
    encoder: Encoder,
) -> None:
    answer = "Only one thread runs Python bytecode at a time, so CPU-heavy work needs processes."
    score = score_offline(ScoreRequest(question=GIL_Q, answer=answer, key_points=GIL_KP), encoder)
    assert "contradiction" not in score.flags
    assert all(r.status != "contradicted" for r in score.key_points)


def test_denying_an_affirmative_key_point_is_still_a_contradiction(encoder: Encoder) -> None:
    answer = "The GIL doesn't stop threads from running Python in parallel."
    score = score_offline(ScoreRequest(question=GIL_Q, answer=answer, key_points=GIL_KP), encoder)
    assert score.key_points[0].status == "contradicted"


def test_a_short_on_topic_answer_is_weak_but_not_off_topic(encoder: Encoder) -> None:
    req = ScoreRequest(
        question="How would you handle developer feedback on DGX Station tools?",
        answer="I'd send a survey.",
        key_points=["Set up a steady feedback channel with Station users",
                    "Triage feedback with engineering and close the loop"],
    )
    score = score_offline(req, encoder)
    assert "off_topic" not in score.flags
    assert "too_short" in score.flags


def test_restating_the_question_topic_earns_less_than_real_content(encoder: Encoder) -> None:
    question = "What is photosynthesis?"
    key = ["Photosynthesis is the process by which plants use sunlight, water and carbon dioxide "
           "to make glucose and release oxygen."]

    def grade(answer: str) -> int:
        return score_offline(ScoreRequest(question=question, answer=answer, key_points=key),
                             encoder).overall

    assert grade("It is a process that happens in plants.") <= 40
    assert grade("Photosynthesis is photosynthesis in plants.") <= 40
    assert grade("Plants turn sunlight, water and carbon dioxide into glucose and oxygen.") >= 75


class CountingEncoder:
    """The real encoder, counting the texts each method embeds."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.encoded: list[str] = []
        self.cached: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 32) -> object:
        self.encoded += list(texts)
        return self.inner.encode(texts, batch_size=batch_size)

    def encode_cached(self, texts: list[str], batch_size: int = 32) -> object:
        self.cached += list(texts)
        return self.inner.encode_cached(texts, batch_size=batch_size)

    def encode_with_cached(
        self, texts: list[str], cached: list[str], batch_size: int = 32
    ) -> object:
        self.encoded += list(texts)
        self.cached += list(cached)
        return self.inner.encode_with_cached(texts, cached, batch_size=batch_size)


def test_answers_go_to_encode_and_the_notes_to_the_cache(encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    answer = "Only one thread runs Python bytecode at a time. So use processes for CPU work."
    req = ScoreRequest(question=GIL_Q, answer=answer, key_points=GIL_KP, avoid=["jargon"])
    first = score_offline(req, counting)  # type: ignore[arg-type]
    assert counting.encoded[:2] == ["Only one thread runs Python bytecode at a time.",
                                    "So use processes for CPU work."]
    # Anything encoded later is the answer's own words without the names it shares with a
    # claim ("Python"), measured on demand; the claim's side of that goes through the cache.
    assert counting.encoded[2:], "the shared names 'Python' and 'CPU' should have been checked"
    assert all(word in answer for text in counting.encoded[2:] for word in text.split())
    # The calibration background is reference text too: embedded once, then cached.
    notes = {*GIL_KP, "jargon", GIL_Q, *BACKGROUND}
    assert notes <= set(counting.cached)
    key_points = " ".join(GIL_KP)
    assert all(word in key_points for text in set(counting.cached) - notes for word in text.split())
    plain = score_offline(req, OnlyEncode(encoder))  # type: ignore[arg-type]
    assert plain.overall == first.overall  # the same grade with or without a cache
    assert [r.status for r in plain.key_points] == [r.status for r in first.key_points]
    separate = score_offline(req, SeparateCalls(encoder))  # type: ignore[arg-type]
    assert separate.overall == first.overall  # ...and with the answer and notes sent apart


class SeparateCalls:
    """An encoder with a cache but no combined pass."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner

    def encode(self, texts: list[str], batch_size: int = 32) -> object:
        return self.inner.encode(texts, batch_size=batch_size)

    def encode_cached(self, texts: list[str], batch_size: int = 32) -> object:
        return self.inner.encode_cached(texts, batch_size=batch_size)


class OnlyEncode:
    """An encoder without a cache (anything with `encode` will do)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner

    def encode(self, texts: list[str], batch_size: int = 32) -> object:
        return self.inner.encode(texts, batch_size=batch_size)
