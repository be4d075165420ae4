"""BlendedGrader: the offline ledger plus an LLM judge's verdict, keeping only real quotes.

The judge reads meaning better; the offline ledger keeps it honest. Every judge credit needs a
quote found in the answer. The judge can lower a score relative to the evidence, never raise it
past its own ledger, and the offline guards stay final: an empty or injected answer scores 0,
and an offline contradiction, question echo or keyword list caps the blended score at the
offline one (a judge that quotes any real sentence cannot lift a contradicted answer to 60).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from prep_agent.errors import LLMError
from prep_agent.grading import aggregate
from prep_agent.grading.claims import is_labelled, split_claims
from prep_agent.grading.judge import (
    JudgedClaim,
    JudgedHit,
    JudgedKeyPoint,
    JudgeVerdict,
    ask_judge,
    builtin_judge_prompt,
    model_name,
    verified,
)
from prep_agent.grading.models import (
    FLAGS,
    MAX_ANSWER_CHARS,
    AvoidHit,
    ClaimResult,
    CriterionResult,
    KeyPointResult,
    ResumeHit,
    Score,
    ScoreRequest,
    Status,
)
from prep_agent.grading.offline import OfflineGrader
from prep_agent.grading.prepare import clip_list
from prep_agent.grading.rubric import Rubric
from prep_agent.text.match import clean

# Offline findings the judge cannot overrule (issue 9 item 8).
CAPPING_FLAGS = ("contradiction", "question_echo", "keyword_list")
_STRENGTH = aggregate.STATUS_STRENGTH


class BlendedGrader:
    """Offline grade, then the judge's verified verdict blended in (`rubric.llm_weight`)."""

    def __init__(
        self,
        offline: OfflineGrader,
        chat_model: BaseChatModel,
        judge_prompt: ChatPromptTemplate | None = None,
    ) -> None:
        self.offline = offline
        self.chat_model = chat_model
        self.judge_prompt = judge_prompt

    @property
    def rubric(self) -> Rubric:
        """The offline grader's rubric, which also holds the blend weight."""
        return self.offline.rubric

    def grade(self, req: ScoreRequest) -> Score:
        """Grade offline, then blend in the judge's verified judgement."""
        offline = self.offline.grade(req)
        name = model_name(self.chat_model)
        guard = next((f for f in ("empty", "prompt_injection") if f in offline.flags), None)
        if guard:
            # Nothing to judge, or text aimed at the grader: the offline verdict is final.
            return offline.model_copy(
                update={"engine": f"offline (llm skipped: {guard})", "model": name}
            )
        source = "prompt set" if self.judge_prompt is not None else "built-in"
        prompt = self.judge_prompt if self.judge_prompt is not None else builtin_judge_prompt()
        answer = req.answer[:MAX_ANSWER_CHARS]
        key_points = clip_list(req.key_points)
        try:
            verdict = ask_judge(
                self.chat_model,
                prompt,
                clean(req.question),
                answer,
                key_points,
                clip_list(req.resume_links),
                clip_list(req.avoid),
                claims=[split_claims(k) for k in key_points],
                question_type=offline.question_type,
                criteria=[f"{c.name}: {c.label}" for c in offline.criteria],
            )
        except LLMError as exc:
            return offline.model_copy(
                update={
                    "engine": f"offline (llm failed: {str(exc)[:120]})",
                    "model": name,
                    "llm_error": str(exc),
                    "judge_prompt": source,
                    "rationale": offline.rationale
                    + " The LLM judge failed, so this is the offline score.",
                }
            )
        return _blend(offline, verdict, answer, name, source, req, self.rubric)


def _judged_for(result: KeyPointResult, index: int, verdict: JudgeVerdict) -> JudgedKeyPoint | None:
    """The judge's entry for a key point: same text, else the same position in the list."""
    wanted = " ".join(result.key_point.lower().split())
    for judged in verdict.key_points:
        if " ".join(judged.key_point.lower().split()) == wanted:
            return judged
    return verdict.key_points[index] if index < len(verdict.key_points) else None


def _named(entries: list[JudgedClaim], text: str, index: int) -> JudgedClaim | None:
    wanted = " ".join(text.lower().split())
    for entry in entries:
        norm = " ".join(entry.text.lower().split())
        if norm and (norm == wanted or norm in wanted or wanted in norm):
            return entry
    return entries[index] if index < len(entries) else None


def _blend_status(strength: float, rubric: Rubric) -> Status:
    return Status(rubric.status_for(strength))


def _blend_claims(
    off: KeyPointResult, judged: JudgedKeyPoint | None, answer: str, rubric: Rubric
) -> list[ClaimResult]:
    """Per-claim blend: the judge's claim status (with a real quote) mixed with the offline one."""
    out: list[ClaimResult] = []
    for i, claim in enumerate(off.claims):
        entry = _named(judged.claims, claim.text, i) if judged else None
        quotes = verified(entry.evidence, answer) if entry else []
        status = Status(entry.status) if entry and quotes else Status.missing
        if claim.status == Status.contradicted or status == Status.contradicted:
            out.append(
                claim.model_copy(
                    update={
                        "status": Status.contradicted,
                        "strength": 0.0,
                        "evidence": list(dict.fromkeys(claim.evidence + quotes)),
                    }
                )
            )
            continue
        w = rubric.llm_weight
        strength = w * _STRENGTH[status] + (1 - w) * claim.strength
        blended = _blend_status(strength, rubric)
        evidence = list(dict.fromkeys(quotes + claim.evidence)) if blended != "missing" else []
        out.append(
            ClaimResult(
                text=claim.text, status=blended, strength=round(strength, 3), evidence=evidence
            )
        )
    return out


def _blend_criteria(
    offline: Score, verdict: JudgeVerdict, answer: str, rubric: Rubric
) -> list[CriterionResult]:
    out: list[CriterionResult] = []
    for i, crit in enumerate(offline.criteria):
        entry = _named(verdict.criteria, crit.name, i) if verdict.criteria else None
        quotes = verified(entry.evidence, answer) if entry else []
        if entry is None or not quotes or crit.status == Status.contradicted:
            out.append(crit)
            continue
        w = rubric.llm_weight
        strength = w * _STRENGTH[Status(entry.status)] + (1 - w) * crit.strength
        status = (
            Status.contradicted
            if entry.status == "contradicted"
            else _blend_status(strength, rubric)
        )
        out.append(
            crit.model_copy(
                update={
                    "status": status,
                    "strength": 0.0 if status == Status.contradicted else round(strength, 3),
                    "evidence": list(dict.fromkeys(quotes + crit.evidence))[:3],
                }
            )
        )
    return out


def _blend(
    offline: Score,
    verdict: JudgeVerdict,
    answer: str,
    name: str,
    source: str,
    req: ScoreRequest,
    rubric: Rubric,
) -> Score:
    ledger: list[KeyPointResult] = []
    llm_ledger: list[KeyPointResult] = []
    dropped = 0
    w = rubric.llm_weight
    for i, off in enumerate(offline.key_points):
        judged = _judged_for(off, i, verdict)
        status = Status(judged.status) if judged else Status.missing
        quotes = verified(judged.evidence, answer) if judged else []
        if status != Status.missing and not quotes:
            dropped += 1  # a credit (or charge) without a real quote does not count
            status = Status.missing
        llm_ledger.append(
            KeyPointResult(
                key_point=off.key_point, status=status, strength=_STRENGTH[status], evidence=quotes
            )
        )
        claims = _blend_claims(off, judged, answer, rubric)
        if status == Status.contradicted or off.status == Status.contradicted:
            evidence = list(dict.fromkeys(quotes + off.evidence))
            ledger.append(
                KeyPointResult(
                    key_point=off.key_point,
                    status=Status.contradicted,
                    strength=0.0,
                    evidence=evidence,
                    claims=claims,
                )
            )
            continue
        strength = w * _STRENGTH[status] + (1 - w) * off.strength
        blended = _blend_status(strength, rubric)
        evidence = list(dict.fromkeys(quotes + off.evidence)) if blended != "missing" else []
        ledger.append(
            KeyPointResult(
                key_point=off.key_point,
                status=blended,
                strength=round(strength, 3),
                evidence=evidence,
                claims=claims,
            )
        )
    criteria = _blend_criteria(offline, verdict, answer, rubric)
    resume = _merge_hits(offline.resume, verdict.resume, answer, req.resume_links, ResumeHit)
    avoid = _merge_hits(offline.avoid_hits, verdict.avoid_hits, answer, req.avoid, AvoidHit)
    judge_flags = {f.strip().lower() for f in verdict.flags}
    flags = [f for f in FLAGS if f in offline.flags or f in judge_flags]
    if any(r.status == Status.contradicted for r in ledger) and "contradiction" not in flags:
        flags = [f for f in FLAGS if f in flags or f == "contradiction"]
    relevance = 0.0 if "off_topic" in flags else 1.0
    qtype = offline.question_type
    llm_part = float(
        aggregate.overall_score(
            llm_ledger,
            resume,
            avoid,
            flags,
            offline.delivery,
            rubric,
            relevance,
            criteria,
            qtype,
            any(is_labelled(k) for k in req.key_points),
        )
    )
    if verdict.overall is not None:
        # The judge's own number may lower its ledger score, never raise it past the evidence.
        llm_part = min(llm_part, verdict.overall)
    overall = int(round(w * llm_part + (1 - w) * offline.overall))
    if any(f in offline.flags for f in CAPPING_FLAGS):
        # The offline rules saw a contradiction, an echo or a bare list: the judge cannot
        # lift the answer above the offline score.
        overall = min(overall, offline.overall)
    if "prompt_injection" in flags or "empty" in flags:
        # The judge saw instructions aimed at it (or no answer): no credit, whatever it says.
        overall = 0
        ledger = [
            r.model_copy(update={"status": Status.missing, "strength": 0.0, "evidence": []})
            for r in ledger
        ]
    note = (
        f" {dropped} judge credit(s) dropped: quoted evidence not in the answer." if dropped else ""
    )
    return offline.model_copy(
        update={
            "overall": max(0, min(100, overall)),
            "key_points": ledger,
            "criteria": criteria,
            "resume": resume,
            "avoid_hits": avoid,
            "flags": flags,
            "engine": f"llm:{name}",
            "model": name,
            "rationale": (verdict.rationale.strip() or offline.rationale) + note,
            "next_time": verdict.next_time
            or aggregate.next_time_tips(
                ledger, avoid, offline.delivery, criteria, req.interview_tip
            ),
            "judge_prompt": source,
        }
    )


def _known_item(text: str, items: list[str]) -> str | None:
    """The request's own resume fact / avoid item the judge named (exact or contained)."""
    wanted = " ".join(text.lower().split())
    for item in items:
        norm = " ".join(item.lower().split())
        if wanted and (wanted == norm or wanted in norm or norm in wanted):
            return item
    return None


def _merge_hits(
    offline: list[Any], judged: list[JudgedHit], answer: str, items: list[str], model: Any
) -> list[Any]:
    """Offline hits plus the judge's, when it names a listed item and quotes the answer."""
    merged = {(h.fact if isinstance(h, ResumeHit) else h.avoid): list(h.evidence) for h in offline}
    for hit in judged:
        item = _known_item(hit.text, items)
        quotes = verified(hit.evidence, answer)
        if item is not None and quotes:
            merged[item] = list(dict.fromkeys(merged.get(item, []) + quotes))
    key = "fact" if model is ResumeHit else "avoid"
    return [model(**{key: text, "evidence": ev}) for text, ev in merged.items()]
