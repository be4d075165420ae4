"""The end-of-session report: counts from the transcript, thread coverage, what was missed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from prep_agent.grading.thread import (
    KeyPointLevel,
    ScoreLike,
    ThreadAnswer,
    ThreadRecord,
    build_ledger,
    key_point_levels,
    thread_coverage,
)

if TYPE_CHECKING:
    from prep_agent.interview.interviewer import Question

# The next stricter built-in set; a set missing here (bar-raiser, a copy) gets no set named.
STRICTER = {"recruiter-screen": "hiring-manager", "elevator-drill": "hiring-manager",
            "hiring-manager": "bar-raiser"}


class OverallLike(ScoreLike, Protocol):
    """A score with an overall grade."""

    @property
    def overall(self) -> float: ...


@dataclass(frozen=True)
class SessionCounts:
    """How many questions, follow-ups and answers the transcript holds."""

    questions: int
    follow_ups: int
    answered: int
    scored: int


def counts_from(results: Sequence[tuple[Question, OverallLike | None]]) -> SessionCounts:
    """Counts when only the answered turns are known."""
    mains = sum(1 for q, _ in results if q.parent_id is None)
    return SessionCounts(mains, len(results) - mains, len(results),
                         sum(1 for _, s in results if s is not None))


def thread_records(results: Sequence[tuple[Question, OverallLike | None]],
                   answers: Sequence[str] | None = None) -> list[ThreadRecord]:
    """Answered turns grouped by main question, in the order asked."""
    groups: dict[str, list[int]] = {}
    for i, (q, _) in enumerate(results):
        groups.setdefault(q.id.split(".f", 1)[0], []).append(i)
    out = []
    for indices in groups.values():
        main = results[indices[0]][0]
        out.append(ThreadRecord(
            main.type, tuple(main.thread_key_points or main.target_key_points),
            tuple(ThreadAnswer(answers[i] if answers else "", results[i][1]) for i in indices),
            main.topic))
    return out


def mastery_from_results(
    results: Sequence[tuple[Question, OverallLike | None]],
    answers: Sequence[str] | None = None,
) -> dict[str, float]:
    """Key point -> mastery 0..1 over this session's threads (grading.thread's definition)."""
    return {kp: level.mastery
            for kp, level in key_point_levels(thread_records(results, answers)).items()}


def _hint(prompt_set: str) -> str:
    stricter = STRICTER.get(prompt_set)
    if stricter:
        return f"No key point was missed: try a stricter prompt set such as {stricter}."
    return ("No key point was missed: ask for more questions or pick topics you have not "
            "practised yet.")


def session_summary(
    prompt_set: str, results: Sequence[tuple[Question, OverallLike | None]],
    counts: SessionCounts | None = None, answers: Sequence[str] | None = None,
    mastery: Mapping[str, float] | None = None,
) -> str:
    """A short report: counts, scores, thread coverage, covered and missed key points.

    `answers` are the answer texts (same order as `results`) for STAR/scenario elements;
    `mastery` the key points' mastery over every session, shown next to each point.
    """
    counts = counts or counts_from(results)
    lines = [f"Session summary: {counts.questions} question(s) and {counts.follow_ups} "
             f"follow-up(s) asked, {counts.scored} of {counts.answered} answer(s) scored; "
             f"prompt set {prompt_set}."]
    scored = [(q, s) for q, s in results if s is not None]
    if not scored:
        lines.append("No answers were scored, so there is nothing to grade yet.")
        return "\n".join(lines)
    average = sum(float(s.overall) for _, s in scored) / len(scored)
    best = max(scored, key=lambda r: float(r[1].overall))
    worst = min(scored, key=lambda r: float(r[1].overall))
    lines.append(f"Average score: {average:.0f}/100.")
    lines.append(f"Best: {best[1].overall:.0f}/100 on \"{best[0].text}\"")
    if worst is not best:
        lines.append(f"Lowest: {worst[1].overall:.0f}/100 on \"{worst[0].text}\"")
    threads = [t for t in thread_records(results, answers)
               if any(a.score is not None for a in t.answers)]
    coverage = [thread_coverage(build_ledger(t.question_type, t.key_points, t.answers))
                for t in threads]
    lines.append(f"Thread coverage: {100 * sum(coverage) / len(coverage):.0f}% over "
                 f"{len(threads)} thread(s).")
    levels: dict[str, KeyPointLevel] = key_point_levels(threads)
    covered = [kp for kp, lv in levels.items() if lv.last_status == "covered"]
    missed = [kp for kp, lv in levels.items() if lv.last_status != "covered"]
    cite = {kp: c for q, _ in scored for kp in q.target_key_points for c in q.citations[:1]}

    def shown(kp: str) -> str:
        where = f" ({cite[kp].source}:{cite[kp].line})" if kp in cite else ""
        level = f" [mastery {100 * mastery[kp]:.0f}]" if mastery and kp in mastery else ""
        return f"  - {kp}{where}{level}"

    if covered:
        lines.append("Covered in this session:")
        lines += [shown(kp) for kp in covered]
    if missed:
        lines.append("Work on next (the planner asks these again once every item has come up):")
        lines += [shown(kp) for kp in missed]
    else:
        lines.append(_hint(prompt_set))
    return "\n".join(lines)
