"""Avoid notes: parsing the note, and hits only where the answer strays into what it forbids."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prep_agent.grading.avoid import parse_avoid
from prep_agent.grading.models import ScoreRequest
from prep_agent.grading.offline import score_offline
from prep_agent.knowledge.embeddings import Encoder

SEED_NOTE = "Skip DGX hardware details (e.g., NVLink). Focus on its role in tool ecosystems."
QUESTION = "Why do DGX systems matter to a technical program manager who coordinates tools?"
KEY_POINTS = [
    "DGX systems are NVIDIA's flagship AI platforms for training and inference, "
    "in data centers and now on desktops",
    "A TPM coordinates tool integration and scalability for DGX environments",
]
RESUME = ["Microsoft provisioning of 15,000 servers", "a $300M program"]


@pytest.mark.parametrize(
    ("note", "clause", "examples"),
    [
        (SEED_NOTE, "DGX hardware details", ("NVLink",)),
        ("hardware details such as NVLink", "hardware details", ("NVLink",)),
        ("Avoid jargon-heavy answers", "jargon-heavy answers", ()),
        ("Don't bring up pricing", "pricing", ()),
        ("Don't talk about salary expectations", "salary expectations", ()),
        ("Skip internals, and focus on the user's view", "internals", ()),
        ("Don't recite kubectl flags. Focus on outcomes for teams.", "kubectl flags", ()),
        ("Do not claim the default scheduler does gang scheduling.",
         "the default scheduler does gang scheduling", ()),
        ("Avoid sounding like a salesperson", "sounding like a salesperson", ()),
        ("Skip buzzwords (like synergy)", "buzzwords", ("synergy",)),
        ("No need for a history lesson; instead explain what it does today",
         "a history lesson", ()),
        ("Skip YAML syntax (e.g., apiVersion, kind). Focus on behaviour.", "YAML syntax",
         ("apiVersion", "kind")),
    ],
)
def test_avoid_note_is_reduced_to_what_it_forbids(
    note: str, clause: str, examples: tuple[str, ...]
) -> None:
    rule = parse_avoid(note)
    assert rule.clause == clause
    assert rule.examples == examples


AVOID_CASES = [
    # (note, answer, hit?)
    (SEED_NOTE, "DGX systems scale AI from enterprise data centers to developer PCs, combining "
     "GPUs and software for training and inference. At Microsoft I provisioned 15,000 servers.",
     False),
    (SEED_NOTE, "It is powerful hardware, and a TPM makes the tools on it work together.", False),
    (SEED_NOTE, "A TPM keeps schedulers, monitoring and the software stack integrated so teams "
     "can scale.", False),
    (SEED_NOTE, "Spark has a GB10 superchip with NVLink-C2C and 128 GB of unified LPDDR5x memory.",
     True),
    (SEED_NOTE, "Each node has eight GPUs with 640 GB of HBM3 and 900 GB/s links between them.",
     True),
    (SEED_NOTE, "The DGX H100 packs eight H100 GPUs connected through NVSwitch.", True),
    (SEED_NOTE, "The systems are built with very fast GPU interconnects and lots of "
     "high-bandwidth memory.", True),
    ("hardware details such as NVLink", "Under the hood the GPUs talk over NVLink.", True),
    ("Don't bring up pricing", "DGX systems are NVIDIA's AI platforms for training and "
     "inference.", False),
    ("Don't bring up pricing", "I ran a $300M provisioning program at Microsoft.", False),
    ("Don't bring up pricing", "A DGX Spark costs about $3,999, which is cheap for what you get.",
     True),
    ("Don't bring up pricing", "The price tag is high, but it pays for itself.", True),
    ("Avoid jargon-heavy answers", "A TPM makes sure the tools work together as teams grow.",
     False),
    ("Avoid jargon-heavy answers", "We wired NCCL over RoCE with SHARP and GPUDirect RDMA into the "
     "k8s CNI.", True),
    ("Don't bring up blame or specific people's mistakes", "I review risks weekly with owners.",
     False),
    ("Don't bring up blame or specific people's mistakes", "I blame the vendor for the delay.",
     True),
    ("Don't bring up blame or specific people's mistakes", "It keeps a set number of pod copies "
     "running and restarts them if they die.", False),
    # Semantic: not all (or none) of the note's words, but about it and about no key point.
    ("Don't discuss competitors", "Competing products from other vendors are cheaper.", True),
    ("Don't discuss competitors", "A TPM makes the tools integrate across DGX environments.",
     False),
    ("Don't talk about salary expectations",
     "I'm hoping for a higher salary than in my current job.",
     True),
    ("Don't talk about salary expectations", "DGX brings data center AI to developer desktops.",
     False),
    ("Deep dives into InfiniBand signalling.", "The nodes talk over InfiniBand.", True),
    ("Deep dives into InfiniBand signalling.", "A TPM lines up the cluster tools with users.",
     False),
    ("Deep dives into InfiniBand signalling.", "Spark has a GB10 superchip with NVLink-C2C and "
     "128 GB of unified LPDDR5x memory.", False),
    ("Don't recite kubectl flags. Focus on outcomes for teams.",
     "I'd run kubectl with the --dry-run and -o yaml flags.", True),
    ("Don't recite kubectl flags. Focus on outcomes for teams.",
     "Teams ship faster because rollouts are automatic.", False),
    ("Do not claim the default scheduler does gang scheduling.",
     "The default scheduler does gang scheduling for DGX jobs.", True),
    ("Do not claim the default scheduler does gang scheduling.",
     "The default scheduler does not do gang scheduling, so we add a batch scheduler.", False),
    ("Avoid sounding like a salesperson", "That sounds like a plan the team can own.", False),
    ("Skip buzzwords (like synergy)", "The synergy between the teams is unmatched.", True),
]


@pytest.mark.parametrize(("note", "answer", "hit"), AVOID_CASES)
def test_avoid_hits_need_the_answer_to_stray(
    encoder: Encoder, note: str, answer: str, hit: bool
) -> None:
    req = ScoreRequest(
        question=QUESTION, answer=answer, key_points=KEY_POINTS, resume_links=RESUME, avoid=[note]
    )
    score = score_offline(req, encoder)
    assert bool(score.avoid_hits) is hit, score.avoid_hits
    for h in score.avoid_hits:
        assert h.avoid == note
        assert all(q in answer for q in h.evidence)


def test_restating_a_key_point_is_not_an_avoid_hit_and_keeps_its_score(encoder: Encoder) -> None:
    answer = AVOID_CASES[0][1]
    with_note = score_offline(
        ScoreRequest(question=QUESTION, answer=answer, key_points=KEY_POINTS, avoid=[SEED_NOTE]),
        encoder,
    )
    without = score_offline(
        ScoreRequest(question=QUESTION, answer=answer, key_points=KEY_POINTS), encoder
    )
    assert with_note.overall == without.overall


def test_encode_cached_matches_encode_and_stays_bounded(encoder: Encoder) -> None:
    from prep_agent.knowledge.embeddings import CACHE_SIZE

    texts = ["DGX Spark is a desktop AI computer", "A TPM aligns feedback", "DGX Spark is a "
             "desktop AI computer"]
    np.testing.assert_allclose(encoder.encode_cached(texts), encoder.encode(texts), atol=1e-5)
    encoder.encode_cached([f"text {i}" for i in range(CACHE_SIZE + 10)], batch_size=64)
    assert len(encoder._cache) == CACHE_SIZE


@settings(max_examples=40, deadline=None)
@given(note=st.text(max_size=200))
def test_any_avoid_note_parses(note: str) -> None:
    rule = parse_avoid(note)
    assert isinstance(rule.clause, str)
    assert all(isinstance(e, str) and e for e in rule.examples)
