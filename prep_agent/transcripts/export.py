"""Render a stored session as Markdown or JSON with provenance, and name export files safely."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from prep_agent import __version__
from prep_agent.text.redact import scrub
from prep_agent.transcripts.records import KeyPointResult, Session, SessionSummary, Turn

EXPORT_FORMAT = "prep-agent-transcript"
EXPORT_VERSION = 1
_HEAD_KEYS = ("fact", "avoid", "text", "item", "label", "term", "name")


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


def _cell(text: Any) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def _items(value: Any) -> list[str]:
    """Render a list of strings or {fact/text/item/..., evidence} dicts as bullet texts."""
    out: list[str] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            head = next((str(item[k]) for k in _HEAD_KEYS if item.get(k)), "")
            ev = item.get("evidence") or item.get("quote")
            ev_text = "; ".join(f"“{e}”" for e in ev) if isinstance(ev, list) else (
                f"“{ev}”" if ev else "")
            out.append(f"{head} — {ev_text}" if ev_text else head)
        else:
            out.append(str(item))
    return out


def _spoken(spoken: dict[str, Any]) -> str:
    """A spoken answer's pace, first word, long pauses, fillers and transcriber in one phrase."""
    low, high = (list(spoken.get("target_wpm") or []) + [130, 160])[:2]
    parts = [f"{spoken.get('words_per_minute')} wpm ({spoken.get('pace')}, target {low}-{high})"]
    if spoken.get("time_to_first_word_s") is not None:
        parts.append(f"first word after {spoken['time_to_first_word_s']} s")
    pauses = [p for p in spoken.get("long_pauses") or [] if isinstance(p, dict)]
    parts.append(f"{len(pauses)} long pause(s)" + "".join(
        f", {p.get('seconds')} s after “{p.get('after_word')}”" for p in pauses))
    fillers = spoken.get("fillers") or {}
    parts.append("fillers: " + (", ".join(f"{k} ×{n}" for k, n in fillers.items()) or "none"))
    parts.append(f"heard by {spoken.get('transcriber')}")
    if spoken.get("audio_file"):
        parts.append(f"recording {spoken['audio_file']}")
    return "spoken: " + ", ".join(parts)


def _delivery(delivery: dict[str, Any]) -> str:
    parts: list[str] = []
    for key, value in delivery.items():
        label = key.replace("_", " ")
        if key == "spoken":
            if isinstance(value, dict):
                parts.append(_spoken(value))
        elif isinstance(value, dict):
            if value:
                parts.append(f"{label}: " + ", ".join(f"{k} ×{n}" for k, n in value.items()))
        elif isinstance(value, list):
            pairs = [p for p in value if isinstance(p, list | tuple) and len(p) == 2]
            if pairs:
                parts.append(f"{label}: " + ", ".join(f"{w} ×{n}" for w, n in pairs[:5]))
        elif value is not None:
            parts.append(f"{label}: {value}")
    return "; ".join(parts)


def _score_md(turn: Turn) -> list[str]:
    lines: list[str] = []
    score = turn.score or {}
    if turn.overall is not None:
        engine = f" · engine {score['engine']}" if score.get("engine") else ""
        lines += [f"**Score: {turn.overall:g}/100**{engine}", ""]
    elif turn.score_error:
        lines += [f"**Not scored:** {turn.score_error}", ""]
    elif turn.answer is not None:
        lines += ["*Not scored yet.*", ""]
    if turn.ledger:
        lines += ["| Key point | Status | Strength | Evidence |", "|---|---|---|---|"]
        for kp in turn.ledger:
            ev = " / ".join(f"“{e}”" for e in kp.evidence) or "—"
            lines.append(
                f"| {_cell(kp.key_point)} | {kp.status} | {kp.strength:.2f} | {_cell(ev)} |"
            )
        lines.append("")
    sections = (("Resume tie-ins", "resume"), ("Avoid flags", "avoid_hits"), ("Flags", "flags"),
                ("Next time, add", "next_time"))
    for title, key in sections:
        entries = _items(score.get(key))
        if entries:
            lines += [f"*{title}:*", *[f"- {e}" for e in entries], ""]
    delivery = score.get("delivery")
    if isinstance(delivery, dict) and delivery:
        lines += [f"*Delivery:* {_delivery(delivery)}", ""]
    if score.get("rationale"):
        lines += [f"*Rationale:* {score['rationale']}", ""]
    return lines


def session_to_markdown(session: Session, secrets: tuple[str, ...] = ()) -> str:
    """The session as a readable Markdown document with provenance and every score card."""
    info = session.info
    avg = "—" if info.average_score is None else f"{info.average_score:g}/100"
    lines = [
        f"# Prep Agent session {info.id}", "",
        f"- Started: {info.started_at}" + (f" · Ended: {info.ended_at}" if info.ended_at else
                                          " · *not finished*"),
        f"- Prompt set: {info.prompt_set} (hash `{info.prompt_hash or '—'}`)",
        f"- Engine: {info.engine} · Model: {info.model or '—'}",
        f"- Topics: {', '.join(info.topics) or 'all'}",
        f"- Questions: {info.n_questions} · Follow-ups: {info.n_follow_ups} · "
        f"Answered: {info.n_answered} · Average score: {avg}",
        f"- Exported by prep-agent {__version__}", "",
    ]
    numbers: dict[int, str] = {}
    main = 0
    for turn in session.turns:
        if turn.parent_id in numbers:
            parent = numbers[turn.parent_id]
            depth = parent.count(".") + 1
            sub = sum(1 for v in numbers.values()
                      if v.startswith(parent + ".") and v.count(".") == depth) + 1
            numbers[turn.id] = f"{parent}.{sub}"
            heading = f"### Follow-up {numbers[turn.id]}"
        else:
            main += 1
            numbers[turn.id] = str(main)
            heading = f"## Question {main}"
        kind = turn.type or "question"
        lines += [heading, "", f"*{kind} · asked {turn.asked_at}*", "", turn.text, ""]
        lines += ["**Answer**", "", _quote(turn.answer) if turn.answer is not None else
                  "*No answer given.*", ""]
        lines += _score_md(turn)
        cites = turn.question.get("citations") or []
        if cites:
            lines.append("*Notes cited:* " + "; ".join(
                f"{c.get('source', '?')}:{c.get('line', '?')}" if isinstance(c, dict) else str(c)
                for c in cites))
            lines.append("")
    if session.summary:
        lines += ["## Summary", ""]
        text = session.summary.get("text") if isinstance(session.summary, dict) else None
        lines += [str(text) if text else "", ""]
        for key, value in session.summary.items():
            if key != "text" and isinstance(value, str | int | float):
                lines.append(f"- {key}: {value}")
        lines.append("")
    result: str = scrub("\n".join(lines).rstrip() + "\n", secrets)
    return result


def export_filename(info: SessionSummary, fmt: str) -> str:
    """A safe file name such as prep-agent-session-12-2026-11-25-hiring-manager.md."""
    ext = {"md": "md", "markdown": "md", "json": "json"}.get(fmt.lower(), "txt")
    stem = f"prep-agent-session-{info.id}-{info.started_at[:10]}-{info.prompt_set}"
    safe = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:120].strip("-")
    return f"{safe or 'prep-agent-session'}.{ext}"
