"""Grading entry points: `score_offline` (embeddings + lexical evidence) and `score_answer`,
which blends in an LLM judge's verdict when a chat model is given, keeping only real quotes.

See prep_agent/offline.py for the offline method and its limits (MAX_ANSWER_CHARS truncation).
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from prep_agent.errors import LLMError
from prep_agent.grading.judge import (
    JudgedHit,
    JudgedKeyPoint,
    JudgeVerdict,
    ask_judge,
    builtin_judge_prompt,
    model_name,
    verified,
)
from prep_agent.grading.keypoints import COVERED_AT, PARTIAL_AT, clip_list
from prep_agent.grading.models import (
    FLAGS,
    MAX_ANSWER_CHARS,
    AvoidHit,
    Encoder,
    KeyPointResult,
    ResumeHit,
    Score,
    ScoreRequest,
    Status,
)
from prep_agent.grading.offline import next_time_tips, overall_score, score_offline
from prep_agent.text.match import clean

LLM_WEIGHT = 0.6  # the judge reads meaning better; the offline ledger keeps it honest
_STATUS_STRENGTH = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}


def score_answer(
    req: ScoreRequest,
    encoder: Encoder,
    chat_model: BaseChatModel | None = None,
    judge_prompt: ChatPromptTemplate | None = None,
) -> Score:
    """Grade offline, then, when a chat model is given, blend in its verified judgement."""
    offline = score_offline(req, encoder)
    if chat_model is None:
        return offline
    name = model_name(chat_model)
    guard = next((f for f in ("empty", "prompt_injection") if f in offline.flags), None)
    if guard:
        # Nothing to judge, or text aimed at the grader: the offline verdict is final.
        return offline.model_copy(
            update={"engine": f"offline (llm skipped: {guard})", "model": name}
        )
    prompt_source = "prompt set" if judge_prompt is not None else "built-in"
    prompt = judge_prompt if judge_prompt is not None else builtin_judge_prompt()
    answer = req.answer[:MAX_ANSWER_CHARS]
    try:
        verdict = ask_judge(
            chat_model,
            prompt,
            clean(req.question),
            answer,
            clip_list(req.key_points),
            clip_list(req.resume_links),
            clip_list(req.avoid),
        )
    except LLMError as exc:
        return offline.model_copy(
            update={
                "engine": f"offline (llm failed: {str(exc)[:120]})",
                "model": name,
                "llm_error": str(exc),
                "judge_prompt": prompt_source,
                "rationale": offline.rationale
                + " The LLM judge failed, so this is the offline score.",
            }
        )
    return _blend(offline, verdict, answer, name, prompt_source, req)


def _judged_for(result: KeyPointResult, index: int, verdict: JudgeVerdict) -> JudgedKeyPoint | None:
    """The judge's entry for a key point: same text, else the same position in the list."""
    wanted = " ".join(result.key_point.lower().split())
    for judged in verdict.key_points:
        if " ".join(judged.key_point.lower().split()) == wanted:
            return judged
    return verdict.key_points[index] if index < len(verdict.key_points) else None


def _blend(
    offline: Score, verdict: JudgeVerdict, answer: str, name: str, source: str, req: ScoreRequest
) -> Score:
    ledger: list[KeyPointResult] = []
    llm_ledger: list[KeyPointResult] = []
    dropped = 0
    for i, off in enumerate(offline.key_points):
        judged = _judged_for(off, i, verdict)
        status = judged.status if judged else "missing"
        quotes = verified(judged.evidence, answer) if judged else []
        if status != "missing" and not quotes:
            dropped += 1  # a credit (or charge) without a real quote does not count
            status = "missing"
        llm_ledger.append(
            KeyPointResult(
                key_point=off.key_point,
                status=status,  # type: ignore[arg-type]
                strength=_STATUS_STRENGTH[status],
                evidence=quotes,
            )
        )
        strength = LLM_WEIGHT * _STATUS_STRENGTH[status] + (1 - LLM_WEIGHT) * off.strength
        if status == "contradicted":
            ledger.append(
                KeyPointResult(
                    key_point=off.key_point, status="contradicted", strength=0.0, evidence=quotes
                )
            )
            continue
        blended: Status = (
            "covered"
            if strength >= COVERED_AT
            else "partial"
            if strength >= PARTIAL_AT
            else "missing"
        )
        evidence = list(dict.fromkeys(quotes + off.evidence)) if blended != "missing" else []
        ledger.append(
            KeyPointResult(
                key_point=off.key_point,
                status=blended,
                strength=round(strength, 3),
                evidence=evidence,
            )
        )
    resume = _merge_hits(offline.resume, verdict.resume, answer, req.resume_links, ResumeHit)
    avoid = _merge_hits(offline.avoid_hits, verdict.avoid_hits, answer, req.avoid, AvoidHit)
    judge_flags = {f.strip().lower() for f in verdict.flags}
    flags = [f for f in FLAGS if f in offline.flags or f in judge_flags]
    if any(r.status == "contradicted" for r in ledger) and "contradiction" not in flags:
        flags = [f for f in FLAGS if f in flags or f == "contradiction"]
    relevance = 0.0 if "off_topic" in flags else 1.0
    llm_part = float(overall_score(llm_ledger, resume, avoid, flags, offline.delivery, relevance))
    if verdict.overall is not None:
        # The judge's own number may lower its ledger score, never raise it past the evidence.
        llm_part = min(llm_part, verdict.overall)
    overall = int(round(LLM_WEIGHT * llm_part + (1 - LLM_WEIGHT) * offline.overall))
    if "prompt_injection" in flags or "empty" in flags:
        # The judge saw instructions aimed at it (or no answer): no credit, whatever it says.
        overall = 0
        ledger = [
            r.model_copy(update={"status": "missing", "strength": 0.0, "evidence": []})
            for r in ledger
        ]
    note = (
        f" {dropped} judge credit(s) dropped: quoted evidence not in the answer." if dropped else ""
    )
    return offline.model_copy(
        update={
            "overall": max(0, min(100, overall)),
            "key_points": ledger,
            "resume": resume,
            "avoid_hits": avoid,
            "flags": flags,
            "engine": f"llm:{name}",
            "model": name,
            "rationale": (verdict.rationale.strip() or offline.rationale) + note,
            "next_time": verdict.next_time or next_time_tips(ledger, avoid, offline.delivery),
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
