"""Render a stored session as Markdown or JSON with provenance, and name export files safely."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from prep_agent import __version__
from prep_agent.grading.report import CardLine, ScoreCard, SectionKind
from prep_agent.text.markdown import md_inline, md_text
from prep_agent.text.redact import scrub
from prep_agent.transcripts.records import KeyPointResult, Session, SessionSummary, Turn

EXPORT_FORMAT = "prep-agent-transcript"
EXPORT_VERSION = 1


def _ledger_dict(kp: KeyPointResult) -> dict[str, Any]:
    return {"key_point": kp.key_point, "topic": kp.topic, "status": kp.status,
            "strength": kp.strength, "evidence": list(kp.evidence)}


def session_to_json(session: Session, secrets: tuple[str, ...] = ()) -> dict[str, Any]:
    """The session as a JSON-able dict: provenance, summary, turns, key-point ledger."""
    info = session.info
    by_id = {t.id: t for t in session.turns}
    turns = [{
        "id": t.id, "seq": t.seq, "parent_id": t.parent_id,
        "parent_seq": by_id[t.parent_id].seq if t.parent_id in by_id else None,
        "question": t.question, "asked_at": t.asked_at, "answer": t.answer,
        "answered_at": t.answered_at, "overall": t.overall,
        "key_points": [_ledger_dict(kp) for kp in t.ledger], "score": t.score,
        "score_error": t.score_error, "scored_at": t.scored_at, "timings": t.timings,
    } for t in session.turns]
    ledger = [{"turn_seq": t.seq, **_ledger_dict(kp)} for t in session.turns for kp in t.ledger]
    data = {
        "format": EXPORT_FORMAT, "version": EXPORT_VERSION,
        "provenance": {
            "app": "prep-agent", "app_version": __version__,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "prompt_set": info.prompt_set, "prompt_hash": info.prompt_hash,
            "engine": info.engine, "model": info.model, "settings": session.settings,
        },
        "session": {**info.to_dict(), "summary": session.summary},
        "key_point_ledger": ledger,
        "turns": turns,
    }
    result: dict[str, Any] = scrub(data, secrets)
    return result


# Every user, notes or model string goes through md_inline/md_text: exports are inert in any
# CommonMark viewer (no tag, link or image from an answer or a notes file survives).
def _cell(text: Any) -> str:
    return md_inline(text)


def _code(text: str | None) -> str:
    return re.sub(r"[`\s]+", "", text or "") or "—"


def _quote(text: str) -> str:
    return "\n".join(f"> {md_text(line)}" if line else ">" for line in text.splitlines() or [""])


def _quotes(quotes: tuple[str, ...]) -> str:
    return "; ".join(f"“{md_inline(q)}”" for q in quotes)


def _line_md(line: CardLine) -> str:
    if line.code and line.text and line.code != line.text:
        head = f"{line.code}: {line.text}" if line.status is None else line.text
    else:
        head = line.text or line.code or ""
    head = md_inline(head)
    if line.status is not None:
        head += f" ({md_inline(line.status)}, {line.strength or 0:.2f})"
    return f"{head} — {_quotes(line.quotes)}" if line.quotes else head


def _card_md(card: ScoreCard) -> list[str]:
    lines: list[str] = []
    for section in card.sections:
        if section.kind == SectionKind.key_points:
            lines += ["| Key point | Status | Strength | Evidence |", "|---|---|---|---|"]
            for kp in section.lines:
                ev = " / ".join(f"“{_cell(e)}”" for e in kp.quotes) or "—"
                lines.append(f"| {_cell(kp.text)} | {_cell(kp.status)} | "
                             f"{kp.strength or 0:.2f} | {ev} |")
            lines.append("")
        else:
            lines += [f"*{md_inline(section.title)}:*",
                      *[f"- {_line_md(e)}" for e in section.lines], ""]
    if card.thread_coverage:
        lines += [f"*Thread coverage:* {md_inline(card.thread_coverage)}", ""]
    if card.delivery:
        lines += ["*Delivery:* " + md_inline("; ".join(f"{k}: {v}" for k, v in card.delivery)),
                  ""]
    if card.llm_error:
        lines += [f"*LLM judge:* {md_inline(card.llm_error)} (offline score shown)", ""]
    if card.rationale:
        lines += [f"*Rationale:* {md_inline(card.rationale)}", ""]
    return lines


def _score_md(turn: Turn) -> list[str]:
    lines: list[str] = []
    card = turn.card
    if turn.overall is not None and card is not None:
        engine = (f" · engine {md_inline(card.engine)}"
                  if turn.score and turn.score.get("engine") else "")
        return [f"**Score: {turn.overall:g}/100**{engine}", "", *_card_md(card)]
    if turn.score_error:
        lines += [f"**Not scored:** {md_inline(turn.score_error)}", ""]
    elif turn.answer is not None:
        lines += ["*Not scored yet.*", ""]
    return lines


def session_to_markdown(session: Session, secrets: tuple[str, ...] = ()) -> str:
    """The session as a readable Markdown document with provenance and every score card."""
    info = session.info
    avg = "—" if info.average_score is None else f"{info.average_score:g}/100"
    lines = [
        f"# Prep Agent session {info.id}", "",
        f"- Started: {info.started_at}" + (f" · Ended: {info.ended_at}" if info.ended_at else
                                          " · *not finished*"),
        f"- Prompt set: {md_inline(info.prompt_set)} (hash `{_code(info.prompt_hash)}`)",
        f"- Engine: {md_inline(info.engine)} · Model: {md_inline(info.model or '—')}",
        f"- Topics: {md_inline(', '.join(info.topics)) or 'all'}",
        f"- Questions: {info.n_questions} · Follow-ups: {info.n_follow_ups} · "
        f"Answered: {info.n_answered} · Average score: {avg}",
        f"- Exported by prep-agent {__version__}", "",
    ]
    for place in session.numbered_turns():
        turn = place.turn
        heading = f"### {place.label}" if place.follow_up else f"## {place.label}"
        kind = md_inline(turn.type or "question")
        lines += [heading, "", f"*{kind} · asked {md_inline(turn.asked_at)}*", "",
                  md_text(turn.text), ""]
        if turn.skipped_at is not None:
            lines += ["*Skipped.*", ""]
            continue
        lines += ["**Answer**", "", _quote(turn.answer) if turn.answer is not None else
                  "*No answer given.*", ""]
        lines += _score_md(turn)
        if turn.citations:
            lines.append("*Notes cited:* " + "; ".join(md_inline(f"{c.source}:{c.line}")
                                                       for c in turn.citations))
            lines.append("")
    if session.summary:
        lines += ["## Summary", ""]
        text = session.summary.get("text") if isinstance(session.summary, dict) else None
        lines += [md_text(text) if text else "", ""]
        for key, value in session.summary.items():
            if key != "text" and isinstance(value, str | int | float):
                lines.append(f"- {md_inline(key)}: {md_inline(value)}")
        lines.append("")
    result: str = scrub("\n".join(lines).rstrip() + "\n", secrets)
    return result


def export_filename(info: SessionSummary, fmt: str) -> str:
    """A safe file name such as prep-agent-session-12-2026-11-25-hiring-manager.md."""
    ext = {"md": "md", "markdown": "md", "json": "json"}.get(fmt.lower(), "txt")
    stem = f"prep-agent-session-{info.id}-{info.started_at[:10]}-{info.prompt_set}"
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:120].strip("-")
    return f"{safe or 'prep-agent-session'}.{ext}"
