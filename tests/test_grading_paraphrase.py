"""Paraphrase credit: a full paraphrase is covered and near verbatim; vague or negated is not."""

from __future__ import annotations

import pytest

from prep_agent.grading.models import Score, ScoreRequest, Status
from prep_agent.grading.offline import score_offline
from prep_agent.knowledge.embeddings import Encoder

# (question, key point, verbatim answer, full paraphrase in other words, vague on-topic answer)
CASES = [
    (
        "What does a load balancer do?",
        "A load balancer spreads incoming requests across several servers",
        "A load balancer spreads incoming requests across several servers.",
        "It takes the incoming calls and hands each one to one of our machines in turn, so the "
        "traffic is shared evenly between them.",
        "It is a piece of infrastructure that teams use.",
    ),
    (
        "Why use a message queue between services?",
        "A message queue decouples producers from consumers so a slow consumer does not block "
        "the sender",
        "A message queue decouples producers from consumers so a slow consumer does not block "
        "the sender.",
        "The sender drops work into a buffer and moves on, and whoever processes it picks it up "
        "at its own pace, so a sluggish worker never holds up the service that produced the job.",
        "Queues are useful in distributed systems.",
    ),
    (
        "Why do teams write unit tests?",
        "Unit tests catch regressions early, before code reaches production",
        "Unit tests catch regressions early, before code reaches production.",
        "Small automated checks on each function tell us right away when a change breaks "
        "something that used to work, long before customers ever see it.",
        "Testing is an important part of how engineering teams work.",
    ),
    (
        "What is a canary release?",
        "A canary release sends a small share of traffic to the new version first to catch "
        "problems early",
        "A canary release sends a small share of traffic to the new version first to catch "
        "problems early.",
        "We route maybe five percent of users to the fresh build before everyone else, so if "
        "something is broken only a few people notice and we can roll back.",
        "Releases are a normal part of shipping software.",
    ),
]


def grade(encoder: Encoder, question: str, key_point: str, answer: str) -> Score:
    return score_offline(
        ScoreRequest(question=question, answer=answer, key_points=[key_point]), encoder
    )


@pytest.mark.parametrize(("question", "key_point", "verbatim", "paraphrase", "vague"), CASES)
def test_a_full_paraphrase_is_covered_and_near_verbatim(
    encoder: Encoder, question: str, key_point: str, verbatim: str, paraphrase: str, vague: str
) -> None:
    exact = grade(encoder, question, key_point, verbatim)
    own_words = grade(encoder, question, key_point, paraphrase)
    assert own_words.key_points[0].status == Status.covered, own_words.key_points
    assert exact.overall - own_words.overall <= 15, (exact.overall, own_words.overall)


@pytest.mark.parametrize(("question", "key_point", "verbatim", "paraphrase", "vague"), CASES)
def test_a_vague_on_topic_answer_is_not_covered(
    encoder: Encoder, question: str, key_point: str, verbatim: str, paraphrase: str, vague: str
) -> None:
    loose = grade(encoder, question, key_point, vague)
    assert loose.key_points[0].status != Status.covered, loose.key_points
    assert loose.overall < grade(encoder, question, key_point, paraphrase).overall


@pytest.mark.parametrize(
    ("question", "key_point", "negated"),
    [
        (CASES[0][0], CASES[0][1], "A load balancer does not spread requests across servers."),
        (
            "What is a canary release?",
            "A canary release sends a small share of traffic to the new version first",
            "A canary release does not send a small share of traffic to the new version first.",
        ),
        (CASES[2][0], CASES[2][1], "Unit tests do not catch regressions before production."),
    ],
)
def test_a_negated_key_point_stays_contradicted(
    encoder: Encoder, question: str, key_point: str, negated: str
) -> None:
    score = grade(encoder, question, key_point, negated)
    assert score.key_points[0].status == Status.contradicted
    assert "contradiction" in score.flags


# A known limit of MiniLM (measured, kept visible): a paraphrase that shares no content word and
# leans on a rare rewording. (A canary release's, covered only at the edge of the calibrated
# ramp, is covered since the ceiling is the background's second-highest cosine.)
HARD = [
    (
        "What is a feature flag?",
        "A feature flag turns new code on or off at runtime without a redeploy",
        "A feature flag turns new code on or off at runtime without a redeploy.",
        "It's a switch in the config that lets us enable or hide a freshly shipped change while "
        "the service keeps running, with no new deployment.",
    ),
]


@pytest.mark.xfail(strict=True, reason="MiniLM misses these paraphrases (see README grading)")
@pytest.mark.parametrize(("question", "key_point", "verbatim", "paraphrase"), HARD)
def test_hard_paraphrases_known_limit(
    encoder: Encoder, question: str, key_point: str, verbatim: str, paraphrase: str
) -> None:
    exact = grade(encoder, question, key_point, verbatim)
    own_words = grade(encoder, question, key_point, paraphrase)
    assert own_words.key_points[0].status == Status.covered
    assert exact.overall - own_words.overall <= 15


def test_negating_the_affirmative_clause_of_a_key_point_with_a_negation(encoder: Encoder) -> None:
    # The key point's "does not block" is its second clause; the answer denies the first.
    question, key_point = CASES[1][0], CASES[1][1]
    score = grade(encoder, question, key_point, "A message queue never decouples producers.")
    assert score.key_points[0].status == Status.contradicted


TPM_QUESTION = "Why do DGX systems matter to a technical program manager?"
TPM_POINT = "A TPM coordinates tool integration and scalability for DGX environments"
K8S_QUESTION = "What does Kubernetes do for a team running services?"
K8S_POINT = "Kubernetes restarts failed containers and scales replicas to match demand"


@pytest.mark.parametrize(
    ("question", "key_point", "paraphrase", "other_statement"),
    [
        (
            TPM_QUESTION,
            TPM_POINT,
            "A TPM's job is making the tools integrate and scale across those DGX environments.",
            "A TPM mostly writes the marketing copy for the product launch.",
        ),
        (
            TPM_QUESTION,
            TPM_POINT,
            "A TPM's job is making the tools integrate and scale across those DGX environments.",
            "A TPM mostly designs the chips that go inside the servers.",
        ),
        (
            K8S_QUESTION,
            K8S_POINT,
            "Kubernetes brings crashed containers back up and adds copies when load grows.",
            "Kubernetes mostly stores the company's billing records.",
        ),
        # The subject as the first word ("Kubernetes is ..."), through the word-and-cosine blend
        # as well as the meaning-only channel: these scored 68 "covered" and 60 "partial".
        (
            K8S_QUESTION,
            "Kubernetes orchestrates containers across a cluster",
            "Kubernetes places our containers on machines throughout the cluster and keeps them "
            "running.",
            "Kubernetes is mainly a dashboard that charts each server's memory use.",
        ),
        (
            "What is Terraform?",
            "Terraform provisions cloud infrastructure from declarative configuration files",
            "Terraform creates our cloud servers, networks and databases from config files that "
            "describe the end state.",
            "Terraform is mostly a chat tool engineers use to discuss outages.",
        ),
    ],
)
def test_sharing_the_claims_names_is_not_saying_what_it_says_of_them(
    encoder: Encoder, question: str, key_point: str, paraphrase: str, other_statement: str
) -> None:
    # Before the check, "A TPM mostly writes the marketing copy ..." scored 88 "covered": the
    # shared "A TPM" carried the match on its own.
    said = grade(encoder, question, key_point, paraphrase)
    other = grade(encoder, question, key_point, other_statement)
    assert said.key_points[0].status == Status.covered, said.key_points
    assert other.key_points[0].status != Status.covered, other.key_points
    assert other.overall <= said.overall - 30, (other.overall, said.overall)


def test_the_ceiling_is_the_backgrounds_second_highest_cosine() -> None:
    import numpy as np

    from prep_agent.grading.calibration import ceilings
    from prep_agent.grading.rubric import Rubric

    claims = np.eye(3, dtype=np.float32)[:2]
    background = np.array([[0.9, 0.1, 0.0], [0.5, 0.2, 0.0], [0.1, 0.3, 0.0]], dtype=np.float32)
    assert ceilings(claims, background).tolist() == pytest.approx([0.9, 0.3])
    assert ceilings(claims, background, rank=2).tolist() == pytest.approx([0.5, 0.2])
    # One sentence's accident of wording does not set the bar; a rank past the end is the lowest.
    assert ceilings(claims, background, rank=9).tolist() == pytest.approx([0.1, 0.1])
    assert Rubric().cal_ceiling_rank == 2
