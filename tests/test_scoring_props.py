"""Property tests: arbitrary unicode, control characters and 1 MB answers never crash the grader."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prep_agent.grading.models import FLAGS, MAX_ANSWER_CHARS, Score, ScoreRequest
from prep_agent.grading.offline import score_offline

KEY_POINTS = ["DGX Spark is a mini PC that brings data center AI to developer desktops",
              "It is built on Blackwell GPUs"]
CONTROL = st.characters(min_codepoint=0, max_codepoint=31) | st.sampled_from(
    ["\x7f", "\u200b", "\u202e", "\ufeff", "\u2028", "\ud7ff", "\U0010ffff"]
)
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(score: Score, answer: str) -> None:
    assert 0 <= score.overall <= 100
    assert set(score.flags) <= set(FLAGS)
    assert len(score.key_points) == len(KEY_POINTS)
    for result in score.key_points:
        assert 0.0 <= result.strength <= 1.0
        assert all(q in answer for q in result.evidence)
    for hit in [*score.resume, *score.avoid_hits]:
        assert all(q in answer for q in hit.evidence)
    score.model_dump_json()  # serialisable, whatever the input


@PROPS
@given(answer=st.text(max_size=400))
def test_any_unicode_answer_is_graded(encoder: object, answer: str) -> None:
    req = ScoreRequest(question="What is DGX Spark?", answer=answer, key_points=KEY_POINTS,
                       resume_links=["VMware governance"], avoid=["hardware such as NVLink"])
    check(score_offline(req, encoder), answer)  # type: ignore[arg-type]


@PROPS
@given(
    answer=st.lists(st.text(max_size=20) | CONTROL, max_size=30).map("".join),
    question=st.text(max_size=80),
    key_points=st.lists(st.text(max_size=60), max_size=3),
)
def test_control_characters_anywhere_never_crash(
    encoder: object, answer: str, question: str, key_points: list[str]
) -> None:
    req = ScoreRequest(question=question, answer=answer, key_points=key_points,
                       avoid=[answer[:30]], resume_links=[question[:30]])
    score = score_offline(req, encoder)  # type: ignore[arg-type]
    assert 0 <= score.overall <= 100
    assert all(q in answer for r in score.key_points for q in r.evidence)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=st.text(min_size=1, max_size=40), tail=st.text(max_size=10))
def test_one_megabyte_answers_are_truncated_not_fatal(
    encoder: object, unit: str, tail: str
) -> None:
    answer = (unit * (1_000_000 // len(unit) + 1))[:1_000_000] + tail
    req = ScoreRequest(question="What is DGX Spark?", answer=answer, key_points=KEY_POINTS)
    score = score_offline(req, encoder)  # type: ignore[arg-type]
    check(score, answer)
    assert score.truncated is True
    assert len(answer) > MAX_ANSWER_CHARS
