"""Render a score card and the revealed notes; shared by the Interview and Review pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from app_pages.fmt import cite_md, escape_md, highlight

STATUS_BADGE = {
    "covered": ":green-badge[:material/check: covered]",
    "partial": ":orange-badge[:material/contrast: partial]",
    "missing": ":red-badge[:material/close: missing]",
    "contradicted": ":violet-badge[:material/warning: contradicted]",
}
FLAG_TEXT = {
    "empty": "No answer given.",
    "too_short": "Very short answer: say more.",
    "off_topic": "The answer seems off topic.",
    "question_echo": "The answer mostly repeats the question.",
    "keyword_list": "A bare list of keywords: explain in sentences.",
    "prompt_injection": "The answer contains instructions to the grader; they were ignored.",
    "contradiction": "Something in the answer contradicts your notes.",
}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def evidence_quotes(score: Mapping[str, Any]) -> list[str]:
    """Every quote from the answer that the score relies on."""
    quotes: list[str] = []
    for kp in _list(score.get("key_points")):
        quotes += [str(e) for e in _list(kp.get("evidence"))]
    for hit in _list(score.get("resume")) + _list(score.get("avoid_hits")):
        ev = hit.get("evidence")
        quotes += [str(e) for e in _list(ev)] if isinstance(ev, list) else [str(ev or "")]
    return [q for q in quotes if q.strip()]


def _quotes_md(quotes: Sequence[Any]) -> str:
    return " · ".join(f"“{escape_md(str(q))}”" for q in quotes if str(q).strip())


def _delivery(delivery: Mapping[str, Any]) -> str:
    parts = [f"{delivery.get('words', 0)} words", f"{delivery.get('sentences', 0)} sentence(s)"]
    target = delivery.get("target_sentences")
    if target:
        ok = delivery.get("length_ok")
        parts.append(f"target {target} sentence(s) {'✓' if ok else '✗' if ok is False else ''}")
    for key, label in (("filler_words", "fillers"), ("hedges", "hedges")):
        counts = delivery.get(key) or {}
        if isinstance(counts, Mapping) and counts:
            parts.append(f"{label}: " + ", ".join(f"“{escape_md(str(w))}” ×{n}"
                                                  for w, n in counts.items()))
    top = [p for p in _list(delivery.get("top_words")) if isinstance(p, list | tuple)]
    if top:
        parts.append("most used: " + ", ".join(f"{escape_md(str(w))} ×{n}" for w, n in top[:5]))
    return " · ".join(parts)


def spoken_delivery_md(spoken: Mapping[str, Any]) -> str:
    """Pace against the target band, first word, long pauses, fillers and the transcriber."""
    low, high = (list(spoken.get("target_wpm") or []) + [130, 160])[:2]
    wpm = spoken.get("words_per_minute")
    pace = str(spoken.get("pace", ""))
    badge = {"on target": "green", "slow": "orange", "fast": "orange"}.get(pace, "gray")
    parts = [f"{wpm:g} words/min :{badge}-badge[{escape_md(pace)}] (target {low}-{high})"
             if isinstance(wpm, int | float) else f"pace: {escape_md(pace or '-')}"]
    first = spoken.get("time_to_first_word_s")
    if isinstance(first, int | float):
        parts.append(f"first word after {first:.1f} s")
    pauses = _list(spoken.get("long_pauses"))
    parts.append(f"{len(pauses)} long pause(s)" + (": " + ", ".join(
        f"{float(p.get('seconds', 0)):.1f} s after “{escape_md(str(p.get('after_word', '')))}”"
        for p in pauses) if pauses else ""))
    fillers = spoken.get("fillers") or {}
    parts.append("fillers: " + (", ".join(f"“{escape_md(str(w))}” ×{n}"
                                          for w, n in fillers.items()) or "none")
                 if isinstance(fillers, Mapping) else "fillers: none")
    parts.append(f":material/hearing: {escape_md(str(spoken.get('transcriber', '?')))}")
    return " · ".join(parts)


def score_card(score: Mapping[str, Any], answer: str) -> None:
    """The grade of one answer: overall, the key-point ledger with evidence, tie-ins, flags."""
    with st.container(border=True, key=None):
        overall = score.get("overall")
        engine = str(score.get("engine") or "offline")
        model = score.get("model")
        left, right = st.columns([1, 3])
        left.metric("Score", f"{overall}/100" if overall is not None else "—")
        grader = f"graded by the {escape_md(engine)} engine"
        if model:
            grader += f" ({escape_md(str(model))})"
        right.caption(grader)
        if score.get("llm_error"):
            right.warning(f"The LLM judge failed ({escape_md(str(score['llm_error']))}); "
                          "this is the offline grade.")
        if score.get("rationale"):
            right.markdown(escape_md(str(score["rationale"])))
        st.markdown("**Your answer, evidence highlighted**")
        st.markdown(highlight(answer, evidence_quotes(score)) or "*(empty)*")
        if score.get("truncated"):
            st.caption("Only the first part of a very long answer was graded.")
        st.markdown("**Key points**")
        for kp in _list(score.get("key_points")):
            status = str(kp.get("status", "missing"))
            badge = STATUS_BADGE.get(status, escape_md(status))
            line = f"{badge} {escape_md(str(kp.get('key_point', '')))}"
            quotes = _quotes_md(_list(kp.get("evidence")))
            if quotes:
                line += f"  \n:material/format_quote: {quotes}"
            st.markdown(line)
        resume = _list(score.get("resume"))
        if resume:
            st.markdown("**Resume tie-ins**  \n" + "  \n".join(
                f":blue-badge[:material/work: tie-in] {escape_md(str(r.get('fact', '')))} — "
                f"{_quotes_md(_list(r.get('evidence')) or [r.get('evidence', '')])}"
                for r in resume))
        avoid = _list(score.get("avoid_hits"))
        if avoid:
            st.markdown("**Avoid flags**  \n" + "  \n".join(
                f":red-badge[:material/block: avoid] {escape_md(str(a.get('avoid', '')))} — "
                f"{_quotes_md(_list(a.get('evidence')) or [a.get('evidence', '')])}"
                for a in avoid))
        flags = [str(f) for f in _list(score.get("flags"))]
        if flags:
            st.markdown("**Flags**  \n" + "  \n".join(
                f":orange-badge[{escape_md(f)}] {FLAG_TEXT.get(f, '')}" for f in flags))
        delivery = score.get("delivery")
        if isinstance(delivery, Mapping):
            st.markdown(f"**Delivery** · {_delivery(delivery)}")
            spoken = delivery.get("spoken")
            if isinstance(spoken, Mapping):
                st.markdown(f"**Spoken delivery** · {spoken_delivery_md(spoken)}")
        tips = [str(t) for t in _list(score.get("next_time"))]
        if tips:
            st.markdown("**Next time**  \n" + "  \n".join(f"- {escape_md(t)}" for t in tips))


def revealed_notes(question: Mapping[str, Any], model_answer: str | None = None,
                   expanded: bool = True) -> None:
    """The notes the question came from, with citations, and a model answer built from them."""
    with st.expander("From your notes, and a model answer", expanded=expanded,
                     icon=":material/menu_book:"):
        for cite in _list(question.get("citations")):
            kind = str(cite.get("kind", "")).replace("_", " ")
            st.markdown(f":gray-badge[{escape_md(kind)}] "
                        f"{escape_md(str(cite.get('text', '')))}  \n"
                        f"{cite_md(cite.get('source', '?'), cite.get('line', '?'))}")
        if model_answer:
            st.markdown("**Model answer (from your notes)**")
            st.markdown(escape_md(model_answer))
